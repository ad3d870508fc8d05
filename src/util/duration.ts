import { UserError } from './errors.js';

const UNITS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const MAX_DURATION_MS = 366 * 86_400_000;

/**
 * Parses a duration such as `25m`, `48h`, `7d`, `90s` or a combination (`1h30m`) into milliseconds.
 * `what` names the input in the error.
 */
export function parseDuration(text: string, what: string): number {
  const trimmed = text.trim().toLowerCase();
  const pattern = /(\d+(?:\.\d+)?)\s*([smhd])/g;
  let total = 0;
  let consumed = '';
  for (const match of trimmed.matchAll(pattern)) {
    total += Number(match[1]) * (UNITS[match[2] as string] as number);
    consumed += match[0];
  }
  if (!trimmed || consumed.replace(/\s/g, '') !== trimmed.replace(/\s/g, '')) {
    throw new UserError(
      `${what} is not a duration: write a number followed by s, m, h or d, for example 25m, 48h or 7d.`,
    );
  }
  if (!Number.isFinite(total) || total > MAX_DURATION_MS) {
    throw new UserError(`${what} is longer than a year: write a duration such as 25m, 48h or 7d.`);
  }
  return Math.round(total);
}

/** Formats milliseconds as a short human duration: `2d 4h`, `25m`, `40s`, `expired 3h ago`. */
export function formatDuration(ms: number): string {
  if (ms < 0) return `expired ${formatDuration(-ms)} ago`;
  const parts: string[] = [];
  let rest = Math.floor(ms / 1000);
  const days = Math.floor(rest / 86_400);
  rest -= days * 86_400;
  const hours = Math.floor(rest / 3600);
  rest -= hours * 3600;
  const minutes = Math.floor(rest / 60);
  const seconds = rest - minutes * 60;
  if (days) parts.push(`${days}d`);
  if (hours) parts.push(`${hours}h`);
  if (minutes && !days) parts.push(`${minutes}m`);
  if (!days && !hours && (seconds || parts.length === 0)) parts.push(`${seconds}s`);
  return parts.join(' ');
}
