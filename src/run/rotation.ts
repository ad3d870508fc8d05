import type { Clock, Sleep } from '../util/clock.js';
import { loginCommand } from '../util/audience.js';
import type { Logger } from '../util/logger.js';
import { errorMessage } from '../util/errors.js';
import type { SchwabTokenResponse, TokenFormat, TokenRecord } from '../token/record.js';
import { secretValues } from '../token/record.js';
import { parseTokenRecord } from '../token/parse.js';
import { serializeRecord } from '../token/serialize.js';
import { recordAfterRefresh } from '../token/build.js';
import { validateRecord } from '../token/validate.js';
import { assessHealth, isRefreshDue } from '../token/health.js';
import type { Health, HealthReport } from '../token/health.js';
import { chooseNewest, compareRecords } from '../token/choose.js';
import { formatIsoSeconds } from '../token/time.js';
import { SchwabError } from '../schwab/errors.js';
import type { LoadedText, MirrorStore, PrimaryStore, RecordSource } from './stores.js';
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
}

export type StoreOutcome = 'written' | 'unchanged' | 'kept-newer' | 'failed' | 'planned' | 'skipped';

export interface StoreReport {
  label: string;
  outcome: StoreOutcome;
  /** One sentence, never a value. */
  detail: string;
}

export interface RotationResult {
  /** False when no store could be read at all (e.g. access denied): `status` then says nothing about the token. */
  healthKnown: boolean;
  status: Health;
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

interface Candidate {
  label: string;
  record: TokenRecord;
  loaded: LoadedText;
  isPrimary: boolean;
}

/**
 * One run: load every source, choose the newest record, refresh it when due, write the primary store by
 * compare-and-set, then the mirrors, and report the token's health. Never throws for anything a user can cause:
 * every problem ends up in `failures` as one sentence, and the stores hold the old record or the new one.
 */
export async function rotate(options: RotationOptions, deps: RotationDeps): Promise<RotationResult> {
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
      status: health.status,
      health,
      action: 'Stopped: the primary store could not be read; nothing was refreshed or written.',
    };
  }

  if (!chosen) {
    const health = assessHealth(undefined, now, options.reauthWarningMs);
    fail(
      all.length === 0
        ? 'No token source is configured: set the "token" input or "aws-secret-id".'
        : `No usable token record was found in ${all.map((s) => s.label).join(' or ')}: log in again with \`${loginCommand()}\` and store the record it writes.`,
    );
    return { ...base, status: 'reauth-required', health, action: 'Nothing to refresh: no usable token record.' };
  }
  logger.info(`Using the token record from ${chosen.label} (login ${iso(chosen.record.meta.createdAt)}).`);

  // 2. Decide.
  const deadlinePassed = assessHealth(chosen.record, now, options.reauthWarningMs).status === 'reauth-required';
  const due = options.force || isRefreshDue(chosen.record, now, options.refreshBeforeMs);
  const primaryRecord = candidates.find((c) => c.isPrimary)?.record;
  const primaryStale = !!deps.primary && (!primaryRecord || compareRecords(chosen.record, primaryRecord) > 0);
  const inputsStale = candidates.some((c) => !c.isPrimary && compareRecords(chosen.record, c.record) > 0);

  if (deadlinePassed) {
    const health = assessHealth(chosen.record, now, options.reauthWarningMs);
    fail(`The refresh token expired at ${iso(health.refreshTokenExpiresAt)}: log in again with \`${loginCommand()}\`.`);
    return { ...base, status: 'reauth-required', health, action: 'Not refreshed: the 7-day refresh token has expired.' };
  }

  if (options.dryRun) {
    const health = assessHealth(chosen.record, now, options.reauthWarningMs);
    return { ...base, ...dryRunPlan({ due, force: options.force, primaryStale, inputsStale }, deps), status: health.status, health };
  }

  // Every store must be able to take the record before anything is refreshed or written (a rotated refresh token
  // must never be obtained and then dropped).
  if (due || primaryStale || inputsStale) {
    for (const mirror of deps.mirrors) mirror.prepare?.();
    try {
      const text = serializeRecord(chosen.record, options.tokenFormat);
      for (const mirror of deps.mirrors) mirror.check?.(text);
    } catch (error) {
      fail(errorMessage(error));
      const health = assessHealth(chosen.record, now, options.reauthWarningMs);
      return { ...base, status: health.status, health, action: 'Stopped before refreshing: a store cannot take the record.' };
    }
  }

  let record = chosen.record;
  let refreshed = false;
  let adopted = false;
  let refreshFailed = false;
  let action = 'Not refreshed: the access token is not due.';
  let verifyFailure: string | undefined;

  // 3. Refresh when due.
  if (due) {
    const outcome = await refreshChosen(chosen, options, deps);
    switch (outcome.kind) {
      case 'refreshed':
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
        return { ...base, schwabRejected: true, status: 'reauth-required', health, action: 'Not refreshed: Schwab rejected the refresh token.' };
      }
      case 'failed': {
        fail(outcome.message);
        if (!(outcome.healDrift && (primaryStale || inputsStale))) {
          const health = assessHealth(record, clock.now(), options.reauthWarningMs);
          return { ...base, status: health.status, health, action: `Not refreshed: ${outcome.what}; no store was changed.` };
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
  if (deps.primary) {
    if (mustWritePrimary) {
      const written = await writePrimary(deps.primary, record, primaryLoaded, options.tokenFormat, clock, logger);
      stores.push(written.report);
      if (written.report.outcome === 'failed') {
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
  for (const report of await writeMirrors(deps.mirrors, text, mustWriteMirrors, logger)) {
    stores.push(report);
    if (report.outcome === 'failed') fail(report.detail);
  }

  // A rotated refresh token that no store took is gone when this process ends: say so, the old one may be dead.
  const rotated = refreshed && record.tokens.refreshToken !== chosen.record.tokens.refreshToken;
  if (rotated && !stores.some((store) => store.outcome === 'written' || store.outcome === 'kept-newer')) {
    fail(
      'Schwab issued a new refresh token on this refresh and no store could save it, so the stored one may no longer ' +
        'work: fix the store errors, and if the next run says Schwab rejected the refresh token, log in again with ' +
        `\`${loginCommand()}\`.`,
    );
  }

  const health = assessHealth(record, clock.now(), options.reauthWarningMs);
  return { ...base, record, refreshed, stores, status: health.status, health, action };
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
  | { kind: 'refreshed'; record: TokenRecord; verifyFailure?: string | undefined }
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
      return newer ? { kind: 'adopted', record: newer } : { kind: 'rejected', message: error.message };
    }
    return { kind: 'failed', what: 'the refresh failed', message: errorMessage(error), healDrift: true };
  }
  for (const secret of secretValues(toTokens(response, previous))) logger.mask(secret);
  let next: TokenRecord;
  try {
    next = recordAfterRefresh(previous, response, clock.now());
    validateRecord(next, 'the refreshed token record');
  } catch (error) {
    return { kind: 'failed', what: "Schwab's answer was not a usable token", message: errorMessage(error), healDrift: true };
  }
  if (options.verify === 'none') return { kind: 'refreshed', record: next };
  try {
    await deps.schwab.probe(next.tokens.accessToken, options.verify);
    return { kind: 'refreshed', record: next };
  } catch (error) {
    const rotated = next.tokens.refreshToken !== previous.tokens.refreshToken;
    if (rotated) return { kind: 'refreshed', record: next, verifyFailure: errorMessage(error) };
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
  error: string | undefined;
  parseFailed: boolean;
  warnings: string[];
}

async function loadCandidate(source: RecordSource, isPrimary: boolean, clock: Clock, logger: Logger): Promise<LoadResult> {
  let loaded: LoadedText;
  try {
    loaded = await source.load();
  } catch (error) {
    return { isPrimary, loaded: undefined, candidate: undefined, error: errorMessage(error), parseFailed: false, warnings: [] };
  }
  if (loaded.text === undefined || loaded.text.trim() === '') {
    return { isPrimary, loaded, candidate: undefined, error: undefined, parseFailed: false, warnings: [] };
  }
  logger.mask(loaded.text);
  try {
    const parsed = parseTokenRecord(loaded.text, source.label, clock.now());
    for (const secret of secretValues(parsed.record.tokens)) logger.mask(secret);
    return {
      isPrimary,
      loaded,
      candidate: { label: source.label, record: parsed.record, loaded, isPrimary },
      error: undefined,
      parseFailed: false,
      warnings: parsed.warnings,
    };
  } catch (error) {
    return { isPrimary, loaded, candidate: undefined, error: errorMessage(error), parseFailed: true, warnings: [] };
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

async function newerRecordArriving(chosen: Candidate, deps: RotationDeps): Promise<TokenRecord | undefined> {
  if (!deps.primary) return undefined;
  for (const delay of REREAD_DELAYS_MS) {
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
  const record = again.candidate?.record;
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
    const result = await primary.compareAndSet(text, loaded?.version, (now) => rule.onConflict(now));
    if (result.outcome === 'written') {
      return { report: { label: primary.label, outcome: 'written', detail: 'written (compare-and-set)' } };
    }
    return {
      report: { label: primary.label, outcome: 'kept-newer', detail: 'kept: it was updated with a newer record during this run' },
      ...(rule.kept() ? { adopted: rule.kept() } : {}),
    };
  } catch (error) {
    return { report: { label: primary.label, outcome: 'failed', detail: logger.redact(errorMessage(error)) } };
  }
}

function iso(date: Date | undefined): string {
  return date ? formatIsoSeconds(date) : 'unknown';
}
