import { afterEach, describe, expect, it, vi } from 'vitest';
import { Octokit } from '@octokit/core';
import { restEndpointMethods } from '@octokit/plugin-rest-endpoint-methods';
import { createGitHubClient, NOTIFYING_ROUTES, REST_ROUTES } from '../../src/github/octokit.js';
import { createMemoryLogger } from '../../src/util/logger.js';
import { FAKE_SECRETS_TOKEN, startGitHubFake } from '../fakes/github-fake.js';
import type { GitHubFake } from '../fakes/github-fake.js';
import { startLoopbackProxy } from '../http/loopback-proxy.js';
import type { LoopbackProxy } from '../http/loopback-proxy.js';

let fake: GitHubFake | undefined;
let proxy: LoopbackProxy | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
  await proxy?.close();
  proxy = undefined;
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const repo = { owner: 'acme', repo: 'bot' };

describe('createGitHubClient', () => {
  it('retries 5xx `retries` times but never 401/403/404/422', async () => {
    fake = await startGitHubFake();
    const client = await createGitHubClient({
      token: FAKE_SECRETS_TOKEN,
      baseUrl: `${fake.url}/`,
      logger: createMemoryLogger(),
      retries: 3,
      waitScale: 0,
    });
    fake.inject('issues-list', 'server-error', Infinity);
    await expect(client.rest.issues.listForRepo(repo)).rejects.toMatchObject({ status: 500 });
    expect(fake.count('issues-list')).toBe(4);
    for (const fault of ['forbidden', 'not-found', 'unprocessable'] as const) {
      fake.clearFaults();
      fake.clearRequests();
      fake.inject('issues-list', fault, Infinity);
      await expect(client.rest.issues.listForRepo(repo)).rejects.toHaveProperty('status');
      expect(fake.count('issues-list')).toBe(1);
    }
  });

  it('spaces mutating requests by the scaled second (waitScale)', async () => {
    fake = await startGitHubFake();
    const client = await createGitHubClient({
      token: FAKE_SECRETS_TOKEN,
      baseUrl: fake.url,
      logger: createMemoryLogger(),
      waitScale: 0.1,
    });
    await Promise.all([
      client.rest.issues.create({ ...repo, title: 'one' }),
      client.rest.issues.create({ ...repo, title: 'two' }),
      client.rest.issues.create({ ...repo, title: 'three' }),
    ]);
    const starts = fake.requestsTo('issue-create').map((r) => r.startedAt);
    expect(starts).toHaveLength(3);
    expect((starts[2] ?? 0) - (starts[0] ?? 0)).toBeGreaterThanOrEqual(180);
  });

  it("sends Octokit's own warnings to the logger, not the console", async () => {
    fake = await startGitHubFake();
    const warn = vi.spyOn(console, 'warn');
    const logger = createMemoryLogger();
    const client = await createGitHubClient({ token: FAKE_SECRETS_TOKEN, baseUrl: fake.url, logger, waitScale: 0 });
    client.log.warn('something deprecated');
    expect(logger.lines).toEqual([{ level: 'warning', message: 'something deprecated' }]);
    expect(warn).not.toHaveBeenCalled();
  });

  it('refuses a redirect: the request fails with its status and target, is not followed and not retried', async () => {
    fake = await startGitHubFake();
    const client = await createGitHubClient({
      token: FAKE_SECRETS_TOKEN,
      baseUrl: fake.url,
      logger: createMemoryLogger(),
      waitScale: 0,
    });
    fake.inject('repo-secret-put', {
      type: 'status',
      status: 307,
      headers: { location: `${fake.url}/repositories/42/actions/secrets/X?x=1` },
    });
    const error = await client.rest.actions
      .createOrUpdateRepoSecret({ ...repo, secret_name: 'X', encrypted_value: 'e', key_id: '1' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 307 });
    expect((error as Error).message).toBe(
      `GitHub answered PUT ${fake.url}/repos/acme/bot/actions/secrets/X with a redirect to ${fake.url}/repositories/42/actions/secrets/X ` +
        '(HTTP 307), which is not followed: check GITHUB_API_URL and the repository or organization name (was it renamed or moved?)',
    );
    expect(fake.count('repo-secret-put')).toBe(1);
    expect(fake.requests.map((r) => r.path)).not.toContain('/repositories/42/actions/secrets/X');
  });

  it('times out a hanging request and retries it, on its own transport, never the platform fetch', async () => {
    fake = await startGitHubFake();
    const platformFetch = vi.spyOn(globalThis, 'fetch');
    const client = await createGitHubClient({
      token: FAKE_SECRETS_TOKEN,
      baseUrl: fake.url,
      logger: createMemoryLogger(),
      waitScale: 0,
      retries: 1,
      timeoutMs: 100,
    });
    fake.inject('issues-list', 'hang', 1);
    const { data } = await client.rest.issues.listForRepo(repo);
    expect(data).toEqual([]);
    expect(fake.count('issues-list')).toBe(2);
    fake.inject('issues-list', 'hang', Infinity);
    await expect(client.rest.issues.listForRepo(repo)).rejects.toThrow(/within the 100 ms timeout/);
    expect(platformFetch).not.toHaveBeenCalled();
  });

  it("goes through the runner's HTTPS_PROXY / HTTP_PROXY (a CONNECT tunnel), read from the environment", async () => {
    fake = await startGitHubFake();
    const port = Number(new URL(fake.url).port);
    proxy = await startLoopbackProxy({ routes: { [`api.github.test:${port}`]: port } });
    vi.stubEnv('HTTP_PROXY', proxy.url);
    vi.stubEnv('NO_PROXY', '');
    const client = await createGitHubClient({
      token: FAKE_SECRETS_TOKEN,
      baseUrl: `http://api.github.test:${port}`,
      logger: createMemoryLogger(),
      waitScale: 0,
    });
    await client.rest.issues.listForRepo(repo);
    await client.rest.actions.getRepoPublicKey(repo);
    expect(proxy.tunnels).toEqual([
      { authority: `api.github.test:${port}`, status: 200 },
      { authority: `api.github.test:${port}`, status: 200 },
    ]);
    expect(fake.count('issues-list')).toBe(1);
    expect(fake.count('repo-public-key')).toBe(1);
  });

  it('spaces the writes that notify people as the throttling plugin does (NOTIFYING_ROUTES is its list, for our routes)', async () => {
    const { throttling } = await import('@octokit/plugin-throttling');
    const triggersNotification = (throttling as unknown as { triggersNotification: (path: string) => boolean })
      .triggersNotification;
    for (const route of Object.values(REST_ROUTES).flatMap((methods) => Object.values(methods) as string[])) {
      const [method = '', path = ''] = route.split(' ');
      const notifies = method !== 'GET' && method !== 'HEAD' && triggersNotification(path);
      expect(NOTIFYING_ROUTES.includes(route), route).toBe(notifies);
    }
  });

  it('loads the retry and throttling plugins for a failure they act on, replaying it as their first attempt', async () => {
    fake = await startGitHubFake();
    const logger = createMemoryLogger();
    const client = await createGitHubClient({
      token: FAKE_SECRETS_TOKEN,
      baseUrl: fake.url,
      logger,
      waitScale: 0,
      rateLimitRetries: 1,
    });
    // A 404 is no business of theirs: it fails as it is, once.
    fake.inject('issues-list', 'not-found', 1);
    await expect(client.rest.issues.listForRepo(repo)).rejects.toMatchObject({ status: 404 });
    expect(fake.count('issues-list')).toBe(1);
    // A secondary rate limit on the first request they see: one retry (rateLimitRetries 1) after the replayed answer.
    fake.inject('issues-list', 'secondary-rate-limit', Infinity);
    await expect(client.rest.issues.listForRepo(repo)).rejects.toMatchObject({ status: 403 });
    expect(fake.count('issues-list')).toBe(3);
    expect(logger.lines.map((line) => line.message)).toEqual([
      expect.stringMatching(/^GitHub secondary rate limit on GET .*; retrying in \d+s\.$/),
      expect.stringMatching(/^GitHub secondary rate limit on GET .*; giving up after 1 retries\.$/),
    ]);
  });

  it('calls each REST method on the route @octokit/plugin-rest-endpoint-methods gives it', async () => {
    const reference = new (Octokit.plugin(restEndpointMethods))().rest as unknown as Record<
      string,
      Record<string, { endpoint: { DEFAULTS: { method: string; url: string } } }>
    >;
    const client = await createGitHubClient({
      token: 't',
      baseUrl: 'http://127.0.0.1:9',
      logger: createMemoryLogger(),
    });
    const rest = client.rest as unknown as Record<
      string,
      Record<string, { endpoint: { DEFAULTS: { method: string; url: string } } }>
    >;
    for (const [scope, methods] of Object.entries(REST_ROUTES)) {
      for (const [name, route] of Object.entries(methods)) {
        const expected = reference[scope]?.[name]?.endpoint.DEFAULTS;
        expect(`${expected?.method} ${expected?.url}`, `${scope}.${name}`).toBe(route);
        expect(`${rest[scope]?.[name]?.endpoint.DEFAULTS.method} ${rest[scope]?.[name]?.endpoint.DEFAULTS.url}`).toBe(
          route,
        );
      }
    }
  });
});
