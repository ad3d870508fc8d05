import type { Clock, Sleep } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { errorMessage } from '../util/errors.js';
import type { SchwabTokenResponse, TokenFormat, TokenRecord } from '../token/record.js';
import { secretValues } from '../token/record.js';
import { parseTokenRecord } from '../token/parse.js';
import type { ParsedRecord } from '../token/parse.js';
import { serializeRecord } from '../token/serialize.js';
import { normalizeRefreshed, recordAfterRefresh } from '../token/build.js';
import { validateRecord } from '../token/validate.js';
import { assessHealth, isRefreshDue } from '../token/health.js';
import type { Health, HealthReport } from '../token/health.js';
import { chooseNewest, compareRecords } from '../token/choose.js';
import { formatIsoSeconds } from '../token/time.js';
import { upperFirst } from '../util/text.js';
import { SchwabError } from '../schwab/errors.js';
import type { LoadedText, MirrorStore, PrimaryStore, RecordSource } from './stores.js';
import { isUnfinishedWrite } from './stores.js';
import { newerRecordWins } from './conflict.js';

export type VerifyMode = 'none' | 'accounts' | 'quotes';

/** What the rotation needs from Schwab. */
export interface TokenRefresher {
  refresh(refreshToken: string): Promise<SchwabTokenResponse>;
  probe(accessToken: string, kind: 'accounts' | 'quotes'): Promise<void>;
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

/**
 * The run's outcome in one word, as the action's `status` output gives it: the token's health when the run did its
 * job; `reauth-required` whenever the refresh token is known to be dead (or there is none); `error` for a failed run
 * whose refresh token is not known to be dead (a wrong app secret, Schwab or a store unreachable, a store not
 * written). A failed run never says healthy.
 */
export type RunStatus = Health | 'error';

export function runStatus(result: Pick<RotationResult, 'failures' | 'health' | 'healthKnown'>): RunStatus {
  if (result.healthKnown && result.health.status === 'reauth-required') return 'reauth-required';
  return result.failures.length > 0 || !result.healthKnown ? 'error' : result.health.status;
}

/** The result with one more failure (one sentence), its status recomputed. */
export function withFailure(result: RotationResult, message: string): RotationResult {
  const failed = { ...result, failures: [...result.failures, message] };
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
  /** Schwab rejected the refresh token (a dead token, whatever its deadline says). */
  schwabRejected: boolean;
  /** One line saying what the run did or (dry-run) would do. */
  action: string;
  stores: StoreReport[];
  /** One sentence each; any failure fails the run. */
  failures: string[];
  warnings: string[];
}

/**
 * A record read from one place: a read-only source, the primary store's current value, or a write to the primary
 * that did not finish (its AWSPENDING value).
 */
interface Candidate {
  label: string;
  record: TokenRecord;
  loaded: LoadedText;
  role: 'source' | 'primary' | 'pending';
}

/**
 * One run: load every source, choose the newest record, refresh it when due, write the primary store by
 * compare-and-set, then the mirrors, and report the token's health. Never throws for anything a user can cause:
 * every problem ends up in `failures` as one sentence, and the stores hold the old record or the new one.
 */
export async function rotate(options: RotationOptions, deps: RotationDeps): Promise<RotationResult> {
  const result = await rotateOnce(options, deps);
  return { ...result, status: runStatus(result) };
}

async function rotateOnce(options: RotationOptions, deps: RotationDeps): Promise<Omit<RotationResult, 'status'>> {
  const { logger, clock } = deps;
  const warnings: string[] = [];
  const failures: string[] = [];
  const warn = (message: string): void => {
    warnings.push(logger.redact(message));
    logger.warning(message);
  };
  const fail = (message: string): void => {
    failures.push(logger.redact(message));
  };

  const step = (next: RotationStep): void => deps.onStep?.(next);
  step({ step: 'reading' });

  // 1. Load every source in parallel; a source that fails is a warning while another one is usable.
  const all: RecordSource[] = [...deps.sources, ...(deps.primary ? [deps.primary] : [])];
  const loaded = await Promise.all(all.map((source) => loadCandidate(source, source === deps.primary, clock, logger)));
  const candidates: Candidate[] = [];
  let primaryLoaded: LoadedText | undefined;
  let primaryUnreadable: string | undefined;
  for (const result of loaded) {
    for (const warning of result.warnings) warn(warning);
    if (result.isPrimary) {
      primaryLoaded = result.loaded;
      primaryUnreadable = result.error;
    }
    if (result.pending) {
      candidates.push(result.pending);
      logger.info(
        `${upperFirst(result.pending.label)} holds a newer record (refresh ${result.pending.record.meta.refreshCount} ` +
          'since the login) from a write that did not finish; this run takes it up.',
      );
    }
    if (result.candidate) candidates.push(result.candidate);
    else if (result.error) {
      // A source that could not be read (not merely empty).
      if (result.isPrimary && !result.parseFailed) fail(result.error);
      else warn(result.error);
    }
  }

  const now = clock.now();
  const chosen = chooseNewest(candidates);
  const base: Omit<RotationResult, 'status' | 'health' | 'action'> = {
    healthKnown: true,
    record: chosen?.record,
    chosenFrom: chosen?.label,
    refreshed: false,
    schwabRejected: false,
    stores: [],
    failures,
    warnings,
  };

  // A primary store that could not even be read (not merely empty or unparsable) must not be written blindly, and
  // says nothing about the token's health: stop with its error alone.
  const primaryUnreachable = !!deps.primary && !!primaryUnreadable && primaryLoaded === undefined;
  if (primaryUnreachable) {
    const health = assessHealth(chosen?.record, now, options.reauthWarningMs);
    return {
      ...base,
      healthKnown: !!chosen,
      health,
      action: 'Stopped: the primary store could not be read; nothing was refreshed or written.',
    };
  }

  if (!chosen) {
    const health = assessHealth(undefined, now, options.reauthWarningMs);
    fail(
      all.length === 0
        ? 'No token source is configured: set the "token" input or "aws-secret-id".'
        : `No usable token record was found in ${all.map((s) => s.label).join(' or ')}: log in again with \`npx schwab-token-rotator login\` and store the record it writes.`,
    );
    return { ...base, health, action: 'Nothing to refresh: no usable token record.' };
  }
  logger.info(`Using the token record from ${chosen.label} (login ${iso(chosen.record.meta.createdAt)}).`);

  // 2. Decide.
  const deadlinePassed = assessHealth(chosen.record, now, options.reauthWarningMs).status === 'reauth-required';
  const due = options.force || isRefreshDue(chosen.record, now, options.refreshBeforeMs);
  const primaryRecord = candidates.find((c) => c.role === 'primary')?.record;
  const primaryStale = !!deps.primary && (!primaryRecord || compareRecords(chosen.record, primaryRecord) > 0);
  const inputsStale = candidates.some((c) => c.role === 'source' && compareRecords(chosen.record, c.record) > 0);

  if (deadlinePassed) {
    const health = assessHealth(chosen.record, now, options.reauthWarningMs);
    fail(`The refresh token expired at ${iso(health.refreshTokenExpiresAt)}: log in again with \`npx schwab-token-rotator login\`.`);
    return { ...base, health, action: 'Not refreshed: the 7-day refresh token has expired.' };
  }

  if (options.dryRun) {
    const health = assessHealth(chosen.record, now, options.reauthWarningMs);
    return { ...base, ...dryRunPlan({ due, force: options.force, primaryStale, inputsStale }, deps), health };
  }

  // Every store must be able to take the record before anything is refreshed or written (a rotated refresh token
  // must never be obtained and then dropped).
  if (due || primaryStale || inputsStale) {
    for (const mirror of deps.mirrors) mirror.prepare?.();
    const refused = await storeThatCannotTake(serializeRecord(chosen.record, options.tokenFormat), due, deps);
    if (refused) {
      fail(refused.detail);
      const health = assessHealth(chosen.record, now, options.reauthWarningMs);
      return { ...base, stores: [refused], health, action: 'Stopped before refreshing: a store cannot take the record.' };
    }
  }

  if (deps.signal?.aborted) {
    const health = assessHealth(chosen.record, now, options.reauthWarningMs);
    return { ...base, health, action: 'Stopped before refreshing: the run was cancelled; nothing was changed.' };
  }

  let record = chosen.record;
  let refreshed = false;
  let adopted = false;
  let refreshFailed = false;
  let action = 'Not refreshed: the access token is not due.';
  let verifyFailure: string | undefined;

  // 3. Refresh when due.
  if (due) {
    step({ step: 'refreshing' });
    const outcome = await refreshChosen(chosen, options, deps);
    switch (outcome.kind) {
      case 'refreshed':
        for (const warning of outcome.warnings) warn(warning);
        record = outcome.record;
        refreshed = true;
        verifyFailure = outcome.verifyFailure;
        action = `Refreshed the access token (refresh ${record.meta.refreshCount} since the login).`;
        logger.info(`Refreshed the access token; it expires at ${iso(record.meta.accessTokenExpiresAt)}.`);
        break;
      case 'adopted':
        record = outcome.record;
        adopted = true;
        action = `Not refreshed: ${deps.primary?.label} now holds a newer record, which was adopted.`;
        logger.info(action);
        break;
      case 'rejected': {
        fail(outcome.message);
        const health = { ...assessHealth(record, clock.now(), options.reauthWarningMs), status: 'reauth-required' as const };
        return { ...base, schwabRejected: true, health, action: 'Not refreshed: Schwab rejected the refresh token.' };
      }
      case 'failed': {
        fail(outcome.message);
        if (!(outcome.healDrift && (primaryStale || inputsStale))) {
          const health = assessHealth(record, clock.now(), options.reauthWarningMs);
          return { ...base, health, action: `Not refreshed: ${outcome.what}; no store was changed.` };
        }
        // Schwab could not be reached, but a newer login (a manual deploy) is known: it still goes everywhere.
        refreshFailed = true;
        action = `Not refreshed: ${outcome.what}; the newer record from ${chosen.label} was still copied to the other stores.`;
        break;
      }
    }
  } else {
    logger.info(`The access token expires at ${iso(record.meta.accessTokenExpiresAt)}; not due for a refresh.`);
  }
  if (verifyFailure) {
    // The new access token failed the probe, but Schwab rotated the refresh token: dropping it would lose the login,
    // so the record is stored and the run still fails.
    fail(verifyFailure);
  }

  // 4. Write: the primary first (compare-and-set), then the mirrors with whatever record won.
  const stores: StoreReport[] = [];
  const mustWritePrimary = refreshed || (primaryStale && !adopted);
  const mustWriteMirrors = refreshed || adopted || primaryStale || inputsStale;
  let primaryOk = true;
  // A cancelled run may be killed before the primary store confirms the write: then the mirrors are written at once,
  // beside it, so the new refresh token has a second home if the primary never gets it.
  let early: { text: string; reports: Promise<StoreReport[]> } | undefined;
  const writeMirrorsEarly = (): void => {
    if (early || !mustWriteMirrors || deps.mirrors.length === 0) return;
    const text = serializeRecord(record, options.tokenFormat);
    logger.info('The run was cancelled during the primary write: writing the other stores beside it.');
    early = { text, reports: writeMirrors(deps.mirrors, text, true, logger) };
  };
  if (deps.primary) {
    if (mustWritePrimary) {
      step({ step: 'writing-primary', store: deps.primary.label });
      deps.signal?.addEventListener('abort', writeMirrorsEarly, { once: true });
      if (deps.signal?.aborted) writeMirrorsEarly();
      const written = await writePrimary(deps.primary, record, primaryLoaded, options.tokenFormat, clock, logger);
      deps.signal?.removeEventListener('abort', writeMirrorsEarly);
      stores.push(written.report);
      if (written.report.outcome === 'failed' || written.report.outcome === 'unfinished') {
        primaryOk = false;
        fail(written.report.detail);
      }
      if (written.adopted) {
        record = written.adopted;
        action += ` ${deps.primary.label} already held a newer record, which was kept.`;
      }
    } else {
      stores.push({ label: deps.primary.label, outcome: 'unchanged', detail: 'already current' });
    }
  }
  if (!refreshed && !adopted && !refreshFailed && primaryStale && primaryOk) action = `Copied the newer record from ${chosen.label} to the other stores.`;

  const text = serializeRecord(record, options.tokenFormat);
  if (mustWriteMirrors && deps.mirrors.length > 0) step({ step: 'writing-mirrors', stores: deps.mirrors.map((m) => m.label) });
  const earlyReports = await early?.reports;
  // The early copies hold what the primary ended with unless it kept a newer record instead: then they are rewritten.
  const mirrorReports = early?.text === text && earlyReports ? earlyReports : await writeMirrors(deps.mirrors, text, mustWriteMirrors, logger);
  for (const report of mirrorReports) {
    stores.push(report);
    if (report.outcome === 'failed') fail(report.detail);
  }
  if (deps.primary?.settle) {
    step({ step: 'settling', store: deps.primary.label });
    await deps.primary.settle();
  }

  // A rotated refresh token that no store took is gone when this process ends: say so, the old one may be dead.
  const rotated = refreshed && record.tokens.refreshToken !== chosen.record.tokens.refreshToken;
  const saved: StoreOutcome[] = ['written', 'kept-newer', 'unfinished'];
  if (rotated && !stores.some((store) => saved.includes(store.outcome))) {
    fail(
      'Schwab issued a new refresh token on this refresh and no store could save it, so the stored one may no longer ' +
        'work: fix the store errors, and if the next run says Schwab rejected the refresh token, log in again with ' +
        '`npx schwab-token-rotator login`.',
    );
  }

  const health = assessHealth(record, clock.now(), options.reauthWarningMs);
  step({ step: 'done' });
  return { ...base, record, refreshed, stores, health, action };
}

/**
 * The first store that cannot take the record, as a failed report, or undefined. Every mirror must accept its size.
 * Before Schwab is asked for a refresh (which may retire the stored refresh token), the primary store must be able to
 * take the result (a writable folder), and without a primary store every mirror must (each GitHub store's public key
 * readable with the token's permission). With a primary the mirrors' keys are still fetched, beside the refresh
 * (`prepare`), and a refusal fails the run after the primary holds the new record.
 */
async function storeThatCannotTake(text: string, refreshing: boolean, deps: RotationDeps): Promise<StoreReport | undefined> {
  const refusal = async (label: string, check: () => unknown): Promise<StoreReport | undefined> => {
    try {
      await check();
      return undefined;
    } catch (error) {
      return { label, outcome: 'failed', detail: deps.logger.redact(errorMessage(error)) };
    }
  };
  for (const mirror of deps.mirrors) {
    const refused = await refusal(mirror.label, () => mirror.check?.(text));
    if (refused) return refused;
  }
  if (!refreshing) return undefined;
  if (deps.primary) {
    const primary = deps.primary;
    return refusal(primary.label, () => primary.checkWritable?.());
  }
  const refusals = await Promise.all(deps.mirrors.map((mirror) => refusal(mirror.label, () => mirror.checkWritable?.())));
  return refusals.find((refused) => refused !== undefined);
}

/** What a dry run would do: which stores it would write, and one line saying so. Nothing is called. */
function dryRunPlan(
  decision: { due: boolean; force: boolean; primaryStale: boolean; inputsStale: boolean },
  deps: RotationDeps,
): { stores: StoreReport[]; action: string } {
  const writesPrimary = decision.due || decision.primaryStale;
  const writesMirrors = writesPrimary || decision.inputsStale;
  const planned = (yes: boolean, label: string): StoreReport => ({
    label,
    outcome: yes ? 'planned' : 'unchanged',
    detail: yes ? 'dry run: would be written' : 'dry run: already current',
  });
  const stores = [
    ...(deps.primary ? [planned(writesPrimary, deps.primary.label)] : []),
    ...deps.mirrors.map((mirror) => planned(writesMirrors, mirror.label)),
  ];
  const steps = [
    ...(decision.due ? [decision.force ? 'refresh the access token (forced)' : 'refresh the access token (due)'] : []),
    ...stores.filter((store) => store.outcome === 'planned').map((store) => `write ${store.label}`),
  ];
  return {
    stores,
    action: steps.length ? `Dry run: would ${steps.join(', then ')}; nothing was changed.` : 'Dry run: nothing to do.',
  };
}

/** Writes every mirror (or reports it unchanged); one report per target, never a throw. */
async function writeMirrors(mirrors: MirrorStore[], text: string, write: boolean, logger: Logger): Promise<StoreReport[]> {
  const reports: StoreReport[] = [];
  for (const mirror of mirrors) {
    if (!write) {
      reports.push({ label: mirror.label, outcome: 'unchanged', detail: 'already current' });
      continue;
    }
    let results;
    try {
      results = await mirror.write(text);
    } catch (error) {
      results = [{ label: mirror.label, ok: false, detail: errorMessage(error) }];
    }
    for (const result of results) {
      reports.push({ label: result.label, outcome: result.ok ? 'written' : 'failed', detail: logger.redact(result.detail) });
    }
  }
  return reports;
}

type RefreshOutcome =
  | { kind: 'refreshed'; record: TokenRecord; warnings: string[]; verifyFailure?: string | undefined }
  | { kind: 'adopted'; record: TokenRecord }
  | { kind: 'rejected'; message: string }
  /** `healDrift`: the chosen record itself is sound (Schwab could not be reached), so stale stores may still get it. */
  | { kind: 'failed'; what: string; message: string; healDrift: boolean };

/**
 * Refreshes the chosen record at Schwab, builds and validates the new record and, with `verify`, probes the new
 * access token. A rejected refresh token first re-reads the primary store: a login that landed there meanwhile
 * (and revoked our token) is adopted rather than reported as a dead token.
 */
async function refreshChosen(chosen: Candidate, options: RotationOptions, deps: RotationDeps): Promise<RefreshOutcome> {
  const { clock, logger } = deps;
  const previous = chosen.record;
  let response: SchwabTokenResponse;
  try {
    response = await deps.schwab.refresh(previous.tokens.refreshToken);
  } catch (error) {
    if (error instanceof SchwabError && error.kind === 'reauth-required') {
      const newer = await newerRecordArriving(chosen, deps);
      if (newer === 'cancelled') {
        // Not known to be dead: another writer's record may still be on its way to the store.
        return {
          kind: 'failed',
          what: 'Schwab rejected the refresh token and the run was cancelled before it could rule out another writer',
          message:
            "Schwab rejected the refresh token, but the run was cancelled before it could re-read the store for another writer's newer record: the next run checks again.",
          healDrift: false,
        };
      }
      return newer ? { kind: 'adopted', record: newer } : { kind: 'rejected', message: error.message };
    }
    return { kind: 'failed', what: 'the refresh failed', message: errorMessage(error), healDrift: true };
  }
  for (const secret of secretValues(toTokens(response, previous))) logger.mask(secret);
  let next: TokenRecord;
  let warnings: string[];
  try {
    // What the old record got wrong (a login time in the future, a count at its end) is normalised, never a reason to
    // drop what Schwab has just issued.
    ({ record: next, warnings } = normalizeRefreshed(recordAfterRefresh(previous, response, clock.now()), clock.now()));
    validateRecord(next, 'the refreshed token record');
  } catch (error) {
    return { kind: 'failed', what: "Schwab's answer was not a usable token", message: errorMessage(error), healDrift: true };
  }
  if (options.verify === 'none') return { kind: 'refreshed', record: next, warnings };
  try {
    await deps.schwab.probe(next.tokens.accessToken, options.verify);
    return { kind: 'refreshed', record: next, warnings };
  } catch (error) {
    const rotated = next.tokens.refreshToken !== previous.tokens.refreshToken;
    if (rotated) return { kind: 'refreshed', record: next, warnings, verifyFailure: errorMessage(error) };
    return { kind: 'failed', what: 'the new access token failed verification', message: errorMessage(error), healDrift: false };
  }
}

/** The refreshed tokens, for masking before anything else happens. */
function toTokens(response: SchwabTokenResponse, previous: TokenRecord): TokenRecord['tokens'] {
  return {
    ...previous.tokens,
    accessToken: response.access_token,
    refreshToken: response.refresh_token ?? previous.tokens.refreshToken,
    idToken: response.id_token ?? previous.tokens.idToken,
  };
}

interface LoadResult {
  isPrimary: boolean;
  loaded: LoadedText | undefined;
  candidate: Candidate | undefined;
  /** The primary's unfinished write, when it holds a valid record newer than the current one. */
  pending: Candidate | undefined;
  error: string | undefined;
  parseFailed: boolean;
  warnings: string[];
}

async function loadCandidate(source: RecordSource, isPrimary: boolean, clock: Clock, logger: Logger): Promise<LoadResult> {
  const none = { candidate: undefined, pending: undefined, error: undefined, parseFailed: false, warnings: [] };
  let loaded: LoadedText;
  try {
    loaded = await source.load();
  } catch (error) {
    return { ...none, isPrimary, loaded: undefined, error: errorMessage(error) };
  }
  const pending = isPrimary ? pendingCandidate(source, loaded, clock, logger) : undefined;
  if (loaded.text === undefined || loaded.text.trim() === '') return { ...none, isPrimary, loaded, pending };
  logger.mask(loaded.text);
  try {
    const parsed = parseTokenRecord(loaded.text, source.label, clock.now());
    for (const secret of secretValues(parsed.record.tokens)) logger.mask(secret);
    const candidate: Candidate = { label: source.label, record: parsed.record, loaded, role: isPrimary ? 'primary' : 'source' };
    const newer = pending && compareRecords(pending.record, parsed.record) > 0 ? pending : undefined;
    return { ...none, isPrimary, loaded, candidate, pending: newer, warnings: parsed.warnings };
  } catch (error) {
    return { ...none, isPrimary, loaded, pending, error: errorMessage(error), parseFailed: true };
  }
}

/**
 * The primary store's unfinished write (AWSPENDING) as a candidate, when it holds a valid record; anything else there
 * (not a record: someone else's work in progress) is left alone. Masked before anything else, like every read.
 */
function pendingCandidate(source: RecordSource, loaded: LoadedText, clock: Clock, logger: Logger): Candidate | undefined {
  const pending = readUnfinishedWrite(source.label, loaded, clock.now(), logger);
  return pending && { label: pending.label, record: pending.parsed.record, loaded, role: 'pending' };
}

/**
 * The record of a store's unfinished write (`loaded.pending`), when it parses; masked before anything else. Anything
 * else there is ignored (logged at debug level). `status` reads it the same way as the rotation.
 */
export function readUnfinishedWrite(
  storeLabel: string,
  loaded: LoadedText,
  now: Date,
  logger: Logger,
): { label: string; parsed: ParsedRecord } | undefined {
  const pending = loaded.pending;
  if (!pending?.text.trim()) return undefined;
  logger.mask(pending.text);
  const label = `${storeLabel} (its unfinished write, AWSPENDING)`;
  try {
    const parsed = parseTokenRecord(pending.text, label, now);
    for (const secret of secretValues(parsed.record.tokens)) logger.mask(secret);
    return { label, parsed };
  } catch (error) {
    logger.debug(`Ignored ${label}: ${errorMessage(error)}`);
    return undefined;
  }
}

/**
 * Re-reads the primary store; returns its record when it is newer than the one we refreshed and holds another refresh
 * token: a newer login, or another run's refresh of the same login that retired ours (rotate-on-refresh).
 */
/**
 * Before a rejected refresh token is reported as dead, the primary store is read again, now and after a short wait:
 * a login that landed meanwhile, or another writer that refreshed the same login with a rotating Schwab (retiring our
 * token) and is about to store its record, shows up there. A genuinely dead token costs these few seconds once.
 */
const REREAD_DELAYS_MS = [0, 2_000, 5_000];

async function newerRecordArriving(chosen: Candidate, deps: RotationDeps): Promise<TokenRecord | undefined | 'cancelled'> {
  if (!deps.primary) return undefined;
  for (const delay of REREAD_DELAYS_MS) {
    if (delay && deps.signal?.aborted) return 'cancelled';
    if (delay) await deps.sleep(delay);
    const newer = await newerPrimaryRecord(deps.primary, chosen, deps.clock, deps.logger);
    if (newer) return newer;
  }
  return undefined;
}

async function newerPrimaryRecord(
  primary: PrimaryStore,
  chosen: Candidate,
  clock: Clock,
  logger: Logger,
): Promise<TokenRecord | undefined> {
  const again = await loadCandidate(primary, true, clock, logger);
  const record = (again.pending ?? again.candidate)?.record;
  const other = !!record && record.tokens.refreshToken !== chosen.record.tokens.refreshToken;
  return record && other && compareRecords(record, chosen.record) > 0 ? record : undefined;
}

async function writePrimary(
  primary: PrimaryStore,
  record: TokenRecord,
  loaded: LoadedText | undefined,
  format: TokenFormat,
  clock: Clock,
  logger: Logger,
): Promise<{ report: StoreReport; adopted?: TokenRecord }> {
  const text = serializeRecord(record, format);
  const rule = newerRecordWins(record, primary.label, clock, logger);
  try {
    // AWSPENDING comes off in the background, while the mirrors are written; the run awaits it before it ends.
    const result = await primary.compareAndSet(text, loaded?.version, (now) => rule.onConflict(now), { deferCleanup: true });
    if (result.outcome === 'written') {
      return { report: { label: primary.label, outcome: 'written', detail: 'written (compare-and-set)' } };
    }
    return {
      report: { label: primary.label, outcome: 'kept-newer', detail: 'kept: it was updated with a newer record during this run' },
      ...(rule.kept() ? { adopted: rule.kept() } : {}),
    };
  } catch (error) {
    const outcome = isUnfinishedWrite(error) ? 'unfinished' : 'failed';
    return { report: { label: primary.label, outcome, detail: logger.redact(errorMessage(error)) } };
  }
}

function iso(date: Date | undefined): string {
  return date ? formatIsoSeconds(date) : 'unknown';
}
