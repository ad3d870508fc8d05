import { formatDuration } from '../util/duration.js';
import { formatIsoSeconds, formatStamp } from '../token/time.js';
import type { HealthReport } from '../token/health.js';
import type { InputFormat, TokenRecord } from '../token/record.js';

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

/**
 * The token's health as a two-column text table: names, times and counts only, never a token value.
 * `record` may be undefined (nothing usable was found); the reason line says why.
 */
export function renderHealthTable(
  health: HealthReport,
  record: TokenRecord | undefined,
  now: Date,
  extra: { source?: string; format?: InputFormat } = {},
): string {
  const rows: [string, string][] = [['Status', STATUS_TEXT[health.status]]];
  if (record) {
    const accessLeft = record.meta.accessTokenExpiresAt.getTime() - now.getTime();
    rows.push(['Access token expires', `${formatStamp(record.meta.accessTokenExpiresAt)} (${relative(accessLeft)})`]);
  }
  if (health.refreshTokenExpiresAt && health.refreshTokenTimeLeftMs !== undefined) {
    const left = health.refreshTokenTimeLeftMs;
    rows.push([
      'Refresh token deadline',
      `${formatStamp(health.refreshTokenExpiresAt)} (${left > 0 ? `${formatDuration(left)} left` : formatDuration(left)})`,
    ]);
  }
  if (record) {
    rows.push(['Login', formatStamp(record.meta.createdAt)]);
    const since = now.getTime() - record.meta.lastRefresh.getTime();
    rows.push(['Last refresh', `${formatStamp(record.meta.lastRefresh)} (${since >= 0 ? `${formatDuration(since)} ago` : 'in the future'})`]);
    rows.push(['Refresh count', String(record.meta.refreshCount)]);
  }
  if (extra.source) rows.push(['Source', `${extra.source}${extra.format ? ` (${FORMAT_NAMES[extra.format]})` : ''}`]);
  const width = Math.max(...rows.map(([name]) => name.length)) + 2;
  return [...rows.map(([name, value]) => `${name.padEnd(width)}${value}`), '', health.reason].join('\n');
}

/** The same facts as JSON (for scripts): times in ISO 8601, durations in seconds. */
export function healthJson(
  health: HealthReport,
  record: TokenRecord | undefined,
  extra: { source?: string; format?: InputFormat } = {},
): Record<string, unknown> {
  const seconds = (ms: number | undefined) => (ms === undefined ? null : Math.round(ms / 1000));
  return {
    status: health.status,
    reason: health.reason,
    access_token_expires_at: record ? formatIsoSeconds(record.meta.accessTokenExpiresAt) : null,
    access_token_seconds_left: seconds(health.accessTokenTimeLeftMs),
    refresh_token_expires_at: health.refreshTokenExpiresAt ? formatIsoSeconds(health.refreshTokenExpiresAt) : null,
    refresh_token_seconds_left: seconds(health.refreshTokenTimeLeftMs),
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
