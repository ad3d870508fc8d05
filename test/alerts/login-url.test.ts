/**
 * The login function's link in the alert issue, through ReauthAlerts against the GitHub fake: with `login` carrying
 * the login-url, the issue GitHub stores (and notifies with) starts with the one-tap link and holds no app key.
 * (The action puts settings.loginUrl into `login`; see src/action/run.ts.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Harness } from './helpers.js';
import { APP_KEY, publishedTexts, startHarness } from './helpers.js';

const LOGIN_URL = 'https://abc123example.lambda-url.us-east-1.on.aws';
const NOW = new Date('2026-11-23T10:30:00Z');
const LOGIN = new Date('2026-11-18T09:00:00Z');

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.fake.close();
  harness = undefined;
});

describe('alert issue with login-url', () => {
  it('opens the issue with the one-tap link first; its re-auth comment too; no app key anywhere', async () => {
    const h = await startHarness();
    harness = h;
    const base = h.input({ now: NOW, health: 'expiring', loginAt: LOGIN });
    const login = { ...base.login, loginUrl: LOGIN_URL };
    const opened = await h.alerts.sync({ ...base, login });
    expect(opened.action).toBe('opened');
    const body = h.fake.issues[0]?.body ?? '';
    const firstVisible = body.split('\n').find((line) => line.trim() !== '' && !line.startsWith('<!--'));
    expect(firstVisible).toMatch(
      new RegExp(`^\\*\\*\\[Log in to Schwab now\\]\\(${LOGIN_URL.replace(/\./g, '\\.')}/login\\)\\*\\*`),
    );

    const later = new Date(LOGIN.getTime() + 8 * 86_400_000);
    const commented = await h.alerts.sync({
      ...h.input({ now: later, health: 'reauth-required', loginAt: LOGIN }),
      login,
    });
    expect(commented.action).toBe('commented');
    expect(h.fake.comments[0]?.body).toContain(`(${LOGIN_URL}/login)`);
    for (const text of publishedTexts(h.fake)) {
      expect(text).not.toContain(APP_KEY);
      expect(text).not.toContain('oauth/authorize');
    }
  });
});
