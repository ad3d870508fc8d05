import { formatDuration } from '../util/duration.js';
import { formatIsoSeconds, formatStamp } from '../token/time.js';
import type { HealthReport } from '../token/health.js';
import type { InputFormat, TokenRecord } from '../token/record.js';
import type { RunStatus } from '../run/rotation.js';

const STATUS_TEXT = {
  healthy: 'healthy',
  expiring: 'EXPIRING: log in again soon',
  'reauth-required': 'RE-AUTH REQUIRED: log in again',
} as const;

export const FORMAT_NAMES: Record<InputFormat, string> = {
  rotator: 'rotator record',
  'schwab-py': 'schwab-py token file',
  schwabdev: 'Schwabdev tokens.json',
  'schwab-response': 'bare Schwab token response',
};

export interface TableExtra {
  source?: string;
  format?: InputFormat;
  /** The outcome of the run that produced the table (refresh): `error` puts "FAILED" first and the health apart. */
  runStatus?: RunStatus;
  /** False when the store could not be read: the token's health is then unknown. */
  healthKnown?: boolean;
}

const UNKNOWN_HEALTH = "The refresh token's health is unknown until the store can be read.";

/**
 * The token's health as a two-column text table: names, times and counts only, never a token value.
 * `record` may be undefined (nothing usable was found); the reason line says why. A failed run says so first: the
 * run's outcome and the refresh token's health are two facts.
 */
export function renderHealthTable(
  health: HealthReport,
  record: TokenRecord | undefined,
  now: Date,
  extra: TableExtra = {},
): string {
  const known = extra.healthKnown !== false;
  const tokenHealth = known ? STATUS_TEXT[health.status] : 'UNKNOWN: the store could not be read';
  const rows: [string, string][] =
    extra.runStatus === 'error' || !known
      ? [
          ['Status', 'FAILED: this run did not do its job (the error is below)'],
          ['Refresh token', tokenHealth],
        ]
      : [['Status', tokenHealth]];
  if (record) {
    const accessLeft = record.meta.accessTokenExpiresAt.getTime() - now.getTime();
    rows.push(['Access token expires', `${formatStamp(record.meta.accessTokenExpiresAt)} (${relative(accessLeft)})`]);
  }
  if (health.refreshTokenExpiresAt && health.refreshTokenTimeLeftMs !== undefined) {
    const left = health.refreshTokenTimeLeftMs;
    rows.push([
      'Refresh token deadline',
      `${formatStamp(health.refreshTokenExpiresAt)} ` +
        `(${left > 0 ? `${formatDuration(left)} left` : formatDuration(left)})`,
    ]);
  }
  if (record) {
    rows.push(['Login', formatStamp(record.meta.createdAt)]);
    const since = now.getTime() - record.meta.lastRefresh.getTime();
    rows.push([
      'Last refresh',
      `${formatStamp(record.meta.lastRefresh)} (${since >= 0 ? `${formatDuration(since)} ago` : 'in the future'})`,
    ]);
    rows.push(['Refresh count', String(record.meta.refreshCount)]);
  }
  if (extra.source) rows.push(['Source', `${extra.source}${extra.format ? ` (${FORMAT_NAMES[extra.format]})` : ''}`]);
  const width = Math.max(...rows.map(([name]) => name.length)) + 2;
  return [
    ...rows.map(([name, value]) => `${name.padEnd(width)}${value}`),
    '',
    known ? health.reason : UNKNOWN_HEALTH,
  ].join('\n');
}

/**
 * The same facts as JSON (for scripts): times in ISO 8601, durations in seconds. A store that could not be read gives
 * `{"status":"error","reason":<why>, …}` with every time null.
 */
export function healthJson(
  health: HealthReport | { status: 'error'; reason: string },
  record: TokenRecord | undefined,
  extra: { source?: string; format?: InputFormat } = {},
): Record<string, unknown> {
  const seconds = (ms: number | undefined) => (ms === undefined ? null : Math.round(ms / 1000));
  const times: Partial<HealthReport> = health.status === 'error' ? {} : health;
  return {
    status: health.status,
    reason: health.reason,
    access_token_expires_at: record ? formatIsoSeconds(record.meta.accessTokenExpiresAt) : null,
    access_token_seconds_left: seconds(times.accessTokenTimeLeftMs),
    refresh_token_expires_at: times.refreshTokenExpiresAt ? formatIsoSeconds(times.refreshTokenExpiresAt) : null,
    refresh_token_seconds_left: seconds(times.refreshTokenTimeLeftMs),
    created_at: record ? formatIsoSeconds(record.meta.createdAt) : null,
    last_refresh: record ? formatIsoSeconds(record.meta.lastRefresh) : null,
    refresh_count: record ? record.meta.refreshCount : null,
    source: extra.source ?? null,
    format: extra.format ?? null,
  };
}

function relative(ms: number): string {
  return ms >= 0 ? `in ${formatDuration(ms)}` : formatDuration(ms);
}
