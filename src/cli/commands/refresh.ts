import type { CommandSpec } from '../args.js';
import { COMMON_OPTIONS, PROGRAM, SCHWAB_OPTIONS, flag, parseOptions, stringOption } from '../args.js';
import type { CliIo } from '../io.js';
import type { Redactor } from '../../util/redact.js';
import type { CommandContext } from '../context.js';
import {
  choiceOption,
  createContext,
  createSchwabClient,
  durationOption,
  readAppCredentials,
  schwabBaseUrlOption,
} from '../context.js';
import { formatIsoSeconds } from '../../token/time.js';
import { EXIT, ExitError } from '../errors.js';
import { openPrimaryStore, primaryStoreOptions } from '../stores.js';
import { renderHealthTable } from '../health-table.js';
import { repeatEvery } from '../refresh-loop.js';
import { sendLine } from '../notify-socket.js';
import { DEFAULT_REAUTH_WARNING } from './status.js';
import { rotate } from '../../run/rotation.js';
import { isStoreProblem, needsLogin } from '../../run/rotation.js';
import type { RotationOptions, RotationResult } from '../../run/rotation.js';
import { VERIFY_MODES } from '../../schwab/probes.js';
import type { PrimaryStore } from '../../run/stores.js';
import { readRecord } from '../../run/read-record.js';
import { TOKEN_FORMATS, secretValues } from '../../token/record.js';
import type { TokenFormat, TokenRecord } from '../../token/record.js';
import { serializeRecord } from '../../token/serialize.js';
import { formatDuration } from '../../util/duration.js';
import { upperFirst } from '../../util/text.js';
import { errorMessage } from '../../util/errors.js';

/** The access token lives 30 minutes. */
const ACCESS_TOKEN_LIFETIME_MS = 30 * 60_000;

export const refreshSpec: CommandSpec = {
  name: 'refresh',
  summary: 'Refresh the access token in a file or AWS secret, once or --every 25m.',
  description: [
    'Refreshes the access token with the refresh token and writes the new record back to the same store by',
    "compare-and-set (the action's own rotation: a newer login found there is never overwritten). A file keeps its",
    'format (rotator or schwab-py; a Schwabdev tokens.json or bare token response becomes a rotator record).',
    'With --every it keeps going until Ctrl-C or SIGTERM, finishing the write in progress; a failed refresh or a',
    'store that is down is retried at the next tick; only a dead refresh token (exit status 2) or a wrong app key or',
    'secret (1) ends it.',
  ],
  options: {
    ...primaryStoreOptions('refresh'),
    every: {
      type: 'string',
      value: 'DURATION',
      description: 'Keep refreshing at this interval (e.g. 25m) until stopped.',
    },
    'refresh-before': {
      type: 'string',
      value: 'DURATION',
      description: 'Only refresh when the access token expires within this (default: always refresh).',
    },
    'notify-socket': {
      type: 'string',
      value: 'PATH',
      description: 'Send each new record as one JSON line to this Unix socket (a missing socket is a warning).',
    },
    'token-format': {
      type: 'string',
      value: 'FORMAT',
      description: 'Write rotator or schwab-py (default: the format the store already has).',
    },
    verify: {
      type: 'string',
      value: 'PROBE',
      default: 'none',
      description: 'Check the new access token before writing: none, accounts or quotes.',
    },
    'reauth-warning': {
      type: 'string',
      value: 'DURATION',
      default: DEFAULT_REAUTH_WARNING,
      description: 'Warn when the refresh token has less than this left.',
    },
    ...SCHWAB_OPTIONS,
    ...COMMON_OPTIONS,
  },
  exitCodes: [
    '0   refreshed (or stopped cleanly by Ctrl-C / SIGTERM)',
    '1   the refresh failed: Schwab unreachable or a wrong app key or secret (with --every: only the latter)',
    '2   re-auth required: Schwab rejected the refresh token, its 7-day deadline passed, or there is no record; ' +
      'run login',
    '3   the store could not be read or written (AWS unreachable, the secret missing, no region, a folder you cannot',
    '    write, a full disk); with --every the loop goes on and tries again at the next tick',
    '64  wrong command line',
  ],
  examples: [
    `${PROGRAM} refresh`,
    `${PROGRAM} refresh --file schwab_token.json --every 25m --notify-socket /run/trader/token.sock`,
    `${PROGRAM} refresh --aws-secret-id prod/schwab-token --refresh-before 10m`,
  ],
};

export async function runRefresh(argv: readonly string[], io: CliIo, redactor?: Redactor): Promise<number> {
  const values = parseOptions(refreshSpec, argv);
  const everyText = stringOption(values, refreshSpec, 'every', io.env);
  const context = createContext(io, { verbose: flag(values, 'verbose'), timestamps: true }, redactor);
  const { logger } = context;
  const { env } = io;

  const credentials = readAppCredentials(env, logger);
  const baseUrl = schwabBaseUrlOption(values, refreshSpec, env);
  const everyMs = everyText === undefined ? undefined : durationOption(values, refreshSpec, 'every', env, everyText);
  const refreshBefore = stringOption(values, refreshSpec, 'refresh-before', env);
  const options: RotationOptions = {
    force: refreshBefore === undefined,
    dryRun: false,
    refreshBeforeMs:
      refreshBefore === undefined ? 0 : durationOption(values, refreshSpec, 'refresh-before', env, refreshBefore),
    reauthWarningMs: durationOption(values, refreshSpec, 'reauth-warning', env, DEFAULT_REAUTH_WARNING),
    tokenFormat: 'rotator',
    verify: choiceOption(values, refreshSpec, 'verify', env, VERIFY_MODES) ?? 'none',
  };
  const chosenFormat = choiceOption(values, refreshSpec, 'token-format', env, TOKEN_FORMATS);
  const socketPath = stringOption(values, refreshSpec, 'notify-socket', env);
  const socket = socketPath === undefined ? undefined : context.resolvePath(socketPath);
  if (everyMs !== undefined && everyMs >= ACCESS_TOKEN_LIFETIME_MS) {
    logger.warning(
      `--every ${formatDuration(everyMs)} is not shorter than the access token's 30 minutes: the token will be ` +
        `expired between refreshes; use 25m.`,
    );
  }

  // One store per run: a Secrets Manager store carries one ClientRequestToken, which stands for one value.
  const first = await openPrimaryStore(context, values, refreshSpec);
  const openStore = async (): Promise<PrimaryStore> =>
    primary.renew?.() ??
    (first.kind === 'aws' ? (await openPrimaryStore(context, values, refreshSpec)).store : first.store);
  options.tokenFormat = chosenFormat ?? (await formatOf(first.store, context));

  const schwab = createSchwabClient(context, baseUrl, credentials);

  let primary: PrimaryStore = first.store;
  // A refreshed record the store could not take (a full disk, an AWS outage) is kept here and offered to the next
  // run as a source: with a rotating Schwab its refresh token is the only one that still works.
  let unsaved: TokenRecord | undefined;
  const runOnce = async (): Promise<RotationResult> => {
    const pending = unsaved;
    const sources = pending
      ? [
          {
            label: 'the last refresh (not stored yet)',
            load: async () => ({ text: serializeRecord(pending, options.tokenFormat) }),
          },
        ]
      : [];
    const result = await rotate(options, {
      clock: io.clock,
      sleep: (ms) => io.sleep(ms, io.signal),
      logger,
      schwab,
      sources,
      primary,
      mirrors: [],
    });
    const stored = result.stores.some((store) => store.label === primary.label && store.outcome !== 'failed');
    if (stored) unsaved = undefined;
    else if (result.refreshed && result.record) unsaved = result.record;
    const previous = primary;
    primary = await openStore();
    if (previous !== primary) await previous.close?.();
    return result;
  };

  if (everyMs === undefined) {
    const result = await runOnce();
    await notify(context, result, options.tokenFormat, socket);
    context.print(
      renderHealthTable(result.health, result.record, io.clock.now(), {
        source: first.store.label,
        runStatus: result.status,
        healthKnown: result.healthKnown,
      }),
    );
    const stop = verdict(result);
    if (stop) throw stop;
    if (result.status === 'expiring') logger.warning(result.health.reason);
    context.print('', result.action);
    return EXIT.ok;
  }

  logger.info(`Refreshing ${first.store.label} every ${formatDuration(everyMs)}; stop with Ctrl-C or SIGTERM.`);
  // Each refresh masks new tokens; between runs, those of records no longer in force are forgotten, so a loop that
  // runs for weeks holds as many as it did after its first tick.
  const masks = logger.maskScope();
  let lastFailed = false;
  const code = await repeatEvery(
    {
      everyMs,
      clock: io.clock,
      sleep: io.sleep,
      signal: io.signal,
      onWait: (next) => logger.info(`Next refresh at ${formatIsoSeconds(next)}.`),
      releaseMemory: io.releaseMemory,
    },
    async () => {
      const result = await runOnce();
      for (const store of result.stores) logger.info(`${store.label}: ${store.detail}.`);
      await notify(context, result, options.tokenFormat, socket);
      const stop = verdict(result);
      // Only what a retry in 25 minutes cannot fix ends the loop: a dead refresh token, a wrong app key or secret.
      if (stop && (stop.exitCode === EXIT.reauthRequired || result.failures.some((f) => f.kind === 'app-credentials')))
        throw stop;
      lastFailed = result.failures.length > 0;
      // What this run did not read (a store that was down) may still be in force: forget nothing then.
      if (result.record) {
        const inForce = unsaved ? [result.record, unsaved] : [result.record];
        masks.forgetAllBut(
          inForce.flatMap((record) => [...secretValues(record.tokens), serializeRecord(record, options.tokenFormat)]),
        );
      }
      if (result.failures.length > 0) {
        logger.warning(
          `This refresh failed: ${result.failures.map((f) => f.message).join(' ')} Trying again at the next tick.`,
        );
      } else if (result.status === 'expiring') {
        logger.warning(result.health.reason);
      } else if (result.health.refreshTokenTimeLeftMs !== undefined) {
        logger.info(`The refresh token has ${formatDuration(result.health.refreshTokenTimeLeftMs)} left.`);
      }
      return undefined;
    },
  );
  if (code !== undefined) return code;
  if (!lastFailed) logger.info('Stopped; the last record was written completely.');
  else if (unsaved) {
    logger.warning(
      `Stopped; the last refreshed record could not be stored in ${first.store.label}, so its refresh token is ` +
        `gone with this process: if the next refresh says Schwab rejected the stored one, log in again.`,
    );
  } else
    logger.warning(
      `Stopped; the last refresh failed (see above), so ${first.store.label} still holds the record from before it.`,
    );
  return EXIT.ok;
}

/**
 * The error that ends the command for this result, if any, read from the run's typed failures: 2 when a login is
 * needed (Schwab rejected the refresh token, its deadline passed, there is no record), 3 when the store could not be
 * read or written (whatever the token's health), 1 for anything else (Schwab unreachable, a wrong app key or secret).
 */
function verdict(result: RotationResult): ExitError | undefined {
  const [first] = result.failures;
  if (needsLogin(result.failures)) return new ExitError(first?.message ?? result.health.reason, EXIT.reauthRequired);
  if (!first) return undefined;
  if (isStoreProblem(result.failures)) {
    const storeFailure = result.failures.find((failure) => failure.kind.startsWith('store-')) ?? first;
    return new ExitError(storeFailure.message, EXIT.unknown);
  }
  return new ExitError(first.message, EXIT.failed);
}

/** Sends the record to the notify socket when this run wrote a new one. A missing listener is a warning. */
async function notify(
  context: CommandContext,
  result: RotationResult,
  format: TokenFormat,
  socket: string | undefined,
): Promise<void> {
  if (socket === undefined || !result.record) return;
  const changed = result.stores.some((store) => store.outcome === 'written' || store.outcome === 'kept-newer');
  if (!changed) return;
  try {
    await sendLine(socket, serializeRecord(result.record, format));
    context.logger.info(`Sent the new record to the notify socket ${socket}.`);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why =
      code === 'ENOENT'
        ? 'nothing listens there yet'
        : code === 'ECONNREFUSED'
          ? 'nobody accepts connections on it'
          : (code ?? errorMessage(error));
    context.logger.warning(
      `Could not send the new record to the notify socket ${socket} (${why}); the refresh goes on.`,
    );
  }
}

/** The format the store holds now, to write it back the same way; Schwabdev and bare responses become rotator. */
async function formatOf(store: PrimaryStore, context: CommandContext): Promise<TokenFormat> {
  const { logger, io } = context;
  try {
    const { text } = await store.load();
    if (!text?.trim()) return 'rotator';
    const parsed = readRecord(text, store.label, io.clock.now(), logger);
    if (parsed.format === 'schwab-py') return 'schwab-py';
    if (parsed.format === 'schwabdev') {
      logger.warning(
        `${upperFirst(store.label)} is a Schwabdev tokens.json; it is rewritten as a rotator record, which ` +
          `Schwabdev itself does not read (give Schwabdev a copy, or pass --token-format schwab-py for schwab-py).`,
      );
    }
    return 'rotator';
  } catch {
    return 'rotator'; // the rotation reports what is wrong with the store
  }
}
