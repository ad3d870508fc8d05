import { afterEach, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../../src/github/octokit.js';
import type { GitHubClient } from '../../src/github/octokit.js';
import { createMemoryLogger } from '../../src/util/logger.js';
import { FAKE_SECRETS_TOKEN, FAKE_WORKFLOW_TOKEN, startGitHubFake } from '../fakes/github-fake.js';
import type { GitHubFake, GitHubFakeOptions } from '../fakes/github-fake.js';

let fake: GitHubFake | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup(
  options: GitHubFakeOptions = {},
  token = FAKE_WORKFLOW_TOKEN,
): Promise<{ fake: GitHubFake; client: GitHubClient }> {
  fake = await startGitHubFake(options);
  const client = await createGitHubClient({
    token,
    baseUrl: fake.url,
    logger: createMemoryLogger(),
    waitScale: 0,
    timeoutMs: 2_000,
  });
  return { fake, client };
}

const repo = { owner: 'acme', repo: 'bot' };

describe('GitHub fake: issues', () => {
  it('creates, lists, comments on and closes an issue, auto-creating its labels', async () => {
    const { fake, client } = await setup({}, FAKE_WORKFLOW_TOKEN);
    const created = await client.rest.issues.create({
      ...repo,
      title: 'Schwab login needed',
      body: '<!-- schwab-token-rotator:main -->\nPlease log in.',
      labels: ['schwab-token', { name: 'urgent' }],
    });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({ number: 1, state: 'open', title: 'Schwab login needed' });
    expect(created.data.labels.map((l) => (typeof l === 'string' ? l : l.name))).toEqual(['schwab-token', 'urgent']);
    expect(created.data.user?.login).toBe('github-actions[bot]');
    expect(created.data.html_url).toBe('https://github.com/acme/bot/issues/1');
    expect(fake.labels.map((l) => l.name)).toEqual(['schwab-token', 'urgent']);

    const comment = await client.rest.issues.createComment({ ...repo, issue_number: 1, body: 'Still expiring.' });
    expect(comment.status).toBe(201);
    expect(comment.data.html_url).toContain('/acme/bot/issues/1#issuecomment-');
    const comments = await client.rest.issues.listComments({ ...repo, issue_number: 1 });
    expect(comments.data.map((c) => c.body)).toEqual(['Still expiring.']);

    const closed = await client.rest.issues.update({
      ...repo,
      issue_number: 1,
      state: 'closed',
      state_reason: 'completed',
    });
    expect(closed.data).toMatchObject({ state: 'closed', state_reason: 'completed', comments: 1 });
    expect(closed.data.closed_at).not.toBeNull();
    expect(fake.issues[0]).toMatchObject({ state: 'closed', comments: 1 });
    expect(fake.count('issue-create')).toBe(1);
    expect(fake.count('comment-create')).toBe(1);
    expect(fake.count('issue-update')).toBe(1);

    const open = await client.rest.issues.listForRepo({ ...repo, state: 'open' });
    expect(open.data).toEqual([]);
    const reopened = await client.rest.issues.update({ ...repo, issue_number: 1, state: 'open' });
    expect(reopened.data).toMatchObject({ state: 'open', state_reason: 'reopened', closed_at: null });
  });

  it('lists pull requests too (callers must filter items with a pull_request key), filtered by state and labels', async () => {
    const { fake, client } = await setup();
    fake.addIssue('acme/bot', { title: 'a PR with the label', labels: ['schwab-token'], pull_request: true });
    fake.addIssue('acme/bot', { title: 'the alert', labels: ['Schwab-Token', 'other'] });
    fake.addIssue('acme/bot', { title: 'closed alert', labels: ['schwab-token'], state: 'closed' });
    fake.addIssue('acme/bot', { title: 'unrelated' });
    const { data } = await client.rest.issues.listForRepo({ ...repo, labels: 'schwab-token', state: 'open' });
    expect(data.map((i) => [i.title, i.pull_request !== undefined])).toEqual([
      ['the alert', false],
      ['a PR with the label', true],
    ]);
    expect(data[1]?.html_url).toBe('https://github.com/acme/bot/pull/1');
    const all = await client.rest.issues.listForRepo({ ...repo, labels: 'schwab-token,other', state: 'all' });
    expect(all.data.map((i) => i.title)).toEqual(['the alert']);
    await expect(client.rest.issues.listForRepo({ ...repo, state: 'bogus' as 'all' })).rejects.toMatchObject({
      status: 422,
    });
  });

  it('paginates with a Link header that Octokit follows', async () => {
    const { fake, client } = await setup();
    for (let i = 1; i <= 5; i++) fake.addIssue('acme/bot', { title: `issue ${i}`, labels: ['x'] });
    const first = await client.rest.issues.listForRepo({ ...repo, per_page: 2 });
    expect(first.data.map((i) => i.number)).toEqual([5, 4]);
    expect(first.headers.link).toContain('rel="next"');
    expect(first.headers.link).toContain('page=3');
    const all = await client.paginate(client.rest.issues.listForRepo, { ...repo, per_page: 2 });
    expect(all.map((i) => i.number)).toEqual([5, 4, 3, 2, 1]);
    expect(fake.count('issues-list')).toBe(4);

    fake.addComment('acme/bot', 1, 'one');
    fake.addComment('acme/bot', 1, 'two');
    fake.addComment('acme/bot', 1, 'three');
    const comments = await client.paginate(client.rest.issues.listComments, { ...repo, issue_number: 1, per_page: 2 });
    expect(comments.map((c) => c.body)).toEqual(['one', 'two', 'three']);
  });

  it('gets and creates labels (422 when it exists, case-insensitively)', async () => {
    const { fake, client } = await setup();
    await expect(client.rest.issues.getLabel({ ...repo, name: 'schwab token' })).rejects.toMatchObject({ status: 404 });
    const label = await client.rest.issues.createLabel({ ...repo, name: 'schwab token', color: 'd73a4a' });
    expect(label.data).toMatchObject({ name: 'schwab token', color: 'd73a4a' });
    expect((await client.rest.issues.getLabel({ ...repo, name: 'Schwab Token' })).data.name).toBe('schwab token');
    await expect(client.rest.issues.createLabel({ ...repo, name: 'SCHWAB TOKEN' })).rejects.toMatchObject({
      status: 422,
      response: { data: { errors: [{ code: 'already_exists' }] } },
    });
    expect(fake.labels).toHaveLength(1);
  });

  it('rejects unknown assignees when assignable users are configured', async () => {
    const { client } = await setup({ assignableUsers: ['octo-owner'] });
    const ok = await client.rest.issues.create({ ...repo, title: 't', assignees: ['Octo-Owner'] });
    expect(ok.data.assignees?.map((a) => a.login)).toEqual(['Octo-Owner']);
    await expect(client.rest.issues.create({ ...repo, title: 't', assignees: ['stranger'] })).rejects.toMatchObject({
      status: 422,
      response: { data: { errors: [{ field: 'assignees', value: 'stranger' }] } },
    });
    await expect(client.rest.issues.create({ ...repo, title: '' })).rejects.toMatchObject({ status: 422 });
  });
});

describe('GitHub fake: workflows, auth and faults', () => {
  it('gets and enables a workflow by id or file name', async () => {
    const { fake, client } = await setup({
      workflows: [
        { repository: 'acme/bot', id: 42, path: '.github/workflows/rotate.yml', state: 'disabled_inactivity' },
      ],
    });
    const wf = await client.rest.actions.getWorkflow({ ...repo, workflow_id: 'rotate.yml' });
    expect(wf.data).toMatchObject({ id: 42, state: 'disabled_inactivity', path: '.github/workflows/rotate.yml' });
    const enabled = await client.rest.actions.enableWorkflow({ ...repo, workflow_id: 42 });
    expect(enabled.status).toBe(204);
    expect(fake.workflows[0]).toMatchObject({ state: 'active', enableCalls: 1 });
    await expect(client.rest.actions.getWorkflow({ ...repo, workflow_id: 7 })).rejects.toMatchObject({ status: 404 });
  });

  it("answers GitHub's 403 body to a token without the permission, 401 to an unknown token, 404 to hidden repos", async () => {
    const { fake, client } = await setup({ repositories: ['acme/bot', 'acme/other'] });
    const denied = await client.rest.actions.getRepoPublicKey(repo).catch((e: unknown) => e);
    expect(denied).toMatchObject({
      status: 403,
      response: {
        data: { message: 'Resource not accessible by integration', documentation_url: expect.any(String) },
        headers: { 'x-accepted-github-permissions': 'secrets=write' },
      },
    });
    const bad = await createGitHubClient({
      token: 'nope',
      baseUrl: fake.url,
      logger: createMemoryLogger(),
      waitScale: 0,
    });
    await expect(bad.rest.issues.listForRepo(repo)).rejects.toMatchObject({
      status: 401,
      response: { data: { message: 'Bad credentials' } },
    });
    await expect(client.rest.issues.listForRepo({ owner: 'acme', repo: 'missing' })).rejects.toMatchObject({
      status: 404,
    });
    expect(fake.requests.every((r) => typeof r.headers.authorization === 'string')).toBe(true);
    expect(fake.requests[0]).toMatchObject({
      method: 'GET',
      path: '/repos/acme/bot/actions/secrets/public-key',
      status: 403,
    });
  });

  it('limits a token to its repositories', async () => {
    fake = await startGitHubFake({
      repositories: ['acme/bot', 'acme/other'],
      tokens: { scoped: { permissions: ['issues'], repositories: ['acme/other'] } },
    });
    const client = await createGitHubClient({ token: 'scoped', baseUrl: fake.url, logger: createMemoryLogger() });
    await expect(client.rest.issues.listForRepo(repo)).rejects.toMatchObject({ status: 404 });
    expect((await client.rest.issues.listForRepo({ owner: 'acme', repo: 'other' })).status).toBe(200);
  });

  it('injects faults per route, a number of times; the client retries 5xx and resets', async () => {
    const { fake, client } = await setup({}, FAKE_SECRETS_TOKEN);
    fake.inject('repo-public-key', 'server-error');
    fake.inject({ route: 'repo-public-key', path: '/repos/acme/bot/actions/secrets/public-key' }, 'reset');
    const key = await client.rest.actions.getRepoPublicKey(repo);
    expect(key.data).toEqual(fake.publicKey('acme/bot'));
    expect(fake.count('repo-public-key')).toBe(3);
    expect(fake.requestsTo('repo-public-key').map((r) => r.fault)).toEqual(['server-error', 'reset', undefined]);

    fake.inject('issues-list', { type: 'status', status: 418, message: 'teapot' }, Infinity);
    await expect(client.rest.issues.listForRepo(repo)).rejects.toMatchObject({ status: 418 });
    await expect(client.rest.issues.listForRepo(repo)).rejects.toMatchObject({ status: 418 });
    fake.clearFaults();
    expect((await client.rest.issues.listForRepo(repo)).status).toBe(200);
  });

  it('hangs until the client times out', async () => {
    fake = await startGitHubFake();
    const client = await createGitHubClient({
      token: FAKE_WORKFLOW_TOKEN,
      baseUrl: fake.url,
      logger: createMemoryLogger(),
      retries: 0,
      timeoutMs: 150,
    });
    fake.inject('issues-list', 'hang');
    await expect(client.rest.issues.listForRepo(repo)).rejects.toMatchObject({ status: 500 });
  });
});

describe('GitHub fake: workflow dispatch', () => {
  it('records a dispatch (204) by file name or id, with its ref and inputs', async () => {
    const { fake, client } = await setup({
      workflows: [{ repository: 'acme/bot', id: 42, path: '.github/workflows/rotate.yml' }],
    });
    const answer = await client.rest.actions.createWorkflowDispatch({
      ...repo,
      workflow_id: 'rotate.yml',
      ref: 'main',
      inputs: { force: 'true' },
    });
    expect(answer.status).toBe(204);
    await client.rest.actions.createWorkflowDispatch({ ...repo, workflow_id: 42, ref: 'refs/heads/main' });
    expect(fake.dispatches).toMatchObject([
      { repository: 'acme/bot', workflowId: 42, ref: 'main', inputs: { force: 'true' } },
      { workflowId: 42, ref: 'refs/heads/main', inputs: {} },
    ]);
    expect(fake.count('workflow-dispatch')).toBe(2);
  });

  it("answers GitHub's 422s (no workflow_dispatch trigger, disabled, unknown ref), 404 and 403", async () => {
    const { fake, client } = await setup(
      {
        workflows: [
          { repository: 'acme/bot', id: 1, path: '.github/workflows/no-trigger.yml', dispatchable: false },
          { repository: 'acme/bot', id: 2, path: '.github/workflows/off.yml', state: 'disabled_manually' },
          { repository: 'acme/bot', id: 3, path: '.github/workflows/ok.yml' },
        ],
      },
      FAKE_WORKFLOW_TOKEN,
    );
    const fails = (workflow_id: string, ref = 'main') =>
      client.rest.actions
        .createWorkflowDispatch({ ...repo, workflow_id, ref })
        .catch((e: { status: number; response: { data: { message: string } } }) => [e.status, e.response.data.message]);
    expect(await fails('no-trigger.yml')).toEqual([422, "Workflow does not have 'workflow_dispatch' trigger"]);
    expect(await fails('off.yml')).toEqual([422, "Cannot trigger a 'workflow_dispatch' on a disabled workflow"]);
    expect(await fails('ok.yml', 'nope')).toEqual([422, 'No ref found for: nope']);
    expect(await fails('missing.yml')).toEqual([404, 'Not Found']);
    const secretsOnly = await startGitHubFake({
      tokens: { t: { permissions: ['secrets'] } },
      workflows: [{ repository: 'acme/bot', id: 3, path: '.github/workflows/ok.yml' }],
    });
    try {
      const other = await createGitHubClient({
        token: 't',
        baseUrl: secretsOnly.url,
        logger: createMemoryLogger(),
        waitScale: 0,
      });
      await expect(
        other.rest.actions.createWorkflowDispatch({ ...repo, workflow_id: 'ok.yml', ref: 'main' }),
      ).rejects.toMatchObject({ status: 403 });
    } finally {
      await secretsOnly.close();
    }
    expect(fake.dispatches).toEqual([]);
  });
});
