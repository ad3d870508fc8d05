import { UserError } from './errors.js';

const UNITS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

export const SECOND_MS = 1_000;
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Anything longer is not a duration anyone means; the rules below are far tighter. */
const MAX_DURATION_MS = 366 * DAY_MS;

/**
 * The longest wait one timer can hold: Node fires a `setTimeout` of more than 2^31 - 1 ms after 1 ms (with only a
 * warning). Every duration a setting accepts stays below it, and the sleeps wait longer ones in chunks anyway.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The bounds of one duration setting, and the end of the sentence that says why. */
export interface DurationLimits {
  min?: number;
  max?: number;
  /** Completes "`<what>` …" when the value is below `min`, e.g. `is too short: use at least 60s`. */
  tooShort?: string;
  /** Completes "`<what>` …" when the value is above `max`. */
  tooLong?: string;
}

/**
 * Every duration setting the product reads, with its bounds: one table for the action's inputs and the CLI's flags
 * (`refresh-before` and `reauth-warning` are both). Each upper bound is a week or less, far below MAX_TIMER_MS.
 */
export const DURATION_LIMITS = {
  'refresh-before': {
    max: DAY_MS,
    tooLong: 'is longer than a day: the access token lives 30 minutes, so use something like 25m',
  },
  'reauth-warning': {
    max: 7 * DAY_MS - 1,
    tooLong: "must be shorter than the refresh token's 7 days: use something like 48h",
  },
  /** `refresh --every`: the loop's interval. */
  every: {
    min: MINUTE_MS,
    max: DAY_MS,
    tooShort: 'is too short: use at least 60s',
    tooLong: 'is longer than a day: the access token lives 30 minutes, so use something like 25m',
  },
  /** `login --timeout`: how long the login waits for the redirect. */
  timeout: {
    min: SECOND_MS,
    max: DAY_MS,
    tooShort: 'is too short: use at least 1s',
    tooLong: 'is longer than a day: a login takes a minute or two in the browser, so use something like 10m',
  },
} as const satisfies Record<string, DurationLimits>;

export type DurationSetting = keyof typeof DURATION_LIMITS;

/**
 * Parses a duration such as `25m`, `48h`, `7d`, `90s` or a combination (`1h30m`) into milliseconds.
 * `what` names the input or flag in the error; `limits` bounds it (see DURATION_LIMITS).
 */
export function parseDuration(text: string, what: string, limits: DurationLimits = {}): number {
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
  const ms = Math.round(total);
  if (limits.min !== undefined && ms < limits.min) {
    throw new UserError(`${what} ${limits.tooShort ?? `is too short: use at least ${formatDuration(limits.min)}`}.`);
  }
  if (limits.max !== undefined && ms > limits.max) {
    throw new UserError(`${what} ${limits.tooLong ?? `is too long: use at most ${formatDuration(limits.max)}`}.`);
  }
  return ms;
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
