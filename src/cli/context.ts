import { isAbsolute, resolve } from 'node:path';
import { formatIsoSeconds } from '../token/time.js';
import type { Logger } from '../util/logger.js';
import { createLogger } from '../util/logger.js';
import { Redactor } from '../util/redact.js';
import type { DurationSetting } from '../util/duration.js';
import type { SettingRef } from '../util/audience.js';
import { UserError } from '../util/errors.js';
import { DEFAULT_SCHWAB_BASE_URL } from '../schwab/urls.js';
import { SchwabOAuthClient } from '../schwab/oauth-client.js';
import { readChoice, readDuration, readHttpUrl, readRegion } from '../settings/validators.js';
import type { CommandSpec, ParsedOptions } from './args.js';
import { stringOption } from './args.js';
import { UsageError } from './errors.js';
import type { CliIo } from './io.js';

/** What a command runs with: the io, a redacting logger (stderr) and a redacting printer (stdout). */
export interface CommandContext {
  io: CliIo;
  logger: Logger;
  /** Writes lines of the command's result to stdout, redacted. */
  print(...lines: string[]): void;
  /** Resolves a path given on the command line against the working directory. */
  resolvePath(path: string): string;
}

/** `redactor` is shared with the CLI's top level, so the final error line is scrubbed of everything masked. */
export function createContext(
  io: CliIo,
  options: { verbose: boolean; timestamps: boolean },
  redactor: Redactor = new Redactor(),
): CommandContext {
  const logger = createLogger(
    {
      // The CLI has no runner to tell: the redactor alone keeps values out of what it writes.
      registerSecret: () => undefined,
      write: (level, message) => {
        if (level === 'debug' && !options.verbose) return;
        const time = options.timestamps ? `${formatIsoSeconds(io.clock.now())} ` : '';
        const tag =
          level === 'warning' ? 'warning: ' : level === 'error' ? 'error: ' : level === 'debug' ? 'debug: ' : '';
        io.stderr.write(`${time}${tag}${message}\n`);
      },
    },
    redactor,
  );
  const cwd = io.cwd ?? process.cwd();
  return {
    io,
    logger,
    print: (...lines) => {
      io.stdout.write(logger.redact(`${lines.join('\n')}\n`));
    },
    resolvePath: (path) => (isAbsolute(path) ? path : resolve(cwd, path)),
  };
}

export interface AppCredentials {
  appKey: string;
  appSecret: string;
}

/** SCHWAB_APP_KEY and SCHWAB_APP_SECRET from the environment, the secret masked at once. */
export function readAppCredentials(env: CliIo['env'], logger: Logger): AppCredentials {
  const appSecret = env.SCHWAB_APP_SECRET?.trim() ?? '';
  logger.mask(appSecret);
  const appKey = env.SCHWAB_APP_KEY?.trim() ?? '';
  if (!appKey) {
    throw new UserError(
      'SCHWAB_APP_KEY is not set: export it with the App Key of your app at developer.schwab.com (it is read ' +
        'from the environment so it stays out of your shell history).',
    );
  }
  if (!appSecret) {
    throw new UserError(
      'SCHWAB_APP_SECRET is not set: export it with the Secret of your app at developer.schwab.com (it is read ' +
        'from the environment so it stays out of your shell history).',
    );
  }
  return { appKey, appSecret };
}

/**
 * A flag, else its environment variable, checked by one of the shared validators (settings/validators.ts): what they
 * throw is a usage error here (exit 64). Undefined when the flag is absent.
 */
export function checkedOption<T>(
  values: ParsedOptions,
  spec: CommandSpec,
  name: string,
  env: CliIo['env'],
  validate: (setting: SettingRef, text: string) => T,
): T | undefined {
  const text = stringOption(values, spec, name, env);
  if (text === undefined) return undefined;
  return asUsageError(() => validate({ name, env: spec.options[name]?.env }, text));
}

/** --schwab-base-url, else SCHWAB_BASE_URL, else Schwab's API host; validated, without a trailing slash. */
export function schwabBaseUrlOption(values: ParsedOptions, spec: CommandSpec, env: CliIo['env']): string {
  return checkedOption(values, spec, 'schwab-base-url', env, readHttpUrl) ?? DEFAULT_SCHWAB_BASE_URL;
}

/**
 * A duration option (`25m`, `48h`, `1h30m`) in milliseconds, or the default; bounded by DURATION_LIMITS, the same
 * rules as the action's inputs.
 */
export function durationOption(
  values: ParsedOptions,
  spec: CommandSpec,
  name: DurationSetting,
  env: CliIo['env'],
  fallback: string,
): number {
  const text = stringOption(values, spec, name, env) ?? fallback;
  return asUsageError(() => readDuration(name, text));
}

/** One of a fixed set of values, or undefined when the option is absent. */
export function choiceOption<T extends string>(
  values: ParsedOptions,
  spec: CommandSpec,
  name: string,
  env: CliIo['env'],
  choices: readonly T[],
): T | undefined {
  return checkedOption(values, spec, name, env, (setting, text) => readChoice(setting, text, choices));
}

/** --aws-region: an AWS region name, checked for shape only. */
export function regionOption(values: ParsedOptions, spec: CommandSpec, env: CliIo['env']): string | undefined {
  return checkedOption(values, spec, 'aws-region', env, readRegion);
}

/** Runs a shared validator; its UserError becomes a UsageError (exit 64), as every wrong command line is. */
function asUsageError<T>(validate: () => T): T {
  try {
    return validate();
  } catch (error) {
    if (error instanceof UserError) throw new UsageError(error.message);
    throw error;
  }
}

/** The Schwab client the commands share: the context's logger, clock and sleep. */
export function createSchwabClient(
  context: CommandContext,
  baseUrl: string,
  credentials: AppCredentials,
): SchwabOAuthClient {
  return new SchwabOAuthClient({
    baseUrl,
    appKey: credentials.appKey,
    appSecret: credentials.appSecret,
    logger: context.logger,
    clock: context.io.clock,
    sleep: (ms) => context.io.sleep(ms),
    timeoutMs: context.io.tuning?.schwabTimeoutMs,
  });
}
