/**
 * The token record: Schwab's token response plus the metadata this product keeps about it
 * (kept apart, as schwab-py's TokenMetadata does, so the deadline math never touches token values).
 */

/** The 7-day absolute lifetime of a refresh token, counted from the login (code exchange). */
export const REFRESH_TOKEN_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

/** What Schwab's token endpoint returns (both grants). */
export interface SchwabTokenResponse {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  token_type: string;
  scope: string;
  expires_in: number;
}

/** The OAuth tokens themselves: secret values, masked the moment they are read. */
export interface OAuthTokens {
  accessToken: string;
  refreshToken: string;
  idToken?: string;
  tokenType: string;
  scope: string;
  /** Lifetime of the access token in seconds, as Schwab reported it (1800). */
  expiresIn: number;
}

/** What we know about the tokens: never secret. */
export interface TokenMeta {
  /** The login (code exchange) that began this refresh token; never changes on refresh. */
  createdAt: Date;
  /** When the access token expires. */
  accessTokenExpiresAt: Date;
  /** When the access token was last refreshed (the login time for a fresh login). */
  lastRefresh: Date;
  /** Successful refreshes since the login. */
  refreshCount: number;
  /**
   * The login time is unknown and was assumed (a bare Schwab token response): such a record never outranks one whose
   * login is known, and its access token counts as due. Not stored: the first write fixes the assumed time.
   */
  loginAssumed?: boolean;
}

export interface TokenRecord {
  tokens: OAuthTokens;
  meta: TokenMeta;
}

/** The formats a record is written in (the `token-format` setting). */
export const TOKEN_FORMATS = ['rotator', 'schwab-py'] as const;
export type TokenFormat = (typeof TOKEN_FORMATS)[number];

/** The formats a record is read from. */
export type InputFormat = TokenFormat | 'schwabdev' | 'schwab-response';

/** The refresh token's absolute deadline: login + 7 days. */
export function refreshTokenExpiresAt(meta: Pick<TokenMeta, 'createdAt'>): Date {
  return new Date(meta.createdAt.getTime() + REFRESH_TOKEN_LIFETIME_MS);
}

/** Every secret value of a record, for masking. */
export function secretValues(tokens: OAuthTokens): string[] {
  return [tokens.accessToken, tokens.refreshToken, tokens.idToken].filter((v): v is string => !!v);
}

/** Schwab's access-token lifetime in seconds, used when a response or file does not say. */
export const DEFAULT_EXPIRES_IN_S = 1800;

/** The longest access-token lifetime accepted (7 days): anything longer is a corrupted record, not a Schwab token. */
export const MAX_EXPIRES_IN_S = 7 * 24 * 60 * 60;

/** Defaults for the descriptive fields Schwab always sends, used when an input omits them. */
export const DEFAULT_TOKEN_TYPE = 'Bearer';
export const DEFAULT_SCOPE = 'api';
