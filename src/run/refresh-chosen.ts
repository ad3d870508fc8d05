/**
 * Refreshing: the chosen record at Schwab, the new record built and normalised, and (with `verify`) the new access
 * token probed. A refresh token Schwab rejects is first checked against the primary store, where a newer record may be
 * arriving (the words are defined in rotation.ts).
 */
import type { Sleep, Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { errorMessage } from '../util/errors.js';
import type { SchwabTokenResponse, TokenRecord } from '../token/record.js';
import { normalizeRefreshed, recordAfterRefresh } from '../token/build.js';
import { validateRecord } from '../token/validate.js';
import { compareRecords } from '../token/choose.js';
import { SchwabError } from '../schwab/errors.js';
import type { Candidate } from './candidates.js';
import { rereadPrimary } from './candidates.js';
import type { FailureKind, TokenRefresher } from './rotation.js';
import type { VerifyMode } from '../schwab/probes.js';
import type { PrimaryStore } from './stores.js';
import { maskTokens } from './read-record.js';

export type RefreshOutcome =
  | {
      kind: 'refreshed';
      record: TokenRecord;
      warnings: string[];
      verifyFailure?: { message: string; error: unknown } | undefined;
    }
  | { kind: 'adopted'; record: TokenRecord }
  | { kind: 'rejected'; message: string; error: unknown }
  /** `healDrift`: the chosen record itself is sound (Schwab could not be reached), so stale stores may still get it. */
  | { kind: 'failed'; what: string; message: string; failure: FailureKind; error?: unknown; healDrift: boolean };

export interface RefreshDeps {
  clock: Clock;
  sleep: Sleep;
  logger: Logger;
  schwab: TokenRefresher;
  primary?: PrimaryStore | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Refreshes the chosen record at Schwab, builds and validates the new record and, with `verify`, probes the new
 * access token. A rejected refresh token first re-reads the primary store: a login that landed there meanwhile (and
 * revoked our token) is adopted rather than reported as a dead token.
 */
export async function refreshChosen(chosen: Candidate, verify: VerifyMode, deps: RefreshDeps): Promise<RefreshOutcome> {
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
            'Schwab rejected the refresh token, but the run was cancelled before it could re-read the store for ' +
            "another writer's newer record: the next run checks again.",
          failure: 'cancelled',
          error,
          healDrift: false,
        };
      }
      return newer ? { kind: 'adopted', record: newer } : { kind: 'rejected', message: error.message, error };
    }
    const failure: FailureKind =
      error instanceof SchwabError && error.kind === 'bad-credentials' ? 'app-credentials' : 'schwab';
    return {
      kind: 'failed',
      what: 'the refresh failed',
      message: errorMessage(error),
      failure,
      error,
      healDrift: true,
    };
  }
  maskTokens(toTokens(response, previous), logger);
  let next: TokenRecord;
  let warnings: string[];
  try {
    // What the old record got wrong (a login time in the future, a count at its end) is normalised, never a reason to
    // drop what Schwab has just issued.
    ({ record: next, warnings } = normalizeRefreshed(recordAfterRefresh(previous, response, clock.now()), clock.now()));
    validateRecord(next, 'the refreshed token record');
  } catch (error) {
    return {
      kind: 'failed',
      what: "Schwab's answer was not a usable token",
      message: errorMessage(error),
      failure: 'schwab',
      error,
      healDrift: true,
    };
  }
  if (verify === 'none') return { kind: 'refreshed', record: next, warnings };
  try {
    await deps.schwab.probe(next.tokens.accessToken, verify);
    return { kind: 'refreshed', record: next, warnings };
  } catch (error) {
    // With a new refresh token, dropping the record would lose the login: it is stored and the run still fails.
    const rotated = next.tokens.refreshToken !== previous.tokens.refreshToken;
    if (rotated)
      return { kind: 'refreshed', record: next, warnings, verifyFailure: { message: errorMessage(error), error } };
    return {
      kind: 'failed',
      what: 'the new access token failed verification',
      message: errorMessage(error),
      failure: 'schwab',
      error,
      healDrift: false,
    };
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

/**
 * Before a rejected refresh token is reported as dead, the primary store is read again, now and after a short wait:
 * a login that landed meanwhile, or another writer that refreshed the same login with a rotating Schwab (retiring our
 * token) and is about to store its record, shows up there. A genuinely dead token costs these few seconds once.
 */
const REREAD_DELAYS_MS = [0, 2_000, 5_000];

async function newerRecordArriving(
  chosen: Candidate,
  deps: RefreshDeps,
): Promise<TokenRecord | undefined | 'cancelled'> {
  if (!deps.primary) return undefined;
  for (const delay of REREAD_DELAYS_MS) {
    if (delay && deps.signal?.aborted) return 'cancelled';
    if (delay) await deps.sleep(delay);
    const record = await rereadPrimary(deps.primary, deps.clock, deps.logger);
    // Newer, and holding another refresh token: a newer login, or another run's refresh of the same login that
    // retired ours (rotate-on-refresh).
    const other = !!record && record.tokens.refreshToken !== chosen.record.tokens.refreshToken;
    if (record && other && compareRecords(record, chosen.record) > 0) return record;
  }
  return undefined;
}
