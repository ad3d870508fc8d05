/** The fake itself: other suites (action end to end, CLI login) rely on it behaving as docs/design.md#schwab says. */
import { afterEach, describe, expect, it } from 'vitest';
import type { SchwabFake } from '../fakes/schwab-fake.js';
import { startSchwabFake } from '../fakes/schwab-fake.js';

let fake: SchwabFake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const T0 = new Date('2026-11-18T09:00:00Z');

async function post(f: SchwabFake, form: Record<string, string>, auth = basic(f.appKey, f.appSecret)) {
  const response = await fetch(`${f.baseUrl}/v1/oauth/token`, {
    method: 'POST',
    headers: { Authorization: auth, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function basic(key: string, secret: string): string {
  return `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;
}

describe('schwab fake', () => {
  it('authorize refuses an unregistered redirect_uri and a wrong client_id', async () => {
    fake = await startSchwabFake({ now: () => T0 });
    const url = (clientId: string, redirect: string) =>
      `${fake?.baseUrl}/v1/oauth/authorize?response_type=code&client_id=${clientId}&redirect_uri=${encodeURIComponent(redirect)}`;
    expect((await fetch(url(fake.appKey, 'https://127.0.0.1:8182/'), { redirect: 'manual' })).status).toBe(400);
    expect((await fetch(url('other', fake.callbackUrl), { redirect: 'manual' })).status).toBe(400);
    expect((await fetch(url(fake.appKey, fake.callbackUrl), { redirect: 'manual' })).status).toBe(302);
  });

  it('login() plays the browser and returns a decoded code and the raw redirect', async () => {
    fake = await startSchwabFake({ now: () => T0 });
    const login = await fake.login({ state: 'st' });
    expect(login.code).toMatch(/^C0\.[^%]+@$/);
    expect(login.redirectUrl).toContain('%40&session=');
    expect(login.state).toBe('st');
    expect(fake.requests.map((r) => r.endpoint)).toEqual(['authorize']);
  });

  it('issues a Schwab-shaped response and answers errors with the real bodies', async () => {
    fake = await startSchwabFake({ now: () => T0 });
    const ok = await post(fake, {
      grant_type: 'authorization_code',
      code: fake.issueCode(),
      redirect_uri: fake.callbackUrl,
    });
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.body).sort()).toEqual([
      'access_token',
      'expires_in',
      'id_token',
      'refresh_token',
      'scope',
      'token_type',
    ]);

    const wrongSecret = await post(
      fake,
      { grant_type: 'refresh_token', refresh_token: String(ok.body.refresh_token) },
      basic(fake.appKey, 'x'),
    );
    expect(wrongSecret).toEqual({ status: 401, body: { error: 'invalid_client', error_description: 'Unauthorized' } });

    const dead = await post(fake, { grant_type: 'refresh_token', refresh_token: 'nope' });
    expect(dead.status).toBe(400);
    expect(dead.body.error).toBe('unsupported_token_type');
    expect(String(dead.body.error_description)).toMatch(
      /^400 Bad Request: "\{"error_description":"Exception while authenticating refresh token \[tokenDigest=.+\], failed to validate","error":"refresh_token_authentication_error"\}"$/,
    );
  });

  it('client_credentials gets a 1-hour token and no refresh token, as on Schwab', async () => {
    fake = await startSchwabFake({ now: () => T0 });
    const answer = await post(fake, { grant_type: 'client_credentials' });
    expect(answer.body.expires_in).toBe(3600);
    expect(answer.body.refresh_token).toBeUndefined();
  });

  it('issueTokens in the past: the deadline counts from that login', async () => {
    fake = await startSchwabFake({ now: () => T0 });
    const issued = fake.issueTokens({ loginAt: new Date(T0.getTime() - 6 * 86_400_000) });
    expect(issued.refreshTokenExpiresAt).toEqual(new Date(T0.getTime() + 86_400_000));
    expect(fake.refreshTokenInfo(issued.response.refresh_token)?.active).toBe(true);
    expect(fake.isAccessTokenValid(issued.response.access_token)).toBe(false);
    fake.advance(86_400_000);
    expect(fake.refreshTokenInfo(issued.response.refresh_token)?.active).toBe(false);
  });

  it('records faults and answers them in order, then behaves again', async () => {
    fake = await startSchwabFake({ now: () => T0 });
    fake.fail('accounts', { status: 429, retryAfter: 3 });
    fake.fail('accounts', 'access-denied');
    const url = `${fake.baseUrl}/trader/v1/accounts/accountNumbers`;
    const first = await fetch(url);
    expect([first.status, first.headers.get('retry-after')]).toEqual([429, '3']);
    await first.arrayBuffer();
    const second = await fetch(url);
    expect([second.status, second.headers.get('content-type')]).toEqual([403, 'text/html']);
    expect(await second.text()).toContain('Access Denied');
    const third = await fetch(url);
    await third.arrayBuffer();
    expect(third.status).toBe(401);
    expect(fake.requests.map((r) => r.fault)).toEqual([{ status: 429, retryAfter: 3 }, 'access-denied', undefined]);
  });

  it('close() ends a hung request', async () => {
    fake = await startSchwabFake();
    fake.fail('token', 'hang');
    const pending = fetch(`${fake.baseUrl}/v1/oauth/token`, { method: 'POST', body: '' }).then(
      () => 'answered',
      () => 'failed',
    );
    while (fake.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    await fake.close();
    fake = undefined;
    expect(await pending).toBe('failed');
  });
});

describe('schwab fake: users and the consent page', () => {
  it("lists each user's own accounts; a login revokes only the same user's older refresh tokens", async () => {
    fake = await startSchwabFake({ now: () => T0 });
    const owner = fake.issueTokens({ user: 'owner' });
    const other = fake.issueTokens({ user: 'other' });
    expect(
      fake.refreshTokenInfo(owner.response.refresh_token)?.active,
      "another user's login leaves the owner's token",
    ).toBe(true);
    const accounts = async (token: string) =>
      (await (
        await fetch(`${fake?.baseUrl}/trader/v1/accounts/accountNumbers`, {
          headers: { Authorization: `Bearer ${token}` },
        })
      ).json()) as { hashValue: string }[];
    expect((await accounts(owner.response.access_token)).map((a) => a.hashValue)).toEqual([
      'E5B1F2A3C4D5E6F708192A3B4C5D6E7F',
    ]);
    expect(await accounts(other.response.access_token)).toHaveLength(2);
    expect(fake.userOf(other.response.refresh_token)).toBe('other');
    fake.issueTokens({ user: 'owner' });
    expect(fake.refreshTokenInfo(owner.response.refresh_token)?.active).toBe(false);
    expect(fake.refreshTokenInfo(other.response.refresh_token)?.active).toBe(true);
    expect(fake.issuedSecrets()).toEqual(
      expect.arrayContaining([owner.response.access_token, other.response.refresh_token]),
    );
    expect(() => fake?.issueTokens({ user: 'nobody' })).toThrow(/no user "nobody"/);
  });

  it('login({ user }) and a plain authorize redirect log in as that user (default: the first)', async () => {
    fake = await startSchwabFake({ now: () => T0 });
    expect(fake.user).toBe('owner');
    const login = await fake.login({ user: 'other' });
    expect(fake.user).toBe('owner');
    const response = await post(fake, {
      grant_type: 'authorization_code',
      code: login.code,
      redirect_uri: fake.callbackUrl,
    });
    expect(fake.userOf(String(response.body.access_token))).toBe('other');
  });

  it('serves a consent page (a form, one button per user, and Deny) that redirects with a code or error=access_denied', async () => {
    fake = await startSchwabFake({
      now: () => T0,
      consentPage: true,
      extraCallbackUrls: ['https://fn.example/callback'],
    });
    const query = {
      response_type: 'code',
      client_id: fake.appKey,
      redirect_uri: 'https://fn.example/callback',
      state: 's t',
    };
    const page = await fetch(`${fake.baseUrl}/v1/oauth/authorize?${new URLSearchParams(query)}`, {
      redirect: 'manual',
    });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<form method="post" action="/v1/oauth/authorize">');
    expect(html).toContain('name="user" value="owner"');
    expect(html).toContain('name="user" value="other"');
    expect(html).toContain('name="deny"');
    expect(html).toContain('value="s t"');

    const submit = (extra: Record<string, string>) =>
      fetch(`${fake?.baseUrl}/v1/oauth/authorize`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...query, ...extra }).toString(),
      });
    const approved = new URL((await submit({ user: 'other' })).headers.get('location') ?? '');
    expect(`${approved.origin}${approved.pathname}`).toBe('https://fn.example/callback');
    expect(approved.searchParams.get('state')).toBe('s t');
    const code = approved.searchParams.get('code') ?? '';
    const exchanged = await post(fake, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: 'https://fn.example/callback',
    });
    expect(fake.userOf(String(exchanged.body.access_token))).toBe('other');

    const denied = new URL((await submit({ deny: '1' })).headers.get('location') ?? '');
    expect(denied.searchParams.get('error')).toBe('access_denied');
    expect(denied.searchParams.get('code')).toBeNull();
    expect(denied.searchParams.get('state')).toBe('s t');
    expect((await submit({ user: 'nobody' })).status).toBe(400);
    expect((await submit({ user: 'owner', redirect_uri: 'https://evil.example/callback' })).status).toBe(400);
  });
});
