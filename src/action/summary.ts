import { formatDuration } from '../util/duration.js';
import { REFRESH_TOKEN_LIFETIME_MS } from '../token/record.js';
import { formatStamp } from '../token/time.js';
import type { RotationResult, StoreOutcome } from '../run/rotation.js';

const STATUS_BADGE = {
  healthy: '🟢 healthy',
  expiring: '🟠 expiring — log in again soon',
  'reauth-required': '🔴 re-authorization required',
} as const;

const OUTCOME_TEXT: Record<StoreOutcome, string> = {
  written: '✅ written',
  unchanged: '➖ unchanged',
  'kept-newer': '↩️ kept newer record',
  unfinished: '⏳ unfinished: kept as AWSPENDING',
  failed: '❌ failed',
  planned: '📝 would write (dry run)',
  skipped: '⏭️ skipped',
};

export interface SummaryExtras {
  /** The alert issue, when one is open or was just closed. */
  issue?: { number: number; url: string; action: string } | undefined;
  /** Warnings from outside the rotation (the alert issue, the keep-alive). */
  warnings?: string[] | undefined;
}

/**
 * The job summary: the token's status page. Contains names, times and outcomes only; the caller passes the text
 * through the redactor before it is written, as a second guard.
 */
export function renderSummary(result: RotationResult, now: Date, extras: SummaryExtras = {}): string {
  const { health, record } = result;
  const tokenHealth = result.healthKnown
    ? STATUS_BADGE[health.status]
    : '⚪ unknown: the token record could not be read';
  // The run's outcome first; a failed run shows the refresh token's own health on a line of its own.
  const rows: [string, string][] =
    result.status === 'error'
      ? [
          ['Status', '❌ the run failed: see the problems below'],
          ['Refresh token', tokenHealth],
        ]
      : [['Status', STATUS_BADGE[result.status]]];
  if (record) {
    rows.push([
      'Access token expires',
      `${formatStamp(record.meta.accessTokenExpiresAt)} ` +
        `(${formatDuration(record.meta.accessTokenExpiresAt.getTime() - now.getTime())})`,
    ]);
  }
  if (health.refreshTokenExpiresAt) {
    const left = health.refreshTokenExpiresAt.getTime() - now.getTime();
    rows.push([
      'Refresh token deadline',
      `${formatStamp(health.refreshTokenExpiresAt)} (${formatDuration(left)} left)`,
    ]);
    rows.push(['7-day window', lifetimeBar(left)]);
  }
  if (record) {
    rows.push(['Login', formatStamp(record.meta.createdAt)]);
    rows.push(['Last refresh', formatStamp(record.meta.lastRefresh)]);
    rows.push(['Refresh count', String(record.meta.refreshCount)]);
  }
  if (result.chosenFrom) rows.push(['Read from', result.chosenFrom]);
  rows.push(['This run', result.action]);
  if (extras.issue)
    rows.push(['Alert issue', `[#${extras.issue.number}](${extras.issue.url}) (${extras.issue.action})`]);

  const lines = ['## Schwab token', '', '| | |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${cell(v)} |`)];
  if (result.stores.length) {
    lines.push('', '### Stores', '', '| Store | Result | Detail |', '| --- | --- | --- |');
    for (const store of result.stores)
      lines.push(`| ${cell(store.label)} | ${OUTCOME_TEXT[store.outcome]} | ${cell(store.detail)} |`);
  }
  if (result.failures.length)
    lines.push('', '### Problems', '', ...result.failures.map((failure) => `- ${failure.message}`));
  const warnings = [...result.warnings, ...(extras.warnings ?? [])];
  if (warnings.length) lines.push('', '### Warnings', '', ...warnings.map((w) => `- ${w}`));
  return lines.join('\n') + '\n';
}

/** A 14-cell bar of the 7-day refresh-token window: filled cells are time left. */
export function lifetimeBar(leftMs: number): string {
  const cells = 14;
  const filled = Math.max(0, Math.min(cells, Math.round((leftMs / REFRESH_TOKEN_LIFETIME_MS) * cells)));
  return `\`${'█'.repeat(filled)}${'░'.repeat(cells - filled)}\``;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
