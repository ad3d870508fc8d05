/**
 * What a run does, decided from what it read: a pure function of the records, the options and the time. No I/O, no
 * clock; rotation.ts reads the stores before and writes them after (the words are defined there).
 *
 * | what was read                                                          | plan                                  |
 * | ---------------------------------------------------------------------- | ------------------------------------- |
 * | the primary store could not be read (not merely empty or unparsable)   | stop: primary-unreadable              |
 * | no usable record anywhere                                              | stop: no-record (a login is needed)   |
 * | the chosen record's 7-day deadline has passed                          | stop: deadline-passed (a login too)   |
 * | dry-run                                                                | dry-run: what would happen, no calls  |
 * | `force`, or the access token expires within `refresh-before`           | refresh (forced / due), and the drift |
 * | drift: a store holds an older record than the chosen one               | copy the chosen record there          |
 * | otherwise                                                              | idle                                  |
 *
 * Which stores a run writes (`planWrites`), from the plan and, for a refresh, what came of it:
 *
 * | plan / refresh outcome                                              | primary                | mirrors   |
 * | ------------------------------------------------------------------- | ---------------------- | --------- |
 * | refreshed                                                           | written                | written   |
 * | adopted (Schwab rejected ours; the primary holds a newer record)    | left (it holds it)     | written   |
 * | rejected (the refresh token is dead)                                | nothing is written     |           |
 * | failed, the chosen record sound (Schwab unreachable), with drift    | written if behind      | written   |
 * | failed otherwise                                                    | nothing is written     |           |
 * | copy                                                                | written if behind      | written   |
 * | idle                                                                | left                   | left      |
 *
 * The mirrors are write-only, so their drift is seen through the read-only sources (the `token` input is the
 * workflow's copy of a GitHub secret): a source behind the chosen record means the mirrors are too.
 */
import type { TokenRecord } from '../token/record.js';
import { assessHealth, isRefreshDue } from '../token/health.js';
import { compareRecords } from '../token/choose.js';

export interface PlanInput {
  now: Date;
  force: boolean;
  dryRun: boolean;
  refreshBeforeMs: number;
  reauthWarningMs: number;
  /** Whether a primary store is configured, and whether it could be read (empty or unparsable counts as read). */
  primary: 'none' | 'read' | 'unreadable';
  /** The newest record of every candidate; undefined when none is usable. */
  chosen: TokenRecord | undefined;
  /** The record the primary store holds now (its AWSCURRENT); undefined when it is empty or not a record. */
  primaryRecord: TokenRecord | undefined;
  /** The records of the read-only sources (the `token` input). */
  sourceRecords: TokenRecord[];
}

/** Which stores hold an older record than the chosen one. */
export interface Drift {
  primary: boolean;
  /** A read-only source is behind, so are the mirrors it is a copy of. */
  mirrors: boolean;
}

export type StopReason = 'primary-unreadable' | 'no-record' | 'deadline-passed';
export type RefreshReason = 'forced' | 'due';

export type RotationPlan =
  | { kind: 'stop'; reason: StopReason }
  | { kind: 'dry-run'; refresh: RefreshReason | undefined; writes: Writes }
  | { kind: 'refresh'; reason: RefreshReason; drift: Drift }
  | { kind: 'copy'; drift: Drift }
  | { kind: 'idle' };

/** The stores a run writes. */
export interface Writes {
  primary: boolean;
  mirrors: boolean;
}

export function planRotation(input: PlanInput): RotationPlan {
  if (input.primary === 'unreadable') return { kind: 'stop', reason: 'primary-unreadable' };
  const { chosen, now } = input;
  if (!chosen) return { kind: 'stop', reason: 'no-record' };
  if (assessHealth(chosen, now, input.reauthWarningMs).status === 'reauth-required')
    return { kind: 'stop', reason: 'deadline-passed' };

  const drift: Drift = {
    primary: input.primary === 'read' && (!input.primaryRecord || compareRecords(chosen, input.primaryRecord) > 0),
    mirrors: input.sourceRecords.some((record) => compareRecords(chosen, record) > 0),
  };
  const refresh: RefreshReason | undefined = input.force
    ? 'forced'
    : isRefreshDue(chosen, now, input.refreshBeforeMs)
      ? 'due'
      : undefined;
  if (input.dryRun) {
    const primary = refresh !== undefined || drift.primary;
    return { kind: 'dry-run', refresh, writes: { primary, mirrors: primary || drift.mirrors } };
  }
  if (refresh) return { kind: 'refresh', reason: refresh, drift };
  if (drift.primary || drift.mirrors) return { kind: 'copy', drift };
  return { kind: 'idle' };
}

/** What came of a refresh, as far as the writes care. */
export interface RefreshResultForWrites {
  kind: 'refreshed' | 'adopted' | 'rejected' | 'failed';
  /**
   * For `failed`: the chosen record itself is sound (Schwab could not be reached), so stale stores may still get it.
   */
  healDrift?: boolean;
}

/** The stores to write after the plan (and its refresh); undefined when nothing may be written. */
export function planWrites(plan: RotationPlan, refresh?: RefreshResultForWrites): Writes | undefined {
  switch (plan.kind) {
    case 'stop':
    case 'dry-run':
      return undefined;
    case 'idle':
      return { primary: false, mirrors: false };
    case 'copy':
      return { primary: plan.drift.primary, mirrors: true };
    case 'refresh':
      switch (refresh?.kind) {
        case 'refreshed':
          return { primary: true, mirrors: true };
        case 'adopted':
          return { primary: false, mirrors: true };
        case 'failed':
          return refresh.healDrift && (plan.drift.primary || plan.drift.mirrors)
            ? { primary: plan.drift.primary, mirrors: true }
            : undefined;
        default:
          return undefined;
      }
  }
}
