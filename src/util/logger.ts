import { Redactor } from './redact.js';

/**
 * Where the product's words go. `mask` must be called on every secret the moment it is read or received,
 * before anything is logged; every line is redacted before it is written.
 */
export interface Logger {
  mask(secret: string | undefined | null): void;
  /** Redacts registered secrets from text that is about to leave the process by another route (summary, issue). */
  redact(text: string): string;
  /**
   * For a loop that runs for days: the values masked from now on can be forgotten once they are no longer in use
   * (see MaskScope). What was masked before (the app secret) stays masked for the life of the process.
   */
  maskScope(): MaskScope;
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
}

export interface MaskScope {
  /**
   * Forgets the values masked since the scope began, except `inUse` (every value of the records still in force:
   * their tokens and their stored text). Call it between runs, never while one is in progress.
   */
  forgetAllBut(inUse: Iterable<string | undefined>): void;
}

export interface LogSink {
  /** Tells the platform to mask a value (the runner's ::add-mask::). */
  registerSecret(secret: string): void;
  write(level: 'debug' | 'info' | 'warning' | 'error', message: string): void;
}

export function createLogger(sink: LogSink, redactor: Redactor = new Redactor()): Logger {
  return {
    mask(secret) {
      if (secret && redactor.add(secret)) sink.registerSecret(secret);
    },
    redact: (text) => redactor.redact(text),
    maskScope() {
      const mark = redactor.mark();
      return { forgetAllBut: (inUse) => void redactor.forget(mark, inUse) };
    },
    debug: (message) => sink.write('debug', redactor.redact(message)),
    info: (message) => sink.write('info', redactor.redact(message)),
    warning: (message) => sink.write('warning', redactor.redact(message)),
    error: (message) => sink.write('error', redactor.redact(message)),
  };
}

/** A logger that keeps every line in memory; for tests and for the CLI's quiet mode. */
export function createMemoryLogger(): Logger & { lines: { level: string; message: string }[]; masked: string[] } {
  const lines: { level: string; message: string }[] = [];
  const masked: string[] = [];
  const logger = createLogger({
    registerSecret: (secret) => masked.push(secret),
    write: (level, message) => lines.push({ level, message }),
  });
  return Object.assign(logger, { lines, masked });
}
