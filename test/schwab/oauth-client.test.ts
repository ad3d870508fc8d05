import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SchwabError } from '../../src/schwab/errors.js';
import { isSchwabError } from '../../src/schwab/errors.js';
import { buildAuthorizeUrl, parseRedirectUrl, SchwabOAuthClient } from '../../src/schwab/oauth-client.js';
import type { SchwabOAuthClientOptions } from '../../src/schwab/oauth-client.js';
import { createTransport } from '../../src/http/transport.js';
import { createMemoryLogger } from '../../src/util/logger.js';
import { loginCommand } from '../../src/util/audience.js';
import type { SchwabFake, SchwabFakeOptions } from '../fakes/schwab-fake.js';
import { startSchwabFake } from '../fakes/schwab-fake.js';
import { startLoopbackProxy } from '../http/loopback-proxy.js';
import type { LoopbackProxy } from '../http/loopback-proxy.js';

const START = new Date('2026-11-18T09:00:00Z');

interface Harness {
  fake: SchwabFake;
  client: SchwabOAuthClient;
  logger: ReturnType<typeof createMemoryLogger>;
  sleeps: number[];
}

let fake: SchwabFake | undefined;

async function setup(
  clientOptions: Partial<SchwabOAuthClientOptions> = {},
  fakeOptions: SchwabFakeOptions = {},
): Promise<Harness> {
  fake = await startSchwabFake({ now: () => START, ...fakeOptions });
  const logger = createMemoryLogger();
  const sleeps: number[] = [];
  const client = new SchwabOAuthClient({
    baseUrl: fake.baseUrl,
    appKey: fake.appKey,
    appSecret: fake.appSecret,
    logger,
    clock: { now: () => fake?.now() ?? START },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...clientOptions,
  });
  return { fake, client, logger, sleeps };
}

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function caught(promise: Promise<unknown>): Promise<SchwabError> {
  try {
    await promise;
  } catch (error) {
    if (isSchwabError(error)) return error;
    throw error;
  }
  throw new Error('expected a SchwabError, got success');
}

/** Asserts no secret of the run appears in the text. */
function expectNoSecrets(text: string, secrets: string[]): void {
  for (const secret of secrets) {
    expect(text).not.toContain(secret);
    expect(text).not.toContain(encodeURIComponent(secret));
  }
}

describe('SchwabOAuthClient.refresh', () => {
  it('refreshes with the Basic header and a form body, and masks every token the moment it arrives', async () => {
    const { fake, client, logger } = await setup();
    const issued = fake.issueTokens();
    const response = await client.refresh(issued.response.refresh_token);

    expect(response.access_token).toMatch(/^I0\..+@$/);
    expect(response.access_token).not.toBe(issued.response.access_token);
    expect(response.refresh_token).toBe(issued.response.refresh_token);
    expect(response.expires_in).toBe(1800);
    expect(response.token_type).toBe('Bearer');
    expect(response.scope).toBe('api');
    expect(response.id_token?.split('.')).toHaveLength(3);

    for (const token of [response.access_token, response.refresh_token, response.id_token, fake.appSecret]) {
      expect(logger.masked).toContain(token);
    }
    const basic = Buffer.from(`${fake.appKey}:${fake.appSecret}`).toString('base64');
    expect(logger.masked).toContain(basic);

    const [request] = fake.tokenRequests();
    expect(request?.headers.authorization).toBe(`Basic ${basic}`);
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request?.form).toEqual({ grant_type: 'refresh_token', refresh_token: issued.response.refresh_token });
    expectNoSecrets(JSON.stringify(logger.lines), [...logger.masked]);
  });

  it('never asks for grant_type=client_credentials', async () => {
    const { fake, client } = await setup();
    const issued = fake.issueTokens();
    await client.refresh(issued.response.refresh_token);
    await client.exchangeCode(fake.issueCode(), fake.callbackUrl);
    const grants = fake.tokenRequests().map((r) => r.form.grant_type);
    expect(grants).toEqual(['refresh_token', 'authorization_code']);
  });

  it('rotate-on-refresh: returns a new refresh token, the old one stops working, the deadline stays', async () => {
    const { fake, client } = await setup({}, { rotateOnRefresh: true });
    const issued = fake.issueTokens();
    fake.advance(25 * 60_000);
    const first = await client.refresh(issued.response.refresh_token);
    expect(first.refresh_token).toBeDefined();
    expect(first.refresh_token).not.toBe(issued.response.refresh_token);
    expect(fake.refreshTokenInfo(first.refresh_token ?? '')?.expiresAt).toEqual(issued.refreshTokenExpiresAt);

    const old = await caught(client.refresh(issued.response.refresh_token));
    expect(old.kind).toBe('reauth-required');

    const second = await client.refresh(first.refresh_token ?? '');
    expect(second.refresh_token).not.toBe(first.refresh_token);
  });

  it('a refresh token revoked by a newer login needs re-auth; the newer one works', async () => {
    const { fake, client, logger } = await setup();
    const older = fake.issueTokens();
    const newer = fake.issueTokens();
    const error = await caught(client.refresh(older.response.refresh_token));
    expect(error.kind).toBe('reauth-required');
    expect(error.code).toBe('refresh_token_authentication_error');
    expect(error.status).toBe(400);
    expect(error.message).toBe(
      `Schwab rejected the refresh token (it expired or was revoked by a newer login): log in again with \`${loginCommand()}\`.`,
    );
    expect(fake.tokenRequests()).toHaveLength(1); // not retried
    expectNoSecrets(error.message, [older.response.refresh_token, newer.response.refresh_token]);
    await expect(client.refresh(newer.response.refresh_token)).resolves.toBeDefined();
    expectNoSecrets(JSON.stringify(logger.lines), [...logger.masked]);
  });

  it('the refresh token dies 7 days after the login, however often it was refreshed', async () => {
    const { fake, client } = await setup();
    const issued = fake.issueTokens();
    for (let i = 0; i < 5; i++) {
      fake.advance(24 * 3_600_000);
      await client.refresh(issued.response.refresh_token);
    }
    fake.advance(2 * 24 * 3_600_000 - 1000);
    await client.refresh(issued.response.refresh_token);
    fake.advance(1000);
    const error = await caught(client.refresh(issued.response.refresh_token));
    expect(error.kind).toBe('reauth-required');
  });

  it('revokeAll: every refresh token needs re-auth', async () => {
    const { fake, client } = await setup();
    const issued = fake.issueTokens();
    fake.revokeAll();
    expect((await caught(client.refresh(issued.response.refresh_token))).kind).toBe('reauth-required');
  });

  it('a wrong secret is bad-credentials and is not retried', async () => {
    const { fake } = await setup();
    const issued = fake.issueTokens();
    const logger = createMemoryLogger();
    const sleeps: number[] = [];
    const client = new SchwabOAuthClient({
      baseUrl: fake.baseUrl,
      appKey: fake.appKey,
      appSecret: 'wrong-secret-value',
      logger,
      clock: { now: () => START },
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    const error = await caught(client.refresh(issued.response.refresh_token));
    expect(error.kind).toBe('bad-credentials');
    expect(error.status).toBe(401);
    expect(error.message).toBe(
      'Schwab rejected the app key or secret (HTTP 401 invalid_client): check the app-key and app-secret inputs match your app at developer.schwab.com.',
    );
    expect(fake.tokenRequests()).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(logger.masked).toContain('wrong-secret-value');
    expectNoSecrets(error.message, ['wrong-secret-value', issued.response.refresh_token]);
  });

  it.each([
    ['a 503', 503],
    ['a 500', 500],
    ['a 502', 502],
    ['an HTML Access Denied page', 'access-denied'],
    ['an empty body', 'empty'],
    ['a non-JSON body', 'non-json'],
    ['a reset connection', 'reset'],
  ] as const)('retries %s and then succeeds', async (_name, fault) => {
    const { fake, client, sleeps, logger } = await setup();
    const issued = fake.issueTokens();
    fake.fail('token', fault, 2);
    const response = await client.refresh(issued.response.refresh_token);
    expect(response.access_token).toBeTruthy();
    expect(fake.tokenRequests()).toHaveLength(3);
    // full-jitter backoff pinned by random() = 0.5: 3/4 of 1 s, then of 2 s
    expect(sleeps).toEqual([750, 1500]);
    expect(logger.lines.filter((l) => l.message.includes('retrying'))).toHaveLength(2);
    expectNoSecrets(JSON.stringify(logger.lines), [...logger.masked]);
  });

  it('honours Retry-After on a 429', async () => {
    const { fake, client, sleeps } = await setup();
    const issued = fake.issueTokens();
    fake.fail('token', { status: 429, retryAfter: 7 });
    await client.refresh(issued.response.refresh_token);
    expect(sleeps).toEqual([7000]);
    expect(fake.tokenRequests()).toHaveLength(2);
  });

  it('gives up rather than asking again early when Retry-After is longer than maxDelayMs', async () => {
    const { fake, client, sleeps } = await setup({ maxDelayMs: 10_000 });
    const issued = fake.issueTokens();
    fake.fail('token', { status: 503, retryAfter: 120 });
    const error = await caught(client.refresh(issued.response.refresh_token));
    expect(error.kind).toBe('transient');
    expect(fake.tokenRequests()).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('gives up after the configured attempts with a transient error', async () => {
    const { fake, client, sleeps } = await setup({ attempts: 3 });
    const issued = fake.issueTokens();
    fake.fail('token', 503, 5);
    const error = await caught(client.refresh(issued.response.refresh_token));
    expect(error.kind).toBe('transient');
    expect(error.status).toBe(503);
    expect(error.attempts).toBe(3);
    expect(error.message).toMatch(/^Schwab's server failed the token refresh \(HTTP 503\) \(3 attempts\): /);
    expect(fake.tokenRequests()).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it('times out a hung request and retries it', async () => {
    const { fake, client } = await setup({ timeoutMs: 200 });
    const issued = fake.issueTokens();
    fake.fail('token', 'hang');
    const started = Date.now();
    await client.refresh(issued.response.refresh_token);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(fake.tokenRequests()).toHaveLength(2);
  });

  it('a request that always hangs ends in a transient timeout error', async () => {
    const { fake, client } = await setup({ timeoutMs: 200, attempts: 2 });
    const issued = fake.issueTokens();
    fake.fail('token', 'hang', 2);
    const error = await caught(client.refresh(issued.response.refresh_token));
    expect(error.kind).toBe('transient');
    expect(error.message).toMatch(/^Schwab did not answer the token refresh within 200 ms \(2 attempts\): /);
  });

  it('an unreachable server is transient, names the host, and is retried', async () => {
    const { fake, client, sleeps } = await setup({ attempts: 2 });
    const issued = fake.issueTokens();
    const host = new URL(fake.baseUrl).host;
    await fake.close();
    const error = await caught(client.refresh(issued.response.refresh_token));
    expect(error.kind).toBe('transient');
    expect(error.requestNotProcessed).toBe(true);
    expect(error.message).toContain(`at ${host} (ECONNREFUSED)`);
    expect(sleeps).toHaveLength(1);
  });

  it('an unexpected 4xx is rejected and not retried', async () => {
    const { fake, client } = await setup();
    const issued = fake.issueTokens();
    fake.fail('token', { status: 403, body: JSON.stringify({ error: 'access_denied', error_description: 'nope' }) });
    const error = await caught(client.refresh(issued.response.refresh_token));
    expect(error.kind).toBe('rejected');
    expect(error.message).toMatch(/^Schwab rejected the token refresh \(HTTP 403 access_denied\): /);
    expect(fake.tokenRequests()).toHaveLength(1);
  });

  it('a 200 without an access_token is rejected; its tokens are still masked', async () => {
    const { fake, client, logger } = await setup();
    const issued = fake.issueTokens();
    fake.fail('token', {
      status: 200,
      body: JSON.stringify({ refresh_token: 'leaky-refresh-token-value', expires_in: 1800 }),
    });
    const error = await caught(client.refresh(issued.response.refresh_token));
    expect(error.kind).toBe('rejected');
    expect(error.message).toContain('no valid access_token');
    expect(logger.masked).toContain('leaky-refresh-token-value');
  });

  it('a 200 whose expires_in is not a number is rejected', async () => {
    const { fake, client } = await setup();
    const issued = fake.issueTokens();
    fake.fail('token', { status: 200, body: JSON.stringify({ access_token: 'I0.abc@', expires_in: 'soon' }) });
    const error = await caught(client.refresh(issued.response.refresh_token));
    expect(error.kind).toBe('rejected');
    expect(error.message).toContain('no valid expires_in');
  });

  it('a response without refresh_token is accepted (the caller keeps the old one)', async () => {
    const { fake, client } = await setup();
    const issued = fake.issueTokens();
    fake.fail('token', {
      status: 200,
      body: JSON.stringify({
        access_token: 'I0.new-access-token@',
        expires_in: 1800,
        token_type: 'Bearer',
        scope: 'api',
      }),
    });
    const response = await client.refresh(issued.response.refresh_token);
    expect(response).toEqual({
      access_token: 'I0.new-access-token@',
      expires_in: 1800,
      token_type: 'Bearer',
      scope: 'api',
    });
  });
});

describe('SchwabOAuthClient.exchangeCode', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await setup();
  });

  it('exchanges a code caught from the authorize redirect', async () => {
    const { fake, client, logger } = h;
    const url = buildAuthorizeUrl({
      baseUrl: fake.baseUrl,
      appKey: fake.appKey,
      callbackUrl: fake.callbackUrl,
      state: 'xyz',
    });
    const redirect = await fetch(url, { redirect: 'manual' });
    const location = redirect.headers.get('location') ?? '';
    expect(redirect.status).toBe(302);
    expect(location).toMatch(/^https:\/\/127\.0\.0\.1:8182\/\?code=C0\..+%40&session=[0-9a-f-]{36}&state=xyz$/);
    const { code, state, session } = parseRedirectUrl(location);
    expect(code.endsWith('@')).toBe(true);
    expect(state).toBe('xyz');
    expect(session).toBeTruthy();

    const response = await client.exchangeCode(code, fake.callbackUrl);
    expect(response.refresh_token).toBeTruthy();
    expect(response.id_token).toBeTruthy();
    expect(response.expires_in).toBe(1800);
    expect(logger.masked).toEqual(
      expect.arrayContaining([code, response.access_token, response.refresh_token, response.id_token]),
    );
    const request = fake.tokenRequests()[0];
    expect(request?.form).toEqual({ grant_type: 'authorization_code', code, redirect_uri: fake.callbackUrl });
    expect(request?.body).toContain('%40'); // the decoded code, form-encoded once
  });

  it('a new login revokes the refresh token of the previous one', async () => {
    const { fake, client } = h;
    const first = await client.exchangeCode((await fake.login()).code, fake.callbackUrl);
    const second = await client.exchangeCode((await fake.login()).code, fake.callbackUrl);
    expect((await caught(client.refresh(first.refresh_token ?? ''))).kind).toBe('reauth-required');
    await expect(client.refresh(second.refresh_token ?? '')).resolves.toBeDefined();
  });

  it('a code older than 30 s is bad-code', async () => {
    const { fake, client } = h;
    const { code } = await fake.login();
    fake.advance(31_000);
    const error = await caught(client.exchangeCode(code, fake.callbackUrl));
    expect(error.kind).toBe('bad-code');
    expect(error.code).toBe('invalid_request');
    expect(fake.tokenRequests()).toHaveLength(1);
    expectNoSecrets(error.message, [code]);
  });

  it('a code works once', async () => {
    const { fake, client } = h;
    const { code } = await fake.login();
    await client.exchangeCode(code, fake.callbackUrl);
    expect((await caught(client.exchangeCode(code, fake.callbackUrl))).kind).toBe('bad-code');
  });

  it('a code still URL-encoded (%40) is bad-code', async () => {
    const { fake, client } = h;
    const { code } = await fake.login();
    expect((await caught(client.exchangeCode(code.replace(/@$/, '%40'), fake.callbackUrl))).kind).toBe('bad-code');
  });

  it('a different redirect_uri is rejected with a hint about the callback URL', async () => {
    const { fake, client } = h;
    const { code } = await fake.login();
    const error = await caught(client.exchangeCode(code, `${fake.callbackUrl}/`));
    expect(error.kind).toBe('rejected');
    expect(error.message).toContain('callback URL');
  });

  it('is retried after a 429 (Schwab never saw the code)', async () => {
    const { fake, client, sleeps } = h;
    const { code } = await fake.login();
    fake.fail('token', { status: 429, retryAfter: 2 });
    await expect(client.exchangeCode(code, fake.callbackUrl)).resolves.toBeDefined();
    expect(sleeps).toEqual([2000]);
  });

  it('waits at most 5 s (the code only lives 30 s): a longer Retry-After ends the exchange', async () => {
    const { fake, client, sleeps } = h;
    const { code } = await fake.login();
    fake.fail('token', { status: 429, retryAfter: 60 });
    const error = await caught(client.exchangeCode(code, fake.callbackUrl));
    expect(error.kind).toBe('transient');
    expect(sleeps).toEqual([]);
    const again = await fake.login();
    fake.fail('token', { status: 429, retryAfter: 3 });
    await client.exchangeCode(again.code, fake.callbackUrl);
    expect(sleeps).toEqual([3000]);
  });

  it.each([503, 'empty', 'reset'] as const)('is not retried after %s (the code may be spent)', async (fault) => {
    const { fake, client, sleeps } = h;
    const { code } = await fake.login();
    fake.fail('token', fault);
    const error = await caught(client.exchangeCode(code, fake.callbackUrl));
    expect(error.kind).toBe('transient');
    expect(error.message).toContain(`run \`${loginCommand()}\` again`);
    expect(fake.tokenRequests()).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expectNoSecrets(error.message, [code]);
  });

  it('a wrong secret is bad-credentials', async () => {
    const { fake } = h;
    const client = new SchwabOAuthClient({
      baseUrl: fake.baseUrl,
      appKey: fake.appKey,
      appSecret: 'not-the-secret',
      logger: createMemoryLogger(),
      clock: { now: () => START },
      sleep: async () => {},
    });
    const { code } = await fake.login();
    expect((await caught(client.exchangeCode(code, fake.callbackUrl))).kind).toBe('bad-credentials');
  });
});

describe('SchwabOAuthClient.probe', () => {
  it('accepts a fresh access token on both probes and never logs the body', async () => {
    const { fake, client, logger } = await setup();
    const issued = fake.issueTokens();
    await client.probe(issued.response.access_token, 'accounts');
    await client.probe(issued.response.access_token, 'quotes');
    const [accounts, quotes] = fake.requests.filter((r) => r.endpoint !== 'token');
    expect(accounts?.url).toBe('/trader/v1/accounts/accountNumbers');
    expect(quotes?.url).toBe('/marketdata/v1/quotes?symbols=SPY');
    expect(accounts?.headers.authorization).toBe(`Bearer ${issued.response.access_token}`);
    expect(logger.masked).toContain(issued.response.access_token);
    const logged = JSON.stringify(logger.lines);
    expect(logged).not.toContain('12345678');
    expect(logged).not.toContain('lastPrice');
  });

  it('an expired access token gets a 401: rejected with a clear sentence, not retried', async () => {
    const { fake, client, sleeps } = await setup();
    const issued = fake.issueTokens();
    fake.advance(31 * 60_000);
    const error = await caught(client.probe(issued.response.access_token, 'accounts'));
    expect(error.kind).toBe('rejected');
    expect(error.status).toBe(401);
    expect(error.message).toMatch(
      /^Schwab did not accept the fresh access token on the accounts probe \(GET \/trader\/v1\/accounts\/accountNumbers\) \(HTTP 401\): make sure your app/,
    );
    expectNoSecrets(error.message, [issued.response.access_token]);
    expect(sleeps).toEqual([]);
  });

  it('a market-data-only app fails the accounts probe and passes the quotes probe', async () => {
    const { fake, client } = await setup({}, { products: { accounts: false } });
    const issued = fake.issueTokens();
    expect((await caught(client.probe(issued.response.access_token, 'accounts'))).message).toContain('quotes probe');
    await client.probe(issued.response.access_token, 'quotes');
  });

  it('retries transient probe failures', async () => {
    const { fake, client, sleeps } = await setup();
    const issued = fake.issueTokens();
    fake.fail('quotes', 502);
    fake.fail('quotes', 'access-denied');
    await client.probe(issued.response.access_token, 'quotes');
    expect(sleeps).toHaveLength(2);
  });
});

describe('SchwabOAuthClient construction', () => {
  it('refuses an empty secret and an unusable base URL', () => {
    const base = {
      baseUrl: 'https://api.schwabapi.com',
      appKey: 'key',
      appSecret: 'secret',
      logger: createMemoryLogger(),
      clock: { now: () => START },
      sleep: async () => {},
    };
    expect(() => new SchwabOAuthClient({ ...base, appSecret: '' })).toThrow(/app secret is empty/);
    expect(() => new SchwabOAuthClient({ ...base, baseUrl: 'api.schwabapi.com' })).toThrow(/schwab-base-url/);
    expect(() => new SchwabOAuthClient(base)).not.toThrow();
  });
});

describe('SchwabOAuthClient transport', () => {
  let proxy: LoopbackProxy | undefined;
  let redirector: Server | undefined;
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
    await new Promise((resolve) => (redirector ? redirector.close(resolve) : resolve(undefined)));
    redirector = undefined;
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it("refreshes through the runner's proxy (HTTP_PROXY / HTTPS_PROXY, a CONNECT tunnel), never the platform fetch", async () => {
    const platformFetch = vi.spyOn(globalThis, 'fetch');
    const { fake, client } = await setup();
    const port = Number(new URL(fake.baseUrl).port);
    proxy = await startLoopbackProxy({ routes: { [`api.schwab.test:${port}`]: port } });
    vi.stubEnv('HTTP_PROXY', proxy.url);
    vi.stubEnv('NO_PROXY', '');
    const proxied = new SchwabOAuthClient({
      baseUrl: `http://api.schwab.test:${port}`,
      appKey: fake.appKey,
      appSecret: fake.appSecret,
      logger: createMemoryLogger(),
      clock: { now: () => START },
      sleep: async () => {},
    });
    const issued = fake.issueTokens();
    const response = await proxied.refresh(issued.response.refresh_token);
    expect(response.refresh_token).toBe(issued.response.refresh_token);
    expect(proxy.tunnels).toEqual([{ authority: `api.schwab.test:${port}`, status: 200 }]);
    expect(fake.tokenRequests()).toHaveLength(1);
    // The loopback fake itself is never proxied (as on a runner: loopback always goes direct).
    await client.refresh(issued.response.refresh_token);
    expect(proxy.tunnels).toHaveLength(1);
    expect(platformFetch).not.toHaveBeenCalled();
  });

  it('a proxy that refuses the tunnel is a transient failure naming the code, and the refresh is retried', async () => {
    const { fake } = await setup();
    const port = Number(new URL(fake.baseUrl).port);
    proxy = await startLoopbackProxy({ routes: {}, credentials: { user: 'u', password: 'p' } });
    const sleeps: number[] = [];
    const proxied = new SchwabOAuthClient({
      baseUrl: `http://api.schwab.test:${port}`,
      appKey: fake.appKey,
      appSecret: fake.appSecret,
      logger: createMemoryLogger(),
      clock: { now: () => START },
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      attempts: 2,
      transport: createTransport({ env: { HTTP_PROXY: `http://u:wrong@127.0.0.1:${proxy.port}` } }),
    });
    const error = await caught(proxied.refresh(fake.issueTokens().response.refresh_token));
    expect(error.kind).toBe('transient');
    expect(error.message).toMatch(
      /^Could not complete the token refresh at api\.schwab\.test:\d+ \(ERR_PROXY_TUNNEL\) \(2 attempts\): /,
    );
    expect(error.message).not.toContain('wrong');
    expect(proxy.tunnels.map((t) => t.status)).toEqual([407, 407]);
    expect(sleeps).toHaveLength(1);
    expect(fake.tokenRequests()).toHaveLength(0);
  });

  it('never follows a redirect of the token endpoint: rejected, not retried, the target never called', async () => {
    const { fake } = await setup();
    redirector = createServer((_req, res) => res.writeHead(302, { location: `${fake.baseUrl}/v1/oauth/token` }).end());
    await new Promise<void>((resolve) => redirector?.listen(0, '127.0.0.1', resolve));
    const address = redirector.address();
    const sleeps: number[] = [];
    const client = new SchwabOAuthClient({
      baseUrl: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
      appKey: fake.appKey,
      appSecret: fake.appSecret,
      logger: createMemoryLogger(),
      clock: { now: () => START },
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    const error = await caught(client.refresh(fake.issueTokens().response.refresh_token));
    expect(error.kind).toBe('rejected');
    expect(error.status).toBe(302);
    expect(sleeps).toHaveLength(0);
    expect(fake.tokenRequests()).toHaveLength(0);
  });
});

describe('SchwabOAuthClient.accountHashes', () => {
  it("returns the sorted hash values of the login's accounts, never the account numbers, and logs no body", async () => {
    const { fake, client, logger } = await setup();
    const owner = fake.issueTokens({ user: 'owner' });
    const other = fake.issueTokens({ user: 'other' });
    expect(await client.accountHashes(owner.response.access_token)).toEqual(['E5B1F2A3C4D5E6F708192A3B4C5D6E7F']);
    expect(await client.accountHashes(other.response.access_token)).toEqual([
      '0A1B2C3D4E5F60718293A4B5C6D7E8F9',
      'F9E8D7C6B5A4938271605F4E3D2C1B0A',
    ]);
    const logged = JSON.stringify(logger.lines);
    for (const number of ['12345678', '87654321', '55550000']) expect(logged).not.toContain(number);
    expect(logger.masked).toContain(owner.response.access_token);
  });

  it('retries a transient failure; refuses a body that is not a list of accounts', async () => {
    const { fake, client, sleeps } = await setup();
    const issued = fake.issueTokens();
    fake.fail('accounts', 503);
    expect(await client.accountHashes(issued.response.access_token)).toHaveLength(1);
    expect(sleeps).toHaveLength(1);
    for (const body of ['{"accounts":[]}', '[{"accountNumber":"1"}]', '[{"hashValue":""}]']) {
      fake.fail('accounts', { status: 200, body });
      const error = await caught(client.accountHashes(issued.response.access_token));
      expect(error.kind).toBe('rejected');
      expect(error.message).toMatch(
        /^Schwab's list of accounts is not the expected JSON \(HTTP 200\): check the schwab-base-url/,
      );
    }
  });

  it('an access token Schwab refuses (or an app without Accounts and Trading): rejected 401, not retried', async () => {
    const { fake, client, sleeps } = await setup({}, { products: { accounts: false } });
    const error = await caught(client.accountHashes(fake.issueTokens().response.access_token));
    expect(error).toMatchObject({ kind: 'rejected', status: 401 });
    expect(sleeps).toEqual([]);
  });
});
