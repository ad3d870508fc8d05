import { randomBytes } from 'node:crypto';
import { access, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dirname } from 'node:path';
import type { CommandSpec } from '../args.js';
import { COMMON_OPTIONS, PROGRAM, SCHWAB_OPTIONS, flag, parseOptions, stringOption } from '../args.js';
import type { ParsedOptions } from '../args.js';
import type { Logger } from '../../util/logger.js';
import { cliCommand, loginCommand, settingSubject } from '../../util/audience.js';
import { shellQuote } from '../../util/text.js';
import type { CliIo } from '../io.js';
import type { Redactor } from '../../util/redact.js';
import type { CommandContext } from '../context.js';
import {
  choiceOption,
  createContext,
  createSchwabClient,
  durationOption,
  readAppCredentials,
  regionOption,
  schwabBaseUrlOption,
} from '../context.js';
import { formatStamp } from '../../token/time.js';
import { EXIT, ExitError, UsageError } from '../errors.js';
import { AWS_REGION_OPTION, DEFAULT_TOKEN_FILE, openGitHubSecret } from '../stores.js';
import { TokenFile } from '../../stores/token-file.js';
import type { BrowserPage, CallbackServer } from '../callback-server.js';
import { startCallbackServer } from '../callback-server.js';
import { createCallbackCertificate } from '../certificate.js';
import { openInBrowser } from '../browser.js';
import { readLines } from '../paste.js';
import type { LineReader } from '../paste.js';
import {
  buildAuthorizeUrl,
  DEFAULT_CALLBACK_URL,
  inspectRedirect,
  parseRedirectUrl,
  validateCallbackUrl,
} from '../../schwab/urls.js';
import { secretsManagerPrimary } from '../../stores/secrets-manager.js';
import type { SchwabOAuthClient } from '../../schwab/oauth-client.js';
import type { LoadedText, MirrorResult, PrimaryStore } from '../../run/stores.js';
import { recordFromLogin } from '../../token/build.js';
import { validateRecord } from '../../token/validate.js';
import { serializeRecord } from '../../token/serialize.js';
import { storeLogin } from '../../run/store-login.js';
import { TOKEN_FORMATS, refreshTokenExpiresAt } from '../../token/record.js';
import { maskTokens } from '../../run/read-record.js';
import type { TokenFormat, TokenRecord } from '../../token/record.js';
import { formatDuration } from '../../util/duration.js';
import { UserError, errorMessage } from '../../util/errors.js';

export const loginSpec: CommandSpec = {
  name: 'login',
  summary: 'The weekly re-authorization: log in once in the browser; the token is caught and stored.',
  description: [
    "Prints Schwab's authorize URL (and opens it in the browser on a desktop), listens on the callback's host and",
    'port over HTTPS with a throwaway self-signed certificate, and catches the code itself when Schwab redirects:',
    'no 30-second copy-paste race. Pasting the redirect URL here works too, whichever comes first. The code is',
    'exchanged at once and the new record is written to --out (atomically, mode 0600), then to --aws-secret-id and',
    'the GitHub secret when given.',
  ],
  options: {
    'callback-url': {
      type: 'string',
      value: 'URL',
      default: DEFAULT_CALLBACK_URL,
      description: 'The callback registered on your app at developer.schwab.com, exactly.',
    },
    out: {
      type: 'string',
      value: 'PATH',
      default: DEFAULT_TOKEN_FILE,
      description: 'Where to write the new token record.',
    },
    'token-format': {
      type: 'string',
      value: 'FORMAT',
      default: 'rotator',
      description: "rotator, or schwab-py (the file schwab-py's client_from_token_file reads).",
    },
    'aws-secret-id': {
      type: 'string',
      value: 'ID',
      description: 'Also write the record to this Secrets Manager secret (name or ARN).',
    },
    'aws-region': AWS_REGION_OPTION,
    'github-repo': {
      type: 'string',
      value: 'OWNER/REPO',
      description:
        'Also write the record to a GitHub Actions secret of this repository (OWNER/REPO@ENV: an environment secret).',
    },
    'github-secret-name': {
      type: 'string',
      value: 'NAME',
      description: 'The name of that GitHub secret, e.g. SCHWAB_TOKEN.',
    },
    timeout: { type: 'string', value: 'DURATION', default: '5m', description: 'How long to wait for the redirect.' },
    'no-browser': { type: 'boolean', description: 'Only print the URL; do not open a browser.' },
    ...SCHWAB_OPTIONS,
    ...COMMON_OPTIONS,
  },
  exitCodes: [
    '0   logged in; every store was written',
    '1   the login failed (expired code, wrong callback, state mismatch, timeout) or a store was not written',
    '64  wrong command line',
    '130 cancelled with Ctrl-C',
  ],
  examples: [
    `${PROGRAM} login`,
    `${PROGRAM} login --aws-secret-id prod/schwab-token --github-repo acme/bot --github-secret-name SCHWAB_TOKEN`,
    `${PROGRAM} login --callback-url https://127.0.0.1:8182/callback --out ~/.config/schwab/token.json`,
  ],
};

/** How many ignored callback requests are reported in the terminal (a local process could send thousands). */
const MAX_IGNORED_NOTICES = 3;

/** What arrived first: the browser hitting the callback, or a line pasted on stdin. */
interface Arrival {
  source: 'browser' | 'paste';
  url: string;
  /** For the browser: answers it with the outcome. */
  answer?: (page: BrowserPage) => void;
}

interface StoreLine {
  label: string;
  ok: boolean;
  detail: string;
}

export async function runLogin(argv: readonly string[], io: CliIo, redactor?: Redactor): Promise<number> {
  const values = parseOptions(loginSpec, argv);
  const context = createContext(io, { verbose: flag(values, 'verbose'), timestamps: false }, redactor);
  const { logger } = context;
  const { env, clock } = io;

  // 1. Everything that can be checked is checked before the login, so a mistake never wastes one.
  const credentials = readAppCredentials(env, logger);
  const baseUrl = schwabBaseUrlOption(values, loginSpec, env);
  const callbackUrl = readCallbackUrl(values, env, logger);
  const format: TokenFormat = choiceOption(values, loginSpec, 'token-format', env, TOKEN_FORMATS) ?? 'rotator';
  const timeoutMs = durationOption(values, loginSpec, 'timeout', env, '5m');
  const outPath = stringOption(values, loginSpec, 'out', env) ?? DEFAULT_TOKEN_FILE;
  const secretId = stringOption(values, loginSpec, 'aws-secret-id', env);
  const region = regionOption(values, loginSpec, env);
  if (region !== undefined && secretId === undefined)
    throw new UsageError('--aws-region only goes with --aws-secret-id.');
  const githubRepo = stringOption(values, loginSpec, 'github-repo', env);
  const githubName = stringOption(values, loginSpec, 'github-secret-name', env);
  if ((githubRepo === undefined) !== (githubName === undefined)) {
    throw new UsageError(
      '--github-repo and --github-secret-name go together: give both to write a GitHub secret, or neither.',
    );
  }

  const file = new TokenFile(context.resolvePath(outPath), { label: `file ${outPath}` });
  await checkWritable(file);
  let aws: { store: PrimaryStore; before: LoadedText } | undefined;
  if (secretId !== undefined) {
    const store = await secretsManagerPrimary(secretId, region, logger, io.tuning);
    aws = { store, before: await store.load() }; // a wrong id, region or permission fails here, before the login
    logger.mask(aws.before.text);
  }
  const github =
    githubRepo !== undefined && githubName !== undefined
      ? openGitHubSecret(context, githubRepo, githubName)
      : undefined;
  const client = createSchwabClient(context, baseUrl, credentials);
  await checkCredentials(client, context);

  // 2. The authorize URL, the callback server and the paste reader.
  const state = randomBytes(18).toString('base64url');
  const authorizeUrl = buildAuthorizeUrl({ baseUrl, appKey: credentials.appKey, callbackUrl, state });
  const callback = new URL(callbackUrl);
  const callbackPath = callback.pathname.replace(/\/+$/, '');

  let settleArrival: (arrival: Arrival) => void = () => undefined;
  const arrived = new Promise<Arrival>((resolve) => (settleArrival = resolve));
  let taken = false;
  const take = (arrival: Arrival): boolean => {
    if (taken) return false;
    taken = true;
    settleArrival(arrival);
    return true;
  };

  // Requests to the callback that are not this login's redirect: each is answered 400; the terminal hears of a few.
  let ignoredCount = 0;
  const ignored = (what: string): void => {
    ignoredCount++;
    if (ignoredCount <= MAX_IGNORED_NOTICES) {
      logger.warning(
        `Ignored a request to the callback with ${what} (it is not this login's redirect from Schwab); still waiting${
          ignoredCount === MAX_IGNORED_NOTICES ? '. Further ones are ignored without a word' : ''
        }.`,
      );
    }
  };

  let server: CallbackServer | undefined;
  let fingerprint: string | undefined;
  let lines: LineReader | undefined;
  const stopWaiting = new AbortController();
  try {
    try {
      const certificate = await createCallbackCertificate(callback.hostname, clock.now());
      fingerprint = certificate.fingerprint;
      server = await startCallbackServer({
        host: callback.hostname,
        port: Number(callback.port || 443),
        path: callbackPath,
        key: certificate.key,
        cert: certificate.cert,
        onRedirect: (url) => onBrowserRedirect(url, state, take, ignored),
      });
    } catch (error) {
      const code = (error as { code?: string }).code;
      logger.warning(
        `Cannot listen on ${callback.host}${code ? ` (${code})` : ''}: after the login, paste the address the ` +
          'browser was redirected to' +
          `${code === 'EADDRINUSE' ? ' (or stop the program using that port and run login again)' : ''}.`,
      );
    }

    lines = readLines(io.stdin, (line) => onPastedLine(line, state, context, take));

    // 3. Show the way, open the browser, wait.
    const opened = flag(values, 'no-browser') ? false : await tryOpenBrowser(io, authorizeUrl);
    context.print(
      'Log in to Schwab to renew the token (a login lasts 7 days):',
      '',
      `  ${authorizeUrl}`,
      '',
      opened ? 'It was opened in your browser.' : 'Open it in your browser.',
      ...(server
        ? [
            `After you approve, Schwab sends the browser to ${callbackUrl}, where this command catches the code ` +
              `itself.`,
            'The browser will then warn that the connection is not private: this command made its certificate a moment',
            `ago. Choose "Advanced" and proceed to ${callback.hostname}. (Certificate SHA-256: ` +
              `${fingerprint ?? 'unknown'})`,
            'Browser on another machine? Paste the address it was redirected to here and press Enter.',
          ]
        : ['After you approve, copy the whole address the browser was redirected to, paste it here and press Enter.']),
      `Waiting up to ${formatDuration(timeoutMs)}...`,
    );

    const arrival = await waitForArrival(arrived, io, timeoutMs, stopWaiting.signal, callbackUrl);
    lines.close();

    // 4. Exchange the code at once, then write.
    try {
      const record = await exchange(arrival, { context, state, callbackUrl, client });
      const written = await writeStores(context, record, format, file, aws, github);
      const failed = written.filter((line) => !line.ok);
      arrival.answer?.(
        failed.length === 0
          ? {
              status: 200,
              title: 'Logged in',
              message: 'schwab-token-rotator has the new token. You can close this window.',
            }
          : {
              status: 200,
              title: 'Logged in, with problems',
              message: 'The login worked, but not every copy of the token could be written: see the terminal.',
            },
      );
      reportWrites(context, record, written, outPath, file);
      if (failed.length > 0) {
        throw new ExitError(
          `Logged in, but ${failed.map((line) => line.label).join(' and ')} could not be written: ` +
            `${failed[0]?.detail.replace(/\.$/, '')}` +
            `${written[0]?.ok ? `; the new record is in ${outPath}` : ''}.`,
          EXIT.failed,
        );
      }
      return EXIT.ok;
    } catch (error) {
      arrival.answer?.({
        status: 400,
        title: 'Login failed',
        message: `${logger.redact(errorMessage(error))} See the terminal.`,
      });
      throw error;
    }
  } finally {
    stopWaiting.abort();
    lines?.close();
    await server?.close();
  }
}

/**
 * A request to the callback path. Only Schwab's redirect for THIS login ends the wait: it carries the login's
 * `state`, and a code or Schwab's error. Anything else (a wrong or missing state, a stray `?error=`) can come from any
 * local process or web page, so it is answered 400 and ignored, and the login keeps waiting until its timeout.
 * A bare visit (no parameters) gets a page saying where the redirect will come.
 */
function onBrowserRedirect(
  url: string,
  state: string,
  take: (arrival: Arrival) => boolean,
  ignored: (what: string) => void,
): Promise<BrowserPage> {
  const shape = inspectRedirect(url);
  if (shape.state === undefined && !shape.hasCode && !shape.hasError) {
    return Promise.resolve({
      status: 200,
      title: 'Waiting for Schwab',
      message: 'This is where Schwab will send the browser after you approve the login. Go back to the Schwab page.',
    });
  }
  if (shape.state !== state) {
    ignored(shape.state === undefined ? 'no state' : 'a wrong state');
    return Promise.resolve({
      status: 400,
      title: 'Not this login',
      message:
        'This address does not belong to the login in progress (its state is missing or wrong), so it was ' +
        'ignored. Log in through the URL shown in the terminal.',
    });
  }
  if (!shape.hasCode && !shape.hasError) {
    ignored("this login's state but no code");
    return Promise.resolve({
      status: 400,
      title: 'No code',
      message: 'This address has no authorization code, so it was ignored. See the terminal.',
    });
  }
  return new Promise<BrowserPage>((answer) => {
    if (!take({ source: 'browser', url, answer })) {
      answer({
        status: 409,
        title: 'Already done',
        message: 'This login already finished; see the terminal. You can close this window.',
      });
    }
  });
}

/**
 * A line pasted on stdin. A redirect URL of this login ends the wait; one with another login's state, or anything
 * that is not a redirect URL, gets a hint and reading goes on. A URL without `state` is taken (a person pasted it;
 * exchange() warns that it cannot be tied to this login).
 */
function onPastedLine(line: string, state: string, context: CommandContext, take: (arrival: Arrival) => boolean): void {
  const shape = inspectRedirect(line);
  if (shape.state !== undefined && shape.state !== state) {
    context.print(
      "That URL's state does not match this login (it comes from another login attempt): approve in the browser " +
        'through the URL above, then paste the new address, or wait for the browser.',
    );
    return;
  }
  try {
    const params = parseRedirectUrl(line);
    context.logger.mask(params.code);
  } catch (error) {
    if (!shape.hasError) {
      context.print(`${errorMessage(error)} Paste it again, or wait for the browser.`);
      return;
    }
    // Schwab's error for this login: exchange() ends the login with its reason.
  }
  take({ source: 'paste', url: line });
}

async function tryOpenBrowser(io: CliIo, url: string): Promise<boolean> {
  try {
    return await (io.openBrowser ?? ((u: string) => openInBrowser(u, io.env)))(url);
  } catch {
    return false;
  }
}

async function waitForArrival(
  arrived: Promise<Arrival>,
  io: CliIo,
  timeoutMs: number,
  stop: AbortSignal,
  callbackUrl: string,
): Promise<Arrival> {
  let onAbort: (() => void) | undefined;
  const cancelled = new Promise<never>((_, reject) => {
    onAbort = () => reject(new ExitError('Login cancelled: nothing was written.', EXIT.interrupted));
    if (io.signal.aborted) onAbort();
    else io.signal.addEventListener('abort', onAbort, { once: true });
  });
  const timedOut = io.sleep(timeoutMs, stop).then(() => {
    if (stop.aborted) return new Promise<never>(() => undefined);
    throw new UserError(
      `No redirect arrived within ${formatDuration(timeoutMs)}: run \`${loginCommand()}\` again and approve in ` +
        `the browser; if Schwab showed an error page instead of redirecting, --callback-url must be exactly the ` +
        `callback registered on your app (this login used ${callbackUrl}).`,
    );
  });
  try {
    return await Promise.race([arrived, cancelled, timedOut]);
  } finally {
    if (onAbort) io.signal.removeEventListener('abort', onAbort);
  }
}

/** Checks the redirect belongs to this login, exchanges the code, and builds the new record. */
async function exchange(
  arrival: Arrival,
  deps: { context: CommandContext; state: string; callbackUrl: string; client: ReturnType<typeof createSchwabClient> },
): Promise<TokenRecord> {
  const { context, state, callbackUrl, client } = deps;
  const { logger, io } = context;
  const params = parseRedirectUrl(arrival.url);
  logger.mask(params.code);
  if (arrival.source === 'paste') checkPastedTarget(arrival.url, callbackUrl);
  if (params.state === undefined && arrival.source === 'paste') {
    logger.warning('The pasted URL has no state parameter, so it cannot be tied to this login; using it anyway.');
  } else if (params.state !== state) {
    // onBrowserRedirect and onPastedLine let only this login's state through; this is the last guard.
    throw new UserError(
      `The redirect's state does not match this login (it comes from another login attempt, or not from Schwab): ` +
        `run \`${loginCommand()}\` again and use only the URL it prints; nothing was written.`,
    );
  }
  logger.info(
    `Got the authorization code from the ${arrival.source === 'browser' ? 'browser' : 'pasted URL'}; exchanging it.`,
  );
  const response = await client.exchangeCode(params.code, callbackUrl);
  const record = recordFromLogin(response, io.clock.now());
  maskTokens(record.tokens, logger);
  validateRecord(record, 'the new token record');
  return record;
}

/** A pasted full URL must go to the callback this login uses (else the code was issued for another one). */
function checkPastedTarget(pasted: string, callbackUrl: string): void {
  let url: URL;
  try {
    url = new URL(pasted.trim());
  } catch {
    return; // just the query (`code=…&session=…`): nothing to compare
  }
  const target = `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
  if (target !== callbackUrl) {
    throw new UserError(
      `The pasted URL goes to ${target}, not to this login's callback ${callbackUrl}: run ` +
        `\`${loginCommand(['--callback-url', shellQuote(target)])}\` if that is the callback registered on your ` +
        `app; nothing was written.`,
    );
  }
}

/** The file first (the login is never lost), then Secrets Manager by compare-and-set, then the GitHub secret. */
async function writeStores(
  context: CommandContext,
  record: TokenRecord,
  format: TokenFormat,
  file: TokenFile,
  aws: { store: PrimaryStore; before: LoadedText } | undefined,
  github: { write(text: string): Promise<MirrorResult[]> } | undefined,
): Promise<StoreLine[]> {
  const { logger, io } = context;
  const text = serializeRecord(record, format);
  const lines: StoreLine[] = [];
  try {
    await file.replace(text);
    lines.push({ label: file.label, ok: true, detail: 'written (mode 0600)' });
  } catch (error) {
    lines.push({ label: file.label, ok: false, detail: logger.redact(errorMessage(error)) });
  }
  if (aws) {
    const { store, before } = aws;
    const stored = await storeLogin({ store, before, record, format, clock: io.clock, logger });
    switch (stored.outcome) {
      case 'written':
        lines.push({ label: store.label, ok: true, detail: 'written (compare-and-set)' });
        break;
      case 'kept-newer':
        lines.push({
          label: store.label,
          ok: false,
          detail:
            `it received a newer login${stored.newer ? ` (${formatStamp(stored.newer.meta.createdAt)})` : ''} ` +
            `while this one ran, which was kept; that login revoked this one, so use the record in ${store.label}`,
        });
        break;
      case 'unfinished':
      case 'failed':
        lines.push({ label: store.label, ok: false, detail: stored.message });
        break;
    }
  }
  if (github) {
    try {
      lines.push(...(await github.write(text)));
    } catch (error) {
      lines.push({ label: 'the GitHub secret', ok: false, detail: logger.redact(errorMessage(error)) });
    }
  }
  return lines;
}

function reportWrites(
  context: CommandContext,
  record: TokenRecord,
  lines: StoreLine[],
  outPath: string,
  file: TokenFile,
): void {
  const width = Math.max(...lines.map((line) => line.label.length)) + 2;
  const deadline = refreshTokenExpiresAt(record.meta);
  const fileOk = lines.find((line) => line.label === file.label)?.ok === true;
  context.print(
    '',
    `Logged in at ${formatStamp(record.meta.createdAt)}. The new token record:`,
    ...lines.map((line) => `  ${line.ok ? 'ok    ' : 'FAILED'}  ${line.label.padEnd(width)}${line.detail}`),
    '',
    `The refresh token works until ${formatStamp(deadline)} ` +
      `(${formatDuration(deadline.getTime() - record.meta.createdAt.getTime())}); log in again before then.`,
    ...(fileOk ? [`Check it any time: ${cliCommand('status', ['--file', shellQuote(outPath)])}`] : []),
  );
}

/**
 * --callback-url (default https://127.0.0.1:8182), checked against Schwab's rules. A trailing `/` is dropped, since
 * Schwab compares the callback exactly and registers it without one, and the user is told so.
 */
function readCallbackUrl(values: ParsedOptions, env: CliIo['env'], logger: Logger): string {
  const given = stringOption(values, loginSpec, 'callback-url', env) ?? DEFAULT_CALLBACK_URL;
  const callbackUrl = validateCallbackUrl(given, settingSubject('callback-url'));
  if (given !== callbackUrl && given.replace(/\/+$/, '') === callbackUrl) {
    logger.warning(
      `--callback-url ${given} ends with /, which Schwab's callbacks never do: this login uses ${callbackUrl} ` +
        `(register it on your app at developer.schwab.com exactly so).`,
    );
  }
  return callbackUrl;
}

/**
 * Asks Schwab whether the app key and secret work, without using anything up (see SchwabOAuthClient.checkCredentials),
 * so a wrong secret fails here and not after the person approved in the browser. When Schwab's answer cannot tell
 * (it is down, a firewall page, no network), the login goes on with a warning.
 */
async function checkCredentials(client: SchwabOAuthClient, context: CommandContext): Promise<void> {
  const check = await client.checkCredentials();
  if (check.verdict === 'rejected') throw check.error;
  if (check.verdict === 'unknown') {
    context.logger.warning(
      `Could not check the app key and secret before the login (${check.error.problem}); going on: if they are ` +
        `wrong, the login fails after you approve.`,
    );
    return;
  }
  context.logger.debug('Schwab accepted the app key and secret.');
}

/**
 * Fails before the login when --out cannot be written (a folder, a missing or read-only folder), or must not be
 * (a symbolic link, another user's file: TokenFile's own rule).
 */
async function checkWritable(file: TokenFile): Promise<void> {
  await file.checkReplaceable();
  try {
    if ((await stat(file.path)).isDirectory()) {
      throw new UsageError(`--out ${file.path} is a folder: give the path of the token file to write.`);
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // does not exist yet: fine
  }
  const dir = dirname(file.path);
  try {
    await access(dir, constants.W_OK);
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'error';
    throw new UserError(
      code === 'ENOENT'
        ? `The folder ${dir} for --out does not exist: create it, or choose another --out.`
        : `The folder ${dir} for --out is not writable (${code}): fix its permissions, or choose another --out.`,
    );
  }
}
