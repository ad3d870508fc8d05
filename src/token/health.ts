/** The token's health against its two deadlines: the access token's expiry and the refresh token's 7-day limit. */
import { formatDuration } from '../util/duration.js';
import { refreshTokenExpiresAt, type TokenRecord } from './record.js';
import { formatIsoSeconds } from './time.js';

/**
 * `healthy`: the refresh token has more than the warning time left; `expiring`: less (a person must log in soon);
 * `reauth-required`: no usable record, or the refresh token's deadline has passed.
 */
export type Health = 'healthy' | 'expiring' | 'reauth-required';

export interface HealthReport {
  status: Health;
  refreshTokenExpiresAt?: Date;
  /** Negative once the deadline has passed. */
  refreshTokenTimeLeftMs?: number;
  accessTokenExpiresAt?: Date;
  /** Negative once the access token has expired. */
  accessTokenTimeLeftMs?: number;
  /** One short sentence for people; never contains a token value. */
  reason: string;
}

/**
 * Assesses a record at `now`: `reauth-required` when there is no record or its refresh token's deadline
 * (created_at + 7 days) is at or before now; `expiring` when at most `reauthWarningMs` is left; else `healthy`.
 * (A refresh token Schwab rejected is also `reauth-required`; the caller decides that from Schwab's answer.)
 */
export function assessHealth(record: TokenRecord | undefined, now: Date, reauthWarningMs: number): HealthReport {
  if (!record) {
    return { status: 'reauth-required', reason: 'No usable token record was found; run the login command.' };
  }
  const deadline = refreshTokenExpiresAt(record.meta);
  const left = deadline.getTime() - now.getTime();
  const times = {
    refreshTokenExpiresAt: deadline,
    refreshTokenTimeLeftMs: left,
    accessTokenExpiresAt: record.meta.accessTokenExpiresAt,
    accessTokenTimeLeftMs: record.meta.accessTokenExpiresAt.getTime() - now.getTime(),
  };
  const at = formatIsoSeconds(deadline);
  if (left <= 0) {
    return {
      status: 'reauth-required',
      ...times,
      reason: `The refresh token expired ${formatDuration(-left)} ago (${at}); run the login command.`,
    };
  }
  if (left <= reauthWarningMs) {
    return {
      status: 'expiring',
      ...times,
      reason: `The refresh token expires in ${formatDuration(left)} (${at}); run the login command before then.`,
    };
  }
  return { status: 'healthy', ...times, reason: `The refresh token has ${formatDuration(left)} left (until ${at}).` };
}

/** True when the access token expires within `refreshBeforeMs` of `now` (inclusive), or already has. */
export function isRefreshDue(record: TokenRecord, now: Date, refreshBeforeMs: number): boolean {
  return record.meta.accessTokenExpiresAt.getTime() - now.getTime() <= refreshBeforeMs;
}
