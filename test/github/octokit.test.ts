import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGitHubClient } from '../../src/github/octokit.js';
import { createMemoryLogger } from '../../src/util/logger.js';
import { FAKE_SECRETS_TOKEN, startGitHubFake } from '../fakes/github-fake.js';
import type { GitHubFake } from '../fakes/github-fake.js';

let fake: GitHubFake | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
  vi.restoreAllMocks();
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
});
