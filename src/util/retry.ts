import type { Sleep } from './clock.js';

export interface RetryOptions {
  /** Total attempts, the first included. */
  attempts: number;
  /** Delay before the second attempt; doubles each time (exponential backoff). */
  baseDelayMs: number;
  /** Upper bound of one delay, `Retry-After` included. */
  maxDelayMs: number;
  sleep: Sleep;
  /** Returns [0, 1); injectable so tests can pin the jitter. */
  random?: () => number;
  /** Whether this error is worth another attempt. */
  isRetryable: (error: unknown) => boolean;
  /** A delay the server asked for (Retry-After), in ms, if any. */
  retryAfterMs?: (error: unknown) => number | undefined;
  /** Called before each wait, for a log line. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/**
 * Runs `operation` until it succeeds, fails with a non-retryable error, or runs out of attempts.
 * Waits use "full jitter" exponential backoff; a server's Retry-After is honoured, and one longer than maxDelayMs
 * ends the retries rather than being cut short.
 */
export async function retry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt >= options.attempts || !options.isRetryable(error)) throw error;
      const backoff = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      const jittered = Math.round(backoff / 2 + (random() * backoff) / 2);
      const asked = options.retryAfterMs?.(error);
      // A server that asks for a longer pause than we may wait is not asked again early: give up now.
      if (asked !== undefined && asked > options.maxDelayMs) throw error;
      const delay = asked !== undefined ? Math.max(asked, 0) : jittered;
      options.onRetry?.(error, attempt, delay);
      await options.sleep(delay);
    }
  }
}

/** Parses an HTTP Retry-After header (seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(header: string | null | undefined, now: Date): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now.getTime());
}
