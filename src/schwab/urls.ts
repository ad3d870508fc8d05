import { UserError } from '../util/errors.js';
import { loginCommand } from '../util/audience.js';

/** Schwab's API host; overridable (schwab-base-url) for tests and proxies. */
export const DEFAULT_SCHWAB_BASE_URL = 'https://api.schwabapi.com';

/** The callback most Schwab apps register; `127.0.0.1` works where `localhost` does not. */
export const DEFAULT_CALLBACK_URL = 'https://127.0.0.1:8182';

export interface AuthorizeUrlOptions {
  baseUrl: string;
  appKey: string;
  /** Exactly the callback registered on the app (see validateCallbackUrl). */
  callbackUrl: string;
  /** Echoed back on the redirect, to tie it to this login. */
  state?: string;
}

/** `${baseUrl}/v1/oauth/authorize?response_type=code&client_id=…&redirect_uri=…[&state=…]` */
export function buildAuthorizeUrl(options: AuthorizeUrlOptions): string {
  const base = options.baseUrl.replace(/\/+$/, '');
  let url =
    `${base}/v1/oauth/authorize?response_type=code` +
    `&client_id=${encodeURIComponent(options.appKey)}` +
    `&redirect_uri=${encodeURIComponent(options.callbackUrl)}`;
  if (options.state !== undefined && options.state !== '') url += `&state=${encodeURIComponent(options.state)}`;
  return url;
}

export interface RedirectParams {
  /** The authorization code, URL-decoded (Schwab's codes end in `@`, sent as `%40`). A secret: mask it. */
  code: string;
  state?: string;
  session?: string;
}

/** What a request to the callback carries, without the code itself: enough to tell whether it belongs to a login. */
export interface RedirectShape {
  /** The `state` parameter, decoded; undefined when absent. */
  state?: string;
  hasCode: boolean;
  hasError: boolean;
}

/** Reads the shape of a redirect URL (or bare query) without throwing and without handing out the code. */
export function inspectRedirect(url: string): RedirectShape {
  const params = readQuery(extractQuery(url.trim()));
  const state = params.get('state');
  return {
    state: state === undefined ? undefined : safeDecode(state),
    hasCode: (params.get('code') ?? '') !== '',
    hasError: params.has('error'),
  };
}

/**
 * Reads the code from the URL Schwab redirected the browser to (`https://127.0.0.1:8182/?code=C0.…%40&session=…`).
 * Also accepts just the query (`?code=…` or `code=…`), as people paste what they have. Decoding is done by hand,
 * with decodeURIComponent, so a `+` in a code stays a `+`.
 */
export function parseRedirectUrl(url: string): RedirectParams {
  const text = url.trim();
  if (text === '') {
    throw new UserError(
      "No redirect URL was given: paste the whole address from the browser's address bar after Schwab redirects " +
        'to your callback.',
    );
  }
  const params = readQuery(extractQuery(text));
  const rawError = params.get('error');
  if (rawError !== undefined) {
    const error = safeDecode(rawError);
    const code = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(error) ? ` (${error})` : '';
    throw new UserError(
      `Schwab redirected with an error${code} instead of an authorization code: run \`${loginCommand()}\` again, ` +
        `log in and approve access to your accounts.`,
    );
  }
  const rawCode = params.get('code');
  if (rawCode === undefined || rawCode === '') {
    throw new UserError(
      "The redirect URL has no code parameter: paste the whole address from the browser's address bar after " +
        'Schwab redirects to your callback (it contains ?code=…).',
    );
  }
  let code: string;
  try {
    code = decodeURIComponent(rawCode);
  } catch {
    throw new UserError(
      'The code in the redirect URL is not validly URL-encoded: paste the whole address exactly as the browser ' +
        'shows it.',
    );
  }
  const result: RedirectParams = { code };
  const state = params.get('state');
  if (state !== undefined) result.state = safeDecode(state);
  const session = params.get('session');
  if (session !== undefined) result.session = safeDecode(session);
  return result;
}

/**
 * Checks a callback URL against Schwab's rules and returns it normalised to the form Schwab compares
 * byte for byte: https, no trailing `/`, no query or fragment. `localhost` is refused (Schwab does not accept it;
 * `127.0.0.1` works). `what` names the setting in errors, in the reader's words (`--callback-url`,
 * `Input "callback-url"`).
 */
export function validateCallbackUrl(url: string, what = 'The callback URL'): string {
  const text = url.trim();
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new UserError(
      `${what} is not a URL: use the exact callback registered on your app at developer.schwab.com, for example ` +
        `${DEFAULT_CALLBACK_URL}.`,
    );
  }
  if (parsed.protocol !== 'https:') {
    throw new UserError(
      `${what} must use https (Schwab refuses ${parsed.protocol.replace(/:$/, '')}): register and use an https ` +
        `callback such as ${DEFAULT_CALLBACK_URL}.`,
    );
  }
  if (parsed.hostname === 'localhost') {
    const suggestion = `https://127.0.0.1${parsed.port ? `:${parsed.port}` : ''}${trimSlashes(parsed.pathname)}`;
    throw new UserError(
      `${what} uses localhost, which Schwab does not accept: register and use ${suggestion} instead.`,
    );
  }
  if (parsed.username || parsed.password) {
    throw new UserError(`${what} must not contain a user name or password: remove the part before the @.`);
  }
  if (parsed.search || parsed.hash || text.includes('?') || text.includes('#')) {
    throw new UserError(
      `${what} must not contain a query (?…) or fragment (#…): use exactly the callback registered on your app, ` +
        `such as ${DEFAULT_CALLBACK_URL}.`,
    );
  }
  return `${parsed.protocol}//${parsed.host}${trimSlashes(parsed.pathname)}`;
}

/**
 * A query string (without `?`) as a map from decoded names to still-encoded values; the first of repeated names wins.
 * Values are left for the caller to decode with decodeURIComponent, so a `+` in a code stays a `+`.
 */
export function readQuery(query: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = safeDecode(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : part.slice(eq + 1);
    if (!params.has(key)) params.set(key, value);
  }
  return params;
}

function trimSlashes(pathname: string): string {
  return pathname.replace(/\/+$/, '');
}

function extractQuery(text: string): string {
  const hash = text.indexOf('#');
  const withoutHash = hash >= 0 ? text.slice(0, hash) : text;
  const q = withoutHash.indexOf('?');
  if (q >= 0) return withoutHash.slice(q + 1);
  // No "?": a bare query ("code=…&session=…") or a URL without one.
  return /^[A-Za-z_]+=/.test(withoutHash) ? withoutHash : '';
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
