import type { Clock } from '../util/clock.js';
import type { CliSleep } from './io.js';

export interface RepeatOptions {
  /** Time between the starts of two runs. */
  everyMs: number;
  clock: Clock;
  sleep: CliSleep;
  /** Stops the loop: a run in progress finishes (its write included); a wait ends at once. */
  signal: AbortSignal;
  /** Called before each wait with the time of the next run. */
  onWait?: (next: Date) => void;
  /** Called before each wait, after onWait: the process gives back the memory the run used (see CliIo). */
  releaseMemory?: (() => void) | undefined;
}

/**
 * Runs `run` now and then every `everyMs` (counted from the start of each run, so a slow run or Schwab's retries
 * do not shift the schedule) until `run` returns an exit code or `signal` aborts. Returns that exit code, or
 * undefined when stopped by the signal. A run that overruns its slot is followed at once by the next.
 */
export async function repeatEvery(
  options: RepeatOptions,
  run: () => Promise<number | undefined>,
): Promise<number | undefined> {
  const { everyMs, clock, sleep, signal } = options;
  for (;;) {
    const started = clock.now().getTime();
    const stop = await run();
    if (stop !== undefined) return stop;
    if (signal.aborted) return undefined;
    const next = started + everyMs;
    options.onWait?.(new Date(next));
    options.releaseMemory?.();
    await sleep(Math.max(0, next - clock.now().getTime()), signal);
    if (signal.aborted) return undefined;
  }
}
