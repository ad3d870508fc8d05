import type { Readable } from 'node:stream';
import type { Clock } from '../util/clock.js';
import type { Tuning } from '../util/tuning.js';
import { sleepFor, systemClock } from '../util/clock.js';
import { detectCliCommand } from './invocation.js';
import { releaseMemory } from '../util/memory.js';

/** Waits `ms`; resolves early (never rejects) when `signal` aborts. */
export type CliSleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Where a command writes: `write` takes a string; nothing else is needed (tests pass a collector). */
export interface TextSink {
  write(text: string): unknown;
}

/**
 * Everything a command touches outside its own arguments, so tests run commands in-process with fake time, fake
 * streams and a fake browser. `src/cli.ts` builds the real one from `process`.
 *
 * The endpoints follow the same variables as in the action, read from `process.env` by the clients themselves:
 * AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_REGION and credentials (the AWS SDK), GITHUB_API_URL (the GitHub client).
 * Everything the CLI reads itself (SCHWAB_APP_KEY, SCHWAB_APP_SECRET, SCHWAB_BASE_URL, GH_TOKEN, GITHUB_TOKEN)
 * comes from `env`.
 */
export interface CliIo {
  env: Record<string, string | undefined>;
  /** Where a pasted redirect URL arrives (login). */
  stdin: Readable;
  /** The command's result: the login dialog, the health table. */
  stdout: TextSink;
  /** Log lines (redacted), warnings and the final one-line error. */
  stderr: TextSink;
  clock: Clock;
  sleep: CliSleep;
  /** Aborts on SIGINT / SIGTERM: the refresh loop stops after the write in progress; a waiting login gives up. */
  signal: AbortSignal;
  /** Relative paths (--file, --out) are resolved against this. Default: process.cwd(). */
  cwd?: string;
  /**
   * Opens a URL in the user's browser; returns whether it tried. Default: the platform's opener (open, xdg-open,
   * rundll32) when a desktop is there. Tests pass a function that plays the browser.
   */
  openBrowser?: (url: string) => boolean | Promise<boolean>;
  /** Whether stdin is a terminal a person types into (changes the wording only). */
  stdinIsTTY?: boolean;
  /**
   * Gives the memory a run used back to the system before the refresh loop waits for its next run (the process's
   * io: a memory-reducing garbage collection, see releaseMemory); tests leave it out.
   */
  releaseMemory?: () => void;
  /** Timeouts and retry waits of the Schwab, AWS and GitHub clients, as the action's; tests shorten them. */
  tuning?: Tuning;
  /**
   * How the person runs this CLI (`npx --yes github:acme/schwab-token-rotator#v1`, `node dist/cli.js`), for the
   * commands messages print. Default: the program's name. See detectCliCommand.
   */
  command?: string;
}

/** Real sleep that ends early, without throwing, when `signal` aborts; waits past a timer's limit in chunks. */
export const abortableSleep: CliSleep = (ms, signal) => sleepFor(ms, signal);

/** The process's own io, and a function that removes the signal handlers it installed. */
export function processIo(): { io: CliIo; dispose: () => void } {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (name: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      process.stderr.write(
        `\nReceived ${name}: stopping after the step in progress (send it again to quit at once).\n`,
      );
      controller.abort();
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const io: CliIo = {
    env: process.env,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    clock: systemClock,
    sleep: abortableSleep,
    releaseMemory,
    signal: controller.signal,
    cwd: process.cwd(),
    stdinIsTTY: process.stdin.isTTY === true,
    command: detectCliCommand(process.argv[1], process.cwd()),
  };
  return {
    io,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
