/**
 * The login function end to end, in-process, over real HTTPS on loopback: the Function URL emulator in front of the
 * handler, the Schwab fake's consent page (several Schwab users), moto_server holding the token secret and the
 * configuration secret, the GitHub fake taking the workflow dispatch. Every case scans every response the function gave
 * (status line, headers, cookies, body) and every log line for every token, code, nonce, state key and secret.
 */
import { afterEach, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { formatUtc } from '../../src/token/time.js';
import { issueState, newStateKey } from '../../src/lambda/state.js';
import { parseTokenRecord } from '../../src/token/parse.js';
import { refreshTokenExpiresAt } from '../../src/token/record.js';
import { serializeRecord } from '../../src/token/serialize.js';
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describeMoto, getMotoUrl, motoClient, putAsOtherWriter } from '../support/moto.js';
import { loginRecord, parseStored } from '../support/records.js';
import type { BrowserResponse, LoginWorld, LoginWorldOptions, Tap } from './world.js';
import {
  LOGIN_GITHUB_TOKEN,
  OWNER_HASHES,
  REPO,
  learnGeneratedSecrets,
  learnTokens,
  startLoginWorld,
} from './world.js';

const MINUTE = 60_000;

let world: LoginWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function open(options: LoginWorldOptions = {}): Promise<LoginWorld> {
  world = await startLoginWorld(options);
  return world;
}

/** The owner's accounts already recorded (a later login), unless the case says otherwise. */
const RECORDED = (schwab: { appKey: string; appSecret: string }) => ({
  app_key: schwab.appKey,
  app_secret: schwab.appSecret,
  account_hashes: OWNER_HASHES,
  github_token: LOGIN_GITHUB_TOKEN,
  github_repository: REPO,
  github_workflow: 'rotate-schwab-token.yml',
});

/** What a page the function answered must be: no-store, no referrer, a strict CSP, nothing external, no script. */
function expectStrictPage(response: BrowserResponse): void {
  expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(response.headers['cache-control']).toBe('no-store');
  expect(response.headers['referrer-policy']).toBe('no-referrer');
  const csp = String(response.headers['content-security-policy']);
  expect(csp).toMatch(
    /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'$/,
  );
  expect(csp).not.toContain('unsafe');
  expect(response.body).not.toMatch(/<script|\bsrc=|\bhref=|https?:\/\/|<img|<link|<iframe|<form/i);
}

/** A callback answer always takes the nonce cookie away. */
function expectCookieCleared(response: BrowserResponse): void {
  expect(response.setCookies).toEqual(['__Host-schwab-login=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0']);
}

async function snapshot(w: LoginWorld) {
  return { token: await w.tokenSecret(), config: await w.configSecret(), exchanges: exchanges(w) };
}

function exchanges(w: LoginWorld): number {
  return w.schwab.tokenRequests().filter((r) => r.form.grant_type === 'authorization_code').length;
}

async function expectNothingWritten(w: LoginWorld, before: Awaited<ReturnType<typeof snapshot>>): Promise<void> {
  const token = await w.tokenSecret();
  expect(token.text, 'the token secret is unchanged').toBe(before.token.text);
  expect(token.versionId, 'no new version became current').toBe(before.token.versionId);
  expect(token.pending, 'no AWSPENDING left').toBe(false);
  const config = await w.configSecret();
  expect(config.account_hashes, 'no accounts recorded').toEqual(before.config.account_hashes);
  expect(w.github.dispatches, 'no workflow started').toEqual([]);
}

describeMoto('the login function: tap → stored → dispatched', () => {
  it('first login: generates the state key, checks the accounts against the stored token, records them, stores the login, starts the workflow', async () => {
    // The stored login's access token is 10 minutes old: still valid, so it tells whose accounts the owner has.
    const w = await open({ storedLoginAgoMs: 10 * MINUTE });
    const oldRefresh = w.old?.record.tokens.refreshToken ?? '';
    const oldVersion = (await w.tokenSecret()).versionId;

    const tap = await w.tap();
    await learnGeneratedSecrets(w);

    // GET /login: 302 to Schwab's authorize page for this app, redirect_uri exactly this function's /callback.
    expect(tap.login.status).toBe(302);
    const authorize = new URL(tap.authorizeUrl);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${w.schwab.baseUrl}/v1/oauth/authorize`);
    expect(authorize.searchParams.get('response_type')).toBe('code');
    expect(authorize.searchParams.get('client_id')).toBe(w.schwab.appKey);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${w.emulator.url}/callback`);
    expect(authorize.searchParams.get('state')).toMatch(/^v1\.\d+\.[\w-]{43}\.[\w-]{43}$/);
    expect(tap.login.headers['cache-control']).toBe('no-store');
    expect(tap.login.headers['referrer-policy']).toBe('no-referrer');
    expect(tap.login.setCookies).toHaveLength(1);
    expect(tap.login.setCookies[0]).toMatch(
      /^__Host-schwab-login=[\w-]{43}; Path=\/; Secure; HttpOnly; SameSite=Lax; Max-Age=600$/,
    );
    const config = await w.configSecret();
    expect(String(config.state_key)).toMatch(/^[\w-]{43}$/);

    // GET /callback: the page.
    const page = tap.callback;
    expect(page.status, page.body).toBe(200);
    expectStrictPage(page);
    expectCookieCleared(page);
    const stored = parseStored((await w.tokenSecret()).text);
    learnTokens(w, stored);
    const deadline = formatUtc(refreshTokenExpiresAt(stored.meta));
    expect(deadline).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    expect(page.body).toContain('<title>Logged in</title>');
    expect(page.body).toContain(`The refresh token works until ${deadline}.`);
    expect(page.body).toContain('match the token that was stored before, and were recorded');
    expect(page.body).toContain('The workflow rotate-schwab-token.yml of acme/bot was started on main');

    // The token secret: the new login, by compare-and-set, one AWSCURRENT, no AWSPENDING.
    const secret = await w.tokenSecret();
    expect(secret.versionId).not.toBe(oldVersion);
    expect(secret.pending).toBe(false);
    expect(Date.now() - stored.meta.createdAt.getTime()).toBeLessThan(MINUTE);
    expect(stored.meta.refreshCount).toBe(0);
    expect(w.schwab.refreshTokenInfo(stored.tokens.refreshToken)?.active).toBe(true);
    expect(w.schwab.userOf(stored.tokens.refreshToken)).toBe('owner');
    expect(w.schwab.refreshTokenInfo(oldRefresh)?.active, 'the new login retired the old refresh token').toBe(false);

    // One code exchange, at once, with this function's callback as redirect_uri.
    const exchangesDone = w.schwab.tokenRequests().filter((r) => r.form.grant_type === 'authorization_code');
    expect(exchangesDone).toHaveLength(1);
    expect(exchangesDone[0]?.form.redirect_uri).toBe(`${w.emulator.url}/callback`);

    // The owner's accounts recorded; the workflow dispatched once, on main.
    expect((await w.configSecret()).account_hashes).toEqual(OWNER_HASHES);
    expect(w.github.dispatches).toMatchObject([{ repository: REPO, workflowId: 4242, ref: 'main' }]);

    expect(w.storedAfterMs).toHaveLength(1);
    expect(w.storedAfterMs[0]).toBeLessThan(1000);
    expect(w.logs.join('\n')).toMatch(
      /Stored the new login in AWS secret "login\/token-[\w-]+" \(us-east-1\) \d+ ms after the callback arrived\./,
    );
    w.expectNothingLeaked();
  });

  it("first login with an expired stored token: trusts the first login's accounts and says so on the page", async () => {
    const w = await open({ storedLoginAgoMs: 2 * 60 * MINUTE });
    const tap = await w.tap();
    await learnGeneratedSecrets(w);
    learnTokens(w, parseStored((await w.tokenSecret()).text));
    expect(tap.callback.status).toBe(200);
    expect(tap.callback.body).toContain(
      'First login through this function: it recorded the 1 account this Schwab login sees',
    );
    expect((await w.configSecret()).account_hashes).toEqual(OWNER_HASHES);
    w.expectNothingLeaked();
  });

  it("later logins: the owner's recorded accounts match; each login replaces the last; callback → stored well under a second", async () => {
    const w = await open({ config: RECORDED });
    for (let i = 0; i < 3; i++) {
      const tap = await w.tap();
      expect(tap.callback.status, tap.callback.body).toBe(200);
      expect(tap.callback.body).toContain('The login sees the owner’s 1 account.');
      const stored = parseStored((await w.tokenSecret()).text);
      learnTokens(w, stored);
      expect(w.schwab.refreshTokenInfo(stored.tokens.refreshToken)?.active).toBe(true);
    }
    await learnGeneratedSecrets(w);
    expect(w.github.dispatches).toHaveLength(3);
    expect(w.storedAfterMs).toHaveLength(3);
    const sorted = [...w.storedAfterMs].sort((a, b) => a - b);
    console.log(
      `login function: callback → stored record in ${w.storedAfterMs.map((ms) => `${Math.round(ms)} ms`).join(', ')} (median ${Math.round(sorted[1] ?? 0)} ms)`,
    );
    for (const ms of w.storedAfterMs) expect(ms).toBeLessThan(1000);
    w.expectNothingLeaked();
  });

  it('writes the format the token secret already holds (a schwab-py token file stays one)', async () => {
    const w = await open({ config: RECORDED, storedLoginAgoMs: 'none' });
    const older = loginRecord(w.schwab, new Date(Date.now() - 3 * 60 * MINUTE));
    await putAsOtherWriter(getMotoUrl(), w.tokenSecretId, serializeRecord(older.record, 'schwab-py'));
    learnTokens(w, older.record);
    const tap = await w.tap();
    expect(tap.callback.status, tap.callback.body).toBe(200);
    const text = (await w.tokenSecret()).text ?? '';
    const parsed = parseTokenRecord(text, 'test', new Date());
    learnTokens(w, parsed.record);
    expect(parsed.format).toBe('schwab-py');
    expect(parsed.record.meta.createdAt.getTime()).toBeGreaterThan(older.record.meta.createdAt.getTime());
    await learnGeneratedSecrets(w);
    w.expectNothingLeaked();
  });

  it('stores into an empty token secret (no login stored yet)', async () => {
    const w = await open({ storedLoginAgoMs: 'none' });
    const tap = await w.tap();
    expect(tap.callback.status, tap.callback.body).toBe(200);
    const stored = parseStored((await w.tokenSecret()).text);
    learnTokens(w, stored);
    expect(w.schwab.userOf(stored.tokens.accessToken)).toBe('owner');
    expect(tap.callback.body).toContain('it recorded the 1 account');
    await learnGeneratedSecrets(w);
    w.expectNothingLeaked();
  });
});

/** A refusal: how to provoke it, what the browser gets, and whether Schwab was asked for tokens before refusing. */
interface RefusalCase {
  name: string;
  status: number;
  words: RegExp;
  /** The code was exchanged before the refusal (only the accounts check comes after the exchange). */
  exchanged?: boolean;
  config?: LoginWorldOptions['config'];
  storedLoginAgoMs?: number;
  run: (w: LoginWorld, clock: MutableClock) => Promise<BrowserResponse>;
}

interface MutableClock {
  offsetMs: number;
  now(): Date;
}

/** Changes the state parameter of the redirect URL. */
function withState(url: string, change: (state: string) => string | undefined): string {
  const parsed = new URL(url);
  const state = parsed.searchParams.get('state') ?? '';
  const next = change(state);
  if (next === undefined) parsed.searchParams.delete('state');
  else parsed.searchParams.set('state', next);
  return parsed.href;
}

const callbackOf = (tap: Tap) => tap.callback;

const REFUSALS: RefusalCase[] = [
  {
    name: 'Schwab sent error=access_denied (the user denied)',
    status: 400,
    words: /Schwab did not log you in.*\(access_denied\)/,
    run: async (w) => callbackOf(await w.tap({ deny: true })),
  },
  {
    name: 'a forged state: the MAC changed',
    status: 403,
    words: /was not started here/,
    run: async (w) =>
      callbackOf(
        await w.tap({ between: (url) => withState(url, (s) => `${s.slice(0, -2)}${s.endsWith('AA') ? 'BB' : 'AA'}`) }),
      ),
  },
  {
    name: "a forged state: made with another key (and this browser's own nonce digest)",
    status: 403,
    words: /was not started here/,
    run: async (w) =>
      callbackOf(
        await w.tap({
          between: (url) =>
            withState(url, (s) => {
              const [, expires, digest] = s.split('.');
              const body = `v1.${expires}.${digest}`;
              return `${body}.${createHmac('sha256', newStateKey()).update(body).digest('base64url')}`;
            }),
        }),
      ),
  },
  {
    name: 'a forged state: a longer life, the MAC kept',
    status: 403,
    words: /was not started here/,
    run: async (w) =>
      callbackOf(
        await w.tap({
          between: (url) =>
            withState(url, (s) => s.replace(/^v1\.(\d+)\./, (_m, e: string) => `v1.${Number(e) + 86_400}.`)),
        }),
      ),
  },
  {
    name: 'a state of another version of the function',
    status: 400,
    words: /out of date/,
    run: async (w) => callbackOf(await w.tap({ between: (url) => withState(url, (s) => s.replace(/^v1\./, 'v2.')) })),
  },
  {
    name: 'no state at all',
    status: 400,
    words: /not a login answer/,
    run: async (w) => callbackOf(await w.tap({ between: (url) => withState(url, () => undefined) })),
  },
  {
    name: 'a stale state: the callback came 11 minutes after /login',
    status: 400,
    words: /took too long.*within 10 minutes/,
    run: async (w, clock) =>
      callbackOf(
        await w.tap({
          between: (url) => {
            clock.offsetMs = 11 * MINUTE;
            return url;
          },
        }),
      ),
  },
  {
    name: 'no cookie: the callback opened in another browser',
    status: 400,
    words: /did not start this login/,
    run: async (w) =>
      callbackOf(
        await w.tap({
          between: (url) => {
            w.browser.jar.clear();
            return url;
          },
        }),
      ),
  },
  {
    name: 'the cookie of a later login started in the same browser',
    status: 403,
    words: /Another login was started in this browser/,
    run: async (w) =>
      callbackOf(
        await w.tap({
          between: async (url) => {
            await w.browser.get(`${w.emulator.url}/login`);
            for (const value of w.browser.jar.values()) w.secrets.add(value);
            return url;
          },
        }),
      ),
  },
  {
    name: 'no code',
    status: 400,
    words: /no login code/,
    run: async (w) =>
      callbackOf(
        await w.tap({
          between: (url) => {
            const parsed = new URL(url);
            parsed.searchParams.delete('code');
            return parsed.href;
          },
        }),
      ),
  },
  {
    name: 'another Schwab user logged in (accounts recorded)',
    status: 403,
    words: /not the owner’s accounts/,
    exchanged: true,
    config: RECORDED,
    run: async (w) => callbackOf(await w.tap({ user: 'other' })),
  },
  {
    name: 'another Schwab user logged in first (accounts taken from the stored owner token)',
    status: 403,
    words: /not the owner’s accounts/,
    exchanged: true,
    storedLoginAgoMs: 5 * MINUTE,
    run: async (w) => callbackOf(await w.tap({ user: 'other' })),
  },
];

describeMoto('the login function refuses, storing nothing and leaking nothing', () => {
  it.each(REFUSALS)('$name → $status', async (row) => {
    const clock: MutableClock = { offsetMs: 0, now: () => new Date(Date.now() + clock.offsetMs) };
    const w = await open({
      ...(row.config ? { config: row.config } : {}),
      ...(row.storedLoginAgoMs ? { storedLoginAgoMs: row.storedLoginAgoMs } : {}),
      clock,
    });
    const before = await snapshot(w);
    const ownerRefresh = w.old?.record.tokens.refreshToken ?? '';

    const page = await row.run(w, clock);
    await learnGeneratedSecrets(w);

    expect(page.status, page.body).toBe(row.status);
    expect(page.body.replace(/<[^>]+>/g, ' ')).toMatch(row.words);
    expect(page.body).toContain('Nothing was stored.');
    expectStrictPage(page);
    expectCookieCleared(page);
    await expectNothingWritten(w, before);
    expect(exchanges(w) - before.exchanges, 'code exchanges').toBe(row.exchanged ? 1 : 0);
    expect(w.schwab.refreshTokenInfo(ownerRefresh)?.active, "the owner's stored token still works").toBe(true);
    expect(w.logs.join('\n')).toMatch(/Refused a callback \([a-z-]+\); nothing was stored\./);
    w.expectNothingLeaked();
  });

  it('a replayed callback in the same container: 409, nothing written twice, no second exchange', async () => {
    const w = await open({ config: RECORDED });
    let nonce = '';
    const tap = await w.tap({
      between: (url) => {
        nonce = w.browser.jar.get('__Host-schwab-login') ?? '';
        return url;
      },
    });
    expect(tap.callback.status).toBe(200);
    const after = await snapshot(w);
    learnTokens(w, parseStored(after.token.text));

    const replay = await w.browser.get(tap.callbackUrl, { cookie: `__Host-schwab-login=${nonce}` });
    await learnGeneratedSecrets(w);
    expect(replay.status).toBe(409);
    expect(replay.body).toContain('This login answer was already used');
    expectStrictPage(replay);
    expectCookieCleared(replay);
    expect((await w.tokenSecret()).versionId).toBe(after.token.versionId);
    expect(exchanges(w)).toBe(after.exchanges);
    expect(w.github.dispatches).toHaveLength(1);
    w.expectNothingLeaked();
  });

  it("a replayed callback in a new container (cold start): the stored login's time refuses it, 409", async () => {
    const clock: MutableClock = { offsetMs: 0, now: () => new Date(Date.now() + clock.offsetMs) };
    const w = await open({ config: RECORDED, clock });
    let nonce = '';
    const tap = await w.tap({
      between: (url) => {
        nonce = w.browser.jar.get('__Host-schwab-login') ?? '';
        clock.offsetMs = 20_000; // the person spent 20 s at Schwab's login page
        return url;
      },
    });
    expect(tap.callback.status).toBe(200);
    const after = await snapshot(w);
    learnTokens(w, parseStored(after.token.text));

    w.coldStart();
    const replay = await w.browser.get(tap.callbackUrl, { cookie: `__Host-schwab-login=${nonce}` });
    await learnGeneratedSecrets(w);
    expect(replay.status).toBe(409);
    expect(replay.body).toContain('A login was already stored');
    expect((await w.tokenSecret()).versionId).toBe(after.token.versionId);
    expect(exchanges(w), 'refused before Schwab was asked').toBe(after.exchanges);
    w.expectNothingLeaked();
  });

  it.each([
    ['POST', '/login'],
    ['PUT', '/callback'],
    ['DELETE', '/callback'],
    ['GET', '/'],
    ['GET', '/favicon.ico'],
    ['GET', '/login/extra'],
    ['GET', '/callbacks'],
  ])('%s %s → 404, and nothing is read or called', async (method, path) => {
    const w = await open();
    const response = await w.browser.get(`${w.emulator.url}${path}`, { method });
    expect(response.status).toBe(404);
    expectStrictPage(response);
    expect(response.setCookies).toEqual([]);
    expect(w.schwab.requests).toEqual([]);
    expect((await w.configSecret()).state_key).toBeUndefined();
    w.expectNothingLeaked();
  });
});

describeMoto('the login function when Schwab, AWS or its configuration fails', () => {
  it('a token secret that cannot be read: 503 before the code is spent', async () => {
    const w = await open({ config: RECORDED });
    w.coldStart({ env: { ...definedEnv(w), TOKEN_SECRET_ID: 'login/no-such-secret' } });
    const tap = await w.tap();
    await learnGeneratedSecrets(w);
    expect(tap.callback.status).toBe(503);
    expect(tap.callback.body).toMatch(/login\/no-such-secret.*was not found/);
    expect(exchanges(w), 'the code was not spent').toBe(0);
    expectCookieCleared(tap.callback);
    w.expectNothingLeaked();
  });

  it('an expired code (the callback came 31 s after the consent): 400, nothing stored', async () => {
    const w = await open({ config: RECORDED });
    const before = await snapshot(w);
    const tap = await w.tap({
      between: (url) => {
        w.schwab.advance(31_000);
        return url;
      },
    });
    await learnGeneratedSecrets(w);
    expect(tap.callback.status).toBe(400);
    expect(tap.callback.body).toContain('Schwab did not accept the login code');
    await expectNothingWritten(w, before);
    w.expectNothingLeaked();
  });

  it('Schwab cannot list the accounts (503 every attempt): 502, the new tokens dropped, nothing stored', async () => {
    const w = await open({ config: RECORDED });
    const before = await snapshot(w);
    const tap = await w.tap({
      between: (url) => {
        w.schwab.fail('accounts', 503, 3);
        return url;
      },
    });
    await learnGeneratedSecrets(w);
    expect(tap.callback.status).toBe(502);
    expect(tap.callback.body).toContain('Schwab did not say whose login this is');
    await expectNothingWritten(w, before);
    w.expectNothingLeaked();
  });

  it('a wrong app secret in the configuration: 500 naming the fields to fix, never the value', async () => {
    const w = await open({ config: (schwab) => ({ ...RECORDED(schwab), app_secret: 'not-the-app-secret-9876' }) });
    w.secrets.add('not-the-app-secret-9876');
    const tap = await w.tap();
    await learnGeneratedSecrets(w);
    expect(tap.callback.status).toBe(500);
    expect(tap.callback.body).toMatch(/check &#34;app_key&#34; and &#34;app_secret&#34;/);
    w.expectNothingLeaked();
  });

  it('a newer login stored while this one was exchanged is kept (the one conflict rule): 409, nothing overwritten', async () => {
    const w = await open({ config: RECORDED });
    let newer = '';
    w.schwab.beforeNext('token', async () => {
      // Someone else's login lands in the secret, dated after this one.
      const other = loginRecord(w.schwab, new Date(Date.now() + 2 * MINUTE));
      learnTokens(w, other.record);
      newer = other.text;
      await putAsOtherWriter(getMotoUrl(), w.tokenSecretId, other.text);
    });
    const tap = await w.tap();
    await learnGeneratedSecrets(w);
    expect(tap.callback.status, tap.callback.body).toBe(409);
    expect(tap.callback.body).toContain('A newer login was kept');
    const secret = await w.tokenSecret();
    expect(secret.text).toBe(newer);
    expect(secret.pending).toBe(false);
    expect(w.github.dispatches).toEqual([]);
    w.expectNothingLeaked();
  });

  it('a workflow that cannot be dispatched: the login is stored anyway and the page says why the workflow did not start', async () => {
    const w = await open({
      config: RECORDED,
      github: {
        workflows: [
          { repository: REPO, id: 4242, path: '.github/workflows/rotate-schwab-token.yml', dispatchable: false },
        ],
      },
    });
    const tap = await w.tap();
    await learnGeneratedSecrets(w);
    learnTokens(w, parseStored((await w.tokenSecret()).text));
    expect(tap.callback.status).toBe(200);
    expect(tap.callback.body).toContain(
      'could not be started (GitHub answered 422: the workflow needs a workflow_dispatch trigger',
    );
    expect(w.github.dispatches).toEqual([]);
    w.expectNothingLeaked();
  });

  it('without a GitHub token configured: stored, no dispatch, the page says the next scheduled run picks it up', async () => {
    const w = await open({
      config: (schwab) => ({ app_key: schwab.appKey, app_secret: schwab.appSecret, account_hashes: OWNER_HASHES }),
    });
    const tap = await w.tap();
    await learnGeneratedSecrets(w);
    learnTokens(w, parseStored((await w.tokenSecret()).text));
    expect(tap.callback.status).toBe(200);
    expect(tap.callback.body).toContain('picks up the new login on its next scheduled run');
    expect(w.github.requests).toEqual([]);
    w.expectNothingLeaked();
  });

  it('a missing environment variable: a 500 page naming it', async () => {
    const w = await open();
    const env = definedEnv(w);
    delete env.CONFIG_SECRET_ID;
    w.coldStart({ env });
    const response = await w.browser.get(`${w.emulator.url}/login`);
    expect(response.status).toBe(500);
    expect(response.body).toContain('CONFIG_SECRET_ID is not set');
    expectStrictPage(response);
    w.expectNothingLeaked();
  });

  it('a broken configuration secret: a 500 page naming the field (never a value); fixed, the same container works', async () => {
    const w = await open({ config: (schwab) => ({ app_key: schwab.appKey, app_secrt: schwab.appSecret }) });
    const broken = await w.browser.get(`${w.emulator.url}/login`);
    expect(broken.status).toBe(500);
    expect(broken.body).toContain('has no &#34;app_secret&#34;');
    await editAsUser(w.configSecretId, JSON.stringify({ app_key: w.schwab.appKey, app_secret: w.schwab.appSecret }));
    const tap = await w.tap();
    await learnGeneratedSecrets(w);
    learnTokens(w, parseStored((await w.tokenSecret()).text));
    expect(tap.callback.status, tap.callback.body).toBe(200);
    w.expectNothingLeaked();
  });

  it("two cold starts racing to create the state key: one key is stored, and either container verifies the other's state", async () => {
    const w = await open({ config: RECORDED });
    const first = w.coldStart();
    const second = w.coldStart(); // both read the configuration without a state key
    const event = (path: string) => ({
      rawPath: path,
      rawQueryString: '',
      requestContext: { domainName: new URL(w.emulator.url).host, http: { method: 'GET' } },
    });
    const a = await first(event('/login'));
    const keyAfterFirst = (await w.configSecret()).state_key;
    const b = await second(event('/login'));
    await learnGeneratedSecrets(w);
    expect(a.statusCode).toBe(302);
    expect(b.statusCode).toBe(302);
    expect((await w.configSecret()).state_key, 'the second container adopted the stored key').toBe(keyAfterFirst);
    expect(w.logs.join('\n')).toContain('Another instance of the function updated the configuration secret');
    // A login started on the second container finishes on the first.
    const state = new URL(b.headers?.Location ?? '').searchParams.get('state') ?? '';
    const nonce = /=([^;]+);/.exec(b.cookies?.[0] ?? '')?.[1] ?? '';
    w.secrets.add(nonce);
    const code = w.schwab.issueCode(`${w.emulator.url}/callback`, 'owner');
    w.secrets.add(code);
    const callback = await first({
      ...event('/callback'),
      rawQueryString: `code=${encodeURIComponent(code)}&session=x&state=${state}`,
      cookies: [`__Host-schwab-login=${nonce}`],
    });
    expect(callback.statusCode, callback.body).toBe(200);
    learnTokens(w, parseStored((await w.tokenSecret()).text));
    // (These two answers bypassed the emulator; scan them too.)
    expect(JSON.stringify([a, b, callback])).not.toContain(String(keyAfterFirst));
    w.expectNothingLeaked();
  });

  it('accounts changed (the owner removed account_hashes): a warm container reads its configuration again and records the new ones', async () => {
    const w = await open({
      config: (schwab) => ({ ...RECORDED(schwab), account_hashes: ['ACCOUNT-CLOSED-LAST-MONTH'] }),
    });
    const refused = await w.tap();
    expect(refused.callback.status).toBe(403);
    const config = await w.configSecret();
    delete config.account_hashes;
    await editAsUser(w.configSecretId, JSON.stringify(config));

    const tap = await w.tap(); // the same container, which read the configuration with the old accounts
    await learnGeneratedSecrets(w);
    learnTokens(w, parseStored((await w.tokenSecret()).text));
    expect(tap.callback.status, tap.callback.body).toBe(200);
    expect(tap.callback.body).toContain('it recorded the 1 account');
    expect((await w.configSecret()).account_hashes).toEqual(OWNER_HASHES);
    w.expectNothingLeaked();
  });

  it("never takes a state made for one function for another one's (different state keys)", async () => {
    const w = await open({ config: RECORDED });
    const foreign = issueState(newStateKey(), new Date());
    const tap = await w.tap({ between: (url) => withState(url, () => foreign.state) });
    await learnGeneratedSecrets(w);
    expect(tap.callback.status).toBe(403);
    w.expectNothingLeaked();
  });
});

/**
 * The owner editing the configuration secret as the README says (`aws secretsmanager put-secret-value`): a plain put,
 * the one kind of write this secret ever gets (so moto's stage-move quirk does not apply).
 */
async function editAsUser(secretId: string, text: string): Promise<void> {
  await motoClient().send(new PutSecretValueCommand({ SecretId: secretId, SecretString: text }));
}

function definedEnv(w: LoginWorld): Record<string, string> {
  return Object.fromEntries(Object.entries(w.env).filter(([, value]) => value !== ''));
}
