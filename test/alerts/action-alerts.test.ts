/**
 * The alert issue as the runner makes it: `node dist/index.js` (INPUT_* variables, GITHUB_API_URL, the action's own
 * GITHUB_ACTION_REPOSITORY / GITHUB_ACTION_REF) against the Schwab and GitHub fakes. What a reader of a public issue
 * sees, and what someone who can comment on it can do.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SchwabFake } from '../fakes/schwab-fake.js';
import { startSchwabFake } from '../fakes/schwab-fake.js';
import type { GitHubFake } from '../fakes/github-fake.js';
import { FAKE_SECRETS_TOKEN, FAKE_WORKFLOW_TOKEN, startGitHubFake } from '../fakes/github-fake.js';
import { runAction } from '../support/action-runner.js';
import type { ActionRun } from '../support/action-runner.js';
import { expectNoLeaks, outputsWithoutAccessToken } from '../support/leaks.js';
import { loginRecord, parseStored } from '../support/records.js';
import { secretValues } from '../../src/token/record.js';
import type { TokenRecord } from '../../src/token/record.js';
import { formatMarker } from '../../src/alerts/marker.js';

const DAY = 86_400_000;

let schwab: SchwabFake;
let github: GitHubFake;
beforeAll(async () => {
  schwab = await startSchwabFake();
});
afterAll(async () => {
  await Promise.all([schwab.close(), github?.close()]);
});
beforeEach(async () => {
  await github?.close();
  github = await startGitHubFake();
});

function inputs(extra: Record<string, string>): Record<string, string> {
  return {
    'app-key': schwab.appKey,
    'app-secret': schwab.appSecret,
    'schwab-base-url': schwab.baseUrl,
    'github-token': FAKE_WORKFLOW_TOKEN,
    'github-secrets': 'SCHWAB_TOKEN',
    'secrets-token': FAKE_SECRETS_TOKEN,
    ...extra,
  };
}

function env(extra: Record<string, string> = {}): Record<string, string> {
  return { GITHUB_REPOSITORY: 'acme/bot', GITHUB_API_URL: github.url, ...extra };
}

function published(): string {
  return [
    ...github.issues.map((issue) => `${issue.title}\n${issue.body ?? ''}`),
    ...github.comments.map((c) => c.body),
  ].join('\n');
}

function expectClean(run: ActionRun, records: TokenRecord[]): void {
  expectNoLeaks(
    {
      stdout: run.stdout,
      stderr: run.stderr,
      summary: run.summary,
      outputs: outputsWithoutAccessToken(run.outputs),
      published: published(),
    },
    [schwab.appSecret, FAKE_SECRETS_TOKEN, ...records.flatMap((record) => secretValues(record.tokens))],
  );
}

describe('node dist/index.js: the alert issue', () => {
  it('announces a dead refresh token although someone pasted the marker into a comment', async () => {
    const login = loginRecord(schwab, new Date(Date.now() - 6 * DAY));
    const opened = await runAction({ inputs: inputs({ token: login.text }), env: env() });
    expect(opened.exitCode, opened.stdout).toBe(0);
    expect(github.issues).toHaveLength(1);
    expect(github.issues[0]?.user).toBe('github-actions[bot]');
    const stored = github.decryptedSecret('acme/bot', 'SCHWAB_TOKEN') ?? '';
    const current = parseStored(stored);

    // Anyone who can comment copies the marker the action would write for this login.
    github.addComment(
      'acme/bot',
      1,
      `${formatMarker({ kind: 'reauth-required', tokenId: 'SCHWAB_TOKEN', login: current.meta.createdAt })}\nlgtm`,
      'mallory',
    );
    loginRecord(schwab, new Date()); // a login elsewhere revokes the refresh token

    const dead = await runAction({ inputs: inputs({ token: stored, force: 'true' }), env: env() });
    expect(dead.exitCode).not.toBe(0);
    expect(dead.outputs.status).toBe('reauth-required');
    const comments = github.commentsOf('acme/bot', 1);
    expect(comments.map((c) => c.user)).toEqual(['mallory', 'github-actions[bot]']);
    expect(comments[1]?.body).toContain('is dead now');

    // Announced once: the next run adds nothing.
    const again = await runAction({ inputs: inputs({ token: stored, force: 'true' }), env: env() });
    expect(again.exitCode).not.toBe(0);
    expect(github.commentsOf('acme/bot', 1)).toHaveLength(2);
    expectClean(dead, [login.record, current]);
  });

  it('prints the exact login command the action can run (its own repository and ref, every non-default option) and never the app key', async () => {
    const login = loginRecord(schwab, new Date(Date.now() - 6 * DAY));
    const runner = { GITHUB_ACTION_REPOSITORY: 'acme/schwab-token-rotator', GITHUB_ACTION_REF: 'v1' };
    const opened = await runAction({
      inputs: inputs({ token: login.text, 'token-format': 'schwab-py' }),
      env: env(runner),
    });
    expect(opened.exitCode, opened.stdout).toBe(0);
    const body = github.issues[0]?.body ?? '';
    expect(body).toContain(
      `   npx --yes github:acme/schwab-token-rotator#v1 login --callback-url https://127.0.0.1:8182 --schwab-base-url ${schwab.baseUrl} ` +
        '--github-repo acme/bot --github-secret-name SCHWAB_TOKEN --token-format schwab-py\n',
    );
    expect(body).toContain('`export SCHWAB_APP_KEY=YOUR_APP_KEY`');

    // The dead-now comment too.
    const stored = github.decryptedSecret('acme/bot', 'SCHWAB_TOKEN') ?? '';
    loginRecord(schwab, new Date());
    const dead = await runAction({
      inputs: inputs({ token: stored, force: 'true', 'token-format': 'schwab-py' }),
      env: env(runner),
    });
    expect(dead.outputs.status).toBe('reauth-required');
    expect(github.comments).toHaveLength(1);
    expect(github.comments[0]?.body).toContain('npx --yes github:acme/schwab-token-rotator#v1 login --callback-url');

    // The app key is not secret to the runner (it is not masked), so only its absence keeps it out of a public issue.
    expect(published()).not.toContain(schwab.appKey);
    expect(published()).not.toContain('client_id');
    expectClean(dead, [login.record, parseStored(stored)]);
  });
});
