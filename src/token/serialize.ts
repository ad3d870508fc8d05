/**
 * Writes a token record as compact one-line JSON, in the rotator format (docs/design.md#record) or schwab-py's token
 * file format.
 */
import { refreshTokenExpiresAt, type TokenFormat, type TokenRecord } from './record.js';
import { formatIsoSeconds, toEpochSeconds } from './time.js';

/**
 * Keys this tool adds at the top level of a schwab-py token file so the round trip keeps them. schwab-py's
 * `TokenMetadata.from_loaded_token` reads only `creation_timestamp` and `token`, so extra keys are harmless; it drops
 * them when it rewrites the file itself.
 */
export const SCHWAB_PY_EXTRA_KEYS = {
  lastRefresh: 'last_refresh_timestamp',
  refreshCount: 'refresh_count',
} as const;

/**
 * The record as one line of JSON.
 *
 * - `rotator`: `{"access_token","refresh_token","id_token"?,"token_type","scope","expires_in","expires_at",
 *   "created_at","refresh_token_expires_at","last_refresh","refresh_count"}` in that order, dates as
 *   `2026-11-21T12:30:00Z` (UTC, no milliseconds).
 * - `schwab-py`: `{"creation_timestamp":s,"token":{"expires_in","token_type","scope","refresh_token","access_token",
 *   "id_token"?,"expires_at":s},"last_refresh_timestamp":s,"refresh_count":n}`: what schwab-py's
 *   `client_from_access_functions` / `client_from_token_file` load (the token object is exactly what it passes to
 *   authlib, in the order Schwab and authlib write it); dates are whole seconds since 1970.
 *
 * parseTokenRecord gives the same record back for both formats (dates have whole seconds).
 */
export function serializeRecord(record: TokenRecord, format: TokenFormat): string {
  return JSON.stringify(format === 'schwab-py' ? toSchwabPy(record) : toRotator(record));
}

function toRotator({ tokens, meta }: TokenRecord): Record<string, unknown> {
  return {
    access_token: tokens.accessToken,
    refresh_token: tokens.refreshToken,
    ...(tokens.idToken === undefined ? {} : { id_token: tokens.idToken }),
    token_type: tokens.tokenType,
    scope: tokens.scope,
    expires_in: tokens.expiresIn,
    expires_at: formatIsoSeconds(meta.accessTokenExpiresAt),
    created_at: formatIsoSeconds(meta.createdAt),
    refresh_token_expires_at: formatIsoSeconds(refreshTokenExpiresAt(meta)),
    last_refresh: formatIsoSeconds(meta.lastRefresh),
    refresh_count: meta.refreshCount,
  };
}

function toSchwabPy({ tokens, meta }: TokenRecord): Record<string, unknown> {
  return {
    creation_timestamp: toEpochSeconds(meta.createdAt),
    token: {
      expires_in: tokens.expiresIn,
      token_type: tokens.tokenType,
      scope: tokens.scope,
      refresh_token: tokens.refreshToken,
      access_token: tokens.accessToken,
      ...(tokens.idToken === undefined ? {} : { id_token: tokens.idToken }),
      expires_at: toEpochSeconds(meta.accessTokenExpiresAt),
    },
    [SCHWAB_PY_EXTRA_KEYS.lastRefresh]: toEpochSeconds(meta.lastRefresh),
    [SCHWAB_PY_EXTRA_KEYS.refreshCount]: meta.refreshCount,
  };
}
