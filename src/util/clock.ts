import { MAX_TIMER_MS } from './duration.js';

/** Time and waiting are injected everywhere, so tests run a week of schedules without sleeping. */
export interface Clock {
  now(): Date;
}

export type Sleep = (ms: number) => Promise<void>;

export const systemClock: Clock = { now: () => new Date() };

/**
 * Waits `ms`, however long: one timer holds at most MAX_TIMER_MS (Node fires a longer one after 1 ms), so a longer
 * wait is made of several. Ends early, without throwing, when `signal` aborts. Always yields at least once.
 */
export function sleepFor(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    let left = Math.max(0, ms);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const next = () => {
      const chunk = Math.min(left, MAX_TIMER_MS);
      left -= chunk;
      timer = setTimeout(left > 0 ? next : done, chunk);
    };
    signal?.addEventListener('abort', done, { once: true });
    next();
  });
}

export const realSleep: Sleep = (ms) => sleepFor(ms);
