import { describe, it, expect } from 'vitest';
import { normalizeRefreshed, recordAfterRefresh, recordFromLogin } from '../../src/token/build.js';
import { TokenRecordError } from '../../src/token/errors.js';
import { refreshTokenExpiresAt, type SchwabTokenResponse } from '../../src/token/record.js';
import { validateRecord } from '../../src/token/validate.js';
import { ACCESS_TOKEN, DEADLINE, ID_TOKEN, LOGIN, REFRESH_TOKEN, SCHWAB_RESPONSE, sampleRecord } from './samples.js';

const NEW_ACCESS = 'I0.b2F1dGgyLmJkYy5zY2h3YWIuY29t.NEWaccessTOKENvalue0123456789abcdefghij@';
const NEW_REFRESH = 'rotatedRefreshTokenValue0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ@';
const NEW_ID = 'eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJuZXcifQ.bmV3LXNpZ25hdHVyZQ';
const REFRESH_AT = new Date('2026-11-22T08:00:00.640Z');

function refreshResponse(overrides: Partial<SchwabTokenResponse> = {}): SchwabTokenResponse {
  return { expires_in: 1800, token_type: 'Bearer', scope: 'api', access_token: NEW_ACCESS, ...overrides };
}

describe('recordFromLogin', () => {
  it('starts a record at the login: created_at = last_refresh = now (whole seconds), count 0', () => {
    const record = recordFromLogin(SCHWAB_RESPONSE, new Date('2026-11-18T09:00:00.250Z'));
    expect(record).toEqual({
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
        accessTokenExpiresAt: new Date('2026-11-18T09:30:00Z'),
        lastRefresh: LOGIN,
        refreshCount: 0,
      },
    });
    expect(refreshTokenExpiresAt(record.meta)).toEqual(DEADLINE);
    expect(() => validateRecord(record, 'the new token')).not.toThrow();
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
  ])('throws a TokenRecordError without token values when refresh_token is %s', (_name, refreshToken) => {
    const response = { ...SCHWAB_RESPONSE, refresh_token: refreshToken };
    expect(() => recordFromLogin(response, LOGIN)).toThrow(TokenRecordError);
    expect(() => recordFromLogin(response, LOGIN)).toThrow(/"refresh_token"/);
    try {
      recordFromLogin(response, LOGIN);
    } catch (error) {
      expect((error as Error).message).not.toContain(ACCESS_TOKEN);
    }
  });

  it('throws when the response has no access_token', () => {
    const response = { ...SCHWAB_RESPONSE, access_token: '' };
    expect(() => recordFromLogin(response, LOGIN)).toThrow(/"access_token"/);
  });

  it('fills in what a response omits', () => {
    const record = recordFromLogin(
      { access_token: ACCESS_TOKEN, refresh_token: REFRESH_TOKEN } as SchwabTokenResponse,
      LOGIN,
    );
    expect(record.tokens).toEqual({
      accessToken: ACCESS_TOKEN,
      refreshToken: REFRESH_TOKEN,
      tokenType: 'Bearer',
      scope: 'api',
      expiresIn: 1800,
    });
  });
});

describe('recordAfterRefresh', () => {
  const previous = sampleRecord();

  it('takes the new access token, never moves the deadline, counts the refresh', () => {
    const next = recordAfterRefresh(previous, refreshResponse(), REFRESH_AT);
    expect(next.tokens.accessToken).toBe(NEW_ACCESS);
    expect(next.meta).toEqual({
      createdAt: LOGIN,
      accessTokenExpiresAt: new Date('2026-11-22T08:30:00Z'),
      lastRefresh: new Date('2026-11-22T08:00:00Z'),
      refreshCount: 142,
    });
    expect(refreshTokenExpiresAt(next.meta)).toEqual(DEADLINE);
    expect(() => validateRecord(next, 'the refreshed token')).not.toThrow();
  });

  it('keeps the old refresh and id tokens when the response has none', () => {
    const next = recordAfterRefresh(previous, refreshResponse(), REFRESH_AT);
    expect(next.tokens.refreshToken).toBe(REFRESH_TOKEN);
    expect(next.tokens.idToken).toBe(ID_TOKEN);
  });

  it('replaces the refresh and id tokens when the response has them', () => {
    const next = recordAfterRefresh(
      previous,
      refreshResponse({ refresh_token: NEW_REFRESH, id_token: NEW_ID }),
      REFRESH_AT,
    );
    expect(next.tokens.refreshToken).toBe(NEW_REFRESH);
    expect(next.tokens.idToken).toBe(NEW_ID);
    expect(next.meta.createdAt).toEqual(LOGIN);
  });

  it('uses the lifetime the response gives', () => {
    const next = recordAfterRefresh(previous, refreshResponse({ expires_in: 900 }), REFRESH_AT);
    expect(next.tokens.expiresIn).toBe(900);
    expect(next.meta.accessTokenExpiresAt).toEqual(new Date('2026-11-22T08:15:00Z'));
  });

  it('does not change the previous record', () => {
    const before = structuredClone(previous);
    recordAfterRefresh(previous, refreshResponse({ refresh_token: NEW_REFRESH }), REFRESH_AT);
    expect(previous).toEqual(before);
  });

  it('throws when the response has no access_token', () => {
    expect(() => recordAfterRefresh(previous, refreshResponse({ access_token: '' }), REFRESH_AT)).toThrow(
      TokenRecordError,
    );
  });
});

describe('normalizeRefreshed', () => {
  it('keeps a sound record as it is, with no warning', () => {
    const record = recordAfterRefresh(sampleRecord(), refreshResponse(), REFRESH_AT);
    expect(normalizeRefreshed(record, REFRESH_AT)).toEqual({ record, warnings: [] });
  });

  it('sets a login time in the future (a fast clock where the login ran) to now, and says so', () => {
    const future = {
      ...sampleRecord(),
      meta: { ...sampleRecord().meta, createdAt: new Date(REFRESH_AT.getTime() + 2 * 3_600_000) },
    };
    const refreshed = recordAfterRefresh(future, refreshResponse({ refresh_token: NEW_REFRESH }), REFRESH_AT);
    expect(() => validateRecord(refreshed, 'the refreshed token record')).toThrow(TokenRecordError);

    const { record, warnings } = normalizeRefreshed(refreshed, REFRESH_AT);

    expect(record.tokens).toEqual(refreshed.tokens);
    expect(record.meta.createdAt).toEqual(new Date('2026-11-22T08:00:00Z'));
    expect(() => validateRecord(record, 'the refreshed token record')).not.toThrow();
    expect(warnings).toEqual([
      expect.stringMatching(/^The login time of the token record \(created_at 2026-11-22T10:00:00Z\) is in the future/),
    ]);
    expect(warnings.join(' ')).not.toContain(NEW_REFRESH);
  });

  it('keeps a refresh count at its largest value', () => {
    const worn = { ...sampleRecord(), meta: { ...sampleRecord().meta, refreshCount: Number.MAX_SAFE_INTEGER } };
    const refreshed = recordAfterRefresh(worn, refreshResponse(), REFRESH_AT);
    expect(() => validateRecord(refreshed, 'the refreshed token record')).toThrow(TokenRecordError);

    const { record, warnings } = normalizeRefreshed(refreshed, REFRESH_AT);

    expect(record.meta.refreshCount).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => validateRecord(record, 'the refreshed token record')).not.toThrow();
    expect(warnings).toEqual([expect.stringMatching(/refresh count .* reached its largest value/)]);
  });
});
