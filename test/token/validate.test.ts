import { describe, it, expect } from 'vitest';
import { TokenRecordError } from '../../src/token/errors.js';
import type { TokenRecord } from '../../src/token/record.js';
import { validateRecord } from '../../src/token/validate.js';
import { LOGIN, SECRETS, sampleRecord } from './samples.js';

type Change = (record: TokenRecord) => void;

describe('validateRecord', () => {
  it('accepts a good record, with or without id_token', () => {
    expect(() => validateRecord(sampleRecord(), 'the refreshed token')).not.toThrow();
    const record = sampleRecord();
    delete record.tokens.idToken;
    expect(() => validateRecord(record, 'the refreshed token')).not.toThrow();
  });

  it('accepts an access token that expires exactly at the login', () => {
    expect(() => validateRecord(sampleRecord({ accessTokenExpiresAt: LOGIN }), 'x')).not.toThrow();
  });

  const cases: [string, Change, string][] = [
    ['empty access token', (r) => (r.tokens.accessToken = ''), 'access_token'],
    ['empty refresh token', (r) => (r.tokens.refreshToken = ''), 'refresh_token'],
    ['refresh token with a space', (r) => (r.tokens.refreshToken = `${SECRETS[1]} x`), 'refresh_token'],
    [
      'access token not a string',
      (r) => ((r.tokens as unknown as Record<string, unknown>).accessToken = 42),
      'access_token',
    ],
    ['empty id token', (r) => (r.tokens.idToken = ''), 'id_token'],
    ['empty token type', (r) => (r.tokens.tokenType = ''), 'token_type'],
    ['scope not a string', (r) => ((r.tokens as unknown as Record<string, unknown>).scope = undefined), 'scope'],
    ['expires_in zero', (r) => (r.tokens.expiresIn = 0), 'expires_in'],
    ['expires_in NaN', (r) => (r.tokens.expiresIn = Number.NaN), 'expires_in'],
    ['expires_in fractional', (r) => (r.tokens.expiresIn = 1800.5), 'expires_in'],
    ['created_at invalid', (r) => (r.meta.createdAt = new Date(Number.NaN)), 'created_at'],
    ['created_at before 1970', (r) => (r.meta.createdAt = new Date(-1000)), 'created_at'],
    [
      'created_at in 9999 (its deadline would not fit in ISO 8601)',
      (r) => (r.meta.createdAt = new Date('9999-06-01T00:00:00Z')),
      'created_at',
    ],
    ['expires_at invalid', (r) => (r.meta.accessTokenExpiresAt = new Date('nope')), 'expires_at'],
    [
      'last_refresh not a Date',
      (r) => ((r.meta as unknown as Record<string, unknown>).lastRefresh = '2026-11-21'),
      'last_refresh',
    ],
    ['refresh_count negative', (r) => (r.meta.refreshCount = -1), 'refresh_count'],
    ['refresh_count NaN', (r) => (r.meta.refreshCount = Number.NaN), 'refresh_count'],
    ['refresh_count fractional', (r) => (r.meta.refreshCount = 2.5), 'refresh_count'],
    [
      'expires_at before created_at',
      (r) => (r.meta.accessTokenExpiresAt = new Date(LOGIN.getTime() - 1000)),
      'expires_at',
    ],
  ];

  it.each(cases)('rejects %s, naming the record and the field, without token values', (_name, change, field) => {
    const record = sampleRecord();
    change(record);
    let caught: unknown;
    try {
      validateRecord(record, 'the refreshed token');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TokenRecordError);
    const error = caught as TokenRecordError;
    expect(error.field).toBe(field);
    expect(error.message).toMatch(/^The refreshed token /);
    expect(error.message).toContain(`"${field}"`);
    for (const secret of SECRETS) expect(error.message).not.toContain(secret);
  });
});
