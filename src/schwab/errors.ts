import { UserError } from '../util/errors.js';
import { parseRetryAfter } from '../util/retry.js';
import { loginCommand, retryClause, settingName } from '../util/audience.js';
import type { ProbeKind } from './probes.js';
import { DEFAULT_SCHWAB_BASE_URL } from './urls.js';

/**
 * What a failed Schwab call means for the caller:
 * - `reauth-required`: the refresh token is dead (expired, or revoked by a newer login); only a new login helps.
 * - `bad-code`: the authorization code expired, was already used, or is unknown; log in again.
 * - `bad-credentials`: the app key or secret is wrong (a configuration error, not a re-auth case).
 * - `transient`: network error, timeout, 429, 5xx, an HTML edge page, an empty or non-JSON body; retry later.
 * - `rejected`: anything else Schwab refused (another 4xx, an unexpected body); not worth retrying.
 */
export type SchwabErrorKind = 'reauth-required' | 'bad-code' | 'bad-credentials' | 'transient' | 'rejected';

/**
 * Which call failed; only changes the wording of the message (and that a probe's 401 is not about the app secret).
 * - `refresh`: `grant_type=refresh_token`
 * - `exchange`: `grant_type=authorization_code`
 * - `token`: the token endpoint, grant unknown
 * - `probe`: a GET with the access token (accounts or quotes)
 */
export type SchwabCallContext = 'refresh' | 'exchange' | 'token' | 'probe';

export interface SchwabErrorDetails {
  /** The HTTP status Schwab answered with, when it answered. */
  status?: number;
  /** The delay Schwab asked for (Retry-After), in milliseconds. */
  retryAfterMs?: number;
  /** Schwab's short OAuth error code (`invalid_grant`, …): the innermost one, only when it is a plain identifier. */
  code?: string;
  /**
   * True when Schwab certainly did not process the request (the connection was never made, a 429, an edge
   * "Access Denied" page), so repeating a single-use request (a code exchange) is safe.
   */
  requestNotProcessed?: boolean;
  /** Attempts made before giving up (set by the client when retries ran out). */
  attempts?: number;
}

/**
 * A Schwab failure the user can act on. The message is one sentence, `<problem>: <fix>.`, built only from
 * status codes, Schwab's short error codes and host names: never a token value and never Schwab's free text.
 */
export class SchwabError extends UserError {
  override readonly name: string = 'SchwabError';
  readonly kind: SchwabErrorKind;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly code?: string;
  readonly requestNotProcessed: boolean;
  readonly attempts?: number;
  /** The first half of the message: what is wrong. */
  readonly problem: string;
  /** The second half of the message: how to fix it. */
  readonly fix: string;

  constructor(kind: SchwabErrorKind, problem: string, fix: string, details: SchwabErrorDetails = {}) {
    const tries = details.attempts !== undefined && details.attempts > 1 ? ` (${details.attempts} attempts)` : '';
    super(`${problem}${tries}: ${fix}.`);
    this.kind = kind;
    this.problem = problem;
    this.fix = fix;
    this.requestNotProcessed = details.requestNotProcessed ?? false;
    if (details.status !== undefined) this.status = details.status;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
    if (details.code !== undefined) this.code = details.code;
    if (details.attempts !== undefined) this.attempts = details.attempts;
  }

  /** The same error, its message noting how many attempts were made. */
  withAttempts(attempts: number): SchwabError {
    return new SchwabError(this.kind, this.problem, this.fix, {
      status: this.status,
      retryAfterMs: this.retryAfterMs,
      code: this.code,
      requestNotProcessed: this.requestNotProcessed,
      attempts,
    });
  }
}

/** True when `error` is a SchwabError (of `kind`, when given). */
export function isSchwabError(error: unknown, kind?: SchwabErrorKind): error is SchwabError {
  return error instanceof SchwabError && (kind === undefined || error.kind === kind);
}

/** How to fix wrong app credentials, in the reader's words. */
export function credentialsFix(): string {
  return `check ${settingName('app-credentials')} match your app at developer.schwab.com`;
}

/** How to fix a wrong Schwab address, in the reader's words. */
export function baseUrlFix(): string {
  return `check ${settingName('schwab-base-url')} (it should be ${DEFAULT_SCHWAB_BASE_URL})`;
}

/** `log in again with \`…login\``, the command as the reader runs it. */
export function logInAgain(): string {
  return `log in again with \`${loginCommand()}\``;
}

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

export interface ClassifyOptions {
  context?: SchwabCallContext;
  /** For a Retry-After given as an HTTP date. */
  now?: Date;
  /** For a probe: which one, to name it. */
  probe?: ProbeKind;
}

/** One `{error, error_description}` layer of Schwab's (possibly nested) error body. */
interface ErrorLayer {
  error?: string;
  description?: string;
}

/**
 * Classifies a Schwab answer that was not a usable success (any non-2xx, or a 2xx whose body is not JSON).
 *
 * Token-endpoint errors come wrapped: HTTP 400
 * `{"error":"unsupported_token_type","error_description":"400 Bad Request: \"{…inner JSON…}\""}`;
 * the outer and every inner layer are read. Rules, in order:
 * 1. 429 and 5xx: transient (Retry-After kept).
 * 2. an HTML page (Akamai's "Access Denied"): transient, unless it is a 404 (wrong base URL).
 * 3. probe: 401/403 mean the access token or the app's products were not accepted: rejected.
 * 4. token endpoint 401: the client (app key/secret) failed to authenticate (RFC 6749 §5.2): bad-credentials,
 *    unless the body talks about the refresh token (then re-auth).
 * 5. a redirect or a 404: rejected (wrong base URL).
 * 6. empty or non-JSON body: transient.
 * 7. by error code: `refresh_token_authentication_error`, `invalid_grant` (on a refresh), `invalid_client` with
 *    "refresh token": re-auth; `invalid_request` "Bad authorization code", `invalid_grant` on a code exchange:
 *    bad-code; `invalid_client`: bad-credentials; `server_error` / `temporarily_unavailable`: transient.
 * 8. everything else: rejected.
 */
export function classifySchwabResponse(
  status: number,
  headers: HeaderSource,
  bodyText: string,
  options: ClassifyOptions = {},
): SchwabError {
  const context = options.context ?? 'token';
  const what = describeCall(context, options.probe);
  const header = (name: string) => readHeader(headers, name);
  const retryAfterMs = parseRetryAfter(header('retry-after'), options.now ?? new Date());
  const transientFix = transientFixFor(context);
  const body = bodyText.trim();

  if (status === 429) {
    return new SchwabError('transient', `Schwab rate-limited ${what} (HTTP 429)`, transientFix, {
      status,
      retryAfterMs,
      requestNotProcessed: true,
    });
  }
  if (status >= 500) {
    return new SchwabError('transient', `Schwab's server failed ${what} (HTTP ${status})`, transientFix, {
      status,
      retryAfterMs,
    });
  }

  const contentType = header('content-type') ?? '';
  const isHtml = /text\/html/i.test(contentType) || /^<(!doctype|html|head|body|\?xml)/i.test(body);
  const isRedirect = status >= 300 && status < 400;
  if (isHtml && status !== 404 && !isRedirect) {
    const accessDenied = /access denied/i.test(body);
    const page = accessDenied ? `an HTML "Access Denied" page` : 'an HTML page';
    return new SchwabError(
      'transient',
      `Schwab answered ${what} with ${page} instead of JSON (HTTP ${status})`,
      context === 'exchange'
        ? transientFix
        : `this is usually a temporary block by Schwab's firewall, so wait and try again, and ${baseUrlFix()} if ` +
            `it persists`,
      { status, retryAfterMs, requestNotProcessed: status === 403 },
    );
  }

  if (context === 'probe') return classifyProbe(status, what, options.probe);

  const layers = parseErrorLayers(body);
  const code = safeCode(layers);
  const details: SchwabErrorDetails = { status, code, retryAfterMs };
  const mentionsRefreshToken = layers.some((l) => /refresh[\s_-]*token/i.test(l.description ?? ''));

  if (status === 401) {
    if (mentionsRefreshToken && context !== 'exchange') return reauth(details);
    return new SchwabError(
      'bad-credentials',
      `Schwab rejected the app key or secret (HTTP 401 ${code ?? 'invalid_client'})`,
      credentialsFix(),
      details,
    );
  }

  if (isRedirect) {
    return new SchwabError(
      'rejected',
      `Schwab redirected ${what} (HTTP ${status}) instead of answering`,
      baseUrlFix(),
      details,
    );
  }
  if (status === 404) {
    return new SchwabError(
      'rejected',
      `Schwab has no token endpoint at the configured address (HTTP 404)`,
      baseUrlFix(),
      details,
    );
  }
  if (layers.length === 0) {
    const problem = body === '' ? 'an empty body' : 'a body that is not JSON';
    return new SchwabError(
      'transient',
      `Schwab answered ${what} with ${problem} (HTTP ${status})`,
      transientFix,
      details,
    );
  }

  const codes = layers.map((l) => l.error?.toLowerCase());
  const has = (c: string) => codes.includes(c);
  const layerWith = (c: string) => layers.find((l) => l.error?.toLowerCase() === c);

  if (has('refresh_token_authentication_error')) return reauth(details);
  if (has('invalid_grant')) {
    if (context === 'exchange' && !mentionsRefreshToken) return badCode(details);
    return reauth(details);
  }
  if (has('invalid_client')) {
    if (mentionsRefreshToken && context !== 'exchange') return reauth(details);
    return new SchwabError(
      'bad-credentials',
      `Schwab rejected the app key or secret (HTTP ${status} invalid_client)`,
      credentialsFix(),
      details,
    );
  }
  const invalidRequest = layerWith('invalid_request');
  if (invalidRequest && /authori[sz]ation[\s_-]*code/i.test(invalidRequest.description ?? '')) return badCode(details);
  if (has('server_error') || has('temporarily_unavailable')) {
    return new SchwabError(
      'transient',
      `Schwab's server failed ${what} (HTTP ${status} ${code})`,
      transientFix,
      details,
    );
  }

  const fix =
    context === 'exchange'
      ? 'check that the callback URL matches the one registered on your app at developer.schwab.com exactly, then ' +
        'log in again'
      : context === 'refresh'
        ? `check that your app at developer.schwab.com is "Ready For Use", and if it keeps failing ${logInAgain()}`
        : `check that your app at developer.schwab.com is "Ready For Use" and that ` +
          `${settingName('schwab-base-url')} is right`;
  const label = code ? `HTTP ${status} ${code}` : `HTTP ${status}`;
  return new SchwabError('rejected', `Schwab rejected ${what} (${label})`, fix, details);
}

/** Classifies a failure of `fetch` itself (no answer): a timeout, a refused connection, a reset, a TLS problem. */
export function classifyNetworkError(
  error: unknown,
  options: { context?: SchwabCallContext; probe?: ProbeKind; url: string; timeoutMs: number },
): SchwabError {
  const context = options.context ?? 'token';
  const what = describeCall(context, options.probe);
  const host = hostOf(options.url);
  const transientFix = transientFixFor(context);
  if (isTimeout(error)) {
    return new SchwabError(
      'transient',
      `Schwab did not answer ${what} within ${formatMs(options.timeoutMs)}`,
      transientFix,
    );
  }
  const code = networkCode(error);
  if (code && TLS_CODES.test(code)) {
    return new SchwabError(
      'rejected',
      `The TLS certificate of ${host} was not trusted (${code})`,
      `check ${settingName('schwab-base-url')} and any proxy in between (a corporate proxy needs its CA in ` +
        `NODE_EXTRA_CA_CERTS)`,
      { code },
    );
  }
  const notConnected = code !== undefined && CONNECT_CODES.has(code);
  return new SchwabError(
    'transient',
    `Could not ${notConnected ? 'reach' : 'complete'} ${what} at ${host}${code ? ` (${code})` : ''}`,
    context === 'exchange'
      ? transientFix
      : `check the network connection and ${settingName('schwab-base-url')}, then try again${retryClause()}`,
    { code, requestNotProcessed: notConnected },
  );
}

// ---------------------------------------------------------------------------------------------------------------

function classifyProbe(status: number, what: string, probe: ProbeKind | undefined): SchwabError {
  if (status === 401 || status === 403) {
    const product =
      probe === 'quotes'
        ? 'has the Market Data Production product'
        : 'has the Accounts and Trading Production product (or use the quotes probe for a market-data-only app)';
    return new SchwabError(
      'rejected',
      `Schwab did not accept the fresh access token on ${what} (HTTP ${status})`,
      `make sure your app at developer.schwab.com ${product}, and ${logInAgain()} if it persists`,
      { status },
    );
  }
  return new SchwabError(
    'rejected',
    `Schwab rejected ${what} (HTTP ${status})`,
    `check ${settingName('schwab-base-url')} and that your app at developer.schwab.com is "Ready For Use"`,
    { status },
  );
}

function reauth(details: SchwabErrorDetails): SchwabError {
  return new SchwabError(
    'reauth-required',
    'Schwab rejected the refresh token (it expired or was revoked by a newer login)',
    logInAgain(),
    details,
  );
}

function badCode(details: SchwabErrorDetails): SchwabError {
  return new SchwabError(
    'bad-code',
    'Schwab rejected the authorization code (it expired, was already used, or was mangled; a code works once, ' +
      'for about 30 seconds)',
    `run \`${loginCommand()}\` again and let it catch the redirect itself, or paste the whole redirect URL right away`,
    details,
  );
}

function describeCall(context: SchwabCallContext, probe?: ProbeKind): string {
  switch (context) {
    case 'refresh':
      return 'the token refresh';
    case 'exchange':
      return 'the authorization-code exchange';
    case 'probe':
      return probe === 'quotes'
        ? 'the quotes probe (GET /marketdata/v1/quotes)'
        : probe === 'accounts'
          ? 'the accounts probe (GET /trader/v1/accounts/accountNumbers)'
          : 'the access-token probe';
    default:
      return 'the token request';
  }
}

/** How to get past a temporary failure, in the reader's words. */
export function transientFixFor(context: SchwabCallContext): string {
  if (context === 'exchange') {
    return `an authorization code works only once, so run \`${loginCommand()}\` again in a minute`;
  }
  return `this is usually temporary on Schwab's side, so wait and try again${retryClause()}`;
}

/** Schwab's innermost error code, only when it is a plain identifier (never free text that could hold a value). */
function safeCode(layers: ErrorLayer[]): string | undefined {
  for (let i = layers.length - 1; i >= 0; i--) {
    const code = layers[i]?.error;
    if (code && /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(code)) return code;
  }
  return undefined;
}

/**
 * Reads `{error, error_description}` layers from a body: the outer JSON, then any JSON embedded in the
 * description (Schwab quotes it, sometimes with its escapes kept), to a depth of four. Returns [] when the body
 * is not a JSON object.
 */
export function parseErrorLayers(body: string): ErrorLayer[] {
  const outer = tryParseObject(body);
  if (!outer) return [];
  const layers: ErrorLayer[] = [];
  let current: Record<string, unknown> | undefined = outer;
  for (let depth = 0; current && depth < 4; depth++) {
    const layer = toLayer(current);
    layers.push(layer);
    current = layer.description ? extractEmbeddedObject(layer.description) : undefined;
    if (!current && layer.description) {
      // Unparseable embedded JSON: still read the code and the text by pattern.
      const fallback = scanLayer(layer.description);
      if (fallback) layers.push(fallback);
    }
  }
  return layers;
}

function toLayer(object: Record<string, unknown>): ErrorLayer {
  const layer: ErrorLayer = {};
  const error = object.error ?? object.error_code ?? object.code;
  const description = object.error_description ?? object.message ?? object.description;
  if (typeof error === 'string') layer.error = error;
  if (typeof description === 'string') layer.description = description;
  return layer;
}

function tryParseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // not JSON
  }
  return undefined;
}

function extractEmbeddedObject(description: string): Record<string, unknown> | undefined {
  const start = description.indexOf('{');
  const end = description.lastIndexOf('}');
  if (start < 0 || end <= start) return undefined;
  const candidate = description.slice(start, end + 1);
  const attempts = [
    candidate,
    // escapes kept once or twice: \"  \\"
    candidate.replace(/\\\\"/g, '"').replace(/\\"/g, '"'),
    candidate.replace(/\\(["\\/])/g, '$1'),
  ];
  for (const attempt of attempts) {
    const parsed = tryParseObject(attempt);
    if (parsed) return parsed;
  }
  try {
    // The whole candidate as the contents of a JSON string (undoes any escaping), then parsed.
    const unescaped: unknown = JSON.parse(`"${candidate}"`);
    if (typeof unescaped === 'string') return tryParseObject(unescaped);
  } catch {
    // give up
  }
  return undefined;
}

function scanLayer(text: string): ErrorLayer | undefined {
  const match = /\berror\\*"?\s*[:=]\s*\\*"?([A-Za-z][A-Za-z0-9_]*)/.exec(text);
  if (!match?.[1]) return undefined;
  return { error: match[1], description: text };
}

function readHeader(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value[0] : value;
}

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

const TLS_CODES = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_TLS_|ERR_SSL_)/;

function isTimeout(error: unknown): boolean {
  for (const e of causeChain(error)) {
    const name = (e as { name?: unknown }).name;
    if (name === 'TimeoutError') return true;
  }
  return false;
}

/** The first system/undici error code in the cause chain (AggregateErrors included). */
function networkCode(error: unknown): string | undefined {
  for (const e of causeChain(error)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code)) return code;
  }
  return undefined;
}

function causeChain(error: unknown): object[] {
  const out: object[] = [];
  const queue: unknown[] = [error];
  while (queue.length > 0 && out.length < 10) {
    const e = queue.shift();
    if (!e || typeof e !== 'object' || out.includes(e)) continue;
    out.push(e);
    queue.push((e as { cause?: unknown }).cause);
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return out;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the configured address';
  }
}

function formatMs(ms: number): string {
  return ms < 1000 || ms % 1000 !== 0 ? `${ms} ms` : `${ms / 1000} s`;
}
