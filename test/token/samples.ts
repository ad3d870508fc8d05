/** Realistic (fake) token documents in every accepted format, all describing the same login and refresh. */
import type { TokenRecord } from '../../src/token/record.js';

export const ACCESS_TOKEN = 'I0.b2F1dGgyLmJkYy5zY2h3YWIuY29t.Xk3dP9qLmN2vR8sT1uW4yZ6aB0cD2eF5gH7iJ9kL1mN@';
export const REFRESH_TOKEN =
  'fK8vQ2mN5rT7uX9yB1cD3eG6hJ8kL0nP2qS4tV6wY8zA0bC2dE4fG6hI8jK0lM2nO4pQ6rS8tU0vW2xY4zA1bC3dE5fG7hI9j@';
export const ID_TOKEN =
  'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0LXVzZXItMTIzIiwiYXVkIjoiYXBwLWtleSJ9.c2lnbmF0dXJlLXBsYWNlaG9sZGVy';
export const SECRETS = [ACCESS_TOKEN, REFRESH_TOKEN, ID_TOKEN];

/** Login 2026-11-18T09:00:00Z, last refresh 2026-11-21T12:00:00Z (141st), access token until 12:30. */
export const LOGIN = new Date('2026-11-18T09:00:00Z');
export const LAST_REFRESH = new Date('2026-11-21T12:00:00Z');
export const ACCESS_EXPIRES = new Date('2026-11-21T12:30:00Z');
export const DEADLINE = new Date('2026-11-25T09:00:00Z');
export const NOW = new Date('2026-11-21T12:10:00Z');

export const LOGIN_S = 1794992400;
export const LAST_REFRESH_S = 1795262400;
export const ACCESS_EXPIRES_S = 1795264200;

/** What Schwab's token endpoint returns (key order as Schwab sends it). */
export const SCHWAB_RESPONSE = {
  expires_in: 1800,
  token_type: 'Bearer',
  scope: 'api',
  refresh_token: REFRESH_TOKEN,
  access_token: ACCESS_TOKEN,
  id_token: ID_TOKEN,
};

export const ROTATOR_TEXT =
  `{"access_token":"${ACCESS_TOKEN}","refresh_token":"${REFRESH_TOKEN}","id_token":"${ID_TOKEN}",` +
  '"token_type":"Bearer","scope":"api","expires_in":1800,"expires_at":"2026-11-21T12:30:00Z",' +
  '"created_at":"2026-11-18T09:00:00Z","refresh_token_expires_at":"2026-11-25T09:00:00Z",' +
  '"last_refresh":"2026-11-21T12:00:00Z","refresh_count":141}';

/** As schwab-py itself writes it (json.dump: spaces after separators, no extra keys). */
export const SCHWAB_PY_TEXT = JSON.stringify({
  creation_timestamp: LOGIN_S,
  token: { ...SCHWAB_RESPONSE, expires_at: ACCESS_EXPIRES_S },
}).replace(/([,:])/g, '$1 ');

/** As Schwabdev v2 writes it (json.dump indent=4, Python isoformat with microseconds and +00:00). */
export const SCHWABDEV_TEXT = JSON.stringify(
  {
    access_token_issued: '2026-11-21T12:00:00.482913+00:00',
    refresh_token_issued: '2026-11-18T09:00:00.123456+00:00',
    token_dictionary: SCHWAB_RESPONSE,
  },
  null,
  4,
);

export const RESPONSE_TEXT = JSON.stringify(SCHWAB_RESPONSE);

/** The record all the samples describe (refresh_count 141 as in the rotator sample). */
export function sampleRecord(overrides: Partial<TokenRecord['meta']> = {}): TokenRecord {
  return {
    tokens: {
      accessToken: ACCESS_TOKEN,
      refreshToken: REFRESH_TOKEN,
      idToken: ID_TOKEN,
      tokenType: 'Bearer',
      scope: 'api',
      expiresIn: 1800,
    },
    meta: {
      createdAt: LOGIN,
      accessTokenExpiresAt: ACCESS_EXPIRES,
      lastRefresh: LAST_REFRESH,
      refreshCount: 141,
      ...overrides,
    },
  };
}

/** Every string value (not key) in a JSON value, recursively. */
export function stringValues(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringValues);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringValues);
  return [];
}
