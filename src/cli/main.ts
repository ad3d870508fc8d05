import type { CommandSpec } from './args.js';
import { PROGRAM, renderCommandHelp, renderMainHelp, wantsHelp } from './args.js';
import type { CliIo } from './io.js';
import { EXIT, ExitError, UsageError } from './errors.js';
import { loginSpec, runLogin } from './commands/login.js';
import { runStatus, statusSpec } from './commands/status.js';
import { refreshSpec, runRefresh } from './commands/refresh.js';
import { Redactor } from '../util/redact.js';
import { UserError, errorMessage } from '../util/errors.js';
import { cliAudience, withAudience } from '../util/audience.js';

export type { CliIo, CliSleep, TextSink } from './io.js';
export { EXIT } from './errors.js';

interface Command {
  spec: CommandSpec;
  run(argv: readonly string[], io: CliIo, redactor: Redactor): Promise<number>;
  /** The exit status of an error that is not a usage error and carries none of its own. */
  errorExit: number;
}

const COMMANDS: Command[] = [
  { spec: loginSpec, run: runLogin, errorExit: EXIT.failed },
  { spec: statusSpec, run: runStatus, errorExit: EXIT.unknown },
  { spec: refreshSpec, run: runRefresh, errorExit: EXIT.failed },
];

/**
 * The package's version, put in by the bundler (scripts/bundle.mjs) and by vitest.config.ts, both from package.json's
 * `version`: the bundle carries that one string, not the whole package.json.
 */
declare const __PACKAGE_VERSION__: string;
export const VERSION: string = __PACKAGE_VERSION__;

/**
 * Runs the CLI with `argv` (without `node` and the script) and returns the exit status. This is the only place
 * where an error becomes an exit status and one line on stderr; nothing here calls process.exit.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  const specs = COMMANDS.map((command) => command.spec);
  if (name === undefined) {
    io.stderr.write(renderMainHelp(specs, VERSION));
    return EXIT.usage;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((command) => command.spec.name === rest[0]) : undefined;
    io.stdout.write(topic ? renderCommandHelp(topic.spec) : renderMainHelp(specs, VERSION));
    return EXIT.ok;
  }
  if (name === '--version' || name === '-V') {
    io.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((candidate) => candidate.spec.name === name);
  if (!command) {
    const what = name.startsWith('-') ? `${name} is not a command or option` : `"${name}" is not a command`;
    return fail(io, new UsageError(`${what}: use login, status or refresh (see \`${PROGRAM} --help\`).`), EXIT.failed);
  }
  if (wantsHelp(rest)) {
    io.stdout.write(renderCommandHelp(command.spec));
    return EXIT.ok;
  }
  const redactor = new Redactor();
  // Every message made while the command runs speaks of flags, environment variables and this terminal.
  return withAudience(cliAudience(io.command), async () => {
    try {
      return await command.run(rest, io, redactor);
    } catch (error) {
      return fail(io, error, command.errorExit, redactor);
    }
  });
}

function fail(io: CliIo, error: unknown, errorExit: number, redactor = new Redactor()): number {
  // Messages are built from names, never values; the command's redactor (every value it masked) is the second guard.
  const expected = error instanceof UserError;
  const message =
    errorMessage(error)
      .replace(/\s*\n\s*/g, ' ')
      .trim() || 'unknown error';
  io.stderr.write(
    `${PROGRAM}: ${redactor.redact(message)}${expected ? '' : ' (an unexpected error; please report it)'}\n`,
  );
  if (error instanceof UsageError) return EXIT.usage;
  if (error instanceof ExitError) return error.exitCode;
  return errorExit;
}
