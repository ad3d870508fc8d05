/**
 * `login` end to end, in-process, over real HTTP(S) on loopback: the Schwab fake plays Schwab, a test function plays
 * the browser (follows the authorize URL and then the redirect to the CLI's own HTTPS callback), the GitHub fake
 * decrypts the secret it receives, and moto holds the AWS secret.
 */
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SCHWAB_ERROR_BODIES, startSchwabFake } from '../fakes/schwab-fake.js';
import type { SchwabFake } from '../fakes/schwab-fake.js';
import { FAKE_SECRETS_TOKEN, startGitHubFake } from '../fakes/github-fake.js';
import type { GitHubFake } from '../fakes/github-fake.js';
import { freePort } from '../support/moto-server.js';
import { CREDENTIAL_CHECK_TOKEN } from '../../src/schwab/oauth-client.js';
import { unusedLocalUrl } from '../fakes/aws-stub.js';
import { expectNoLeaks } from '../support/leaks.js';
import { applyEnv, createTestSecret, describeMoto, getMotoUrl, readSecretValue, useMotoEnv } from '../support/moto.js';
import type { BrowserVisit, TestIo } from './helpers.js';
import {
  DAY,
  authorize,
  loginFile,
  makeIo,
  parseRecord,
  playBrowser,
  run,
  strayFiles,
  tempDir,
  tokensOf,
} from './helpers.js';

let fake: SchwabFake;
let github: GitHubFake;
let dir: string;
let cleanup: () => Promise<void>;
let callbackUrl: string;
let restoreEnv: () => void;

beforeEach(async () => {
  const port = await freePort();
  callbackUrl = `https://127.0.0.1:${port}`;
  fake = await startSchwabFake({ callbackUrl });
  github = await startGitHubFake();
  // The GitHub client follows GITHUB_API_URL from the process environment, as in the action.
  restoreEnv = applyEnv({ GITHUB_API_URL: github.url });
  ({ dir, cleanup } = await tempDir());
});

afterEach(async () => {
  restoreEnv();
  await Promise.all([fake.close(), github.close(), cleanup()]);
});

function ioFor(overrides: Parameters<typeof makeIo>[2] = {}): TestIo {
  return makeIo(fake, dir, {
    ...overrides,
    env: { GH_TOKEN: FAKE_SECRETS_TOKEN, ...overrides.env },
  });
}

/** The browser plays along in the background when the CLI opens the authorize URL. */
function browserThat(between?: (location: string) => string | Promise<string>) {
  let visit: Promise<BrowserVisit> | undefined;
  let authorizeUrl: string | undefined;
  return {
    openBrowser: (url: string) => {
      authorizeUrl = url;
      visit = playBrowser(url, between);
      visit.catch(() => undefined);
      return true;
    },
    visit: () => {
      if (!visit) throw new Error('the browser was never opened');
      return visit;
    },
    url: () => authorizeUrl ?? '',
  };
}

const LOGIN_ARGS = () => [
  'login',
  '--callback-url',
  callbackUrl,
  '--github-repo',
  'acme/bot',
  '--github-secret-name',
  'SCHWAB_TOKEN',
];

function expectClean(io: TestIo, secrets: string[], extra: Record<string, string> = {}): void {
  expectNoLeaks({ stdout: io.stdout.text, stderr: io.stderr.text, ...extra }, [
    fake.appSecret,
    FAKE_SECRETS_TOKEN,
    ...secrets,
  ]);
}

function codeOf(location: string): string {
  return new URL(location).searchParams.get('code') ?? '';
}

describe('login through the browser', () => {
  it('catches the redirect on its HTTPS callback and writes the file and the GitHub secret', async () => {
    const browser = browserThat();
    const io = ioFor({ openBrowser: browser.openBrowser });

    const code = await run(LOGIN_ARGS(), io);
    const visit = await browser.visit();

    expect(code, io.stderr.text).toBe(0);
    const text = await readFile(join(dir, 'schwab_token.json'), 'utf8');
    const record = parseRecord(text);
    expect(record.meta.refreshCount).toBe(0);
    expect(fake.refreshTokenInfo(record.tokens.refreshToken)?.active).toBe(true);
    expect(fake.isAccessTokenValid(record.tokens.accessToken)).toBe(true);
    expect((await stat(join(dir, 'schwab_token.json'))).mode & 0o777).toBe(0o600);
    expect(await strayFiles(dir, ['schwab_token.json'])).toEqual([]);
    expect(github.decryptedSecret('acme/bot', 'SCHWAB_TOKEN')).toBe(text.trim());

    // The browser got a short page over HTTPS, from a certificate for the callback's IP.
    expect(visit.status).toBe(200);
    expect(visit.body).toContain('Logged in');
    expect(visit.body).toContain('You can close this window');
    expect(visit.certificate.subjectaltname).toBe('IP Address:127.0.0.1');
    // The authorize URL carried a state, which came back.
    const state = new URL(browser.url()).searchParams.get('state');
    expect(state).toBeTruthy();
    expect(new URL(visit.location).searchParams.get('state')).toBe(state);
    // One code exchange with the callback as redirect_uri, at once.
    const exchanges = fake.tokenRequests().filter((r) => r.form.grant_type === 'authorization_code');
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]?.form.redirect_uri).toBe(callbackUrl);

    expect(io.stdout.text).toContain(browser.url());
    expect(io.stdout.text).toMatch(/ok\s+file schwab_token\.json/);
    expect(io.stdout.text).toMatch(/ok\s+GitHub secret acme\/bot:SCHWAB_TOKEN/);
    expectClean(io, [...tokensOf(record), codeOf(visit.location)], { page: visit.body });
  });

  it('refuses an --out in a missing folder before the login', async () => {
    const browser = browserThat();
    const io = ioFor({ openBrowser: browser.openBrowser });
    expect(await run(['login', '--callback-url', callbackUrl, '--out', 'tokens/t.json'], io)).toBe(1);
    expect(io.stderr.text).toMatch(
      /^schwab-token-rotator: The folder .*tokens for --out does not exist: create it, or choose another --out\.\n$/,
    );
    expect(browser.url()).toBe('');
    expect(fake.requests).toHaveLength(0);
  });

  it('writes the schwab-py format to --out when asked', async () => {
    const browser = browserThat();
    const io = ioFor({ openBrowser: browser.openBrowser });
    expect(
      await run(['login', '--callback-url', callbackUrl, '--out', 'py.json', '--token-format', 'schwab-py'], io),
    ).toBe(0);
    await browser.visit();
    const parsed = JSON.parse(await readFile(join(dir, 'py.json'), 'utf8')) as {
      creation_timestamp: number;
      token: { access_token: string };
    };
    expect(parsed.creation_timestamp).toBeGreaterThan(0);
    expect(fake.isAccessTokenValid(parsed.token.access_token)).toBe(true);
  });

  it('writes an environment secret with --github-repo owner/repo@environment', async () => {
    const browser = browserThat();
    const io = ioFor({ openBrowser: browser.openBrowser });
    const args = [
      'login',
      '--callback-url',
      callbackUrl,
      '--github-repo',
      'acme/bot@production',
      '--github-secret-name',
      'SCHWAB_TOKEN',
    ];
    expect(await run(args, io)).toBe(0);
    await browser.visit();
    const text = (await readFile(join(dir, 'schwab_token.json'), 'utf8')).trim();
    expect(github.decryptedSecret('acme/bot@production', 'SCHWAB_TOKEN')).toBe(text);
    expect(github.secretNames('acme/bot')).toEqual([]);
  });

  it('reports a GitHub secret it could not write (exit 1), with the file still written', async () => {
    const browser = browserThat();
    const io = ioFor({
      openBrowser: browser.openBrowser,
      env: { GH_TOKEN: 'ghs_FAKE0workflow0token0issues0and0actions' },
    });
    expect(await run(LOGIN_ARGS(), io)).toBe(1);
    const visit = await browser.visit();
    expect(visit.body).toContain('not every copy of the token could be written');
    expect(io.stdout.text).toMatch(/FAILED\s+GitHub secret acme\/bot:SCHWAB_TOKEN/);
    expect(io.stderr.text).toMatch(
      /^schwab-token-rotator: Logged in, but GitHub secret acme\/bot:SCHWAB_TOKEN could not be written: .*403.*; the new record is in schwab_token\.json\.$/m,
    );
    expect(parseRecord(await readFile(join(dir, 'schwab_token.json'), 'utf8')).meta.refreshCount).toBe(0);
  });

  it('fails clearly on an expired code and writes nothing', async () => {
    const existing = loginFile(fake, new Date(Date.now() - 2 * DAY));
    await writeFile(join(dir, 'schwab_token.json'), existing.text, { mode: 0o600 });
    const browser = browserThat((location) => {
      fake.advance(31_000); // the person took more than 30 s
      return location;
    });
    const io = ioFor({ openBrowser: browser.openBrowser });

    const code = await run(LOGIN_ARGS(), io);
    const visit = await browser.visit();

    expect(code).toBe(1);
    expect(io.stderr.text).toMatch(/^schwab-token-rotator: Schwab rejected the authorization code \(it expired/m);
    expect(io.stderr.text.trim().split('\n').at(-1)).toMatch(/^schwab-token-rotator: /);
    expect(await readFile(join(dir, 'schwab_token.json'), 'utf8')).toBe(existing.text);
    expect(github.secretNames('acme/bot')).toEqual([]);
    expect(visit.body).toContain('Login failed');
    expect(await strayFiles(dir, ['schwab_token.json'])).toEqual([]);
    expectClean(io, [...tokensOf(existing.record), codeOf(visit.location)], { page: visit.body });
  });

  it('answers forged requests to the callback with 400 and keeps waiting for the redirect with its state', async () => {
    const forged = [
      (location: string) =>
        location
          .replace(/state=[^&]+/, 'state=forged-state-from-another-login')
          .replace(/code=[^&]+/, 'code=C0.forged%40'),
      () => `${callbackUrl}/?code=C0.no-state%40&session=x`,
      () => `${callbackUrl}/?error=access_denied`,
      () => `${callbackUrl}/?error=server_error&state=wrong`,
    ];
    const answers: { status: number; body: string }[] = [];
    const browser = browserThat(async (location) => {
      const { httpsGet } = await import('./helpers.js');
      for (const make of forged) answers.push(await httpsGet(make(location)));
      return location;
    });
    const io = ioFor({ openBrowser: browser.openBrowser });

    const code = await run(LOGIN_ARGS(), io);
    const visit = await browser.visit();

    expect(code, io.stderr.text).toBe(0);
    expect(answers.map((answer) => answer.status)).toEqual([400, 400, 400, 400]);
    for (const answer of answers) expect(answer.body).toContain('does not belong to the login in progress');
    expect(visit.status).toBe(200);
    expect(visit.body).toContain('Logged in');
    // Only the real code was exchanged.
    const exchanges = fake.tokenRequests().filter((r) => r.form.grant_type === 'authorization_code');
    expect(exchanges.map((r) => r.form.code)).toEqual([decodeURIComponent(codeOf(visit.location))]);
    expect(io.stderr.text).toContain('warning: Ignored a request to the callback with a wrong state');
    expect(io.stderr.text).toContain('warning: Ignored a request to the callback with no state');
    expect(io.stderr.text.match(/Ignored a request/g)).toHaveLength(3); // a few notices, then silence
    const text = await readFile(join(dir, 'schwab_token.json'), 'utf8');
    const record = parseRecord(text);
    expect(github.decryptedSecret('acme/bot', 'SCHWAB_TOKEN')).toBe(text.trim());
    expectClean(io, [...tokensOf(record), codeOf(visit.location)], { page: visit.body });
  });

  it("ends the login with Schwab's reason when the error redirect carries this login's state", async () => {
    const browser = browserThat((location) => {
      const url = new URL(location);
      const real = new URL(callbackUrl);
      real.searchParams.set('error', 'access_denied');
      real.searchParams.set('state', url.searchParams.get('state') ?? '');
      return real.toString();
    });
    const io = ioFor({ openBrowser: browser.openBrowser });

    const code = await run(LOGIN_ARGS(), io);
    const visit = await browser.visit();

    expect(code).toBe(1);
    expect(io.stderr.text).toMatch(
      /^schwab-token-rotator: Schwab redirected with an error \(access_denied\) instead of an authorization code: /m,
    );
    expect(visit.status).toBe(400);
    expect(visit.body).toContain('Login failed');
    expect(fake.tokenRequests().filter((r) => r.form.grant_type === 'authorization_code')).toHaveLength(0);
    await expect(stat(join(dir, 'schwab_token.json'))).rejects.toThrow();
  });

  it('answers a bare visit to the callback (accepting the certificate first) without ending the login', async () => {
    let early: { status: number; body: string } | undefined;
    const browser = browserThat(async (location) => {
      const { httpsGet } = await import('./helpers.js');
      early = await httpsGet(callbackUrl);
      return location;
    });
    const io = ioFor({ openBrowser: browser.openBrowser });
    expect(await run(LOGIN_ARGS(), io)).toBe(0);
    await browser.visit();
    expect(early?.status).toBe(200);
    expect(early?.body).toContain('Waiting for Schwab');
  });

  it('gives up after --timeout when no redirect arrives', async () => {
    const io = ioFor({ sleep: () => Promise.resolve() });
    const code = await run(['login', '--callback-url', callbackUrl, '--timeout', '2m'], io);
    expect(code).toBe(1);
    expect(io.stderr.text).toContain('No redirect arrived within 2m');
    expect(io.stderr.text).toContain(`this login used ${callbackUrl}`);
    await expect(stat(join(dir, 'schwab_token.json'))).rejects.toThrow();
  });

  it('stops waiting on Ctrl-C', async () => {
    const io = ioFor();
    setTimeout(() => io.controller.abort(), 50);
    expect(await run(['login', '--callback-url', callbackUrl], io)).toBe(130);
    expect(io.stderr.text).toContain('Login cancelled');
  });
});

describe('login with a pasted redirect URL', () => {
  it('takes the URL pasted on stdin (the browser on another machine) and writes everything', async () => {
    let location = '';
    const io = ioFor();
    io.openBrowser = (url) => {
      void (async () => {
        location = await authorize(url);
        io.stdin.write('this is not it\n');
        io.stdin.write(`  ${location}  \n`);
      })();
      return false;
    };

    const code = await run(LOGIN_ARGS(), io);

    expect(code, io.stderr.text).toBe(0);
    expect(io.stdout.text).toContain('Open it in your browser.');
    expect(io.stdout.text).toContain('The redirect URL has no code parameter');
    const text = await readFile(join(dir, 'schwab_token.json'), 'utf8');
    const record = parseRecord(text);
    expect(fake.refreshTokenInfo(record.tokens.refreshToken)?.active).toBe(true);
    expect(github.decryptedSecret('acme/bot', 'SCHWAB_TOKEN')).toBe(text.trim());
    expectClean(io, [...tokensOf(record), codeOf(location)]);
  });

  it('still works when the callback port is taken: a warning, then the pasted URL', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(Number(new URL(callbackUrl).port), '127.0.0.1', resolve));
    try {
      const io = ioFor();
      io.openBrowser = (url) => {
        void authorize(url).then((location) => io.stdin.write(`${location}\n`));
        return false;
      };
      expect(await run(LOGIN_ARGS(), io)).toBe(0);
      expect(io.stderr.text).toMatch(/warning: Cannot listen on 127\.0\.0\.1:\d+ \(EADDRINUSE\)/);
      expect(parseRecord(await readFile(join(dir, 'schwab_token.json'), 'utf8')).meta.refreshCount).toBe(0);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('refuses a pasted URL for another callback', async () => {
    const io = ioFor();
    io.openBrowser = (url) => {
      void authorize(url).then((location) => {
        const wrong = new URL(location);
        wrong.port = '9999';
        io.stdin.write(`${wrong.toString()}\n`);
      });
      return false;
    };
    expect(await run(LOGIN_ARGS(), io)).toBe(1);
    expect(io.stderr.text).toContain("The pasted URL goes to https://127.0.0.1:9999, not to this login's callback");
    expect(fake.tokenRequests().filter((r) => r.form.grant_type === 'authorization_code')).toHaveLength(0);
    await expect(stat(join(dir, 'schwab_token.json'))).rejects.toThrow();
  });

  it('ignores a pasted URL from another login attempt (state mismatch) and takes the right one after it', async () => {
    const io = ioFor();
    let location = '';
    io.openBrowser = (url) => {
      void (async () => {
        const other = await fake.login({ state: 'an-older-attempt' });
        io.stdin.write(`${other.redirectUrl}\n`);
        location = await authorize(url);
        io.stdin.write(`${location}\n`);
      })();
      return false;
    };
    expect(await run(LOGIN_ARGS(), io), io.stderr.text).toBe(0);
    expect(io.stdout.text).toContain("That URL's state does not match this login");
    const exchanges = fake.tokenRequests().filter((r) => r.form.grant_type === 'authorization_code');
    expect(exchanges.map((r) => r.form.code)).toEqual([decodeURIComponent(codeOf(location))]);
  });
});

describe('login checks the app credentials with Schwab before showing the URL', () => {
  const exchangesAndGrants = () => fake.tokenRequests().map((r) => r.form.grant_type);

  it('stops at once on a wrong app secret (HTTP 401 invalid_client), before any browser', async () => {
    const browser = browserThat();
    const io = ioFor({ openBrowser: browser.openBrowser, env: { SCHWAB_APP_SECRET: 'not-the-app-secret' } });
    expect(await run(LOGIN_ARGS(), io)).toBe(1);
    expect(io.stderr.text).toMatch(
      /^schwab-token-rotator: Schwab rejected the app key or secret \(HTTP 401 invalid_client\): /m,
    );
    expect(browser.url()).toBe('');
    expect(io.stdout.text).not.toContain('/v1/oauth/authorize');
    // One refresh_token grant with a made-up token: nothing is consumed, never client_credentials.
    expect(exchangesAndGrants()).toEqual(['refresh_token']);
    expect(fake.tokenRequests()[0]?.form.refresh_token).toBe(CREDENTIAL_CHECK_TOKEN);
    expect(fake.requests.filter((r) => r.endpoint === 'authorize')).toHaveLength(0);
    await expect(stat(join(dir, 'schwab_token.json'))).rejects.toThrow();
    expectNoLeaks({ stdout: io.stdout.text, stderr: io.stderr.text }, ['not-the-app-secret', FAKE_SECRETS_TOKEN]);
  });

  it('goes on when the credentials pass (Schwab only refused the made-up grant), leaving the current token alive', async () => {
    const existing = loginFile(fake, new Date(Date.now() - DAY));
    const browser = browserThat();
    const io = ioFor({ openBrowser: browser.openBrowser, env: { SCHWAB_APP_SECRET: fake.appSecret } });
    expect(await run([...LOGIN_ARGS(), '--verbose'], io), io.stderr.text).toBe(0);
    expect(exchangesAndGrants()).toEqual(['refresh_token', 'authorization_code']);
    expect(fake.tokenRequests()[0]?.form.refresh_token).toBe(CREDENTIAL_CHECK_TOKEN);
    expect(io.stderr.text).toContain('debug: Schwab accepted the app key and secret.');
    expect(io.stderr.text).not.toContain('warning:');
    // The check consumed nothing: only the login itself revoked the older refresh token.
    expect(fake.refreshTokenInfo(existing.record.tokens.refreshToken)?.active).toBe(false);
    expect(parseRecord(await readFile(join(dir, 'schwab_token.json'), 'utf8')).meta.refreshCount).toBe(0);
  });

  it.each([
    ['invalid_grant', SCHWAB_ERROR_BODIES.invalidGrant()],
    ['invalid_client "refresh token invalid" (HTTP 400)', SCHWAB_ERROR_BODIES.invalidClientRefreshToken()],
    ['invalid_request "Bad authorization code"', SCHWAB_ERROR_BODIES.unknownCode()],
  ])('takes Schwab\'s other "this grant is invalid" answers (%s) as credentials that passed', async (_name, answer) => {
    fake.fail('token', answer);
    const browser = browserThat();
    const io = ioFor({ openBrowser: browser.openBrowser });
    expect(await run(LOGIN_ARGS(), io), io.stderr.text).toBe(0);
    expect(io.stderr.text).not.toContain('warning:');
  });

  it.each([
    ['a 503', 503, /Schwab's server failed the token refresh \(HTTP 503\)/],
    ['an HTML "Access Denied" page', 'access-denied' as const, /an HTML "Access Denied" page/],
    ['an empty body', { status: 400, body: '' }, /an empty body/],
  ])('says it could not tell on %s, and goes on with the login', async (_name, fault, reason) => {
    fake.fail('token', fault);
    const browser = browserThat();
    const io = ioFor({ openBrowser: browser.openBrowser });
    expect(await run(LOGIN_ARGS(), io), io.stderr.text).toBe(0);
    expect(io.stderr.text).toMatch(/warning: Could not check the app key and secret before the login \(/);
    expect(io.stderr.text).toMatch(reason);
    expect(io.stderr.text).toContain('going on: if they are wrong, the login fails after you approve.');
    expect(exchangesAndGrants()).toEqual(['refresh_token', 'authorization_code']);
    expect(parseRecord(await readFile(join(dir, 'schwab_token.json'), 'utf8')).meta.refreshCount).toBe(0);
  });

  it('says it could not tell when Schwab cannot be reached, and still shows the URL', async () => {
    const io = ioFor({ sleep: () => Promise.resolve(), env: { SCHWAB_BASE_URL: await unusedLocalUrl() } });
    expect(await run(['login', '--callback-url', callbackUrl, '--timeout', '1m'], io)).toBe(1);
    expect(io.stderr.text).toMatch(
      /warning: Could not check the app key and secret before the login \(Could not reach the token refresh at 127\.0\.0\.1:\d+ \(ECONNREFUSED\)\)/,
    );
    expect(io.stdout.text).toContain('/v1/oauth/authorize?');
    expect(io.stderr.text).toContain('No redirect arrived within 1m');
  });
});

describe('login configuration errors', () => {
  it('says which variable is missing, before anything else', async () => {
    const io = ioFor({ env: { SCHWAB_APP_SECRET: '' } });
    expect(await run(['login', '--callback-url', callbackUrl], io)).toBe(1);
    expect(io.stderr.text).toBe(
      'schwab-token-rotator: SCHWAB_APP_SECRET is not set: export it with the Secret of your app at developer.schwab.com (it is read from the environment so it stays out of your shell history).\n',
    );
    const noKey = ioFor({ env: { SCHWAB_APP_KEY: undefined } });
    expect(await run(['login'], noKey)).toBe(1);
    expect(noKey.stderr.text).toContain('SCHWAB_APP_KEY is not set');
  });

  it('refuses a callback Schwab would refuse, and a GitHub secret without a token', async () => {
    const io = ioFor();
    expect(await run(['login', '--callback-url', 'https://localhost:8182'], io)).toBe(1);
    expect(io.stderr.text).toBe(
      'schwab-token-rotator: --callback-url uses localhost, which Schwab does not accept: register and use https://127.0.0.1:8182 instead.\n',
    );

    const noToken = ioFor({ env: { GH_TOKEN: undefined, GITHUB_TOKEN: undefined } });
    expect(await run(LOGIN_ARGS(), noToken)).toBe(1);
    expect(noToken.stderr.text).toContain('needs a token in GH_TOKEN or GITHUB_TOKEN');

    const half = ioFor();
    expect(await run(['login', '--github-repo', 'acme/bot'], half)).toBe(64);
    expect(half.stderr.text).toContain('--github-repo and --github-secret-name go together');
  });

  it('says so when it drops a trailing / from --callback-url', async () => {
    const browser = browserThat();
    const io = ioFor({ openBrowser: browser.openBrowser });
    expect(await run(['login', '--callback-url', `${callbackUrl}/`], io), io.stderr.text).toBe(0);
    expect(io.stderr.text).toContain(
      `warning: --callback-url ${callbackUrl}/ ends with /, which Schwab's callbacks never do: this login uses ${callbackUrl} (register it on your app at developer.schwab.com exactly so).`,
    );
    expect(new URL(browser.url()).searchParams.get('redirect_uri')).toBe(callbackUrl);
    const plain = ioFor({ openBrowser: browserThat().openBrowser });
    expect(await run(['login', '--callback-url', callbackUrl], plain)).toBe(0);
    expect(plain.stderr.text).not.toContain('ends with /');
  });

  it('honours SCHWAB_BASE_URL and --schwab-base-url', async () => {
    const browser = browserThat();
    const io = ioFor({ openBrowser: browser.openBrowser, env: { SCHWAB_BASE_URL: 'http://127.0.0.1:1' } });
    expect(await run(['login', '--callback-url', callbackUrl, '--schwab-base-url', fake.baseUrl], io)).toBe(0);
    expect(browser.url().startsWith(`${fake.baseUrl}/v1/oauth/authorize?`)).toBe(true);
  });
});

describeMoto('login writing Secrets Manager too', () => {
  useMotoEnv();

  it('puts the new record in the file, the AWS secret and the GitHub secret (browser)', async () => {
    const old = loginFile(fake, new Date(Date.now() - 6 * DAY));
    const secret = await createTestSecret(getMotoUrl(), undefined, old.text);
    const browser = browserThat();
    const io = ioFor({ openBrowser: browser.openBrowser });

    const code = await run([...LOGIN_ARGS(), '--aws-secret-id', secret.name], io);
    const visit = await browser.visit();

    expect(code, io.stderr.text).toBe(0);
    const text = (await readFile(join(dir, 'schwab_token.json'), 'utf8')).trim();
    const stored = await readSecretValue(getMotoUrl(), secret.name);
    expect(stored.text).toBe(text);
    expect(github.decryptedSecret('acme/bot', 'SCHWAB_TOKEN')).toBe(text);
    const record = parseRecord(text);
    expect(record.meta.createdAt.getTime()).toBeGreaterThan(old.record.meta.createdAt.getTime());
    expect(fake.refreshTokenInfo(old.record.tokens.refreshToken)?.active).toBe(false);
    expect(io.stdout.text).toMatch(/ok\s+AWS secret "str-test-[^"]+" \(us-east-1\)\s+written \(compare-and-set\)/);
    expectClean(io, [...tokensOf(record, old.record), codeOf(visit.location)], { page: visit.body });
  });

  it('puts the new record everywhere from a pasted URL', async () => {
    const secret = await createTestSecret(getMotoUrl());
    const io = ioFor();
    io.openBrowser = (url) => {
      void authorize(url).then((location) => io.stdin.write(`${location}\n`));
      return false;
    };
    expect(await run([...LOGIN_ARGS(), '--aws-secret-id', secret.name], io)).toBe(0);
    const text = (await readFile(join(dir, 'schwab_token.json'), 'utf8')).trim();
    expect((await readSecretValue(getMotoUrl(), secret.name)).text).toBe(text);
    expect(github.decryptedSecret('acme/bot', 'SCHWAB_TOKEN')).toBe(text);
  });

  it('fails before the login when the AWS secret does not exist', async () => {
    const browser = browserThat();
    const io = ioFor({ openBrowser: browser.openBrowser });
    expect(await run([...LOGIN_ARGS(), '--aws-secret-id', 'no-such-secret-anywhere'], io)).toBe(1);
    expect(io.stderr.text).toMatch(/no-such-secret-anywhere/);
    expect(browser.url()).toBe('');
    expect(fake.requests).toHaveLength(0);
  });

  it('writes nothing anywhere when only forged redirects arrive before the timeout', async () => {
    const old = loginFile(fake, new Date(Date.now() - DAY));
    const secret = await createTestSecret(getMotoUrl(), undefined, old.text);
    let release: () => void = () => undefined;
    const forgedDone = new Promise<void>((resolve) => (release = resolve));
    const statuses: number[] = [];
    const io = ioFor({
      // The login's timeout ends once the forged requests were answered.
      sleep: (ms) => (ms < 60_000 ? Promise.resolve() : forgedDone),
      openBrowser: (url) => {
        void (async () => {
          const { httpsGet } = await import('./helpers.js');
          const location = await authorize(url);
          statuses.push((await httpsGet(location.replace(/state=[^&]+/, 'state=someone-elses'))).status);
          statuses.push((await httpsGet(`${callbackUrl}/?error=access_denied`)).status);
          release();
        })();
        return true;
      },
    });
    expect(await run([...LOGIN_ARGS(), '--aws-secret-id', secret.name], io)).toBe(1);
    expect(statuses).toEqual([400, 400]);
    expect(io.stderr.text).toContain('No redirect arrived within 5m');
    expect((await readSecretValue(getMotoUrl(), secret.name)).text).toBe(old.text);
    expect(github.secretNames('acme/bot')).toEqual([]);
    await expect(stat(join(dir, 'schwab_token.json'))).rejects.toThrow();
    expect(fake.refreshTokenInfo(old.record.tokens.refreshToken)?.active).toBe(true);
    expect(fake.tokenRequests().filter((r) => r.form.grant_type === 'authorization_code')).toHaveLength(0);
  });

  it('writes nothing anywhere when the code expired', async () => {
    const old = loginFile(fake, new Date(Date.now() - DAY));
    const secret = await createTestSecret(getMotoUrl(), undefined, old.text);
    const browser = browserThat((location) => {
      fake.advance(45_000);
      return location;
    });
    const io = ioFor({ openBrowser: browser.openBrowser });
    expect(await run([...LOGIN_ARGS(), '--aws-secret-id', secret.name], io)).toBe(1);
    expect((await readSecretValue(getMotoUrl(), secret.name)).text).toBe(old.text);
    expect(github.secretNames('acme/bot')).toEqual([]);
    await expect(stat(join(dir, 'schwab_token.json'))).rejects.toThrow();
  });
});
