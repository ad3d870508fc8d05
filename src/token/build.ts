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
import { addSeconds, floorToSecond } from './time.js';

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
function tokensFromResponse(
  response: SchwabTokenResponse,
  fallback: Omit<OAuthTokens, 'accessToken'>,
): OAuthTokens {
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
