import type { CommandSpec } from '../args.js';
import { COMMON_OPTIONS, PROGRAM, flag, parseOptions } from '../args.js';
import type { CliIo } from '../io.js';
import type { Redactor } from '../../util/redact.js';
import { createContext, durationOption } from '../context.js';
import { EXIT, ExitError } from '../errors.js';
import { openPrimaryStore, primaryStoreOptions } from '../stores.js';
import { healthJson, renderHealthTable } from '../health-table.js';
import type { ParsedRecord } from '../../token/parse.js';
import { readRecord } from '../../run/read-record.js';
import { assessHealth } from '../../token/health.js';
import type { Health, HealthReport } from '../../token/health.js';
import { upperFirst } from '../../util/text.js';
import { errorMessage } from '../../util/errors.js';
import { loginCommand } from '../../util/audience.js';
import { compareRecords } from '../../token/choose.js';
import { readUnfinishedWrite } from '../../run/rotation.js';
import type { LoadedText } from '../../run/stores.js';
import type { Logger } from '../../util/logger.js';

export const DEFAULT_REAUTH_WARNING = '48h';

export const statusSpec: CommandSpec = {
  name: 'status',
  summary: "Show the token's health (no token values); the exit status gates scripts.",
  description: [
    'Reads the token record from a file or an AWS Secrets Manager secret and prints its health: when the access',
    "token expires, the refresh token's 7-day deadline and the time left, the last refresh and the refresh count.",
    'Reads schwab-py token files and Schwabdev tokens.json as they are. Never contacts Schwab; never prints a token.',
  ],
  options: {
    ...primaryStoreOptions('read'),
    'reauth-warning': {
      type: 'string',
      value: 'DURATION',
      default: DEFAULT_REAUTH_WARNING,
      description: 'Report "expiring" when the refresh token has less than this left.',
    },
    json: { type: 'boolean', description: 'Print the health as one JSON object instead of a table.' },
    ...COMMON_OPTIONS,
  },
  exitCodes: [
    '0  healthy',
    '1  expiring: less than --reauth-warning left; log in soon',
    '2  re-auth required: the deadline has passed, or there is no usable record',
    '3  the store could not be read (the health is unknown; --json prints "status": "error")',
    '64 wrong command line',
  ],
  examples: [
    `${PROGRAM} status`,
    `${PROGRAM} status --file ~/.config/schwab/token.json`,
    `${PROGRAM} status --aws-secret-id prod/schwab-token --aws-region us-east-1`,
    `${PROGRAM} status --json || notify-send "Schwab token needs a login"`,
  ],
};

const HEALTH_EXIT: Record<Health, number> = {
  healthy: EXIT.ok,
  expiring: EXIT.failed,
  'reauth-required': EXIT.reauthRequired,
};

/** Whether the current text holds a record at least as new as the unfinished write's (false when it holds none). */
function newerThan(
  unfinished: ParsedRecord,
  text: string | undefined,
  label: string,
  now: Date,
  logger: Logger,
): boolean {
  if (!text?.trim()) return false;
  try {
    const current = readRecord(text, label, now, logger).record;
    return compareRecords(current, unfinished.record) >= 0;
  } catch {
    return false;
  }
}

export async function runStatus(argv: readonly string[], io: CliIo, redactor?: Redactor): Promise<number> {
  const values = parseOptions(statusSpec, argv);
  const context = createContext(io, { verbose: flag(values, 'verbose'), timestamps: false }, redactor);
  const { logger } = context;
  const reauthWarningMs = durationOption(values, statusSpec, 'reauth-warning', io.env, DEFAULT_REAUTH_WARNING);
  const { store } = await openPrimaryStore(context, values, statusSpec);

  let loaded: LoadedText;
  try {
    loaded = await store.load();
  } catch (error) {
    // The health is unknown: exit 3, and with --json the same fact for scripts ({"status":"error",…}) on stdout.
    const reason = logger.redact(errorMessage(error));
    if (flag(values, 'json'))
      context.print(JSON.stringify(healthJson({ status: 'error', reason }, undefined, { source: store.label })));
    throw new ExitError(reason, EXIT.unknown);
  }
  const { text } = loaded;
  logger.mask(text);
  const now = io.clock.now();
  // A write that did not finish (AWSPENDING) holding a newer record: that is the record the next run uses.
  const unfinished = readUnfinishedWrite(store.label, loaded, now, logger);

  let parsed: ParsedRecord | undefined;
  let source = store.label;
  let health: HealthReport;
  if (unfinished && !newerThan(unfinished.parsed, text, store.label, now, logger)) {
    parsed = unfinished.parsed;
    source = unfinished.label;
    logger.warning(
      `${upperFirst(unfinished.label)} holds a newer record than its current value; the next refresh finishes ` +
        `that write.`,
    );
    health = assessHealth(parsed.record, now, reauthWarningMs);
  } else if (text === undefined || text.trim() === '') {
    const where = store.label;
    health = {
      status: 'reauth-required',
      reason:
        `${upperFirst(where)} ${text === undefined ? 'does not exist' : 'is empty'}: run \`${loginCommand()}\` to ` +
        `create it, or point --file / --aws-secret-id at your token.`,
    };
  } else {
    try {
      parsed = readRecord(text, store.label, now, logger);
      for (const warning of parsed.warnings) logger.warning(warning);
      health = assessHealth(parsed.record, now, reauthWarningMs);
    } catch (error) {
      health = { status: 'reauth-required', reason: errorMessage(error) };
    }
  }

  const extra = { source, format: parsed?.format };
  if (flag(values, 'json')) context.print(JSON.stringify(healthJson(health, parsed?.record, extra)));
  else context.print(renderHealthTable(health, parsed?.record, now, extra));
  return HEALTH_EXIT[health.status];
}
