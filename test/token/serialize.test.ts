import { describe, it, expect } from 'vitest';
import { parseTokenRecord } from '../../src/token/parse.js';
import type { TokenFormat, TokenRecord } from '../../src/token/record.js';
import { serializeRecord } from '../../src/token/serialize.js';
import {
  ACCESS_EXPIRES_S,
  ACCESS_TOKEN,
  ID_TOKEN,
  LAST_REFRESH_S,
  LOGIN_S,
  NOW,
  REFRESH_TOKEN,
  ROTATOR_TEXT,
  SCHWAB_PY_TEXT,
  SCHWABDEV_TEXT,
  RESPONSE_TEXT,
  sampleRecord,
} from './samples.js';

const FORMATS: TokenFormat[] = ['rotator', 'schwab-py'];

function withoutIdToken(record: TokenRecord): TokenRecord {
  const { idToken: _idToken, ...tokens } = record.tokens;
  return { ...record, tokens };
}

describe('serializeRecord', () => {
  it('writes the rotator record exactly as docs/design.md#record shows it, on one line', () => {
    expect(serializeRecord(sampleRecord(), 'rotator')).toBe(ROTATOR_TEXT);
  });

  it('keeps the rotator key order and omits id_token when there is none', () => {
    const keys = Object.keys(JSON.parse(serializeRecord(withoutIdToken(sampleRecord()), 'rotator')));
    expect(keys).toEqual([
      'access_token',
      'refresh_token',
      'token_type',
      'scope',
      'expires_in',
      'expires_at',
      'created_at',
      'refresh_token_expires_at',
      'last_refresh',
      'refresh_count',
    ]);
  });

  it('writes UTC ISO dates without milliseconds', () => {
    const record = sampleRecord({ lastRefresh: new Date('2026-11-21T12:00:00.999Z') });
    expect(JSON.parse(serializeRecord(record, 'rotator')).last_refresh).toBe('2026-11-21T12:00:00Z');
  });

  it("writes schwab-py's token file: creation_timestamp and token.expires_at in epoch seconds, plus two extra keys", () => {
    expect(serializeRecord(sampleRecord(), 'schwab-py')).toBe(
      `{"creation_timestamp":${LOGIN_S},"token":{"expires_in":1800,"token_type":"Bearer","scope":"api",` +
        `"refresh_token":"${REFRESH_TOKEN}","access_token":"${ACCESS_TOKEN}","id_token":"${ID_TOKEN}",` +
        `"expires_at":${ACCESS_EXPIRES_S}},"last_refresh_timestamp":${LAST_REFRESH_S},"refresh_count":141}`,
    );
  });

  it('gives schwab-py exactly the keys its loader and authlib read', () => {
    const doc = JSON.parse(serializeRecord(sampleRecord(), 'schwab-py'));
    expect(Number.isInteger(doc.creation_timestamp)).toBe(true);
    expect(Number.isInteger(doc.token.expires_at)).toBe(true);
    expect(Object.keys(doc.token).sort()).toEqual(
      ['access_token', 'expires_at', 'expires_in', 'id_token', 'refresh_token', 'scope', 'token_type'].sort(),
    );
  });

  it.each(FORMATS)('is compact one-line JSON (%s)', (format) => {
    const text = serializeRecord(sampleRecord(), format);
    expect(text).not.toMatch(/\s/);
    expect(text).toBe(JSON.stringify(JSON.parse(text)));
  });
});

describe('round trips', () => {
  it.each(FORMATS)('parse(serialize(r)) equals r (%s)', (format) => {
    for (const record of [sampleRecord(), withoutIdToken(sampleRecord()), sampleRecord({ refreshCount: 0 })]) {
      const parsed = parseTokenRecord(serializeRecord(record, format), 'a test', NOW);
      expect(parsed.format).toBe(format);
      expect(parsed.record).toEqual(record);
      expect(parsed.warnings).toEqual([]);
    }
  });

  it.each([
    ['rotator', ROTATOR_TEXT],
    ['schwab-py', SCHWAB_PY_TEXT],
    ['schwabdev', SCHWABDEV_TEXT],
    ['schwab-response', RESPONSE_TEXT],
  ])('a %s input survives conversion to either output format', (_name, text) => {
    // Once written, an assumed login time is a fixed one: the flag is not stored.
    const { loginAssumed: _assumed, ...meta } = parseTokenRecord(text, 'a test', NOW).record.meta;
    const first = { ...parseTokenRecord(text, 'a test', NOW).record, meta };
    for (const format of FORMATS) {
      expect(parseTokenRecord(serializeRecord(first, format), 'a test', NOW).record).toEqual(first);
    }
  });

  it('a schwab-py file rewritten by schwab-py itself (extra keys dropped) keeps the login and implies the last refresh', () => {
    const doc = JSON.parse(serializeRecord(sampleRecord(), 'schwab-py'));
    const rewritten = JSON.stringify({ creation_timestamp: doc.creation_timestamp, token: doc.token });
    expect(parseTokenRecord(rewritten, 'a test', NOW).record).toEqual(sampleRecord({ refreshCount: 0 }));
  });
});
