/** Builds records from Schwab's token responses: a fresh login, or a refresh of an existing record. */
import { TokenRecordError } from './errors.js';
import {
  DEFAULT_EXPIRES_IN_S,
  DEFAULT_SCOPE,
  DEFAULT_TOKEN_TYPE,
  MAX_EXPIRES_IN_S,
  type OAuthTokens,
  type SchwabTokenResponse,
  type TokenRecord,
} from './record.js';
import { addSeconds, floorToSecond, formatIsoSeconds } from './time.js';

const RESPONSE_SUBJECT = "Schwab's token response";

/**
 * The record of a fresh login (code exchange): created_at = last_refresh = now (whole seconds), refresh_count 0,
 * expires_at = now + expires_in. Throws TokenRecordError when the response has no access_token or refresh_token.
 */
export function recordFromLogin(response: SchwabTokenResponse, now: Date): TokenRecord {
  const refreshToken = presentString(response.refresh_token);
  if (refreshToken === undefined) {
    throw new TokenRecordError(
      RESPONSE_SUBJECT,
      'to the login has no "refresh_token"',
      'log in again; the login must use the authorization-code grant (client_credentials gives no refresh token)',
      'refresh_token',
    );
  }
  const at = floorToSecond(now);
  const tokens = tokensFromResponse(response, {
    refreshToken,
    tokenType: DEFAULT_TOKEN_TYPE,
    scope: DEFAULT_SCOPE,
    expiresIn: DEFAULT_EXPIRES_IN_S,
  });
  return {
    tokens,
    meta: { createdAt: at, accessTokenExpiresAt: addSeconds(at, tokens.expiresIn), lastRefresh: at, refreshCount: 0 },
  };
}

/**
 * The record after a successful refresh: the new access token with expires_at = now + expires_in; the refresh and id
 * tokens from the response, or the previous ones when it has none; the same created_at (a refresh never moves the
 * 7-day deadline); last_refresh = now (whole seconds); refresh_count + 1. Throws TokenRecordError when the response
 * has no access_token.
 */
export function recordAfterRefresh(previous: TokenRecord, response: SchwabTokenResponse, now: Date): TokenRecord {
  const at = floorToSecond(now);
  const tokens = tokensFromResponse(response, previous.tokens);
  return {
    tokens,
    meta: {
      createdAt: previous.meta.createdAt,
      accessTokenExpiresAt: addSeconds(at, tokens.expiresIn),
      lastRefresh: at,
      refreshCount: previous.meta.refreshCount + 1,
    },
  };
}

/** The response's tokens; a field the response lacks (or sends empty or malformed) comes from `fallback`. */
function tokensFromResponse(response: SchwabTokenResponse, fallback: Omit<OAuthTokens, 'accessToken'>): OAuthTokens {
  const accessToken = presentString(response.access_token);
  if (accessToken === undefined) {
    throw new TokenRecordError(
      RESPONSE_SUBJECT,
      'has no "access_token"',
      'try again; if it keeps happening, log in again',
      'access_token',
    );
  }
  const idToken = presentString(response.id_token) ?? fallback.idToken;
  return {
    accessToken,
    refreshToken: presentString(response.refresh_token) ?? fallback.refreshToken,
    ...(idToken === undefined ? {} : { idToken }),
    tokenType: presentString(response.token_type) ?? fallback.tokenType,
    scope: typeof response.scope === 'string' ? response.scope : fallback.scope,
    expiresIn: usableExpiresIn(response.expires_in) ?? DEFAULT_EXPIRES_IN_S,
  };
}

function presentString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function usableExpiresIn(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_EXPIRES_IN_S
    ? value
    : undefined;
}

/**
 * A refreshed record made fit to be stored. Schwab has just answered, and with a Schwab that hands out a new refresh
 * token the old one is dead: the tokens are never dropped over metadata the validator would reject. A login time
 * (`created_at`) in the future, from a fast clock on the machine that logged in, becomes now (the deadline shown is
 * then a little early, never late); a refresh count past the largest safe integer stays at it. Returns the record
 * and one warning per change (names and times only, never a value).
 */
export function normalizeRefreshed(record: TokenRecord, now: Date): { record: TokenRecord; warnings: string[] } {
  const warnings: string[] = [];
  const at = floorToSecond(now);
  let { createdAt, refreshCount } = record.meta;
  if (createdAt.getTime() > at.getTime()) {
    warnings.push(
      `The login time of the token record (created_at ${formatIsoSeconds(createdAt)}) is in the future, probably ` +
        `from a ` +
        "fast clock on the machine that logged in: it was set to now, so the refresh token's deadline shown is " +
        'a little early.',
    );
    createdAt = at;
  }
  if (!Number.isSafeInteger(refreshCount)) {
    warnings.push(
      `The refresh count of the token record reached its largest value (${Number.MAX_SAFE_INTEGER}); it stays there.`,
    );
    refreshCount = Number.MAX_SAFE_INTEGER;
  }
  if (warnings.length === 0) return { record, warnings };
  return { record: { ...record, meta: { ...record.meta, createdAt, refreshCount } }, warnings };
}
