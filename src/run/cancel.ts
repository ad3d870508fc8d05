/**
 * A cancelled workflow run: the runner sends SIGINT, then SIGTERM about 7.5 s later, then SIGKILL about 2.5 s after
 * that. The action lets the write in progress finish within those seconds (a refresh Schwab has answered may have
 * retired the old refresh token, so its record must reach a store), starts nothing new, and says what it did.
 */
import type { RotationStep } from './rotation.js';

/** How long a cancelled run may go on after SIGINT: before the runner's SIGTERM. */
export const CANCEL_GRACE_MS = 6_000;
/** How long it may go on after SIGTERM: before the runner's SIGKILL. */
export const TERM_GRACE_MS = 2_000;

export interface CancelWatchOptions {
  graceMs?: number;
  termGraceMs?: number;
  /** The first signal arrived: say so (the run goes on, bounded). */
  onSignal(name: NodeJS.Signals, graceMs: number): void;
  /** The run did not finish within the grace: report where it stopped and end the process. */
  onExpired(name: NodeJS.Signals): void;
  /** Where signals come from; the process by default. */
  source?: Pick<NodeJS.Process, 'on' | 'off'>;
}

export interface CancelWatch {
  /** Aborts at the first SIGINT or SIGTERM. */
  readonly signal: AbortSignal;
  /** The first signal received, if any. */
  readonly received: NodeJS.Signals | undefined;
  /** Removes the handlers and the timer (call when the run is over). */
  dispose(): void;
}

/**
 * Handles SIGINT and SIGTERM for one run: the first aborts `signal` and starts the grace timer; SIGTERM after SIGINT
 * shortens what is left of it; a third signal, or the timer, calls `onExpired`.
 */
export function watchCancellation(options: CancelWatchOptions): CancelWatch {
  const graceMs = options.graceMs ?? CANCEL_GRACE_MS;
  const termGraceMs = options.termGraceMs ?? TERM_GRACE_MS;
  const source = options.source ?? process;
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  let count = 0;
  let deadline = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const expire = (): void => {
    clearTimeout(timer);
    timer = undefined;
    options.onExpired(received ?? 'SIGTERM');
  };
  const arm = (ms: number): void => {
    clearTimeout(timer);
    deadline = Date.now() + ms;
    timer = setTimeout(expire, ms);
    timer.unref?.();
  };
  const onSignal = (name: NodeJS.Signals): void => {
    count++;
    if (count === 1) {
      received = name;
      controller.abort();
      const ms = name === 'SIGTERM' ? termGraceMs : graceMs;
      options.onSignal(name, ms);
      arm(ms);
    } else if (count === 2 && name === 'SIGTERM') {
      arm(Math.min(Math.max(0, deadline - Date.now()), termGraceMs));
    } else {
      expire();
    }
  };
  source.on('SIGINT', onSignal);
  source.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    dispose() {
      clearTimeout(timer);
      source.off('SIGINT', onSignal);
      source.off('SIGTERM', onSignal);
    },
  };
}

/**
 * One sentence: where a cancelled run stopped, when it could not finish in time, and what that means for the next run.
 */
export function describeStop(name: NodeJS.Signals, step: RotationStep | undefined): string {
  const cancelled = `The run was cancelled (${name}) and stopped`;
  switch (step?.step) {
    case undefined:
    case 'reading':
      return `${cancelled} while reading the token record; nothing was changed.`;
    case 'refreshing':
      return (
        `${cancelled} while Schwab was refreshing the access token; no store was changed, and if Schwab answered ` +
        'after that, the next run may find the stored refresh token rejected and ask for a login.'
      );
    case 'writing-primary':
      return (
        `${cancelled} before the write to ${step.store} was confirmed; if it got there, the new record waits in it ` +
        'as AWSPENDING and the next run finishes the write.'
      );
    case 'writing-mirrors':
      return (
        `${cancelled} while writing ${step.stores.join(' and ')}, after the primary store was written; the next ` +
        `run copies the record to them.`
      );
    case 'settling':
      return (
        `${cancelled} after every store was written, while ${step.store} took the AWSPENDING label off the new ` +
        `version (harmless).`
      );
    case 'done':
      return `${cancelled} after every store was written; the alert issue was left as it was.`;
  }
}

/** One sentence for a cancelled run that still finished what it had started. */
export function describeFinishedAfterCancel(name: NodeJS.Signals): string {
  return (
    `The run was cancelled (${name}); it finished the step in progress and stopped (the alert issue was left as it ` +
    `was).`
  );
}
