/**
 * End to end with GitHub: `node dist/index.js` against the Schwab fake, moto and the GitHub fake, which decrypts the
 * secrets it receives and keeps the alert issues. Every output stream, summary and issue text is scanned for secrets.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SchwabFake } from '../fakes/schwab-fake.js';
import { startSchwabFake } from '../fakes/schwab-fake.js';
import type { GitHubFake } from '../fakes/github-fake.js';
import { FAKE_SECRETS_TOKEN, FAKE_WORKFLOW_TOKEN, startGitHubFake } from '../fakes/github-fake.js';
import { runAction } from '../support/action-runner.js';
import type { ActionRun } from '../support/action-runner.js';
import { expectNoLeaks, outputsWithoutAccessToken } from '../support/leaks.js';
import { createTestSecret, describeMoto, getMotoUrl, readSecretValue } from '../support/moto.js';
import { allSecrets, DAY, HOUR, loginRecord, MINUTE, motoChildEnv, parseStored } from './support.js';
import type { TokenRecord } from '../../src/token/record.js';

let schwab: SchwabFake;
let github: GitHubFake;
beforeAll(async () => {
  schwab = await startSchwabFake();
});
afterAll(async () => {
  await schwab.close();
});
beforeEach(async () => {
  await github?.close();
  github = await startGitHubFake();
});

const TARGETS = ['SCHWAB_TOKEN  # this repository', 'acme/bot@production:SCHWAB_TOKEN', 'org/acme:SCHWAB_TOKEN'].join(
  '\n',
);

function inputs(extra: Record<string, string>): Record<string, string> {
  return {
    'app-key': schwab.appKey,
    'app-secret': schwab.appSecret,
    'schwab-base-url': schwab.baseUrl,
    'github-token': FAKE_WORKFLOW_TOKEN,
    ...extra,
  };
}

function env(extra: Record<string, string> = {}): Record<string, string> {
  return { GITHUB_REPOSITORY: 'acme/bot', GITHUB_API_URL: github.url, ...extra };
}

function everyText(run: ActionRun): Record<string, string> {
  return {
    stdout: run.stdout,
    stderr: run.stderr,
    summary: run.summary,
    outputs: outputsWithoutAccessToken(run.outputs),
    issues: github.issues.map((issue) => `${issue.title}\n${issue.body ?? ''}`).join('\n'),
    comments: github.comments.map((comment) => comment.body).join('\n'),
  };
}

function expectClean(run: ActionRun, records: TokenRecord[]): void {
  expectNoLeaks(everyText(run), [...allSecrets(schwab, records), FAKE_SECRETS_TOKEN]);
}

function secretWrites(): number {
  return github.count('repo-secret-put') + github.count('env-secret-put') + github.count('org-secret-put');
}

describeMoto('action end to end with GitHub secrets', () => {
  it('mirrors the rotated record into repository, environment and organization secrets, byte for byte', async () => {
    const login = loginRecord(schwab, new Date(Date.now() - 10 * MINUTE), 'schwab-py');
    const secret = await createTestSecret(getMotoUrl(), undefined, login.text);

    const run = await runAction({
      inputs: inputs({
        'aws-secret-id': secret.name,
        'github-secrets': TARGETS,
        'secrets-token': FAKE_SECRETS_TOKEN,
        'token-format': 'schwab-py',
      }),
      env: env(motoChildEnv()),
    });

    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const stored = (await readSecretValue(getMotoUrl(), secret.name)).text;
    expect(stored).toMatch(/^\{"creation_timestamp":/);
    expect(parseStored(stored).meta.refreshCount).toBe(1);
    expect(github.decryptedSecret('acme/bot', 'SCHWAB_TOKEN')).toBe(stored);
    expect(github.decryptedSecret('acme/bot@production', 'SCHWAB_TOKEN')).toBe(stored);
    expect(github.decryptedSecret('org/acme', 'SCHWAB_TOKEN')).toBe(stored);
    expect(run.summary).toContain('acme/bot@production:SCHWAB_TOKEN');
    expectClean(run, [login.record, parseStored(stored)]);
  });

  it('fails a run with a badly named target before anything is refreshed or written', async () => {
    const login = loginRecord(schwab, new Date(Date.now() - 10 * MINUTE));
    const secret = await createTestSecret(getMotoUrl(), undefined, login.text);
    const refreshes = schwab.tokenRequests().length;

    const run = await runAction({
      inputs: inputs({
        'aws-secret-id': secret.name,
        'github-secrets': 'SCHWAB_TOKEN\nGITHUB_SCHWAB',
        'secrets-token': FAKE_SECRETS_TOKEN,
      }),
      env: env(motoChildEnv()),
    });

    expect(run.exitCode).not.toBe(0);
    expect(run.stdout).toMatch(/::error::github-secrets line 2 .*GITHUB_/);
    expect(schwab.tokenRequests().length).toBe(refreshes);
    expect((await readSecretValue(getMotoUrl(), secret.name)).text).toBe(login.text);
    expect(secretWrites()).toBe(0);
    expect(github.requests).toHaveLength(0);
  });

  it('writes the other targets when one is forbidden, and names the missing permission', async () => {
    const login = loginRecord(schwab, new Date(Date.now() - 10 * MINUTE));
    const secret = await createTestSecret(getMotoUrl(), undefined, login.text);
    github.inject('env-public-key', { type: 'forbidden' }, Infinity);

    const run = await runAction({
      inputs: inputs({ 'aws-secret-id': secret.name, 'github-secrets': TARGETS, 'secrets-token': FAKE_SECRETS_TOKEN }),
      env: env(motoChildEnv()),
    });

    expect(run.exitCode).not.toBe(0);
    const stored = (await readSecretValue(getMotoUrl(), secret.name)).text;
    expect(parseStored(stored).meta.refreshCount).toBe(1);
    expect(github.decryptedSecret('acme/bot', 'SCHWAB_TOKEN')).toBe(stored);
    expect(github.decryptedSecret('org/acme', 'SCHWAB_TOKEN')).toBe(stored);
    expect(github.decryptedSecret('acme/bot@production', 'SCHWAB_TOKEN')).toBeUndefined();
    expect(run.stdout).toMatch(
      /::error::Could not write secret SCHWAB_TOKEN to the environment production of acme\/bot.*Secrets: read and write/,
    );
    expectClean(run, [login.record, parseStored(stored)]);
  });
});

describe('action end to end with GitHub only (no AWS)', () => {
  it('refreshes the "token" input and writes the secret back', async () => {
    const login = loginRecord(schwab, new Date(Date.now() - 10 * MINUTE));

    const run = await runAction({
      inputs: inputs({ token: login.text, 'github-secrets': 'SCHWAB_TOKEN', 'secrets-token': FAKE_SECRETS_TOKEN }),
      env: env(),
    });

    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const written = parseStored(github.decryptedSecret('acme/bot', 'SCHWAB_TOKEN'));
    expect(written.meta.refreshCount).toBe(1);
    expect(written.meta.createdAt).toEqual(login.record.meta.createdAt);
    expect(schwab.isAccessTokenValid(written.tokens.accessToken)).toBe(true);
    expect(run.outputs.refreshed).toBe('true');
    expectClean(run, [login.record, written]);
  });

  it('explains that GITHUB_TOKEN cannot write secrets', async () => {
    const login = loginRecord(schwab, new Date(Date.now() - 10 * MINUTE));

    const run = await runAction({
      inputs: inputs({ token: login.text, 'github-secrets': 'SCHWAB_TOKEN', 'secrets-token': FAKE_WORKFLOW_TOKEN }),
      env: env(),
    });

    expect(run.exitCode).not.toBe(0);
    expect(run.stdout).toMatch(/::error::.*GITHUB_TOKEN cannot write secrets/);
    expectClean(run, [login.record]);
  });
});

describe('action end to end with GitHub only: a secrets-token that cannot write, with a rotating Schwab', () => {
  let rotating: SchwabFake;
  beforeEach(async () => {
    rotating = await startSchwabFake({ rotateOnRefresh: true });
  });
  afterEach(async () => {
    await rotating.close();
  });

  // The GitHub secret is the only store: refreshing first would retire the stored refresh token and then lose the new
  // one at the refused PUT. Each store's public key (same permission) is read before Schwab is called.
  it.each([
    ['lacks the "Secrets: read and write" permission (403)', { type: 'forbidden' } as const, /Secrets: read and write/],
    [
      'is expired (401)',
      { type: 'status', status: 401, message: 'Bad credentials' } as const,
      /rejected the secrets-token as invalid or expired/,
    ],
  ])(
    'fails without refreshing when the secrets-token %s, and the stored token still works',
    async (_, fault, words) => {
      const login = loginRecord(rotating, new Date(Date.now() - 40 * MINUTE));
      github.seedSecret('acme/bot', 'SCHWAB_TOKEN', login.text);
      github.inject('repo-public-key', fault, Infinity);

      const run = await runAction({
        inputs: {
          'app-key': rotating.appKey,
          'app-secret': rotating.appSecret,
          'schwab-base-url': rotating.baseUrl,
          token: login.text,
          'github-secrets': 'SCHWAB_TOKEN',
          'secrets-token': FAKE_SECRETS_TOKEN,
        },
        env: env(),
      });

      expect(run.exitCode).toBe(1);
      const errors = run.stdout.match(/^::error::.*$/gm) ?? [];
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/^::error::Cannot write secret SCHWAB_TOKEN to acme\/bot \(HTTP 40[13]/);
      expect(errors[0]).toMatch(words);
      expect(errors[0]).toMatch(/nothing was refreshed, so the stored token still works\.$/);
      expect(rotating.tokenRequests()).toHaveLength(0);
      expect(rotating.refreshTokenInfo(login.record.tokens.refreshToken)?.active).toBe(true);
      expect(run.outputs.refreshed).toBe('false');
      expect(github.decryptedSecret('acme/bot', 'SCHWAB_TOKEN')).toBe(login.text);
      expectNoLeaks(everyText(run), [...allSecrets(rotating, [login.record]), FAKE_SECRETS_TOKEN]);
    },
  );

  it('reads the public key once: the check before the refresh serves the write', async () => {
    const login = loginRecord(rotating, new Date(Date.now() - 40 * MINUTE));

    const run = await runAction({
      inputs: {
        'app-key': rotating.appKey,
        'app-secret': rotating.appSecret,
        'schwab-base-url': rotating.baseUrl,
        token: login.text,
        'github-secrets': 'SCHWAB_TOKEN',
        'secrets-token': FAKE_SECRETS_TOKEN,
      },
      env: env(),
    });

    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(github.count('repo-public-key')).toBe(1);
    const written = parseStored(github.decryptedSecret('acme/bot', 'SCHWAB_TOKEN'));
    expect(rotating.refreshTokenInfo(written.tokens.refreshToken)?.active).toBe(true);
  });
});

describe('action end to end: the re-auth alert issue', () => {
  it('opens one issue when the token enters the warning window, with the authorize URL and the login command', async () => {
    const login = loginRecord(schwab, new Date(Date.now() - 6 * DAY));

    const run = await runAction({
      inputs: inputs({
        token: login.text,
        'github-secrets': 'SCHWAB_TOKEN',
        'secrets-token': FAKE_SECRETS_TOKEN,
        'issue-assignees': 'octocat',
      }),
      env: env(),
    });

    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.outputs.status).toBe('expiring');
    expect(run.stdout).toMatch(/::warning::/);
    const issues = github.issues.filter((issue) => !issue.pull_request);
    expect(issues).toHaveLength(1);
    const [issue] = issues;
    expect(run.outputs['issue-number']).toBe(String(issue?.number));
    expect(issue?.labels).toContain('schwab-reauth');
    expect(issue?.assignees).toEqual(['octocat']);
    expect(issue?.body).toContain(`login --callback-url https://127.0.0.1:8182 --schwab-base-url ${schwab.baseUrl}`);
    expect(issue?.body).not.toContain(schwab.appKey);
    expect(run.summary).toContain(`#${issue?.number}`);
    expectClean(run, [login.record, parseStored(github.decryptedSecret('acme/bot', 'SCHWAB_TOKEN'))]);

    // The next run, still expiring, adds nothing.
    const again = await runAction({
      inputs: inputs({
        token: github.decryptedSecret('acme/bot', 'SCHWAB_TOKEN') ?? '',
        'github-secrets': 'SCHWAB_TOKEN',
        'secrets-token': FAKE_SECRETS_TOKEN,
      }),
      env: env(),
    });
    expect(again.exitCode, again.stdout + again.stderr).toBe(0);
    expect(github.issues).toHaveLength(1);
    expect(github.comments).toHaveLength(0);
  });

  it('with login-url, the issue starts with the one-tap link to the login function and holds no app key', async () => {
    const login = loginRecord(schwab, new Date(Date.now() - 6 * DAY));
    const loginUrl = 'https://abc123example.lambda-url.us-east-1.on.aws';

    const run = await runAction({
      inputs: inputs({
        token: login.text,
        'github-secrets': 'SCHWAB_TOKEN',
        'secrets-token': FAKE_SECRETS_TOKEN,
        'login-url': loginUrl,
      }),
      env: env({ GITHUB_ACTION_REPOSITORY: 'acme/schwab-token-rotator', GITHUB_ACTION_REF: 'v1' }),
    });

    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const [issue] = github.issues.filter((candidate) => !candidate.pull_request);
    const visible = (issue?.body ?? '').split('\n').filter((line) => line.trim() !== '' && !line.startsWith('<!--'));
    expect(visible[0]).toContain(`](${loginUrl}/login)`);
    expect(issue?.body).toContain('npx --yes github:acme/schwab-token-rotator#v1 login');
    expect(issue?.body).not.toContain(schwab.appKey);
    expect(issue?.body).not.toContain('oauth/authorize');
    expectClean(run, [login.record, parseStored(github.decryptedSecret('acme/bot', 'SCHWAB_TOKEN'))]);
  });

  it('opens the issue and fails the run when Schwab rejects the refresh token; the record is untouched', async () => {
    const login = loginRecord(schwab, new Date(Date.now() - 1 * DAY - HOUR));
    loginRecord(schwab, new Date()); // a newer login elsewhere revokes it

    const run = await runAction({
      inputs: inputs({
        token: login.text,
        'github-secrets': 'SCHWAB_TOKEN',
        'secrets-token': FAKE_SECRETS_TOKEN,
        force: 'true',
      }),
      env: env(),
    });

    expect(run.exitCode).not.toBe(0);
    expect(run.outputs.status).toBe('reauth-required');
    expect(github.issues).toHaveLength(1);
    expect(secretWrites()).toBe(0);
    expectClean(run, [login.record]);
  });

  it('treats an issue API failure as a warning: the token is still refreshed and written', async () => {
    const login = loginRecord(schwab, new Date(Date.now() - 6 * DAY));
    github.inject('issues-list', { type: 'forbidden' }, Infinity);

    const run = await runAction({
      inputs: inputs({ token: login.text, 'github-secrets': 'SCHWAB_TOKEN', 'secrets-token': FAKE_SECRETS_TOKEN }),
      env: env(),
    });

    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/::warning::.*issues: write/);
    expect(parseStored(github.decryptedSecret('acme/bot', 'SCHWAB_TOKEN')).meta.refreshCount).toBe(1);
  });
});

describe('action end to end: an AWS secret that cannot be read', () => {
  it.each([
    ['with', true],
    ['without', false],
  ])(
    'fails naming the IAM actions, writes nothing, and opens no re-auth issue (%s a "token" input)',
    async (_, withToken) => {
      const { startAwsStub, STUB_ERRORS } = await import('../fakes/aws-stub.js');
      const { awsEnv } = await import('../support/moto.js');
      const stub = await startAwsStub();
      try {
        const login = loginRecord(schwab, new Date(Date.now() - 10 * MINUTE));
        stub.seed('schwab/token', login.text);
        stub.always('GetSecretValue', STUB_ERRORS.accessDenied);
        const refreshes = schwab.tokenRequests().length;

        const run = await runAction({
          inputs: inputs({
            'aws-secret-id': 'schwab/token',
            ...(withToken ? { token: login.text } : {}),
            'github-secrets': 'SCHWAB_TOKEN',
            'secrets-token': FAKE_SECRETS_TOKEN,
          }),
          env: env(Object.fromEntries(Object.entries(awsEnv(stub.url)).filter(([, v]) => v !== ''))),
        });

        expect(run.exitCode).not.toBe(0);
        // The run failed and the token's health is unknown (or, with the "token" input, known but not the point): never
        // "healthy".
        expect(run.outputs.status).toBe('error');
        expect(run.summary).toContain('| Status | ❌ the run failed: see the problems below |');
        expect(run.summary).toContain(
          withToken
            ? '| Refresh token | 🟢 healthy |'
            : '| Refresh token | ⚪ unknown: the token record could not be read |',
        );
        expect(run.stdout).toMatch(/::error::AWS denied secretsmanager:GetSecretValue .*PutSecretValue/);
        expect(run.stdout).not.toMatch(/log in again/i);
        expect(schwab.tokenRequests().length).toBe(refreshes);
        expect(stub.callsTo('PutSecretValue')).toHaveLength(0);
        expect(secretWrites()).toBe(0);
        expect(github.issues).toHaveLength(0);
        expectClean(run, [login.record]);
      } finally {
        await stub.close();
      }
    },
  );
});
