import { httpRequest } from '../http/transport.js';
import type { HttpRequest, Transport } from '../http/transport.js';
import type { SchwabTokenResponse } from '../token/record.js';
import { DEFAULT_SCOPE, DEFAULT_TOKEN_TYPE } from '../token/record.js';
import type { Clock, Sleep } from '../util/clock.js';
import { UserError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { retry } from '../util/retry.js';
import type { SchwabCallContext } from './errors.js';
import {
  baseUrlFix,
  classifyNetworkError,
  classifySchwabResponse,
  isSchwabError,
  SchwabError,
  transientFixFor,
} from './errors.js';
import { loginCommand, settingName } from '../util/audience.js';
import { normalizeHttpUrl } from '../settings/validators.js';
import { PROBE_PATHS } from './probes.js';
import type { ProbeKind } from './probes.js';

export {
  buildAuthorizeUrl,
  parseRedirectUrl,
  validateCallbackUrl,
  DEFAULT_CALLBACK_URL,
  DEFAULT_SCHWAB_BASE_URL,
} from './urls.js';
export type { AuthorizeUrlOptions, RedirectParams } from './urls.js';

export interface SchwabOAuthClientOptions {
  /** `https://api.schwabapi.com`, or a fake/proxy; a trailing `/` is ignored. */
  baseUrl: string;
  appKey: string;
  appSecret: string;
  logger: Logger;
  clock: Clock;
  sleep: Sleep;
  /** Per attempt, response body included. Default 15000. */
  timeoutMs?: number;
  /** Total attempts for transient failures, the first included. Default 4. */
  attempts?: number;
  /** Backoff before the second attempt; doubles each time, with jitter. Default 1000. */
  baseDelayMs?: number;
  /** Cap of one wait, Retry-After included. Default 30000 (5000 for a code exchange: codes live 30 s). */
  maxDelayMs?: number;
  /** [0, 1), for the jitter; injectable so tests can pin it. */
  random?: () => number;
  /** The HTTP transport (default: src/http's, with HTTPS_PROXY / NO_PROXY from process.env); tests pass their own. */
  transport?: Transport;
}

/** What `checkCredentials` learnt about the app key and secret. */
export type CredentialCheck =
  { verdict: 'accepted' } | { verdict: 'rejected'; error: SchwabError } | { verdict: 'unknown'; error: SchwabError };

/** The refresh token `checkCredentials` sends: not a secret, and no refresh token Schwab could ever have issued. */
export const CREDENTIAL_CHECK_TOKEN = 'schwab-token-rotator-credential-check-not-a-token';

/** The longest wait between code-exchange attempts: the code itself only lives about 30 s. */
const EXCHANGE_MAX_DELAY_MS = 5_000;

interface RawAnswer {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  text: string;
}

/** A request as the client builds it; the transport adds the timeout. */
type Outgoing = Omit<HttpRequest, 'timeoutMs'>;

/**
 * Schwab's OAuth token endpoint and a cheap access-token probe, over the project's HTTP transport (src/http:
 * node:https, HTTPS_PROXY / NO_PROXY honoured, redirects never followed).
 *
 * - Every request has its own timeout, response body included.
 * - Only transient failures are retried (exponential backoff with jitter, Retry-After honoured); a dead refresh
 *   token, a bad code, wrong credentials or any other rejection fail at once.
 * - The app secret, the Basic header, every token sent and every token received are masked through
 *   `logger.mask` before anything is logged. Response bodies are never logged, and error messages carry only
 *   status codes and Schwab's short error codes.
 * - Never uses `grant_type=client_credentials` (Schwab answers it with a 1-hour token and no refresh token).
 */
export class SchwabOAuthClient {
  private readonly baseUrl: string;
  private readonly authorization: string;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly random: (() => number) | undefined;
  private readonly transport: Transport;

  constructor(options: SchwabOAuthClientOptions) {
    this.logger = options.logger;
    this.logger.mask(options.appSecret);
    if (!options.appKey || !options.appSecret) {
      throw new UserError(
        `The Schwab app ${options.appKey ? 'secret' : 'key'} is empty: set ${settingName('app-credentials')} to ` +
          `the values of your app at developer.schwab.com.`,
      );
    }
    if (normalizeHttpUrl(options.baseUrl) === undefined) {
      throw new UserError(`The Schwab base URL is not an http(s) URL: ${baseUrlFix()}.`);
    }
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    const basic = Buffer.from(`${options.appKey}:${options.appSecret}`, 'utf8').toString('base64');
    this.logger.mask(basic);
    this.authorization = `Basic ${basic}`;
    this.logger.mask(this.authorization);
    this.clock = options.clock;
    this.sleep = options.sleep;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.attempts = Math.max(1, options.attempts ?? 4);
    this.baseDelayMs = options.baseDelayMs ?? 1_000;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
    this.random = options.random;
    this.transport = options.transport ?? httpRequest;
  }

  /**
   * Refreshes the access token (`grant_type=refresh_token`). The response may carry the same refresh token, a new
   * one, or none (keep the old one then); the 7-day deadline never moves. Transient failures are retried.
   */
  async refresh(refreshToken: string): Promise<SchwabTokenResponse> {
    if (!refreshToken) {
      throw new UserError(`There is no refresh token to refresh with: log in with \`${loginCommand()}\`.`);
    }
    this.logger.mask(refreshToken);
    const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken });
    return this.withRetry('refresh', this.maxDelayMs, isTransient, () => this.tokenRequest('refresh', body));
  }

  /**
   * Exchanges an authorization code for tokens (`grant_type=authorization_code`). `callbackUrl` must be exactly
   * the redirect_uri the code was issued for (see validateCallbackUrl).
   *
   * Retries: a code works once and lives about 30 s. A request is repeated only when Schwab certainly did not
   * process it: the connection was never made (refused, DNS, unreachable), a 429, or an edge "Access Denied" page.
   * After anything that may have reached the OAuth server (5xx, timeout, reset, an empty or non-JSON answer)
   * the code may already be spent, and a retry would only turn the real failure into a misleading "bad code",
   * so the error is returned at once and tells the user to log in again. Waits are capped at 5 s.
   */
  async exchangeCode(code: string, callbackUrl: string): Promise<SchwabTokenResponse> {
    if (!code) {
      throw new UserError(
        `The authorization code is empty: paste the whole redirect URL from the browser, or let ` +
          `\`${loginCommand()}\` catch it.`,
      );
    }
    this.logger.mask(code);
    const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: callbackUrl });
    const maxDelay = Math.min(this.maxDelayMs, EXCHANGE_MAX_DELAY_MS);
    const retryable = (error: unknown) => isTransient(error) && (error as SchwabError).requestNotProcessed;
    const response = await this.withRetry('exchange', maxDelay, retryable, () => this.tokenRequest('exchange', body));
    if (!response.refresh_token) {
      throw new SchwabError(
        'rejected',
        "Schwab's code exchange answered without a refresh token",
        'check that your app at developer.schwab.com is "Ready For Use" and log in again',
        { status: 200 },
      );
    }
    return response;
  }

  /**
   * Checks that an access token works with one cheap GET (`accounts`: /trader/v1/accounts/accountNumbers, needs
   * the Accounts and Trading product; `quotes`: /marketdata/v1/quotes?symbols=SPY, market-data apps). The body is
   * read and thrown away, never logged. A 401/403 is a SchwabError 'rejected'; transient failures are retried.
   */
  async probe(accessToken: string, kind: ProbeKind): Promise<void> {
    if (!accessToken) {
      throw new UserError(
        `There is no access token to probe with: refresh first, or log in with \`${loginCommand()}\`.`,
      );
    }
    await this.probeRequest(accessToken, kind, { keepBody: false, read: () => undefined });
  }

  /**
   * Checks the app key and secret against the token endpoint without consuming anything: one `refresh_token` grant
   * with a refresh token that cannot exist (never `client_credentials`). Schwab authenticates the client first, so
   * - HTTP 401 `invalid_client` means the key or secret is wrong: `rejected`;
   * - HTTP 400 saying the grant is bad (`refresh_token_authentication_error`, `invalid_grant`, …) means the client
   *   was accepted and only the made-up token was not: `accepted`;
   * - anything else (5xx, 429, an HTML page, no answer, an unexpected body) tells nothing: `unknown`, with the reason.
   * One attempt, no retries: it only decides whether a login is worth starting.
   */
  async checkCredentials(): Promise<CredentialCheck> {
    const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: CREDENTIAL_CHECK_TOKEN });
    try {
      await this.tokenRequest('refresh', body);
      return { verdict: 'accepted' }; // Schwab took a token that cannot exist: the client was authenticated anyway
    } catch (error) {
      if (!isSchwabError(error)) throw error;
      if (error.kind === 'bad-credentials') return { verdict: 'rejected', error };
      if ((error.kind === 'reauth-required' || error.kind === 'bad-code') && error.status === 400)
        return { verdict: 'accepted' };
      return { verdict: 'unknown', error };
    }
  }

  /**
   * The `hashValue` of every account the access token's login can see (`GET /trader/v1/accounts/accountNumbers`,
   * the accounts probe), sorted: which Schwab user a login belongs to. The account numbers in the body are dropped at
   * once, never logged or returned. Failures are classified and retried as the probe's; a 200 whose body is not a
   * list of accounts is a SchwabError 'rejected'.
   */
  async accountHashes(accessToken: string): Promise<string[]> {
    if (!accessToken) throw new UserError('There is no access token to read the accounts with: log in again.');
    return this.probeRequest(accessToken, 'accounts', { keepBody: true, read: requireAccountHashes });
  }

  // -------------------------------------------------------------------------------------------------------------

  /**
   * The one request path of the probes: a GET of the probe's path with the access token, retried as a transient
   * failure says, a failure classified. `read` gets a 2xx answer and runs inside the attempt (a body of the wrong
   * shape fails it); without `keepBody` the body is thrown away unread.
   */
  private async probeRequest<T>(
    accessToken: string,
    kind: ProbeKind,
    handling: { keepBody: boolean; read: (answer: RawAnswer) => T },
  ): Promise<T> {
    this.logger.mask(accessToken);
    return this.withRetry(
      'probe',
      this.maxDelayMs,
      isTransient,
      async () => {
        const init: Outgoing = {
          method: 'GET',
          headers: { Authorization: `Bearer ${accessToken}`, Accept: 'application/json' },
        };
        const answer = await this.send(`${this.baseUrl}${PROBE_PATHS[kind]}`, init, 'probe', kind, !handling.keepBody);
        this.logger.debug(`Schwab ${kind} probe: HTTP ${answer.status}.`);
        if (answer.status < 200 || answer.status >= 300) {
          throw classifySchwabResponse(answer.status, answer.headers, answer.text, {
            context: 'probe',
            probe: kind,
            now: this.clock.now(),
          });
        }
        return handling.read(answer);
      },
      kind,
    );
  }

  private async withRetry<T>(
    context: SchwabCallContext,
    maxDelayMs: number,
    isRetryable: (error: unknown) => boolean,
    operation: () => Promise<T>,
    probe?: ProbeKind,
  ): Promise<T> {
    let attemptsMade = 0;
    const label =
      context === 'probe' ? `${probe ?? ''} probe` : context === 'exchange' ? 'code exchange' : 'token refresh';
    try {
      return await retry(
        (attempt) => {
          attemptsMade = attempt;
          return operation();
        },
        {
          attempts: this.attempts,
          baseDelayMs: this.baseDelayMs,
          maxDelayMs,
          sleep: this.sleep,
          random: this.random,
          isRetryable,
          retryAfterMs: (error) => (isSchwabError(error) ? error.retryAfterMs : undefined),
          onRetry: (error, attempt, delayMs) => {
            const reason = isSchwabError(error) ? error.problem : 'unexpected error';
            this.logger.info(
              this.logger.redact(
                `Schwab ${label} attempt ${attempt} of ${this.attempts} failed (${reason}); retrying in ` +
                  `${formatDelay(delayMs)}.`,
              ),
            );
          },
        },
      );
    } catch (error) {
      if (isSchwabError(error) && error.kind === 'transient' && attemptsMade > 1)
        throw error.withAttempts(attemptsMade);
      throw error;
    }
  }

  private async tokenRequest(context: 'refresh' | 'exchange', body: URLSearchParams): Promise<SchwabTokenResponse> {
    const url = `${this.baseUrl}/v1/oauth/token`;
    const answer = await this.send(
      url,
      {
        method: 'POST',
        headers: {
          Authorization: this.authorization,
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        body: body.toString(),
      },
      context,
    );
    this.logger.debug(`Schwab token endpoint (grant_type=${body.get('grant_type') ?? '?'}): HTTP ${answer.status}.`);
    const classify = () =>
      classifySchwabResponse(answer.status, answer.headers, answer.text, { context, now: this.clock.now() });
    if (answer.status < 200 || answer.status >= 300) throw classify();
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.text);
    } catch {
      throw classify();
    }
    return this.acceptTokenResponse(parsed, answer.status);
  }

  /** Masks every token in a success body the moment it is parsed, then checks its shape. */
  private acceptTokenResponse(parsed: unknown, status: number): SchwabTokenResponse {
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new SchwabError(
        'transient',
        `Schwab answered the token request with JSON that is not an object (HTTP ${status})`,
        transientFixFor('token'),
        { status },
      );
    }
    const object = parsed as Record<string, unknown>;
    for (const key of ['access_token', 'refresh_token', 'id_token']) {
      const value = object[key];
      if (typeof value === 'string') this.logger.mask(value);
    }
    const invalid = (field: string) =>
      new SchwabError(
        'rejected',
        `Schwab's token response has no valid ${field} (HTTP ${status})`,
        `${baseUrlFix()} and try again`,
        { status },
      );
    const accessToken = object.access_token;
    if (typeof accessToken !== 'string' || accessToken === '') throw invalid('access_token');
    let expiresIn = object.expires_in;
    if (typeof expiresIn === 'string' && /^\d+$/.test(expiresIn)) expiresIn = Number(expiresIn);
    if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) throw invalid('expires_in');
    const refreshToken = object.refresh_token;
    if (
      refreshToken !== undefined &&
      refreshToken !== null &&
      (typeof refreshToken !== 'string' || refreshToken === '')
    ) {
      throw invalid('refresh_token');
    }
    const idToken = object.id_token;
    const response: SchwabTokenResponse = {
      access_token: accessToken,
      token_type: typeof object.token_type === 'string' && object.token_type ? object.token_type : DEFAULT_TOKEN_TYPE,
      scope: typeof object.scope === 'string' ? object.scope : DEFAULT_SCOPE,
      expires_in: expiresIn,
    };
    if (typeof refreshToken === 'string') response.refresh_token = refreshToken;
    if (typeof idToken === 'string' && idToken !== '') response.id_token = idToken;
    return response;
  }

  /** One HTTP exchange: the answer (body read as text, under the same timeout), or a classified network error. */
  private async send(
    url: string,
    init: Outgoing,
    context: SchwabCallContext,
    probe?: ProbeKind,
    discardBody = false,
  ): Promise<RawAnswer> {
    try {
      const answer = await this.transport(url, { ...init, timeoutMs: this.timeoutMs });
      const ok = answer.status >= 200 && answer.status < 300;
      return {
        status: answer.status,
        headers: answer.headers,
        text: discardBody && ok ? '' : answer.body.toString('utf8'),
      };
    } catch (error) {
      throw classifyNetworkError(error, { context, probe, url, timeoutMs: this.timeoutMs });
    }
  }
}

/** The account hashes of a 2xx accounts answer; a body of another shape is a SchwabError 'rejected'. */
function requireAccountHashes(answer: RawAnswer): string[] {
  const hashes = readAccountHashes(answer.text);
  if (hashes) return hashes;
  throw new SchwabError(
    'rejected',
    `Schwab's list of accounts is not the expected JSON (HTTP ${answer.status})`,
    'check the schwab-base-url setting (it should be https://api.schwabapi.com) and try again',
    { status: answer.status },
  );
}

/**
 * `[{"accountNumber":"…","hashValue":"…"}, …]`: the sorted, distinct hash values; undefined for any other shape.
 */
function readAccountHashes(text: string): string[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed)) return undefined;
  const hashes = new Set<string>();
  for (const item of parsed) {
    const hash = (item as { hashValue?: unknown } | null)?.hashValue;
    if (typeof hash !== 'string' || hash === '') return undefined;
    hashes.add(hash);
  }
  return [...hashes].sort();
}

function isTransient(error: unknown): boolean {
  return isSchwabError(error, 'transient');
}

function formatDelay(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
