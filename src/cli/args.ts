import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';

export const PROGRAM = 'schwab-token-rotator';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** The placeholder shown in help, e.g. `PATH`. */
  value?: string;
  description: string;
  /** Shown in help; the command applies it. */
  default?: string;
  /** An environment variable read when the option is absent. */
  env?: string;
}

export interface CommandSpec {
  name: string;
  /** One line, for the command list. */
  summary: string;
  /** A few lines under the usage line. */
  description: string[];
  options: Record<string, OptionSpec>;
  examples: string[];
  /** Lines for the "Exit status" section. */
  exitCodes: string[];
}

/** The option of the commands that call Schwab (login, refresh); status never does. */
export const SCHWAB_OPTIONS: Record<string, OptionSpec> = {
  'schwab-base-url': {
    type: 'string',
    value: 'URL',
    env: 'SCHWAB_BASE_URL',
    default: 'https://api.schwabapi.com',
    description: "Schwab's API host (a proxy or a test fake).",
  },
};

/** Options every command takes. */
export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  verbose: { type: 'boolean', description: 'Also print debug lines (never token values).' },
  help: { type: 'boolean', short: 'h', description: 'Show this help.' },
};

export type ParsedOptions = Record<string, string | boolean | undefined>;

/** True when the arguments ask for help (checked before anything else, so `login --help --bad` still helps). */
export function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

/** Parses a command's options strictly (no positionals); a mistake is a UsageError pointing at `--help`. */
export function parseOptions(spec: CommandSpec, argv: readonly string[]): ParsedOptions {
  const options = Object.fromEntries(
    Object.entries(spec.options).map(([name, option]) => [
      name,
      { type: option.type, ...(option.short ? { short: option.short } : {}) },
    ]),
  );
  try {
    const { values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
    return values as ParsedOptions;
  } catch (error) {
    throw new UsageError(`${describeParseError(error, spec)}: see \`${PROGRAM} ${spec.name} --help\`.`);
  }
}

function describeParseError(error: unknown, spec: CommandSpec): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const option = /'(-{1,2}[^'\s]+)/.exec(message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `${option ?? 'An option'} is not an option of ${spec.name}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
      // Quote it only when it looks like a mistyped word: a pasted redirect URL carries an authorization code.
      const arg = /'([^']*)'/.exec(message)?.[1];
      const shown = arg !== undefined && /^[A-Za-z][\w-]{0,30}$/.test(arg);
      return `${spec.name} takes no argument${shown ? ` "${arg}"` : ''} (options start with --)`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing/i.test(message)
        ? `${option ?? 'An option'} needs a value`
        : `${option ?? 'An option'} does not take a value`;
    default:
      return `The arguments of ${spec.name} could not be read`;
  }
}

/** A string option, else its environment variable, else undefined. Empty strings count as absent. */
export function stringOption(
  values: ParsedOptions,
  spec: CommandSpec,
  name: string,
  env: Record<string, string | undefined>,
): string | undefined {
  const value = values[name];
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'string') throw new UsageError(`--${name} is empty: give it a value or leave it out.`);
  const variable = spec.options[name]?.env;
  const fromEnv = variable ? env[variable]?.trim() : undefined;
  return fromEnv ? fromEnv : undefined;
}

export function flag(values: ParsedOptions, name: string): boolean {
  return values[name] === true;
}

/** Help for one command. */
export function renderCommandHelp(spec: CommandSpec): string {
  const rows = Object.entries(spec.options).map(([name, option]) => {
    const left = `${option.short ? `-${option.short}, ` : '    '}--${name}${option.value ? ` ${option.value}` : ''}`;
    const extras = [
      option.default ? `default: ${option.default}` : undefined,
      option.env ? `env: ${option.env}` : undefined,
    ].filter(Boolean);
    return [left, `${option.description}${extras.length ? ` (${extras.join('; ')})` : ''}`] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  const callsSchwab = 'schwab-base-url' in spec.options;
  return [
    `Usage: ${PROGRAM} ${spec.name} [options]`,
    '',
    ...spec.description,
    '',
    'Options:',
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`),
    '',
    'Environment:',
    ...(callsSchwab
      ? [
          '  SCHWAB_APP_KEY, SCHWAB_APP_SECRET   your app at developer.schwab.com (never as flags: shell history ' +
            'keeps them)',
          '  SCHWAB_BASE_URL                     as --schwab-base-url',
        ]
      : []),
    "  AWS_REGION, AWS_PROFILE, …          the AWS SDK's usual variables; AWS_ENDPOINT_URL_SECRETS_MANAGER for " +
      'another endpoint',
    ...(spec.name === 'login'
      ? [
          '  GH_TOKEN or GITHUB_TOKEN            a token with "Secrets: read and write" (GITHUB_API_URL for ' +
            'GitHub Enterprise)',
        ]
      : []),
    '',
    'Exit status:',
    ...spec.exitCodes.map((line) => `  ${line}`),
    '',
    'Examples:',
    ...spec.examples.map((line) => `  ${line}`),
    '',
  ].join('\n');
}

/** Help for the program. */
export function renderMainHelp(specs: readonly CommandSpec[], version: string): string {
  const width = Math.max(...specs.map((spec) => spec.name.length)) + 3;
  return [
    `${PROGRAM} ${version}: keeps Charles Schwab Trader API OAuth tokens alive.`,
    '',
    `Usage: ${PROGRAM} <command> [options]`,
    '',
    'Commands:',
    ...specs.map((spec) => `  ${spec.name.padEnd(width)}${spec.summary}`),
    '',
    `Run \`${PROGRAM} <command> --help\` for a command's options.`,
    'App key and secret come from SCHWAB_APP_KEY and SCHWAB_APP_SECRET. Token values are never printed.',
    '',
  ].join('\n');
}
