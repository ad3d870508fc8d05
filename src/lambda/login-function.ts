/**
 * The login function: `GET /login` sends the browser to Schwab's authorize page with a state bound to a `__Host-`
 * cookie; `GET /callback` checks that state, exchanges the code at once, checks the login's accounts are the owner's,
 * and stores the new record in the token secret with the same compare-and-set and conflict rule as the action and the
 * CLI's login (the newest login wins). Then it starts the rotation workflow when configured, and answers a small page.
 *
 * One instance of `createLoginHandler()` is one Lambda container: the environment and the configuration secret are
 * read when it is created (the cold start) and kept; what the decisions need comes from decide.ts, the words from
 * pages.ts. Nothing here logs a request, a token, the code, the state key or the app secret.
 */
import { performance } from 'node:perf_hooks';
import type { Clock, Sleep } from '../util/clock.js';
import { realSleep, systemClock } from '../util/clock.js';
import { errorMessage } from '../util/errors.js';
import type { LogSink, Logger } from '../util/logger.js';
import { createLogger } from '../util/logger.js';
import { SchwabOAuthClient, buildAuthorizeUrl } from '../schwab/oauth-client.js';
import { isSchwabError } from '../schwab/errors.js';
import { recordFromLogin } from '../token/build.js';
import type { TokenFormat, TokenRecord } from '../token/record.js';
import { refreshTokenExpiresAt } from '../token/record.js';
import { validateRecord } from '../token/validate.js';
import type { Tuning } from '../util/tuning.js';
import { githubTuning } from '../util/tuning.js';
import { secretsManagerPrimary } from '../stores/secrets-manager.js';
import { storeLogin } from '../run/store-login.js';
import { maskTokens, readRecord } from '../run/read-record.js';
import type { LoadedText, PrimaryStore } from '../run/stores.js';
import type { LoadedConfig, LoginEnvironment } from './config.js';
import { ConfigSecret, readLoginEnvironment } from './config.js';
import type { Refusal } from './decide.js';
import { decideCallback, judgeAccounts, loginStoredSince, routeOf } from './decide.js';
import type { FunctionUrlEvent, FunctionUrlResult, LoginRequest } from './event.js';
import { readRequest } from './event.js';
import type { AccountsCheck, DispatchReport, Page } from './pages.js';
import { formatUtc } from '../token/time.js';
import { failurePage, notFoundPage, redirectTo, refusalPage, renderPage, successPage } from './pages.js';
import type { StateReading } from './state.js';
import { COOKIE_NAME, clearNonceCookie, cookieMatches, issueState, readState, setNonceCookie } from './state.js';
import { dispatchWorkflow } from './dispatch.js';

export type LoginHandler = (event: FunctionUrlEvent, context?: unknown) => Promise<FunctionUrlResult>;

export interface LoginFunctionOptions {
  /** Default process.env. */
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  sleep?: Sleep;
  /** Where log lines go (every line already redacted). */
  sink: LogSink;
  /** Client timeouts and waits; tests shorten them. */
  tuning?: Tuning;
  /** Called with how long each stored login took from the callback's arrival (for tests and the demo). */
  onStored?: (milliseconds: number) => void;
}

/** Client timeouts in production: a person is waiting, and the function's own timeout is 60 s. */
const PRODUCTION_TUNING: Tuning = { schwabTimeoutMs: 10_000, awsRequestTimeoutMs: 5_000, githubTimeoutMs: 10_000 };

/** A new container: reads the environment and starts reading the configuration secret at once (the cold start). */
export function createLoginHandler(options: LoginFunctionOptions): LoginHandler {
  const container = new LoginContainer(options);
  container.loadConfig().catch(() => undefined); // a failure is reported by the first request
  return (event) => container.handle(event);
}

class LoginContainer {
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly tuning: Tuning;
  private readonly spent = new SpentStates();
  private environment: LoginEnvironment | undefined;
  private configSecret: ConfigSecret | undefined;
  private config: Promise<LoadedConfig> | undefined;

  constructor(private readonly options: LoginFunctionOptions) {
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
    this.logger = createLogger(options.sink);
    this.tuning = { ...PRODUCTION_TUNING, ...options.tuning };
  }

  /** The configuration, read once per container; a failed read is tried again by the next request. */
  loadConfig(): Promise<LoadedConfig> {
    if (!this.config) {
      const attempt = (async () => {
        this.environment ??= readLoginEnvironment(this.options.env ?? process.env);
        this.configSecret ??= new ConfigSecret({
          secretId: this.environment.configSecretId,
          logger: this.logger,
          requestTimeoutMs: this.tuning.awsRequestTimeoutMs,
        });
        return this.configSecret.load();
      })();
      this.config = attempt;
      attempt.catch(() => {
        if (this.config === attempt) this.config = undefined;
      });
    }
    return this.config;
  }

  async handle(event: FunctionUrlEvent): Promise<FunctionUrlResult> {
    const { logger } = this;
    const request = readRequest(event);
    const route = routeOf(request.method, request.path);
    if (route === 'not-found') return renderPage(notFoundPage());
    // Every callback answer removes the nonce cookie: a nonce is used once, whatever happens.
    const cookies = route === 'callback' ? [clearNonceCookie()] : [];
    try {
      let loaded: LoadedConfig;
      try {
        loaded = await this.loadConfig();
      } catch (error) {
        const message = logger.redact(errorMessage(error));
        logger.error(`The configuration could not be read: ${message}`);
        return renderPage(failurePage(500, 'The login function is not set up', message, route === 'callback'), cookies);
      }
      if (route === 'login') return await this.startLogin(request, loaded);
      return renderPage(await this.finishLogin(request, loaded), cookies);
    } catch (error) {
      logger.error(`Unexpected failure of /${route}: ${logger.redact(errorMessage(error))}`);
      return renderPage(
        failurePage(500, 'Something went wrong', 'The login function failed unexpectedly; its log says why.', false),
        cookies,
      );
    }
  }

  /** GET /login: the state key (generated and stored on first use), a fresh nonce, and the 302 to Schwab. */
  private async startLogin(request: LoginRequest, loaded: LoadedConfig): Promise<FunctionUrlResult> {
    const { logger } = this;
    let withKey: LoadedConfig;
    try {
      withKey = await this.configSecretOrThrow().ensureStateKey(loaded);
    } catch (error) {
      const message = logger.redact(errorMessage(error));
      logger.error(`The state key could not be stored: ${message}`);
      return renderPage(failurePage(500, 'The login function is not set up', message, false));
    }
    if (withKey !== loaded) this.config = Promise.resolve(withKey);
    const issued = issueState(withKey.config.stateKey ?? '', this.clock.now());
    logger.mask(issued.nonce);
    const location = buildAuthorizeUrl({
      baseUrl: this.environmentOrThrow().schwabBaseUrl,
      appKey: withKey.config.appKey,
      callbackUrl: callbackUrlOf(request),
      state: issued.state,
    });
    logger.info("Sent a browser to Schwab's login page.");
    return redirectTo(location, setNonceCookie(issued.nonce));
  }

  /** GET /callback: refuse what decide.ts refuses, else exchange and store. The page to answer. */
  private async finishLogin(request: LoginRequest, loaded: LoadedConfig): Promise<Page> {
    const arrived = performance.now();
    const code = request.query.get('code');
    this.logger.mask(code);
    const cookieNonce = request.cookies.get(COOKIE_NAME) || undefined;
    this.logger.mask(cookieNonce);
    const now = this.clock.now();
    const stateText = request.query.get('state');
    const { stateKey } = loaded.config;
    // Without a state key no state can be genuine (the key is made by the first /login).
    const reading: StateReading = stateKey
      ? readState(stateKey, stateText, now)
      : { kind: stateText ? 'forged' : 'absent' };
    const schwabError = request.query.get('error');
    const decision = decideCallback({
      schwabError,
      hasCode: !!code,
      state: reading,
      cookie: cookieFact(reading, cookieNonce),
      seenBefore: reading.kind === 'valid' && this.spent.has(reading.nonceDigest, now),
    });
    if (decision.action === 'refuse') return this.refuse(decision.refusal, schwabError);
    if (reading.kind !== 'valid' || !code)
      throw new Error('a callback without a valid state or a code got past the checks');
    this.spent.add(reading.nonceDigest, reading.expiresAt, now);

    // The token secret must be readable (it is read for the compare-and-set anyway) before the code is spent.
    let store: PrimaryStore;
    let before: LoadedText;
    try {
      store = await secretsManagerPrimary(this.environmentOrThrow().tokenSecretId, undefined, this.logger, this.tuning);
      before = await store.load();
      this.logger.mask(before.text);
    } catch (error) {
      const message = this.logger.redact(errorMessage(error));
      this.logger.error(`The token secret could not be read: ${message}`);
      return failurePage(503, 'The token secret cannot be read', `${message} Then tap the login link again.`, true);
    }
    try {
      const login = { code, callbackUrl: callbackUrlOf(request), issuedAt: reading.issuedAt, arrived };
      return await this.exchangeAndStore(login, loaded, store, before);
    } finally {
      await store.close?.();
    }
  }

  private refuse(refusal: Refusal, schwabError?: string): Page {
    this.logger.info(`Refused a callback (${refusal}); nothing was stored.`);
    return refusalPage(refusal, schwabError);
  }

  private async exchangeAndStore(
    login: { code: string; callbackUrl: string; issuedAt: Date; arrived: number },
    read: LoadedConfig,
    store: PrimaryStore,
    before: LoadedText,
  ): Promise<Page> {
    const { logger, clock } = this;
    let loaded = read;
    const { config } = loaded;
    const stored = readStored(before.text, store.label, clock.now(), logger);
    if (
      stored &&
      !stored.record.meta.loginAssumed &&
      loginStoredSince(stored.record.meta.createdAt, login.issuedAt, clock.now())
    ) {
      return this.refuse('already-used');
    }
    const client = new SchwabOAuthClient({
      baseUrl: this.environmentOrThrow().schwabBaseUrl,
      appKey: config.appKey,
      appSecret: config.appSecret,
      logger,
      clock,
      sleep: this.sleep,
      attempts: 3,
      timeoutMs: this.tuning.schwabTimeoutMs,
    });

    // 1. The owner's accounts: recorded, else (first login through the function) those the stored token sees.
    let owner = config.accountHashes;
    let ownerFromStored = false;
    if (!owner && stored && stored.record.meta.accessTokenExpiresAt.getTime() > clock.now().getTime()) {
      owner = await client.accountHashes(stored.record.tokens.accessToken).catch(() => undefined);
      ownerFromStored = owner !== undefined;
    }

    // 2. The code, at once (it lives about 30 s).
    let record: TokenRecord;
    try {
      const response = await client.exchangeCode(login.code, login.callbackUrl);
      record = recordFromLogin(response, clock.now());
      maskTokens(record.tokens, logger);
      validateRecord(record, 'the new token record');
    } catch (error) {
      logger.error(`The code exchange failed: ${logger.redact(errorMessage(error))}`);
      return exchangeFailurePage(error);
    }

    // 3. Whose login it is: another Schwab user's tokens are dropped here, never stored or logged.
    let seen: string[];
    try {
      seen = await client.accountHashes(record.tokens.accessToken);
    } catch (error) {
      logger.error(`The new login's accounts could not be read: ${logger.redact(errorMessage(error))}`);
      return accountsFailurePage(error);
    }
    if (judgeAccounts(owner, seen) === 'other-account') {
      // The owner may have removed or replaced the recorded accounts since this container read its configuration
      // (after opening or closing an account): read it again before refusing.
      const fresh = config.accountHashes ? await this.reloadConfig() : undefined;
      const changed = fresh && !sameList(fresh.config.accountHashes, config.accountHashes);
      if (!fresh || !changed || judgeAccounts(fresh.config.accountHashes, seen) === 'other-account')
        return this.refuse('other-account');
      logger.info('The configuration secret changed since it was read: its accounts were used.');
      loaded = fresh;
    }

    // 4. The compare-and-set write with the one conflict rule (the newest login wins), in the secret's own format:
    // the CLI's login stores a login the same way (storeLogin).
    const format: TokenFormat = stored?.format === 'schwab-py' ? 'schwab-py' : 'rotator';
    const written = await storeLogin({ store, before, record, format, clock, logger });
    if (written.outcome === 'kept-newer') {
      logger.warning(`${store.label} received a newer login meanwhile, which was kept; this login was not stored.`);
      return newerLoginKeptPage(store.label, written.newer);
    }
    if (written.outcome === 'failed') {
      logger.error(`The new login could not be stored: ${written.message}`);
      return failurePage(
        503,
        'Logged in, but not stored',
        `Schwab accepted the login, but ${store.label} could not store it: ${written.message} The token stored ` +
          `before may no longer work after this login: once this is fixed, tap the login link again.`,
        false,
      );
    }
    if (written.outcome === 'unfinished') {
      // It reached the secret as AWSPENDING: the next reader takes it up, so the login counts (accounts, workflow).
      logger.error(`The new login waits in ${store.label} as AWSPENDING; the write did not finish: ${written.message}`);
    } else {
      const ms = performance.now() - login.arrived;
      logger.info(`Stored the new login in ${store.label} ${Math.round(ms)} ms after the callback arrived.`);
      this.options.onStored?.(ms);
    }

    // 5. After the write (neither can undo the login): record the owner's accounts, start the workflow (which, after an
    // unfinished write, finishes it).
    let accounts: AccountsCheck = 'matched';
    let recordFailure: string | undefined;
    if (!loaded.config.accountHashes) {
      try {
        this.config = Promise.resolve(await this.configSecretOrThrow().recordAccounts(loaded, seen));
        accounts = ownerFromStored ? 'matched-stored-and-recorded' : 'recorded';
      } catch (error) {
        recordFailure = logger.redact(errorMessage(error)).replace(/\.$/, '');
        logger.error(`The owner's accounts could not be recorded: ${recordFailure}`);
        accounts = 'record-failed';
      }
    }
    const dispatch: DispatchReport = config.github
      ? await dispatchWorkflow(config.github, {
          logger,
          baseUrl: this.environmentOrThrow().githubApiUrl,
          ...githubTuning(this.tuning),
        })
      : { kind: 'not-configured' };
    return successPage({
      loginAt: record.meta.createdAt,
      deadline: refreshTokenExpiresAt(record.meta),
      secretLabel: store.label,
      accounts,
      accountCount: seen.length,
      dispatch,
      recordFailure,
      unfinished: written.outcome === 'unfinished' ? { reason: written.message } : undefined,
    });
  }

  /** The configuration secret read again (and cached), or undefined when it cannot be read now. */
  private async reloadConfig(): Promise<LoadedConfig | undefined> {
    try {
      const fresh = await this.configSecretOrThrow().load();
      this.config = Promise.resolve(fresh);
      return fresh;
    } catch (error) {
      this.logger.warning(
        `The configuration secret could not be read again: ${this.logger.redact(errorMessage(error))}`,
      );
      return undefined;
    }
  }

  private environmentOrThrow(): LoginEnvironment {
    if (!this.environment) throw new Error('the environment was not read');
    return this.environment;
  }

  private configSecretOrThrow(): ConfigSecret {
    if (!this.configSecret) throw new Error('the configuration secret was not opened');
    return this.configSecret;
  }
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** The nonce cookie against the state: only meaningful for a valid state (the state's own rules come first). */
function cookieFact(reading: StateReading, cookieNonce: string | undefined): 'absent' | 'matches' | 'differs' {
  if (cookieNonce === undefined) return 'absent';
  if (reading.kind !== 'valid') return 'differs';
  return cookieMatches(reading.nonceDigest, cookieNonce) ? 'matches' : 'differs';
}

/** `https://` + the host the browser used + `/callback`: stable for a Function URL, so nothing to configure. */
function callbackUrlOf(request: LoginRequest): string {
  return `https://${request.host}/callback`;
}

/** The record the token secret holds now (tokens masked), or undefined when it holds none or something unreadable. */
function readStored(
  text: string | undefined,
  label: string,
  now: Date,
  logger: Logger,
): { record: TokenRecord; format: string } | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  try {
    const parsed = readRecord(text, label, now, logger);
    return { record: parsed.record, format: parsed.format };
  } catch {
    return undefined; // the compare-and-set replaces what is not a record
  }
}

function exchangeFailurePage(error: unknown): Page {
  if (isSchwabError(error, 'bad-code')) {
    return failurePage(
      400,
      'Schwab did not accept the login code',
      'The code Schwab sent expired or was already used: tap the login link again.',
      true,
    );
  }
  if (isSchwabError(error, 'bad-credentials')) {
    return failurePage(
      500,
      'Schwab rejected the app key or secret',
      'Schwab refused the app key and secret: check "app_key" and "app_secret" in the function\'s configuration ' +
        'secret against your app at developer.schwab.com, then tap the login link again.',
      true,
    );
  }
  if (isSchwabError(error, 'transient')) {
    return failurePage(
      502,
      'Schwab could not be reached',
      'Schwab did not answer the code exchange: tap the login link again in a minute.',
      true,
    );
  }
  return failurePage(
    502,
    'Schwab refused the login',
    'Schwab did not turn the code into a token: tap the login link again; if it keeps failing, check that the ' +
      "callback URL registered on your app is exactly this function's /callback address.",
    true,
  );
}

function newerLoginKeptPage(label: string, newer: TokenRecord | undefined): Page {
  return {
    status: 409,
    title: 'A newer login was kept',
    paragraphs: [
      `${label} received a newer Schwab login while this one was being ` +
        `stored${newer ? ` (logged in ${formatUtc(newer.meta.createdAt)})` : ''}, and that newer login was kept. ` +
        `There is nothing more to do.`,
    ],
  };
}

function accountsFailurePage(error: unknown): Page {
  const refused = isSchwabError(error, 'rejected') && (error.status === 401 || error.status === 403);
  return failurePage(
    502,
    'Schwab did not say whose login this is',
    refused
      ? "Schwab refused to list the accounts of this login, so it cannot be checked against the owner's: the app " +
          'needs the "Accounts and Trading" product at developer.schwab.com (or log in with the CLI instead).'
      : 'Schwab did not answer the request for the accounts of this login, so it cannot be checked against the ' +
          "owner's: tap the login link again in a minute.",
    true,
  );
}

/**
 * The states this container has seen on a callback, until they expire: a second callback with the same state is a
 * replay (the browser's own cookie was cleared by the first answer). Across containers, the token secret's login time
 * catches a replay (decide.ts, loginStoredSince).
 */
class SpentStates {
  private readonly until = new Map<string, number>();

  has(digest: string, now: Date): boolean {
    this.prune(now);
    return this.until.has(digest);
  }

  add(digest: string, expiresAt: Date, now: Date): void {
    this.prune(now);
    this.until.set(digest, expiresAt.getTime());
  }

  private prune(now: Date): void {
    for (const [digest, until] of this.until) if (until <= now.getTime()) this.until.delete(digest);
  }
}
