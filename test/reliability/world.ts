/**
 * The world one reliability case runs in: a Schwab fake, the AWS Secrets Manager stub (behind a TCP gate that can be
 * shut to make AWS refuse connections mid-run), a GitHub fake, and a token record that is due for a refresh.
 * `runOnce` runs the whole action in-process (runActionOnce) with short timeouts and no real sleeps; `checkInvariants`
 * asserts what must hold after ANY run, whatever fault it met (see fault-matrix.test.ts).
 */
import type { Socket } from 'node:net';
import { connect, createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { runActionOnce } from '../../src/action/run.js';
import type { ActionRunResult } from '../../src/action/run.js';
import type { Platform } from '../../src/action/deps.js';
import type { Tuning } from '../../src/util/tuning.js';
import { renderSummary } from '../../src/action/summary.js';
import { readSettings } from '../../src/settings/inputs.js';
import type { InputName } from '../../src/settings/inputs.js';
import { systemClock } from '../../src/util/clock.js';
import { createMemoryLogger } from '../../src/util/logger.js';
import type { TokenRecord } from '../../src/token/record.js';
import { secretValues } from '../../src/token/record.js';
import { serializeRecord } from '../../src/token/serialize.js';
import { formatMarker } from '../../src/alerts/marker.js';
import { startSchwabFake } from '../fakes/schwab-fake.js';
import type { SchwabFake } from '../fakes/schwab-fake.js';
import { startAwsStub } from '../fakes/aws-stub.js';
import type { AwsStub } from '../fakes/aws-stub.js';
import { FAKE_SECRETS_TOKEN, FAKE_WORKFLOW_TOKEN, startGitHubFake } from '../fakes/github-fake.js';
import type { GitHubFake } from '../fakes/github-fake.js';
import { applyEnv, awsEnv, createTestSecret, getMotoUrl, readSecretValue } from '../support/moto.js';
import { expectNoLeaks } from '../support/leaks.js';
import { DAY, HOUR, loginRecord, parseStored } from '../e2e/support.js';

export const REPO = 'acme/bot';
export const SECRET_NAME = 'SCHWAB_TOKEN';
export const TOKEN_ID = 'matrix-token';
export const LABEL = 'schwab-reauth';

/**
 * Per-request timeouts of the clients in these suites. Generous, so a loaded machine never times out a request
 * by accident (a Schwab refresh answered after its timeout would retire the token the retry then uses, in rotating
 * mode). A case where a call hangs shortens the timeout of that one service (see fault-matrix.test.ts).
 */
export const TIMEOUTS: Tuning = { schwabTimeoutMs: 2000, awsRequestTimeoutMs: 1000, githubTimeoutMs: 1000 };

/** Does Schwab hand out a new refresh token on every refresh (and retire the old one)? */
export type SchwabMode = 'same-token' | 'rotating';

/**
 * - `due`: a login 2 h ago whose access token has expired: refreshed, written everywhere, healthy, no issue.
 * - `expiring`: a login 6 days ago: also refreshed, and the run opens the alert issue.
 * - `close-issue`: like `due`, with an alert issue still open from the previous login: the run closes it.
 */
export type Scenario = 'due' | 'expiring' | 'close-issue';

/** `full`: token input + AWS secret (primary) + a GitHub repository secret (mirror) + alerts. `aws-only`: the AWS secret and alerts. */
export type Layout = 'full' | 'aws-only';

/** A TCP pass-through in front of a server; `shut()` makes its port refuse connections (and cuts open ones). */
export interface Gate {
  readonly url: string;
  readonly isShut: boolean;
  shut(): Promise<void>;
}

export async function startGate(targetUrl: string): Promise<Gate> {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  let shut = false;
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('gate has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    get isShut() {
      return shut;
    },
    shut: () => {
      if (shut) return Promise.resolve();
      shut = true;
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface World {
  schwab: SchwabFake;
  aws: AwsStub;
  awsGate: Gate;
  github: GitHubFake;
  secretId: string;
  layout: Layout;
  /** The AWS secret is in moto_server rather than the stub (read it with readPrimary). */
  onMoto: boolean;
  /** The record every store holds before the run. */
  old: { record: TokenRecord; text: string };
  /** Inputs of the run (a case may change them before running). */
  inputs: Partial<Record<InputName, string>>;
  /** Environment of the run: AWS endpoint, GITHUB_API_URL (a case may point them at a dead port). */
  env: Record<string, string>;
  /** Every wait the product asked for (nothing really sleeps). */
  sleeps: number[];
  /** Overrides of the clients' timeouts for the next run (a case where every attempt hangs shortens its own). */
  tuning: Partial<Tuning>;
  /** Every token value the world has seen (for the leak scan), the app secret and the GitHub tokens included. */
  secrets: Set<string>;
  close(): Promise<void>;
}

export async function startWorld(options: {
  mode: SchwabMode;
  scenario?: Scenario;
  layout?: Layout;
  /** Where the AWS secret lives: the scriptable stub (default) or moto_server (real Secrets Manager semantics). */
  primary?: 'stub' | 'moto';
}): Promise<World> {
  const scenario = options.scenario ?? 'due';
  const onMoto = options.primary === 'moto';
  const layout = options.layout ?? 'full';
  const [schwab, aws, github] = await Promise.all([
    startSchwabFake({ rotateOnRefresh: options.mode === 'rotating' }),
    startAwsStub(),
    startGitHubFake(),
  ]);
  const awsGate = await startGate(aws.url);
  const loginAt = new Date(Date.now() - (scenario === 'expiring' ? 6 * DAY : 2 * HOUR));
  const old = loginRecord(schwab, loginAt);
  const secretId = `reliability/${randomUUID()}`;
  if (onMoto) await createTestSecret(getMotoUrl(), secretId, old.text);
  else aws.seed(secretId, old.text);
  if (layout === 'full') github.seedSecret(REPO, SECRET_NAME, old.text);
  if (scenario === 'close-issue') {
    github.addIssue(REPO, {
      title: 'Schwab token: log in again',
      body: `The refresh token expires soon.\n\n${formatMarker({ kind: 'alert', tokenId: TOKEN_ID, login: new Date(loginAt.getTime() - 6 * DAY), state: 'expiring' })}`,
      labels: [LABEL],
    });
  }
  const inputs: Partial<Record<InputName, string>> = {
    'app-key': schwab.appKey,
    'app-secret': schwab.appSecret,
    'schwab-base-url': schwab.baseUrl,
    'aws-secret-id': secretId,
    'token-id': TOKEN_ID,
    'issue-assignees': 'octocat',
    'github-token': FAKE_WORKFLOW_TOKEN,
    ...(layout === 'full'
      ? { token: old.text, 'github-secrets': SECRET_NAME, 'secrets-token': FAKE_SECRETS_TOKEN }
      : {}),
  };
  return {
    schwab,
    aws,
    awsGate,
    github,
    secretId,
    layout,
    old,
    inputs,
    onMoto,
    env: { ...awsEnv(onMoto ? getMotoUrl() : awsGate.url), GITHUB_API_URL: github.url },
    sleeps: [],
    tuning: {},
    secrets: new Set([schwab.appSecret, FAKE_SECRETS_TOKEN, FAKE_WORKFLOW_TOKEN, ...secretValues(old.record.tokens)]),
    async close() {
      await Promise.all([schwab.close(), aws.close(), github.close(), awsGate.shut()]);
    },
  };
}

export interface RunOutcome {
  run: ActionRunResult;
  logger: ReturnType<typeof createMemoryLogger>;
  /** Whether the action would exit with a failure (main.ts: any failure fails the run). */
  failed: boolean;
  summary: string;
  /** Every text the run produced that a person (or a log) can see. */
  texts: Record<string, string>;
}

/** One whole action run, in-process. */
export async function runOnce(
  world: World,
  overrides: { inputs?: Partial<Record<InputName, string>>; env?: Record<string, string> } = {},
): Promise<RunOutcome> {
  const logger = createMemoryLogger();
  const inputs = { ...world.inputs, ...overrides.inputs };
  const restore = applyEnv({ ...world.env, ...overrides.env });
  const platform: Platform = {
    clock: systemClock,
    sleep: (ms) => {
      world.sleeps.push(ms);
      return Promise.resolve();
    },
    logger,
    tuning: { ...TIMEOUTS, awsRetryDelayMs: () => 0, githubWaitScale: 0, ...world.tuning },
  };
  let run: ActionRunResult;
  try {
    const settings = readSettings((name) => inputs[name] ?? '', logger, { GITHUB_REPOSITORY: REPO });
    run = await runActionOnce(settings, platform, { runUrl: 'https://github.com/acme/bot/actions/runs/1' });
  } finally {
    restore();
  }
  const rotation = run.rotation;
  for (const value of logger.masked) world.secrets.add(value);
  if (rotation.record) for (const value of secretValues(rotation.record.tokens)) world.secrets.add(value);
  const issue =
    run.alert?.issueNumber !== undefined && run.alert.issueUrl
      ? { number: run.alert.issueNumber, url: run.alert.issueUrl, action: run.alert.action }
      : undefined;
  const summary = renderSummary(rotation, systemClock.now(), { issue, warnings: run.warnings });
  const texts: Record<string, string> = {
    log: logger.lines.map((line) => `${line.level}: ${line.message}`).join('\n'),
    failures: failureMessages(rotation).join('\n'),
    warnings: [...rotation.warnings, ...run.warnings].join('\n'),
    action: rotation.action,
    stores: rotation.stores.map((store) => `${store.label}: ${store.detail}`).join('\n'),
    summary,
    issues: world.github.issues.map((i) => `${i.title}\n${i.body ?? ''}`).join('\n'),
    comments: world.github.comments.map((c) => c.body).join('\n'),
  };
  return { run, logger, failed: rotation.failures.length > 0, summary, texts };
}

/** The one-sentence messages of a run's failures. */
export function failureMessages(rotation: { failures: { message: string }[] }): string[] {
  return rotation.failures.map((failure) => failure.message);
}

/** What the AWS secret holds: the AWSCURRENT text, and the text of a version still carrying AWSPENDING, if any. */
export interface PrimaryState {
  text: string | undefined;
  /** Some version still carries AWSPENDING (a write that did not finish). */
  pending: boolean;
  /** The AWSPENDING version's text when it is not the AWSCURRENT one (undefined otherwise). */
  pendingText: string | undefined;
}

export function primaryState(world: World): PrimaryState {
  const stages = world.aws.stages(world.secretId);
  const pendingVersion = Object.keys(stages).find((id) => stages[id]?.includes('AWSPENDING'));
  const unfinished = pendingVersion !== undefined && !stages[pendingVersion]?.includes('AWSCURRENT');
  return {
    text: world.aws.current(world.secretId),
    pending: pendingVersion !== undefined,
    pendingText: unfinished ? world.aws.text(world.secretId, pendingVersion) : undefined,
  };
}

/** `primaryState` for either backend. */
export async function readPrimary(world: World): Promise<PrimaryState> {
  if (!world.onMoto) return primaryState(world);
  const current = await readSecretValue(getMotoUrl(), world.secretId);
  const pending = await readSecretValue(getMotoUrl(), world.secretId, 'AWSPENDING');
  return {
    text: current.text,
    pending: pending.versionId !== undefined,
    pendingText: pending.versionId !== undefined && pending.versionId !== current.versionId ? pending.text : undefined,
  };
}

export function mirrorText(world: World): string | undefined {
  return world.github.decryptedSecret(REPO, SECRET_NAME);
}

/** Whether Schwab would still refresh with the refresh token of this stored text. */
export function refreshTokenWorks(world: World, text: string | undefined): boolean {
  if (text === undefined) return false;
  return world.schwab.refreshTokenInfo(parseStored(text).tokens.refreshToken)?.active === true;
}

/**
 * Whether some store holds a refresh token Schwab still accepts where the next run finds it: the AWS secret (its
 * AWSCURRENT, or an unfinished write left as AWSPENDING, which every read also looks at), the GitHub secret.
 */
export async function storesHoldAWorkingToken(world: World): Promise<boolean> {
  const primary = await readPrimary(world);
  const texts = [primary.text, primary.pendingText, world.layout === 'full' ? mirrorText(world) : undefined];
  return texts.some((text) => refreshTokenWorks(world, text));
}

export interface Expectation {
  /** `recovers`: the run succeeds with everything written; `fails`: a failure sentence; `warns`: succeeds with a warning. */
  expect: 'recovers' | 'fails' | 'warns';
  /** What the failure (or, for `warns`, the warning) must name. */
  mentions?: RegExp;
}

/**
 * What must hold after every run, whatever fault it met:
 * (a) each store holds exactly the old record or exactly the record the run ended with, and says so truthfully;
 *     some store holds a refresh token Schwab still accepts, or a failure says the new one was lost;
 * (b) no token value, app secret or GitHub token in any log line, warning, failure, summary, issue or comment;
 * (c) the run's failed/succeeded status matches the expectation;
 * (d) each failure is one sentence on one line and names the call or store.
 */
export async function checkInvariants(world: World, outcome: RunOutcome, expectation: Expectation): Promise<void> {
  const { rotation } = outcome.run;
  const context = `failures: ${JSON.stringify(failureMessages(rotation))}; warnings: ${JSON.stringify([...rotation.warnings, ...outcome.run.warnings])}; action: ${rotation.action}`;
  const finalText = rotation.record ? serializeRecord(rotation.record, 'rotator') : undefined;

  // (a) the primary: old or new, never a third thing; the report matches the store.
  const primary = await readPrimary(world);
  const primaryReport = rotation.stores.find((store) => store.label.startsWith('AWS secret'));
  expect([world.old.text, finalText], `AWS secret holds a third thing; ${context}`).toContain(primary.text);
  if (primaryReport?.outcome === 'written') expect(primary.text, `AWS reported written; ${context}`).toBe(finalText);
  else expect(primary.text, `AWS not reported written but changed; ${context}`).toBe(world.old.text);
  // AWSPENDING stays only on a write that did not finish, holding this run's record (the next run takes it up); a
  // finished or refused write leaves none.
  if (primary.pendingText !== undefined) {
    expect(primaryReport?.outcome, `AWSPENDING left behind by a write reported as done; ${context}`).toMatch(
      /^(unfinished|failed)$/,
    );
    expect(primary.pendingText, `AWSPENDING holds something else than the run's record; ${context}`).toBe(finalText);
  }
  if (primaryReport?.outcome === 'unfinished')
    expect(primary.pendingText, `reported unfinished, but no AWSPENDING; ${context}`).toBe(finalText);
  if (primary.text !== world.old.text) {
    const stored = parseStored(primary.text);
    expect(stored.meta.createdAt).toEqual(world.old.record.meta.createdAt);
    expect(stored.meta.refreshCount).toBe(world.old.record.meta.refreshCount + 1);
  }

  // (a) the mirror, likewise.
  if (world.layout === 'full') {
    const mirror = mirrorText(world);
    const mirrorReport = rotation.stores.find((store) => store.label.startsWith('GitHub secret'));
    expect([world.old.text, finalText], `GitHub secret holds a third thing; ${context}`).toContain(mirror);
    if (mirrorReport?.outcome === 'written') expect(mirror, `GitHub reported written; ${context}`).toBe(finalText);
    else expect(mirror, `GitHub not reported written but changed; ${context}`).toBe(world.old.text);
  }

  // (a) never lost: some store still holds a refresh token Schwab accepts, or the run says plainly that it was lost.
  if (!(await storesHoldAWorkingToken(world))) {
    expect(outcome.failed, `no store holds a working refresh token and the run did not fail; ${context}`).toBe(true);
    expect(failureMessages(rotation).join(' '), `the refresh token was lost silently; ${context}`).toMatch(
      /new refresh token/i,
    );
  }

  // (b) no secret anywhere a person or a log can see.
  expectNoLeaks(outcome.texts, [...world.secrets]);

  // (c) the exit status.
  const warnings = [...rotation.warnings, ...outcome.run.warnings];
  if (expectation.expect === 'fails') {
    expect(outcome.failed, `expected a failure; ${context}`).toBe(true);
  } else {
    expect(rotation.failures, `expected success; ${context}`).toEqual([]);
    expect(rotation.refreshed, context).toBe(true);
    expect(primary.text, `the AWS secret should hold the refreshed record; ${context}`).toBe(finalText);
    expect(refreshTokenWorks(world, primary.text), `the stored refresh token should work; ${context}`).toBe(true);
    if (world.layout === 'full')
      expect(mirrorText(world), `the GitHub secret should hold the refreshed record; ${context}`).toBe(finalText);
  }
  if (expectation.expect === 'warns') {
    expect(warnings.join(' '), context).toMatch(expectation.mentions ?? /./);
  }

  // (d) failures: one sentence each, naming the call or store.
  for (const failure of failureMessages(rotation)) {
    expect(failure, 'a failure is one line').not.toMatch(/\n/);
    expect(failure, 'a failure is a sentence').toMatch(/^[A-Z`"].*[.!?]$/s);
    expect(failure.length, 'a failure is one sentence, not an essay').toBeLessThan(700);
  }
  if (expectation.expect === 'fails' && expectation.mentions) {
    expect(failureMessages(rotation).join(' '), context).toMatch(expectation.mentions);
  }

  // No false re-auth alarm: nothing here makes Schwab reject the refresh token (an unreadable store means "unknown").
  expect(rotation.schwabRejected, context).toBe(false);
  if (rotation.healthKnown) expect(rotation.status, context).not.toBe('reauth-required');
  expect(
    world.github.comments.filter((c) => /reauth-required/.test(c.body)),
    'no re-auth comment',
  ).toEqual([]);
  expect(
    world.github.issues.filter((i) => /state="reauth-required"/.test(i.body ?? '')),
    'no re-auth issue',
  ).toEqual([]);
}

/**
 * After the faulty run, a clean one (faults cleared, endpoints back) that forces a refresh, reading the token input as
 * the workflow passes it (the GitHub secret): it must succeed, i.e. the faulty run lost nothing the next one needs.
 */
export async function expectNextRunHeals(world: World): Promise<RunOutcome> {
  world.schwab.clearFaults();
  world.github.clearFaults();
  world.aws.reset();
  world.tuning = {};
  const token = world.layout === 'full' ? mirrorText(world) : undefined;
  const next = await runOnce(world, {
    inputs: { force: 'true', 'schwab-base-url': world.schwab.baseUrl, ...(token !== undefined ? { token } : {}) },
    env: { ...awsEnv(world.onMoto ? getMotoUrl() : world.aws.url), GITHUB_API_URL: world.github.url },
  });
  const { rotation } = next.run;
  expect(rotation.failures, `the next run should heal; action: ${rotation.action}`).toEqual([]);
  expect(rotation.refreshed).toBe(true);
  const primary = await readPrimary(world);
  expect(primary.text).toBe(serializeRecord(rotation.record as TokenRecord, 'rotator'));
  expect(primary.pending).toBe(false);
  expect(refreshTokenWorks(world, primary.text)).toBe(true);
  if (world.layout === 'full') expect(mirrorText(world)).toBe(primary.text);
  expectNoLeaks(next.texts, [...world.secrets]);
  return next;
}
