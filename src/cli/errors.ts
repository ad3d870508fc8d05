import { UserError } from '../util/errors.js';

/** Exit codes shared by every command (status and refresh add their own health codes, see docs/cli.md). */
export const EXIT = {
  ok: 0,
  /** A command failed (a store could not be written, Schwab refused, bad configuration). status: expiring. */
  failed: 1,
  /** The refresh token is dead or its deadline has passed: a person must run `login`. */
  reauthRequired: 2,
  /** The store could not be read (status: the health is unknown) or, for refresh, read or written. */
  unknown: 3,
  /** The command line itself is wrong (unknown command or option, a missing value). */
  usage: 64,
  /** Stopped by Ctrl-C (SIGINT) or SIGTERM before it finished (login). */
  interrupted: 130,
} as const;

/** A wrong command line. Its message is one sentence and points at `--help`. */
export class UsageError extends UserError {
  override readonly name: string = 'UsageError';
}

/** A failure that ends the command with a specific exit code. The message is one sentence, never a value. */
export class ExitError extends UserError {
  override readonly name: string = 'ExitError';

  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}
