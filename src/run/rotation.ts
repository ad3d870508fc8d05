/**
 * One rotation, shared by the action and the CLI, in phases read top to bottom in `rotate`:
 *
 *   loadCandidates (candidates.ts) → planRotation (plan.ts, pure) → refreshChosen (refresh-chosen.ts)
 *   → writeStores (write-stores.ts: the primary first, then the mirrors) → finish (the health, computed once).
 *
 * The words, one definition each:
 * - source: a place a record is only read from (the action's `token` input, usually a GitHub secret's value).
 * - primary: the one store read as a source and written first, by compare-and-set (an AWS Secrets Manager secret, the
 *   CLI's token file). It never takes an older record than the one it holds.
 * - mirror: a write-only copy, written after the primary with whatever record won (GitHub secrets).
 * - candidate: a record read from a source, from the primary, or from the primary's unfinished write (AWSPENDING: a
 *   write that was cut off after the put); the newest one (a newer login first, then a newer refresh) is `chosen`.
 * - drift: a store holds an older record than the chosen one (a login stored by hand in one place: the "manual
 *   deploy"); the run copies the chosen record there, with or without a refresh.
 * - adopted: Schwab rejected our refresh token and the primary, read again, turned out to hold a newer record (a login
 *   or another writer's refresh that retired ours); it is taken as it is, and copied to the mirrors.
 * - kept-newer: the primary's compare-and-set found a newer record there than ours; it is kept, never overwritten.
 *
 * Never throws for anything a user can cause: every problem is a typed failure of one sentence, and every store holds
 * the old record or the new one (the new one possibly as the primary's unfinished write, which the next run finishes).
 */
import type { Clock, Sleep } from '../util/clock.js';
import { loginCommand } from '../util/audience.js';
import type { Logger } from '../util/logger.js';
import type { SchwabTokenResponse, TokenFormat, TokenRecord } from '../token/record.js';
import { serializeRecord } from '../token/serialize.js';
import { assessHealth } from '../token/health.js';
import type { Health, HealthReport } from '../token/health.js';
import { formatIsoSeconds } from '../token/time.js';
import type { ProbeKind, VerifyMode } from '../schwab/probes.js';
import type { MirrorStore, PrimaryStore, RecordSource } from './stores.js';
import type { Candidate, Candidates } from './candidates.js';
import { loadCandidates } from './candidates.js';
import type { RotationPlan, StopReason } from './plan.js';
import { planRotation, planWrites } from './plan.js';
import type { RefreshOutcome } from './refresh-chosen.js';
import { refreshChosen } from './refresh-chosen.js';
import type { WriteResult } from './write-stores.js';
import { storeThatCannotTake, writeStores } from './write-stores.js';

export { readUnfinishedWrite } from './candidates.js';

/** What the rotation needs from Schwab. */
export interface TokenRefresher {
  refresh(refreshToken: string): Promise<SchwabTokenResponse>;
  probe(accessToken: string, kind: ProbeKind): Promise<void>;
}

export interface RotationOptions {
  force: boolean;
  dryRun: boolean;
  refreshBeforeMs: number;
  reauthWarningMs: number;
  tokenFormat: TokenFormat;
  verify: VerifyMode;
}

export interface RotationDeps {
  clock: Clock;
  /** Waits between re-reads of the primary store after Schwab rejects the refresh token. */
  sleep: Sleep;
  logger: Logger;
  schwab: TokenRefresher;
  /** Read-only sources (the `token` input). */
  sources: RecordSource[];
  /** The store read as a source and written first, as a compare-and-set (Secrets Manager, a token file). */
  primary?: PrimaryStore | undefined;
  /** Write-only copies written after the primary (GitHub secrets). */
  mirrors: MirrorStore[];
  /**
   * Aborts when the run is cancelled (SIGINT / SIGTERM): nothing new is started (no refresh, no re-read waits), but a
   * refresh that already began is written everywhere, since Schwab may have retired the old refresh token.
   */
  signal?: AbortSignal | undefined;
  /** Told each step as it starts, so a cancelled run can say where it stopped. */
  onStep?: ((step: RotationStep) => void) | undefined;
}

/** Where a run is: what a cancelled run that could not finish in time reports. */
export type RotationStep =
  | { step: 'reading' }
  | { step: 'refreshing' }
  | { step: 'writing-primary'; store: string }
  | { step: 'writing-mirrors'; stores: string[] }
  | { step: 'settling'; store: string }
  | { step: 'done' };

/**
 * `unfinished`: the write failed after the record reached the store as its unfinished write (AWSPENDING), where the
 * next run finds it and finishes the write; the run still fails.
 */
export type StoreOutcome = 'written' | 'unchanged' | 'kept-newer' | 'unfinished' | 'failed' | 'planned' | 'skipped';

export interface StoreReport {
  label: string;
  outcome: StoreOutcome;
  /** One sentence, never a value. */
  detail: string;
}

/** What kind of failure a run met: the action's summary and status, the CLI's exit code and the alert all read it. */
export type FailureKind =
  /** The primary store could not be read (not merely empty): the token's health is unknown. */
  | 'store-unreadable'
  /** A store cannot take the record (checked before the refresh) or its write failed. */
  | 'store-unwritable'
  /** No usable record anywhere (or no source configured): a login is needed. */
  | 'no-record'
  /** The refresh token's 7-day deadline has passed: a login is needed. */
  | 'deadline-passed'
  /** Schwab rejected the refresh token: a login is needed. */
  | 'schwab-rejected'
  /** Schwab rejected the app key or secret: a configuration error that retrying does not fix. */
  | 'app-credentials'
  /** Schwab could not be reached or answered badly, or the new access token failed the probe. */
  | 'schwab'
  /** A new refresh token that no store could save. */
  | 'token-lost'
  /** The run was cancelled (SIGINT / SIGTERM). */
  | 'cancelled';

export interface Failure {
  kind: FailureKind;
  /** One sentence naming what is wrong and how to fix it; redacted, never a value. */
  message: string;
  /** The error behind it, when there is one (a store's UserError, a SchwabError). */
  error?: unknown;
}

/** The failures that mean a person must log in again. */
const LOGIN_NEEDED: readonly FailureKind[] = ['no-record', 'deadline-passed', 'schwab-rejected'];
/** The failures of a store, not of the token or of Schwab. */
const STORE_PROBLEMS: readonly FailureKind[] = ['store-unreadable', 'store-unwritable', 'token-lost'];

export function needsLogin(failures: readonly Failure[]): boolean {
  return failures.some((failure) => LOGIN_NEEDED.includes(failure.kind));
}

export function isStoreProblem(failures: readonly Failure[]): boolean {
  return failures.some((failure) => STORE_PROBLEMS.includes(failure.kind));
}

/**
 * The run's outcome in one word, as the action's `status` output gives it: the token's health when the run did its
 * job; `reauth-required` whenever the refresh token is known to be dead (or there is none); `error` for a failed run
 * whose refresh token is not known to be dead (a wrong app secret, Schwab or a store unreachable, a store not
 * written). A failed run never says healthy.
 */
export type RunStatus = Health | 'error';

export function runStatus(result: Pick<RotationResult, 'failures' | 'health' | 'healthKnown'>): RunStatus {
  if (needsLogin(result.failures)) return 'reauth-required';
  return result.failures.length > 0 || !result.healthKnown ? 'error' : result.health.status;
}

/** The result with one more failure, its status recomputed. */
export function withFailure(result: RotationResult, failure: Failure): RotationResult {
  const failed = { ...result, failures: [...result.failures, failure] };
  return { ...failed, status: runStatus(failed) };
}

export interface RotationResult {
  /** False when no store could be read at all (e.g. access denied): `health` then says nothing about the token. */
  healthKnown: boolean;
  /** The run's outcome (see RunStatus); `health.status` is the token's own health, whatever the run did. */
  status: RunStatus;
  health: HealthReport;
  /** The record in force at the end of the run (refreshed, adopted or unchanged). */
  record: TokenRecord | undefined;
  /** Where that record was read from (before any refresh). */
  chosenFrom: string | undefined;
  refreshed: boolean;
  /** Schwab rejected the refresh token (a dead token, whatever its deadline says): a `schwab-rejected` failure. */
  schwabRejected: boolean;
  /** One line saying what the run did or (dry-run) would do. */
  action: string;
  stores: StoreReport[];
  /** Any failure fails the run. */
  failures: Failure[];
  warnings: string[];
}

/**
 * One run: read every source and the primary store, plan, refresh the chosen record when the plan says so, write the
 * primary store by compare-and-set and then the mirrors, and report the token's health.
 */
export async function rotate(options: RotationOptions, deps: RotationDeps): Promise<RotationResult> {
  const { logger, clock } = deps;
  const notes = new RunNotes(logger);
  const step = (next: RotationStep): void => deps.onStep?.(next);

  // 1. Read every source and the primary store, in parallel.
  step({ step: 'reading' });
  const read = await loadCandidates(deps.sources, deps.primary, clock, logger);
  for (const warning of read.warnings) notes.warn(warning);
  if (read.primaryError) notes.fail('store-unreadable', read.primaryError.message, read.primaryError.error);
  const { chosen } = read;
  const end = (ending: Ending): RotationResult => finish(ending, chosen, notes, options, deps);

  // 2. Plan, without I/O.
  const plan = planRotation({
    now: clock.now(),
    ...options,
    primary: read.primary,
    chosen: chosen?.record,
    primaryRecord: read.all.find((candidate) => candidate.role === 'primary')?.record,
    sourceRecords: read.all.filter((candidate) => candidate.role === 'source').map((candidate) => candidate.record),
  });
  const unreadable = plan.kind === 'stop' && plan.reason === 'primary-unreadable';
  if (chosen && !unreadable)
    logger.info(`Using the token record from ${chosen.label} (login ${iso(chosen.record.meta.createdAt)}).`);
  // (Every plan but a stop has a chosen record.)
  if (plan.kind === 'stop' || !chosen)
    return end(stopped(plan.kind === 'stop' ? plan.reason : 'no-record', read, notes, deps));
  if (plan.kind === 'dry-run') return end(dryRun(plan, deps));

  // Every store that would take the record must be able to, before anything is refreshed or written: a new refresh
  // token must never be obtained and then dropped.
  if (plan.kind !== 'idle') {
    for (const mirror of deps.mirrors) mirror.prepare?.();
    const refused = await storeThatCannotTake(
      serializeRecord(chosen.record, options.tokenFormat),
      plan.kind === 'refresh',
      deps,
    );
    if (refused) {
      notes.fail('store-unwritable', refused.report.detail, refused.error);
      return end({ stores: [refused.report], action: 'Stopped before refreshing: a store cannot take the record.' });
    }
  }
  if (deps.signal?.aborted)
    return end({ action: 'Stopped before refreshing: the run was cancelled; nothing was changed.' });

  // 3. Refresh the chosen record when the plan says so.
  let refresh: RefreshOutcome | undefined;
  if (plan.kind === 'refresh') {
    step({ step: 'refreshing' });
    refresh = await refreshChosen(chosen, options.verify, deps);
    noteRefresh(refresh, notes, logger, deps.primary?.label);
  } else {
    logger.info(`The access token expires at ${iso(chosen.record.meta.accessTokenExpiresAt)}; not due for a refresh.`);
  }
  const record = refresh?.kind === 'refreshed' || refresh?.kind === 'adopted' ? refresh.record : chosen.record;
  const writes = planWrites(plan, refresh);
  if (!writes) return end({ record, action: describeRun(plan, refresh, chosen, deps) });

  // 4. Write: the primary first (compare-and-set), then the mirrors with whatever record won.
  const written = await writeStores(record, writes, {
    primary: deps.primary,
    primaryLoaded: read.primaryLoaded,
    mirrors: deps.mirrors,
    format: options.tokenFormat,
    clock,
    logger,
    signal: deps.signal,
    step,
  });
  for (const failure of written.failures) notes.fail(failure.kind, failure.message, failure.error);
  if (refresh?.kind === 'refreshed' && tokenLost(refresh.record, chosen.record, written)) {
    notes.fail(
      'token-lost',
      'Schwab issued a new refresh token on this refresh and no store could save it, so the stored one may no longer ' +
        'work: fix the store errors, and if the next run says Schwab rejected the refresh token, log in again with ' +
        `\`${loginCommand()}\`.`,
    );
  }
  step({ step: 'done' });
  return end({
    record: written.record,
    refreshed: refresh?.kind === 'refreshed',
    stores: written.stores,
    action: describeRun(plan, refresh, chosen, deps, written),
  });
}

/** How a run ended, for `finish`; what is left out keeps the chosen record and an empty store list. */
interface Ending {
  record?: TokenRecord | undefined;
  refreshed?: boolean;
  stores?: StoreReport[];
  action: string;
  /** False when the primary store could not be read and nothing else was: the token's health is unknown. */
  healthKnown?: boolean;
}

/** The one place the health is computed: from the record in force, dead whenever Schwab rejected it. */
function finish(
  ending: Ending,
  chosen: Candidate | undefined,
  notes: RunNotes,
  options: RotationOptions,
  deps: RotationDeps,
): RotationResult {
  const record = 'record' in ending ? ending.record : chosen?.record;
  const schwabRejected = notes.failures.some((failure) => failure.kind === 'schwab-rejected');
  const assessed = assessHealth(record, deps.clock.now(), options.reauthWarningMs);
  const health: HealthReport = schwabRejected ? { ...assessed, status: 'reauth-required' } : assessed;
  const result = {
    healthKnown: ending.healthKnown ?? true,
    health,
    record,
    chosenFrom: chosen?.label,
    refreshed: ending.refreshed ?? false,
    schwabRejected,
    action: ending.action,
    stores: ending.stores ?? [],
    failures: notes.failures,
    warnings: notes.warnings,
  };
  return { ...result, status: runStatus(result) };
}

/** What a run that stops at the plan says, and its failure. */
function stopped(reason: StopReason, read: Candidates, notes: RunNotes, deps: RotationDeps): Ending {
  switch (reason) {
    case 'primary-unreadable':
      // Not written blindly, and it says nothing about the token's health: its read error alone (noted at the read).
      return {
        healthKnown: !!read.chosen,
        action: 'Stopped: the primary store could not be read; nothing was refreshed or written.',
      };
    case 'no-record': {
      const labels = [...deps.sources, ...(deps.primary ? [deps.primary] : [])].map((source) => source.label);
      notes.fail(
        'no-record',
        labels.length === 0
          ? 'No token source is configured: set the "token" input or "aws-secret-id".'
          : `No usable token record was found in ${labels.join(' or ')}: log in again with \`${loginCommand()}\` ` +
              `and store the record it writes.`,
      );
      return { record: undefined, action: 'Nothing to refresh: no usable token record.' };
    }
    case 'deadline-passed': {
      const deadline = read.chosen
        ? assessHealth(read.chosen.record, deps.clock.now(), 0).refreshTokenExpiresAt
        : undefined;
      notes.fail(
        'deadline-passed',
        `The refresh token expired at ${iso(deadline)}: log in again with \`${loginCommand()}\`.`,
      );
      return { action: 'Not refreshed: the 7-day refresh token has expired.' };
    }
  }
}

/** What a dry run would do: which stores it would write, and one line saying so. Nothing is called. */
function dryRun(plan: Extract<RotationPlan, { kind: 'dry-run' }>, deps: RotationDeps): Ending {
  const planned = (yes: boolean, label: string): StoreReport => ({
    label,
    outcome: yes ? 'planned' : 'unchanged',
    detail: yes ? 'dry run: would be written' : 'dry run: already current',
  });
  const stores = [
    ...(deps.primary ? [planned(plan.writes.primary, deps.primary.label)] : []),
    ...deps.mirrors.map((mirror) => planned(plan.writes.mirrors, mirror.label)),
  ];
  const steps = [
    ...(plan.refresh ? [`refresh the access token (${plan.refresh})`] : []),
    ...stores.filter((store) => store.outcome === 'planned').map((store) => `write ${store.label}`),
  ];
  return {
    stores,
    action: steps.length ? `Dry run: would ${steps.join(', then ')}; nothing was changed.` : 'Dry run: nothing to do.',
  };
}

/** Notes what the refresh said: its warnings, its failure, and a log line. */
function noteRefresh(refresh: RefreshOutcome, notes: RunNotes, logger: Logger, primaryLabel: string | undefined): void {
  switch (refresh.kind) {
    case 'refreshed':
      for (const warning of refresh.warnings) notes.warn(warning);
      logger.info(`Refreshed the access token; it expires at ${iso(refresh.record.meta.accessTokenExpiresAt)}.`);
      // A new refresh token failed the probe: the record is still stored (dropping it would lose the login), and the
      // run fails.
      if (refresh.verifyFailure) notes.fail('schwab', refresh.verifyFailure.message, refresh.verifyFailure.error);
      return;
    case 'adopted':
      logger.info(adoptedAction(primaryLabel));
      return;
    case 'rejected':
      notes.fail('schwab-rejected', refresh.message, refresh.error);
      return;
    case 'failed':
      notes.fail(refresh.failure, refresh.message, refresh.error);
  }
}

/** One line saying what the run did. */
function describeRun(
  plan: RotationPlan,
  refresh: RefreshOutcome | undefined,
  chosen: Candidate,
  deps: RotationDeps,
  written?: WriteResult,
): string {
  const kept =
    written?.keptNewer && deps.primary ? ` ${deps.primary.label} already held a newer record, which was kept.` : '';
  switch (refresh?.kind) {
    case 'refreshed':
      return `Refreshed the access token (refresh ${refresh.record.meta.refreshCount} since the login).${kept}`;
    case 'adopted':
      return adoptedAction(deps.primary?.label);
    case 'rejected':
      return 'Not refreshed: Schwab rejected the refresh token.';
    case 'failed':
      // Schwab could not be reached, but a newer login (a manual deploy) is known: it still goes everywhere.
      return written
        ? `Not refreshed: ${refresh.what}; the newer record from ${chosen.label} was still copied to the other ` +
            `stores.${kept}`
        : `Not refreshed: ${refresh.what}; no store was changed.`;
    case undefined: {
      const primaryWritten = written?.stores.some(
        (store) => store.label === deps.primary?.label && store.outcome === 'written',
      );
      if (plan.kind === 'copy' && plan.drift.primary && primaryWritten)
        return `Copied the newer record from ${chosen.label} to the other stores.`;
      return `Not refreshed: the access token is not due.${kept}`;
    }
  }
}

function adoptedAction(primaryLabel: string | undefined): string {
  return `Not refreshed: ${primaryLabel} now holds a newer record, which was adopted.`;
}

/** A new refresh token that no store took is gone when this process ends (an unfinished write is found again). */
function tokenLost(refreshed: TokenRecord, previous: TokenRecord, written: WriteResult): boolean {
  const saved: StoreOutcome[] = ['written', 'kept-newer', 'unfinished'];
  return (
    refreshed.tokens.refreshToken !== previous.tokens.refreshToken &&
    !written.stores.some((store) => saved.includes(store.outcome))
  );
}

/** The warnings and failures of a run, redacted as they are noted. */
class RunNotes {
  readonly warnings: string[] = [];
  readonly failures: Failure[] = [];

  constructor(private readonly logger: Logger) {}

  warn(message: string): void {
    this.warnings.push(this.logger.redact(message));
    this.logger.warning(message);
  }

  fail(kind: FailureKind, message: string, error?: unknown): void {
    this.failures.push({ kind, message: this.logger.redact(message), error });
  }
}

function iso(date: Date | undefined): string {
  return date ? formatIsoSeconds(date) : 'unknown';
}
