import { describe, expect, it } from 'vitest';
import {
  alertBody,
  alertTitle,
  buildLoginCommand,
  closedComment,
  reauthComment,
  shellQuote,
  type AlertContentInput,
} from '../../src/alerts/issue-content.js';
import { findMarker } from '../../src/alerts/marker.js';
import { actionAudience, withAudience } from '../../src/util/audience.js';
import { createMemoryLogger } from '../../src/util/logger.js';

const APP_KEY = 'AppKey0123456789abcdefABCDEF0123';
const APP_SECRET = 'AppSecret0fThe0App0123';
const ACCESS = 'I0.b2F1dGgyLmNkYy5zY2h3YWIuY29t.accesstoken@';
const REFRESH = 'refresh0token0value0xyz0123456789@';
const LOGIN = new Date('2026-11-18T09:00:00Z');
const NOW = new Date('2026-11-23T10:30:00Z'); // 1d 22h 30m before the deadline (2026-11-25 09:00)
const CALLBACK = 'https://127.0.0.1:8182';
/** What the runner tells the action about itself (`uses: acme/schwab-token-rotator@v1`). */
const RUNNER_AUDIENCE = actionAudience({
  GITHUB_ACTION_REPOSITORY: 'acme/schwab-token-rotator',
  GITHUB_ACTION_REF: 'v1',
});

function input(overrides: Partial<AlertContentInput> = {}): AlertContentInput {
  const logger = createMemoryLogger();
  for (const secret of [APP_SECRET, ACCESS, REFRESH]) logger.mask(secret);
  return {
    tokenId: 'prod/schwab-token',
    status: 'expiring',
    schwabRejected: false,
    now: NOW,
    loginAt: LOGIN,
    login: {
      callbackUrl: CALLBACK,
      awsSecretId: 'prod/schwab-token',
      awsRegion: 'us-east-1',
      githubSecret: { repo: 'acme/bot', name: 'SCHWAB_TOKEN' },
    },
    redact: logger.redact,
    ...overrides,
  };
}

describe('login command', () => {
  it('runs the CLI from the repository and ref the action runs from, names every target, and never the app key or secret', () => {
    withAudience(RUNNER_AUDIENCE, () => {
      expect(buildLoginCommand(input().login)).toBe(
        'npx --yes github:acme/schwab-token-rotator#v1 login --callback-url https://127.0.0.1:8182 ' +
          '--aws-secret-id prod/schwab-token --aws-region us-east-1 --github-repo acme/bot --github-secret-name SCHWAB_TOKEN',
      );
      expect(buildLoginCommand({ callbackUrl: CALLBACK })).toBe(
        'npx --yes github:acme/schwab-token-rotator#v1 login --callback-url https://127.0.0.1:8182',
      );
    });
  });

  it('keeps every non-default setting of the run', () => {
    withAudience(RUNNER_AUDIENCE, () => {
      expect(
        buildLoginCommand({
          callbackUrl: 'https://127.0.0.1:9443/cb',
          schwabBaseUrl: 'https://schwab-proxy.internal:8443',
          githubSecret: { repo: 'acme/bot@production', name: 'SCHWAB_TOKEN' },
          tokenFormat: 'schwab-py',
        }),
      ).toBe(
        'npx --yes github:acme/schwab-token-rotator#v1 login --callback-url https://127.0.0.1:9443/cb ' +
          '--schwab-base-url https://schwab-proxy.internal:8443 --github-repo acme/bot@production --github-secret-name SCHWAB_TOKEN ' +
          '--token-format schwab-py',
      );
      // Defaults are left out.
      expect(
        buildLoginCommand({
          callbackUrl: CALLBACK,
          schwabBaseUrl: 'https://api.schwabapi.com',
          tokenFormat: 'rotator',
        }),
      ).toBe('npx --yes github:acme/schwab-token-rotator#v1 login --callback-url https://127.0.0.1:8182');
    });
  });

  it("without the runner's GITHUB_ACTION_REPOSITORY, shows the form with placeholders", () => {
    withAudience(actionAudience({}), () => {
      expect(buildLoginCommand({ callbackUrl: CALLBACK })).toBe(
        'npx --yes github:OWNER/schwab-token-rotator#v1 login --callback-url https://127.0.0.1:8182',
      );
    });
  });

  it('quotes what the shell would split or expand', () => {
    expect(shellQuote('my secret$(x)')).toBe(`'my secret$(x)'`);
    expect(shellQuote(`it's`)).toBe(`'it'\\''s'`);
    expect(shellQuote('arn:aws:secretsmanager:us-east-1:123:secret:prod/x-AbC')).toBe(
      'arn:aws:secretsmanager:us-east-1:123:secret:prod/x-AbC',
    );
  });
});

describe('alert issue text', () => {
  it('the title has the deadline and the token id', () => {
    expect(alertTitle(input())).toBe('Schwab login needed by 2026-11-25 09:00 UTC for prod/schwab-token');
    expect(alertTitle(input({ status: 'reauth-required', now: new Date('2026-11-26T00:00:00Z') }))).toBe(
      'Schwab login required now for prod/schwab-token: the refresh token expired 2026-11-25 09:00 UTC',
    );
    expect(alertTitle(input({ status: 'reauth-required', schwabRejected: true }))).toMatch(/rejected/);
    expect(alertTitle(input({ status: 'reauth-required', loginAt: undefined }))).toMatch(/no usable token record/);
  });

  it('the body has the marker, the deadline in UTC with time left, the authorize URL, the login command and what it writes', () => {
    const body = alertBody(input());
    expect(findMarker(body, 'alert', 'prod/schwab-token')).toEqual({
      kind: 'alert',
      tokenId: 'prod/schwab-token',
      login: LOGIN,
      state: 'expiring',
    });
    expect(body).toContain('**2026-11-25 09:00 UTC** (in 1d 22h)');
    expect(body).toContain(buildLoginCommand(input().login));
    expect(body).toContain('read -rs SCHWAB_APP_SECRET && export SCHWAB_APP_SECRET');
    expect(body).toContain('`export SCHWAB_APP_KEY=YOUR_APP_KEY`');
    expect(body).toContain('`schwab_token.json`');
    expect(body).toContain('the AWS Secrets Manager secret `prod/schwab-token`');
    expect(body).toContain('the GitHub secret `SCHWAB_TOKEN` of `acme/bot`');
    expect(body).toMatch(/What stops working if nothing is done[\s\S]*401 Unauthorized/);
    expect(body).toMatch(/7 days from the login/);
  });

  it('contains no token value, no app secret and no app key (the issue may be public)', () => {
    for (const text of [
      alertBody(input()),
      alertTitle(input()),
      reauthComment(input({ status: 'reauth-required' })),
      closedComment({ tokenId: 'prod/schwab-token', now: NOW, loginAt: NOW, redact: input().redact }),
    ]) {
      for (const secret of [APP_SECRET, APP_KEY, ACCESS, REFRESH, encodeURIComponent(REFRESH)])
        expect(text).not.toContain(secret);
      expect(text).not.toContain('client_id');
    }
  });

  it('passes every text through redact (defence in depth)', () => {
    const logger = createMemoryLogger();
    logger.mask('leaky-token-id-value');
    const leaky = input({ tokenId: 'leaky-token-id-value', redact: logger.redact });
    const texts = [
      alertTitle(leaky),
      alertBody(leaky),
      reauthComment({ ...leaky, status: 'reauth-required' }),
      closedComment({ tokenId: 'leaky-token-id-value', now: NOW, loginAt: NOW, redact: logger.redact }),
    ];
    for (const text of texts) {
      expect(text).not.toContain('leaky-token-id-value');
      expect(text).toContain('***');
    }
  });

  it('explains a rejection and a missing record', () => {
    expect(alertBody(input({ status: 'reauth-required', schwabRejected: true }))).toMatch(
      /Schwab rejected the refresh token/,
    );
    expect(alertBody(input({ status: 'reauth-required', loginAt: undefined }))).toMatch(/No usable token record/);
    expect(alertBody(input({ status: 'reauth-required', now: new Date('2026-11-25T12:00:00Z') }))).toContain(
      '(3h ago)',
    );
  });

  it('without a store to write, tells where to put the file', () => {
    const body = alertBody(input({ login: { callbackUrl: CALLBACK } }));
    expect(body).toMatch(/store the content of `schwab_token.json` where this workflow reads its token/);
  });

  it('comments carry their own markers and the new deadline', () => {
    const reauth = reauthComment(input({ status: 'reauth-required', now: new Date('2026-11-25T09:10:00Z') }));
    expect(findMarker(reauth, 'reauth-required', 'prod/schwab-token')?.login).toEqual(LOGIN);
    expect(reauth).toContain(buildLoginCommand(input().login));
    const newLogin = new Date('2026-11-25T10:00:00Z');
    const closed = closedComment({
      tokenId: 'prod/schwab-token',
      now: new Date('2026-11-25T10:20:00Z'),
      loginAt: newLogin,
      redact: (s) => s,
    });
    expect(findMarker(closed, 'closed', 'prod/schwab-token')?.login).toEqual(newLogin);
    expect(closed).toContain('**2026-12-02 10:00 UTC** (in 6d 23h)');
  });
});

describe('with login-url (the login function deployed)', () => {
  const LOGIN_URL = 'https://abc123example.lambda-url.us-east-1.on.aws';
  const withLoginUrl = (overrides: Partial<AlertContentInput> = {}) =>
    input({ login: { ...input().login, loginUrl: LOGIN_URL }, ...overrides });
  const visible = (text: string) => text.split('\n').filter((line) => !line.startsWith('<!--'));

  it('starts the issue with the one-tap link, keeps the command as the fallback, shows no app key and no authorize URL', () => {
    const body = alertBody(withLoginUrl());
    expect(visible(body)[0]).toBe(
      `**[Log in to Schwab now](${LOGIN_URL}/login)**: one tap, from any device. Schwab's own login page opens; once you approve, the login function stores the new token and this workflow takes it from there.`,
    );
    expect(body).toContain('### Or log in from a terminal (one command, one browser click)');
    expect(body).toContain(` login --callback-url https://127.0.0.1:8182 --aws-secret-id prod/schwab-token`);
    expect(body).toContain('export SCHWAB_APP_KEY=YOUR_APP_KEY');
    expect(body).not.toContain(APP_KEY);
    expect(body).not.toContain('oauth/authorize');
    expect(body).not.toContain(APP_SECRET);
    expect(findMarker(body, 'alert', 'prod/schwab-token')).toBeDefined();
  });

  it('the reauth-required comment gives the link first too, and no app key', () => {
    const comment = reauthComment(withLoginUrl({ status: 'reauth-required', schwabRejected: true }));
    const lines = visible(comment);
    expect(lines[0]).toMatch(/^\*\*The refresh token for `prod\/schwab-token` is dead now\.\*\*/);
    expect(lines[2]).toContain(`(${LOGIN_URL}/login)`);
    expect(comment).not.toContain(APP_KEY);
    expect(comment).toContain('(with `SCHWAB_APP_KEY` and `SCHWAB_APP_SECRET` in the environment;');
  });

  it('without login-url, the command is the first instruction (and still no app key)', () => {
    const body = alertBody(input());
    expect(body).not.toContain('Log in to Schwab now');
    expect(body).toContain('### How to log in again (one command, one browser click)');
    expect(body).not.toContain(APP_KEY);
  });
});
