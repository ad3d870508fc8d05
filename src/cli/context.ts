import { isAbsolute, resolve } from 'node:path';
import { formatIsoSeconds } from '../token/time.js';
import type { Logger } from '../util/logger.js';
import { createLogger } from '../util/logger.js';
import { Redactor } from '../util/redact.js';
import { DURATION_LIMITS, parseDuration } from '../util/duration.js';
import type { DurationLimits, DurationSetting } from '../util/duration.js';
import { UserError } from '../util/errors.js';
import { DEFAULT_SCHWAB_BASE_URL } from '../schwab/urls.js';
import { SchwabOAuthClient } from '../schwab/oauth-client.js';
import type { TokenFormat } from '../token/record.js';
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
  const logger = createLogger({
    // The CLI has no runner to tell: the redactor alone keeps values out of what it writes.
    registerSecret: () => undefined,
    write: (level, message) => {
      if (level === 'debug' && !options.verbose) return;
      const time = options.timestamps ? `${formatIsoSeconds(io.clock.now())} ` : '';
      const tag = level === 'warning' ? 'warning: ' : level === 'error' ? 'error: ' : level === 'debug' ? 'debug: ' : '';
      io.stderr.write(`${time}${tag}${message}\n`);
    },
  }, redactor);
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
      'SCHWAB_APP_KEY is not set: export it with the App Key of your app at developer.schwab.com (it is read from the environment so it stays out of your shell history).',
    );
  }
  if (!appSecret) {
    throw new UserError(
      'SCHWAB_APP_SECRET is not set: export it with the Secret of your app at developer.schwab.com (it is read from the environment so it stays out of your shell history).',
    );
  }
  return { appKey, appSecret };
}

/** --schwab-base-url, else SCHWAB_BASE_URL, else Schwab's API host; validated, without a trailing slash. */
export function readSchwabBaseUrl(values: ParsedOptions, spec: CommandSpec, env: CliIo['env']): string {
  const raw = stringOption(values, spec, 'schwab-base-url', env) ?? DEFAULT_SCHWAB_BASE_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--schwab-base-url (or SCHWAB_BASE_URL) is not a URL: use one like ${DEFAULT_SCHWAB_BASE_URL}.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`--schwab-base-url (or SCHWAB_BASE_URL) must be an http(s) URL, like ${DEFAULT_SCHWAB_BASE_URL}.`);
  }
  return url.toString().replace(/\/+$/, '');
}

/**
 * A duration option (`25m`, `48h`, `1h30m`) in milliseconds, or the default. Options named in DURATION_LIMITS
 * (every, timeout, refresh-before, reauth-warning) are bounded there, the same rules as the action's inputs.
 */
export function readDuration(
  values: ParsedOptions,
  spec: CommandSpec,
  name: string,
  env: CliIo['env'],
  fallback: string,
  options: { min?: number } = {},
): number {
  const text = stringOption(values, spec, name, env) ?? fallback;
  // The table wins: it is the one definition of these bounds (`options` is for options it does not know).
  const limits: DurationLimits = name in DURATION_LIMITS ? DURATION_LIMITS[name as DurationSetting] : options;
  try {
    return parseDuration(text, `--${name}`, limits);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** One of a fixed set of values. */
export function readChoice<T extends string>(
  values: ParsedOptions,
  spec: CommandSpec,
  name: string,
  env: CliIo['env'],
  choices: readonly T[],
): T | undefined {
  const text = stringOption(values, spec, name, env);
  if (text === undefined) return undefined;
  const found = choices.find((choice) => choice === text.toLowerCase());
  if (!found) throw new UsageError(`--${name} must be one of ${choices.join(', ')}.`);
  return found;
}

export const TOKEN_FORMATS: readonly TokenFormat[] = ['rotator', 'schwab-py'];

/** An AWS region name, checked for shape only. */
export function readRegion(values: ParsedOptions, spec: CommandSpec, env: CliIo['env']): string | undefined {
  const region = stringOption(values, spec, 'aws-region', env);
  if (region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new UsageError('--aws-region is not an AWS region name: use one like us-east-1 or eu-west-2.');
  }
  return region;
}

/** The Schwab client the commands share: the context's logger, clock and sleep. */
export function createSchwabClient(context: CommandContext, baseUrl: string, credentials: AppCredentials): SchwabOAuthClient {
  return new SchwabOAuthClient({
    baseUrl,
    appKey: credentials.appKey,
    appSecret: credentials.appSecret,
    logger: context.logger,
    clock: context.io.clock,
    sleep: (ms) => context.io.sleep(ms),
    ...(context.io.tuning?.schwabTimeoutMs !== undefined ? { timeoutMs: context.io.tuning.schwabTimeoutMs } : {}),
  });
}

