/**
 * The simulated week at the action level (issue #4's "done when"): `runActionOnce` every 25 minutes over 8 days of an
 * injected clock, in-process, against the Schwab fake and the GitHub fake, with a login on day 7. The token record
 * lives only in a GitHub secret: each run's `token` input is what the previous run wrote there (as
 * `${{ secrets.SCHWAB_TOKEN }}` would be), and each login writes it there too (`login --github-secret SCHWAB_TOKEN`),
 * so the run after a login gets the new record as its `token` input: the "manual deploy" path.
 *
 * The GitHub fake must end with exactly one issue: opened by the first run inside the 48 h warning window, at most one
 * comment before the login (the reauth-required transition, only when the deadline passes first), closed by the first
 * run after the login; no other issue, comment or edit. Every run's logs and job summary are scanned for token values.
 *
 * The documented bound on GitHub API calls: a healthy run that refreshes costs GITHUB_CALLS_PER_HEALTHY_RUN = 3,
 * i.e. ALERT_REQUESTS_PER_HEALTHY_RUN (1: the issues list) + 2 for the secret write (the repository's public key and
 * the PUT; the key is not cached across runs, each run being a fresh process). A healthy run that has nothing to
 * write costs the 1 list call.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ALERT_REQUESTS_PER_HEALTHY_RUN } from '../../src/alerts/reauth-alert.js';
import { runActionOnce } from '../../src/action/run.js';
import type { ActionRunResult } from '../../src/action/run.js';
import { renderSummary } from '../../src/action/summary.js';
import { INPUT_DEFAULTS, readSettings } from '../../src/settings/inputs.js';
import type { InputName } from '../../src/settings/inputs.js';
import { recordFromLogin } from '../../src/token/build.js';
import { parseTokenRecord } from '../../src/token/parse.js';
import { refreshTokenExpiresAt, secretValues } from '../../src/token/record.js';
import type { TokenRecord } from '../../src/token/record.js';
import { serializeRecord } from '../../src/token/serialize.js';
import { createMemoryLogger } from '../../src/util/logger.js';
import type { GitHubFake, GitHubFakeRoute } from '../fakes/github-fake.js';
import { FAKE_SECRETS_TOKEN, FAKE_WORKFLOW_TOKEN, startGitHubFake } from '../fakes/github-fake.js';
import type { SchwabFake } from '../fakes/schwab-fake.js';
import { startSchwabFake } from '../fakes/schwab-fake.js';
import { immediateZeroDelayTimers, publishedTexts, writes } from '../alerts/helpers.js';
import { expectNoLeaks } from '../support/leaks.js';
import { DAY, HOUR, MINUTE } from './support.js';

/** GitHub API calls of a healthy run that refreshes: the alert's issues list + the secret's public key + PUT. */
const GITHUB_CALLS_PER_HEALTHY_RUN = ALERT_REQUESTS_PER_HEALTHY_RUN + 2;

const RUN_EVERY = 25 * MINUTE;
const REAUTH_WARNING = 48 * HOUR;
const REPO = 'acme/bot';
const SECRET = 'SCHWAB_TOKEN';
const START = new Date('2026-11-16T06:00:00Z'); // day 1 begins
const FIRST_LOGIN = new Date(START.getTime() - 2 * HOUR);
const DEADLINE = refreshTokenExpiresAt({ createdAt: FIRST_LOGIN }); // START + 6 d 22 h
const SECRET_ROUTES: GitHubFakeRoute[] = ['repo-public-key', 'repo-secret-put'];

interface Run {
  at: Date;
  /** The `token` input this run was given. */
  tokenInput: string;
  result: ActionRunResult;
  /** Routes of the GitHub requests this run made, in order. */
  requests: string[];
  /** Requests this run made to Schwab's token endpoint. */
  schwabCalls: number;
  logs: string;
  summary: string;
  /** Every token value the run saw (its input record and the record it ended with). */
  secrets: string[];
}

let clockNow = START;
const clock = { now: () => clockNow };
let schwab: SchwabFake;
let github: GitHubFake | undefined;
let restoreTimers: (() => void) | undefined;
let savedApiUrl: string | undefined;

beforeAll(async () => {
  schwab = await startSchwabFake({ now: () => clock.now() });
  savedApiUrl = process.env.GITHUB_API_URL;
});
afterAll(async () => {
  await schwab.close();
  if (savedApiUrl === undefined) delete process.env.GITHUB_API_URL;
  else process.env.GITHUB_API_URL = savedApiUrl;
});
beforeEach(() => {
  restoreTimers = immediateZeroDelayTimers(); // 461 runs of Octokit's Bottleneck queues: see the helper
});
afterEach(async () => {
  restoreTimers?.();
  restoreTimers = undefined;
  await github?.close();
  github = undefined;
});

/** A login at `loginAt`, as `login --github-secret SCHWAB_TOKEN` leaves it: the record, written to the secret. */
function login(fake: GitHubFake, loginAt: Date): { record: TokenRecord; text: string } {
  const record = recordFromLogin(schwab.issueTokens({ loginAt }).response, loginAt);
  const text = serializeRecord(record, 'rotator');
  fake.seedSecret(REPO, SECRET, text);
  return { record, text };
}

/** One scheduled run, in-process: inputs as the workflow passes them, the runner's GITHUB_REPOSITORY. */
async function runOnce(fake: GitHubFake, at: Date): Promise<Run> {
  clockNow = at;
  const tokenInput = fake.decryptedSecret(REPO, SECRET);
  if (tokenInput === undefined) throw new Error('the GitHub secret is empty');
  const inputs: Partial<Record<InputName, string>> = {
    'app-key': schwab.appKey,
    'app-secret': schwab.appSecret,
    'schwab-base-url': schwab.baseUrl,
    token: tokenInput,
    'github-secrets': SECRET,
    'secrets-token': FAKE_SECRETS_TOKEN,
    'github-token': FAKE_WORKFLOW_TOKEN,
  };
  const logger = createMemoryLogger();
  const settings = readSettings((name) => inputs[name] ?? '', logger, { GITHUB_REPOSITORY: REPO });
  const before = fake.requests.length;
  const schwabBefore = schwab.tokenRequests().length;
  const result = await runActionOnce(
    settings,
    {
      clock,
      sleep: async () => {},
      logger,
      tuning: { githubWaitScale: 0, awsRetryDelayMs: () => 0 },
    },
    { runUrl: `https://github.com/${REPO}/actions/runs/1` },
  );
  const { alert } = result;
  const issue =
    alert?.issueNumber !== undefined && alert.issueUrl
      ? {
          number: alert.issueNumber,
          url: alert.issueUrl,
          action: alert.action === 'none' ? (alert.decision?.reason ?? 'open') : alert.action,
        }
      : undefined;
  const input = parseTokenRecord(tokenInput, 'test', at).record;
  return {
    at,
    tokenInput,
    result,
    requests: fake.requests.slice(before).map((r) => r.route ?? `${r.method} ${r.path}`),
    schwabCalls: schwab.tokenRequests().length - schwabBefore,
    logs: logger.lines.map((line) => `${line.level}: ${line.message}`).join('\n'),
    summary: logger.redact(renderSummary(result.rotation, clock.now(), { issue, warnings: result.warnings })),
    secrets: [...secretValues(input.tokens), ...secretValues((result.rotation.record ?? input).tokens)],
  };
}

describe.each([
  // Logins between two runs, so the first run after one finds its access token due (as a scheduled run would).
  {
    when: 'before the deadline',
    secondLogin: new Date(START.getTime() + 6 * DAY + 12 * HOUR + 5 * MINUTE),
    reauthComments: 0,
  },
  {
    when: 'after the deadline',
    secondLogin: new Date(START.getTime() + 6 * DAY + 23 * HOUR + 10 * MINUTE),
    reauthComments: 1,
  },
])('the action every 25 minutes for 8 days, with a login on day 7 $when', ({ secondLogin, reauthComments }) => {
  it('ends with exactly one issue, opened on entering the warning window and closed by the first run after the login', async () => {
    clockNow = START;
    const fake = await startGitHubFake({ now: () => clock.now() });
    github = fake;
    process.env.GITHUB_API_URL = fake.url;
    const first = login(fake, FIRST_LOGIN);
    let second: { record: TokenRecord; text: string } | undefined;

    const runs: Run[] = [];
    const started = performance.now();
    for (let t = START.getTime(); t < START.getTime() + 8 * DAY; t += RUN_EVERY) {
      const at = new Date(t);
      if (!second && at >= secondLogin) {
        clockNow = secondLogin;
        second = login(fake, secondLogin);
      }
      runs.push(await runOnce(fake, at));
    }
    const elapsed = performance.now() - started;
    expect(runs).toHaveLength(461);
    expect(second).toBeDefined();

    // --- The token stayed alive: every run before the deadline and after the login refreshed and wrote the secret.
    const firstAfterLogin = runs.find((r) => r.at >= secondLogin)!;
    expect(firstAfterLogin.tokenInput).toBe(second!.text); // the manual deploy: the login's record is the input
    const alive = runs.filter((r) => r.at < DEADLINE || r.at >= secondLogin);
    const dead = runs.filter((r) => !alive.includes(r));
    for (const run of alive) {
      expect(run.result.rotation, run.at.toISOString()).toMatchObject({ refreshed: true, failures: [] });
      expect(run.schwabCalls).toBe(1);
      expect(run.result.rotation.stores).toEqual([expect.objectContaining({ outcome: 'written' })]);
    }
    expect(dead.length).toBe(reauthComments ? 3 : 0); // START + 6 d 22:15, 22:40 and 23:05: past the deadline, before the login
    for (const run of dead) {
      expect(run.result.rotation.status).toBe('reauth-required');
      expect(run.result.rotation.refreshed).toBe(false);
      expect(run.schwabCalls).toBe(0); // the deadline passed: Schwab is not even asked
    }
    const finalRecord = parseTokenRecord(fake.decryptedSecret(REPO, SECRET)!, 'test', clock.now()).record;
    expect(finalRecord.meta.createdAt).toEqual(second!.record.meta.createdAt);
    expect(schwab.isAccessTokenValid(finalRecord.tokens.accessToken)).toBe(true);
    expect(fake.count('repo-secret-put')).toBe(alive.length);

    // --- Exactly one issue, opened by the first run inside the warning window.
    expect(fake.issues).toHaveLength(1);
    const issue = fake.issues[0]!;
    const firstExpiring = runs.find((r) => r.result.rotation.status === 'expiring')!;
    expect(DEADLINE.getTime() - firstExpiring.at.getTime()).toBeLessThanOrEqual(REAUTH_WARNING);
    expect(DEADLINE.getTime() - (firstExpiring.at.getTime() - RUN_EVERY)).toBeGreaterThan(REAUTH_WARNING);
    expect(firstExpiring.result.alert).toMatchObject({ action: 'opened', issueNumber: issue.number });
    expect(issue.created_at).toBe(firstExpiring.at.toISOString());
    expect(runs.filter((r) => r.result.alert?.action === 'opened')).toEqual([firstExpiring]);
    expect(issue.title).toMatch(SECRET);

    // --- At most one comment before the login: the reauth-required transition, only when the deadline passed first.
    expect(fake.comments.filter((c) => Date.parse(c.created_at) < secondLogin.getTime())).toHaveLength(reauthComments);
    expect(runs.filter((r) => r.result.alert?.action === 'commented')).toHaveLength(reauthComments);
    if (reauthComments) expect(dead[0]!.result.alert?.action).toBe('commented');

    // --- Closed by the first run after the login, with one comment.
    expect(firstAfterLogin.result.alert).toMatchObject({ action: 'closed', issueNumber: issue.number });
    expect(issue).toMatchObject({
      state: 'closed',
      state_reason: 'completed',
      closed_at: firstAfterLogin.at.toISOString(),
    });
    expect(fake.comments).toHaveLength(reauthComments + 1);
    expect(fake.comments.at(-1)?.created_at).toBe(firstAfterLogin.at.toISOString());

    // --- No other issue, comment or edit: every write of the week besides the secret, in order.
    expect(
      writes(fake)
        .map((r) => r.route)
        .filter((route) => !SECRET_ROUTES.includes(route!)),
    ).toEqual([
      'label-create',
      'issue-create',
      ...Array<string>(reauthComments).fill('comment-create'),
      'issue-update',
      'comment-create',
    ]);
    expect(fake.requestsTo('issue-update').map((r) => r.body)).toEqual([
      { state: 'closed', state_reason: 'completed' },
    ]);
    expect(runs.every((r) => r.result.warnings.length === 0 && r.result.alert?.warning === undefined)).toBe(true);

    // --- The documented bound on GitHub API calls per healthy run, and what the other runs cost.
    const healthy = runs.filter((r) => r.result.rotation.status === 'healthy' && r !== firstAfterLogin);
    expect(healthy.length).toBeGreaterThan(300);
    for (const run of healthy) {
      expect(run.requests.length).toBeLessThanOrEqual(GITHUB_CALLS_PER_HEALTHY_RUN);
      expect(run.requests).toEqual(['issues-list', 'repo-public-key', 'repo-secret-put']);
    }
    expect(GITHUB_CALLS_PER_HEALTHY_RUN).toBe(3);
    // The issue list is read while the token is refreshed (it overlaps with the rotation); issue writes come last.
    expect(firstAfterLogin.requests).toEqual([
      'issues-list',
      'repo-public-key',
      'repo-secret-put',
      'issue-update',
      'comment-create',
    ]);
    expect(firstExpiring.requests).toEqual([
      'issues-list',
      'repo-public-key',
      'repo-secret-put',
      'label-get',
      'label-create',
      'issue-create',
    ]);
    for (const run of runs.filter((r) => r.result.rotation.status === 'expiring' && r !== firstExpiring)) {
      expect(run.requests).toEqual(['issues-list', 'repo-public-key', 'repo-secret-put']);
    }
    for (const run of dead) {
      expect(run.requests.length).toBeLessThanOrEqual(3); // list (+ its comments) (+ the one reauth comment)
      expect(run.requests.filter((route) => SECRET_ROUTES.includes(route as GitHubFakeRoute))).toEqual([]);
    }
    if (reauthComments) expect(dead[0]!.requests).toContain('comment-create');
    const total = runs.reduce((sum, r) => sum + r.requests.length, 0);
    expect(fake.requests).toHaveLength(total);

    // --- Nothing secret in any run's logs or summary, nor in the issue and its comments.
    const always = [schwab.appSecret, FAKE_SECRETS_TOKEN, FAKE_WORKFLOW_TOKEN];
    for (const run of runs) {
      expectNoLeaks({ logs: run.logs, summary: run.summary }, [...always, ...run.secrets]);
      expect(run.summary).toContain('Refresh token deadline');
    }
    const everyToken = [
      ...new Set(
        [first.record, second!.record].flatMap((r) => secretValues(r.tokens)).concat(runs.flatMap((r) => r.secrets)),
      ),
    ];
    expectNoLeaks({ issues: publishedTexts(fake).join('\n') }, [...always, ...everyToken]);

    console.log(
      `simulated week (${reauthComments ? 'login after' : 'login before'} the deadline): ${runs.length} runs in ` +
        `${(elapsed / 1000).toFixed(1)} s; ${total} GitHub API calls (${(total / runs.length).toFixed(2)} a run), ` +
        `${GITHUB_CALLS_PER_HEALTHY_RUN} per healthy run; ${runs.reduce((sum, r) => sum + r.schwabCalls, 0)} Schwab token requests`,
    );
  }, 60_000);
});

// Keep the defaults this test relies on visible: the 48 h warning and the 25 min refresh lead.
it('relies on the default reauth-warning and refresh-before', () => {
  expect(INPUT_DEFAULTS['reauth-warning']).toBe('48h');
  expect(INPUT_DEFAULTS['refresh-before']).toBe('25m');
});
