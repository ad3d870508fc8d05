/**
 * A loopback fake of Schwab's OAuth and a cheap probe, modelled on docs/design.md#schwab (see #tests there):
 *
 * - `POST /v1/oauth/token` with `Authorization: Basic base64(appKey:appSecret)` (else 401 invalid_client exactly as
 *   Schwab answers), form-encoded: `authorization_code` (codes valid 30 s, single use, redirect_uri must match) and
 *   `refresh_token` (7-day absolute deadline from the login; a new login revokes every older refresh token;
 *   optional rotate-on-refresh). `client_credentials` answers as Schwab does: a 1-hour token, no refresh token.
 * - `GET /v1/oauth/authorize` plays the consent page: a 302 to `redirect_uri/?code=C0.…%40&session=<uuid>&state=…`.
 * - `GET /trader/v1/accounts/accountNumbers` and `GET /marketdata/v1/quotes` accept valid access tokens (30 min).
 * - Errors use Schwab's real (wrapped) bodies; faults can be queued per endpoint (`fail`).
 * - Every request is recorded (`requests`), the Basic header and form body included.
 *
 * - Several Schwab users (see "Users and the consent page" below): each login belongs to one, the accounts probe lists
 *   that user's accounts, and a login revokes only that user's older refresh tokens. The authorize page can be a real
 *   HTML consent page (`consentPage`) on which a browser picks the user, or deny.
 *
 * Time comes from `options.now` (default: the system clock) plus whatever `advance()` added, so tests can expire
 * codes and refresh tokens without waiting. Usable from any suite: the child process of an end-to-end test only
 * needs `baseUrl`.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SchwabTokenResponse } from '../../src/token/record.js';

/** The endpoints faults can be queued on. */
export type SchwabFakeEndpoint = 'token' | 'authorize' | 'consent' | 'accounts' | 'quotes';

/**
 * A fault answered instead of the real thing:
 * - a status number or `{ status, retryAfter?, body?, contentType? }` (e.g. `{ status: 429, retryAfter: 7 }`, `503`);
 *   without `body`, a short JSON error body;
 * - `'access-denied'`: Akamai's HTML "Access Denied" page, HTTP 403 text/html;
 * - `'empty'`: HTTP 200 with an empty body;
 * - `'non-json'`: HTTP 200, `application/json` claimed, but plain text;
 * - `'hang'`: never answers (until the client gives up or the fake closes);
 * - `'reset'`: destroys the socket after reading the request.
 */
export type SchwabFault =
  | number
  | { status: number; retryAfter?: number | string; body?: string; contentType?: string }
  | 'access-denied'
  | 'empty'
  | 'non-json'
  | 'hang'
  | 'reset';

export interface SchwabFakeOptions {
  /** Default `fake-app-key-0123456789abcdef`. */
  appKey?: string;
  /** Default `fake-app-secret-0123`. */
  appSecret?: string;
  /** The callback registered on the app; redirect_uri must equal it. Default `https://127.0.0.1:8182`. */
  callbackUrl?: string;
  /** The fake's clock. Default: the system clock. `advance()` adds to it. */
  now?: () => Date;
  /** Refresh returns a NEW refresh token and the old one stops working (same 7-day deadline). Default false. */
  rotateOnRefresh?: boolean;
  /** Whether the app has each product (a probe of a missing one answers 401 "Client not authorized"). */
  products?: { accounts?: boolean; quotes?: boolean };
  /** Default 1800. */
  accessTokenLifetimeSeconds?: number;
  /** Default 30 000. */
  codeLifetimeMs?: number;
  /** Default 7 days. */
  refreshTokenLifetimeMs?: number;
  /** More callbacks registered on the app (Schwab apps take several); redirect_uri may equal any of them. */
  extraCallbackUrls?: string[];
  /** The Schwab users who can log in. Default DEFAULT_SCHWAB_USERS (`owner` and `other`). */
  users?: Record<string, FakeSchwabUser>;
  /** Who a login without a consent page logs in as (`login()`, `issueTokens()`, a plain GET of authorize). Default the first user. */
  user?: string;
  /** GET /v1/oauth/authorize answers an HTML consent page (pick a user, or deny) instead of redirecting at once. */
  consentPage?: boolean;
}

/** One request as the fake saw it. */
export interface SchwabFakeRequest {
  method: string;
  /** The path without the query. */
  path: string;
  /** The path with the query, as sent. */
  url: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The raw body. */
  body: string;
  /** The form-decoded body (token endpoint). */
  form: Record<string, string>;
  endpoint: SchwabFakeEndpoint | 'unknown';
  /** The fault answered instead of the real thing, if any. */
  fault?: SchwabFault;
  /** Fake time when it arrived. */
  at: Date;
}

/** A token response as the fake issues it: every field present. */
export type FakeTokenResponse = Required<SchwabTokenResponse>;

export interface IssuedTokens {
  response: FakeTokenResponse;
  /** The login time: `created_at` of a record built from this response. */
  loginAt: Date;
  refreshTokenExpiresAt: Date;
  accessTokenExpiresAt: Date;
}

export interface FakeLogin {
  /** The decoded code (ends in `@`). */
  code: string;
  session: string;
  state?: string;
  /** The full Location header, code still URL-encoded (`%40`), as a browser would show it. */
  redirectUrl: string;
}

/** A Schwab user of the fake: the accounts the accounts probe lists for their logins. */
export interface FakeSchwabUser {
  /** Shown on the consent page; default the user's key. */
  name?: string;
  accounts: { accountNumber: string; hashValue: string }[];
}

/** `owner` (one account, the probe's historical answer) and `other`, another Schwab customer with two accounts. */
export const DEFAULT_SCHWAB_USERS: Readonly<Record<string, FakeSchwabUser>> = {
  owner: {
    name: 'the owner',
    accounts: [{ accountNumber: '12345678', hashValue: 'E5B1F2A3C4D5E6F708192A3B4C5D6E7F' }],
  },
  other: {
    name: 'another Schwab customer',
    accounts: [
      { accountNumber: '87654321', hashValue: '0A1B2C3D4E5F60718293A4B5C6D7E8F9' },
      { accountNumber: '55550000', hashValue: 'F9E8D7C6B5A4938271605F4E3D2C1B0A' },
    ],
  },
};

export interface SchwabFake {
  /** `http://127.0.0.1:<port>`: pass it as the client's baseUrl / the action's schwab-base-url. */
  readonly baseUrl: string;
  readonly appKey: string;
  readonly appSecret: string;
  readonly callbackUrl: string;
  /** Every request, oldest first. */
  readonly requests: SchwabFakeRequest[];
  /** Requests to the token endpoint only. */
  tokenRequests(): SchwabFakeRequest[];
  /** Switches rotate-on-refresh at any time. */
  rotateOnRefresh: boolean;
  /** Who the next login without a consent page belongs to (a key of `users`); settable at any time. */
  user: string;
  readonly users: Readonly<Record<string, FakeSchwabUser>>;
  /** The fake's current time. */
  now(): Date;
  /** Moves the fake's clock forward. */
  advance(ms: number): void;
  /** Queues `fault` for the next `times` (default 1) requests to `endpoint`. */
  fail(endpoint: SchwabFakeEndpoint, fault: SchwabFault, times?: number): void;
  /** Drops every queued fault. */
  clearFaults(): void;
  /**
   * Runs `hook` when the next request to `endpoint` arrives, before the fake answers it (e.g. a login landing in a
   * store while a run is refreshing). One-shot; the request is answered once the hook settles.
   */
  beforeNext(endpoint: SchwabFakeEndpoint, hook: (request: SchwabFakeRequest) => Promise<void> | void): void;
  /** Plays the browser: GET /v1/oauth/authorize over HTTP and follows nothing; returns the code from the 302. */
  login(options?: { state?: string; redirectUri?: string; user?: string }): Promise<FakeLogin>;
  /** Creates a code directly, as a finished consent would (no HTTP). */
  issueCode(redirectUri?: string, user?: string): string;
  /**
   * Creates a token set directly, as a finished login + code exchange at `loginAt` (default now) would: it revokes
   * every older refresh token. The access token is issued at `loginAt` too.
   */
  issueTokens(options?: { loginAt?: Date; user?: string }): IssuedTokens;
  /** Which user an access token or refresh token belongs to (undefined if the fake never issued it). */
  userOf(token: string): string | undefined;
  /** Every code, access token and refresh token the fake ever issued (for leak scans). */
  issuedSecrets(): string[];
  /** Revokes every refresh token and access token. */
  revokeAll(): void;
  /** What the fake knows about a refresh token (undefined if it never issued it). */
  refreshTokenInfo(token: string): { loginAt: Date; expiresAt: Date; active: boolean } | undefined;
  /** Whether an access token would be accepted by the probes now. */
  isAccessTokenValid(token: string): boolean;
  close(): Promise<void>;
}

// --- Schwab's real bodies ----------------------------------------------------------------------------------------

/** Wraps an inner error the way Schwab's token endpoint does (HTTP 400, `unsupported_token_type`). */
export function wrapSchwabError(error: string, description: string): string {
  const inner = JSON.stringify({ error_description: description, error });
  return JSON.stringify({ error: 'unsupported_token_type', error_description: `400 Bad Request: "${inner}"` });
}

/** Error bodies as Schwab sends them; each with the status it comes with. */
export const SCHWAB_ERROR_BODIES = {
  /** Dead refresh token (expired, revoked by a newer login, unknown). */
  refreshTokenAuthentication: (digest = 'q0+1H1qD6sK0Xk3hVwE0nE2kR4Zq7fXyW9hY1r4y8Kc=') => ({
    status: 400,
    body: wrapSchwabError(
      'refresh_token_authentication_error',
      `Exception while authenticating refresh token [tokenDigest=${digest}], failed to validate`,
    ),
  }),
  invalidGrant: () => ({
    status: 400,
    body: wrapSchwabError('invalid_grant', 'Refresh token is invalid, expired or revoked'),
  }),
  invalidClientRefreshToken: () => ({
    status: 400,
    body: JSON.stringify({ error: 'invalid_client', error_description: 'refresh token invalid' }),
  }),
  expiredCode: (expiration: number, now: number) => ({
    status: 400,
    body: wrapSchwabError(
      'invalid_request',
      `Bad authorization code: AuthorizationCode has expired,expiration=${expiration},now=${now}`,
    ),
  }),
  unknownCode: () => ({
    status: 400,
    body: wrapSchwabError('invalid_request', 'Bad authorization code: AuthorizationCode is invalid'),
  }),
  redirectMismatch: () => ({
    status: 400,
    body: wrapSchwabError('invalid_request', 'Invalid redirect_uri: does not match the registered callback'),
  }),
  unsupportedGrant: () => ({
    status: 400,
    body: wrapSchwabError('unsupported_grant_type', 'Unsupported grant type'),
  }),
  /** Wrong app key or secret, or no Basic header. */
  unauthorized: () => ({
    status: 401,
    body: JSON.stringify({ error: 'invalid_client', error_description: 'Unauthorized' }),
  }),
} as const;

/** Akamai's "Access Denied" page (HTTP 403, text/html). */
export const ACCESS_DENIED_HTML =
  '<HTML><HEAD>\n<TITLE>Access Denied</TITLE>\n</HEAD><BODY>\n<H1>Access Denied</H1>\n \n' +
  'You don\'t have permission to access "http&#58;&#47;&#47;api&#46;schwabapi&#46;com&#47;v1&#47;oauth&#47;token" on this server.<P>\n' +
  'Reference&#32;&#35;18&#46;5e3b1002&#46;1716400000&#46;1a2b3c4d\n</BODY>\n</HTML>\n';

const PROBE_UNAUTHORIZED = JSON.stringify({
  errors: [
    {
      id: '0f1e2d3c-0000-4000-8000-000000000000',
      status: '401',
      title: 'Unauthorized',
      detail: 'Client not authorized',
    },
  ],
});

// --- the fake ----------------------------------------------------------------------------------------------------

interface Grant {
  id: number;
  loginAt: Date;
  revoked: boolean;
  user: string;
}

interface CodeState {
  issuedAt: Date;
  redirectUri: string;
  used: boolean;
  user: string;
}

const DAY_MS = 86_400_000;

export async function startSchwabFake(options: SchwabFakeOptions = {}): Promise<SchwabFake> {
  const appKey = options.appKey ?? 'fake-app-key-0123456789abcdef';
  const appSecret = options.appSecret ?? 'fake-app-secret-0123';
  const callbackUrl = options.callbackUrl ?? 'https://127.0.0.1:8182';
  const baseNow = options.now ?? (() => new Date());
  const accessLifetimeMs = (options.accessTokenLifetimeSeconds ?? 1800) * 1000;
  const codeLifetimeMs = options.codeLifetimeMs ?? 30_000;
  const refreshLifetimeMs = options.refreshTokenLifetimeMs ?? 7 * DAY_MS;
  const products = { accounts: true, quotes: true, ...options.products };
  const callbackUrls = [callbackUrl, ...(options.extraCallbackUrls ?? [])];
  const users = options.users ?? DEFAULT_SCHWAB_USERS;
  const checkUser = (user: string): string => {
    if (!Object.hasOwn(users, user))
      throw new Error(`the Schwab fake has no user "${user}" (users: ${Object.keys(users).join(', ')})`);
    return user;
  };

  let offsetMs = 0;
  const now = () => new Date(baseNow().getTime() + offsetMs);
  const requests: SchwabFakeRequest[] = [];
  const faults = new Map<SchwabFakeEndpoint, SchwabFault[]>();
  const hooks = new Map<SchwabFakeEndpoint, (request: SchwabFakeRequest) => Promise<void> | void>();
  const grants: Grant[] = [];
  const refreshTokens = new Map<string, { grant: Grant; active: boolean }>();
  const accessTokens = new Map<string, { grant: Grant | undefined; expiresAt: Date; revoked: boolean }>();
  const codes = new Map<string, CodeState>();

  const random = (bytes: number) => randomBytes(bytes).toString('base64url');

  function issueCode(redirectUri = callbackUrl, user = fake.user): string {
    const code = `C0.b2F1dGgyLmJkYy5zY2h3YWIuY29t.${random(24)}@`;
    codes.set(code, { issuedAt: now(), redirectUri, used: false, user: checkUser(user) });
    return code;
  }

  function newAccessToken(grant: Grant | undefined, issuedAt: Date, lifetimeMs = accessLifetimeMs) {
    const token = `I0.b2F1dGgyLmNkYy5zY2h3YWIuY29t.${random(33)}@`;
    const expiresAt = new Date(issuedAt.getTime() + lifetimeMs);
    accessTokens.set(token, { grant, expiresAt, revoked: false });
    return { token, expiresAt };
  }

  function newRefreshToken(grant: Grant): string {
    const token = `${random(48)}@`;
    refreshTokens.set(token, { grant, active: true });
    return token;
  }

  function idToken(issuedAt: Date): string {
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT' })).toString('base64url');
    const iat = Math.floor(issuedAt.getTime() / 1000);
    const payload = Buffer.from(
      JSON.stringify({ sub: 'fake-user', aud: appKey, iss: 'https://api.schwabapi.com', iat, exp: iat + 3600 }),
    ).toString('base64url');
    return `${header}.${payload}.${random(64)}`;
  }

  function completeLogin(loginAt: Date, user: string): IssuedTokens {
    // A login revokes the older refresh tokens of the same user (another user's login leaves them alone).
    for (const grant of grants) if (grant.user === user) grant.revoked = true;
    const grant: Grant = { id: grants.length + 1, loginAt, revoked: false, user };
    grants.push(grant);
    const access = newAccessToken(grant, loginAt);
    const response: FakeTokenResponse = {
      expires_in: accessLifetimeMs / 1000,
      token_type: 'Bearer',
      scope: 'api',
      refresh_token: newRefreshToken(grant),
      access_token: access.token,
      id_token: idToken(loginAt),
    };
    return {
      response,
      loginAt,
      refreshTokenExpiresAt: new Date(loginAt.getTime() + refreshLifetimeMs),
      accessTokenExpiresAt: access.expiresAt,
    };
  }

  function refreshTokenState(token: string) {
    const entry = refreshTokens.get(token);
    if (!entry) return undefined;
    const expiresAt = new Date(entry.grant.loginAt.getTime() + refreshLifetimeMs);
    const active = entry.active && !entry.grant.revoked && now().getTime() < expiresAt.getTime();
    return { entry, expiresAt, active };
  }

  // --- HTTP ---

  function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(body)),
      ...headers,
    });
    res.end(body);
  }

  function sendError(res: ServerResponse, error: { status: number; body: string }): void {
    send(res, error.status, error.body);
  }

  function answerFault(req: IncomingMessage, res: ServerResponse, fault: SchwabFault): void {
    if (fault === 'hang') return;
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault === 'access-denied') {
      send(res, 403, ACCESS_DENIED_HTML, { 'Content-Type': 'text/html', 'Mime-Version': '1.0' });
      return;
    }
    if (fault === 'empty') {
      send(res, 200, '');
      return;
    }
    if (fault === 'non-json') {
      send(res, 200, 'upstream connect error or disconnect/reset before headers. reset reason: connection termination');
      return;
    }
    const spec = typeof fault === 'number' ? { status: fault } : fault;
    const headers: Record<string, string> = {};
    if (spec.retryAfter !== undefined) headers['Retry-After'] = String(spec.retryAfter);
    if (spec.contentType) headers['Content-Type'] = spec.contentType;
    const body =
      spec.body ??
      (spec.status === 429
        ? JSON.stringify({ errors: [{ status: '429', title: 'Too Many Requests' }] })
        : spec.status >= 500
          ? JSON.stringify({ error: 'server_error', error_description: 'Internal Server Error' })
          : JSON.stringify({ error: 'fault', error_description: `injected HTTP ${spec.status}` }));
    send(res, spec.status, body, headers);
  }

  function endpointOf(method: string, path: string): SchwabFakeEndpoint | 'unknown' {
    if (path === '/v1/oauth/token' && method === 'POST') return 'token';
    if (path === '/v1/oauth/authorize' && method === 'GET') return 'authorize';
    if (path === '/v1/oauth/authorize' && method === 'POST') return 'consent';
    if (path === '/trader/v1/accounts/accountNumbers' && method === 'GET') return 'accounts';
    if (path === '/marketdata/v1/quotes' && method === 'GET') return 'quotes';
    return 'unknown';
  }

  function handleToken(record: SchwabFakeRequest, res: ServerResponse): void {
    if (!checkBasic(record.headers.authorization)) return sendError(res, SCHWAB_ERROR_BODIES.unauthorized());
    const contentType = String(record.headers['content-type'] ?? '');
    if (!contentType.startsWith('application/x-www-form-urlencoded')) {
      return sendError(res, {
        status: 400,
        body: wrapSchwabError('invalid_request', 'Content-Type must be application/x-www-form-urlencoded'),
      });
    }
    const form = record.form;
    switch (form.grant_type) {
      case 'authorization_code': {
        const code = form.code ?? '';
        const state = codes.get(code);
        if (!state || state.used) return sendError(res, SCHWAB_ERROR_BODIES.unknownCode());
        state.used = true;
        const expiration = state.issuedAt.getTime() + codeLifetimeMs;
        if (now().getTime() >= expiration) {
          return sendError(res, SCHWAB_ERROR_BODIES.expiredCode(expiration, now().getTime()));
        }
        if (form.redirect_uri !== state.redirectUri) return sendError(res, SCHWAB_ERROR_BODIES.redirectMismatch());
        return send(res, 200, JSON.stringify(completeLogin(now(), state.user).response));
      }
      case 'refresh_token': {
        const token = form.refresh_token ?? '';
        const state = refreshTokenState(token);
        if (!state?.active) {
          const digest = createHash('sha256').update(token).digest('base64');
          return sendError(res, SCHWAB_ERROR_BODIES.refreshTokenAuthentication(digest));
        }
        const grant = state.entry.grant;
        let refreshToken = token;
        if (fake.rotateOnRefresh) {
          state.entry.active = false;
          refreshToken = newRefreshToken(grant);
        }
        const access = newAccessToken(grant, now());
        const response: FakeTokenResponse = {
          expires_in: accessLifetimeMs / 1000,
          token_type: 'Bearer',
          scope: 'api',
          refresh_token: refreshToken,
          access_token: access.token,
          id_token: idToken(now()),
        };
        return send(res, 200, JSON.stringify(response));
      }
      case 'client_credentials': {
        // What Schwab does, and why the product never asks for it: a 1-hour token, no refresh token.
        const access = newAccessToken(undefined, now(), 3_600_000);
        return send(
          res,
          200,
          JSON.stringify({ expires_in: 3600, token_type: 'Bearer', scope: 'api', access_token: access.token }),
        );
      }
      default:
        return sendError(res, SCHWAB_ERROR_BODIES.unsupportedGrant());
    }
  }

  /** Checks an authorize request (GET query or consent form); the error answer, or undefined when it is sound. */
  function authorizeError(params: Record<string, string | undefined>): { status: number; body: string } | undefined {
    const { response_type: responseType, client_id: clientId, redirect_uri: redirectUri } = params;
    if (clientId !== appKey) {
      return { status: 400, body: JSON.stringify({ error: 'invalid_client', error_description: 'Unknown client_id' }) };
    }
    if (responseType !== 'code') {
      return {
        status: 400,
        body: JSON.stringify({ error: 'unsupported_response_type', error_description: 'response_type must be code' }),
      };
    }
    if (redirectUri === undefined || !callbackUrls.includes(redirectUri)) {
      return {
        status: 400,
        body: JSON.stringify({
          error: 'invalid_request',
          error_description: 'redirect_uri does not match the registered callback',
        }),
      };
    }
    return undefined;
  }

  /** Schwab's redirect after the consent: CALLBACK/?code=…%40&session=…&state=… (or ?error=…&state=… on a denial). */
  function redirectAfterConsent(
    res: ServerResponse,
    redirectUri: string,
    state: string | undefined,
    outcome: { user: string } | { error: string },
  ): void {
    // The origin form gets its "/" (https://127.0.0.1:8182 → https://127.0.0.1:8182/).
    const target = new URL(redirectUri).href;
    let location =
      'user' in outcome
        ? `${target}?code=${encodeURIComponent(issueCode(redirectUri, outcome.user))}&session=${randomUUID()}`
        : `${target}?error=${encodeURIComponent(outcome.error)}`;
    if (state !== undefined) location += `&state=${encodeURIComponent(state)}`;
    res.writeHead(302, { Location: location, 'Content-Length': '0', 'Cache-Control': 'no-store' });
    res.end();
  }

  function handleAuthorize(record: SchwabFakeRequest, res: ServerResponse): void {
    const invalid = authorizeError(record.query);
    if (invalid) return sendError(res, invalid);
    const { redirect_uri: redirectUri = '', state } = record.query;
    if (options.consentPage) return sendConsentPage(res, record.query);
    redirectAfterConsent(res, redirectUri, state, { user: fake.user });
  }

  function handleProbe(endpoint: 'accounts' | 'quotes', record: SchwabFakeRequest, res: ServerResponse): void {
    const auth = String(record.headers.authorization ?? '');
    const token = auth.startsWith('Bearer ') ? auth.slice('Bearer '.length) : '';
    if (!isAccessTokenValid(token) || !products[endpoint]) return send(res, 401, PROBE_UNAUTHORIZED);
    if (endpoint === 'accounts') {
      const user = accessTokens.get(token)?.grant?.user ?? fake.user;
      return send(res, 200, JSON.stringify(users[user]?.accounts ?? []));
    }
    const symbols = (record.query.symbols ?? 'SPY').split(',');
    const body = Object.fromEntries(
      symbols.map((symbol) => [symbol, { assetMainType: 'EQUITY', symbol, quote: { lastPrice: 512.34 } }]),
    );
    return send(res, 200, JSON.stringify(body));
  }

  function checkBasic(header: string | undefined): boolean {
    if (!header?.startsWith('Basic ')) return false;
    const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon > 0 && decoded.slice(0, colon) === appKey && decoded.slice(colon + 1) === appSecret;
  }

  function isAccessTokenValid(token: string): boolean {
    const entry = accessTokens.get(token);
    return !!entry && !entry.revoked && now().getTime() < entry.expiresAt.getTime();
  }

  // --- users and the consent page (a browser picks who logs in, or denies) -------------------------------------------

  /** The consent page: one button per user, and Deny. A plain form (no script), posted back to /v1/oauth/authorize. */
  function sendConsentPage(res: ServerResponse, query: Record<string, string>): void {
    const hidden = ['response_type', 'client_id', 'redirect_uri', 'state']
      .filter((name) => query[name] !== undefined)
      .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(query[name] ?? '')}">`)
      .join('');
    const buttons = Object.entries(users)
      .map(
        ([id, user]) =>
          `<p><button type="submit" name="user" value="${escapeHtml(id)}" id="login-${escapeHtml(id)}">Log in as ${escapeHtml(user.name ?? id)} ` +
          `(${user.accounts.length} account${user.accounts.length === 1 ? '' : 's'})</button></p>`,
      )
      .join('');
    const body =
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Schwab (fake): log in</title></head><body>' +
      '<h1>Charles Schwab (fake)</h1><p>An app asks for access to your accounts.</p>' +
      `<form method="post" action="/v1/oauth/authorize">${hidden}${buttons}` +
      '<p><button type="submit" name="deny" value="1" id="deny">Deny</button></p></form></body></html>';
    send(res, 200, body, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  }

  /** The consent form's answer: a redirect with a code for the chosen user, or with error=access_denied. */
  function handleConsent(record: SchwabFakeRequest, res: ServerResponse): void {
    const invalid = authorizeError(record.form);
    if (invalid) return sendError(res, invalid);
    const { redirect_uri: redirectUri = '', state, user, deny } = record.form;
    if (deny !== undefined) return redirectAfterConsent(res, redirectUri, state, { error: 'access_denied' });
    if (user === undefined || !Object.hasOwn(users, user)) {
      return send(res, 400, JSON.stringify({ error: 'invalid_request', error_description: 'unknown user' }));
    }
    redirectAfterConsent(res, redirectUri, state, { user });
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = Buffer.concat(chunks).toString('utf8');
      const method = req.method ?? 'GET';
      const endpoint = endpointOf(method, url.pathname);
      const isForm = String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
      const record: SchwabFakeRequest = {
        method,
        path: url.pathname,
        url: req.url ?? '/',
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body,
        form: isForm ? Object.fromEntries(new URLSearchParams(body)) : {},
        endpoint,
        at: now(),
      };
      requests.push(record);
      const hook = endpoint === 'unknown' ? undefined : hooks.get(endpoint);
      if (hook && endpoint !== 'unknown') {
        hooks.delete(endpoint);
        void Promise.resolve(hook(record)).then(() => answer(endpoint, record, req, res));
        return;
      }
      answer(endpoint, record, req, res);
    });
  });

  function answer(
    endpoint: SchwabFakeEndpoint | 'unknown',
    record: SchwabFakeRequest,
    req: IncomingMessage,
    res: ServerResponse,
  ): void {
    if (endpoint !== 'unknown') {
      const fault = faults.get(endpoint)?.shift();
      if (fault !== undefined) {
        record.fault = fault;
        return answerFault(req, res, fault);
      }
    }
    switch (endpoint) {
      case 'token':
        return handleToken(record, res);
      case 'authorize':
        return handleAuthorize(record, res);
      case 'consent':
        return handleConsent(record, res);
      case 'accounts':
      case 'quotes':
        return handleProbe(endpoint, record, res);
      default:
        // A browser on the consent page asks for the site's icon; Schwab has one (an empty answer will do).
        if (record.method === 'GET' && record.path === '/favicon.ico')
          return send(res, 204, '', { 'Content-Type': 'image/x-icon' });
        return send(
          res,
          404,
          JSON.stringify({ error: 'not_found', error_description: `No route for ${record.method} ${record.path}` }),
        );
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;

  const fake: SchwabFake = {
    baseUrl,
    appKey,
    appSecret,
    callbackUrl,
    requests,
    tokenRequests: () => requests.filter((r) => r.endpoint === 'token'),
    rotateOnRefresh: options.rotateOnRefresh ?? false,
    user: checkUser(options.user ?? Object.keys(users)[0] ?? ''),
    users,
    now,
    advance(ms) {
      offsetMs += ms;
    },
    beforeNext(endpoint, hook) {
      hooks.set(endpoint, hook);
    },
    fail(endpoint, fault, times = 1) {
      const queue = faults.get(endpoint) ?? [];
      for (let i = 0; i < times; i++) queue.push(fault);
      faults.set(endpoint, queue);
    },
    clearFaults() {
      faults.clear();
    },
    async login(loginOptions = {}) {
      let url =
        `${baseUrl}/v1/oauth/authorize?response_type=code&client_id=${encodeURIComponent(appKey)}` +
        `&redirect_uri=${encodeURIComponent(loginOptions.redirectUri ?? callbackUrl)}`;
      if (loginOptions.state !== undefined) url += `&state=${encodeURIComponent(loginOptions.state)}`;
      const previousUser = fake.user;
      if (loginOptions.user !== undefined) fake.user = checkUser(loginOptions.user);
      const response = await fetch(url, { redirect: 'manual' }).finally(() => (fake.user = previousUser));
      await response.arrayBuffer();
      const location = response.headers.get('location');
      if (response.status !== 302 || !location) {
        throw new Error(`fake authorize answered HTTP ${response.status} without a redirect`);
      }
      const params = new URL(location).searchParams;
      const result: FakeLogin = {
        code: params.get('code') ?? '',
        session: params.get('session') ?? '',
        redirectUrl: location,
      };
      const state = params.get('state');
      if (state !== null) result.state = state;
      return result;
    },
    issueCode,
    issueTokens(issueOptions = {}) {
      return completeLogin(issueOptions.loginAt ?? now(), checkUser(issueOptions.user ?? fake.user));
    },
    issuedSecrets() {
      return [...codes.keys(), ...accessTokens.keys(), ...refreshTokens.keys()];
    },
    userOf(token) {
      return (accessTokens.get(token)?.grant ?? refreshTokens.get(token)?.grant)?.user;
    },
    revokeAll() {
      for (const grant of grants) grant.revoked = true;
      for (const entry of accessTokens.values()) entry.revoked = true;
    },
    refreshTokenInfo(token) {
      const state = refreshTokenState(token);
      if (!state) return undefined;
      return { loginAt: state.entry.grant.loginAt, expiresAt: state.expiresAt, active: state.active };
    },
    isAccessTokenValid,
    close() {
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
  return fake;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
