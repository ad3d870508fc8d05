import { describe, it, expect } from 'vitest';
import { parseTokenRecord, parseTokenValue, TokenRecordError } from '../../src/token/parse.js';
import { UserError } from '../../src/util/errors.js';
import {
  ACCESS_TOKEN,
  ID_TOKEN,
  LOGIN,
  LOGIN_S,
  NOW,
  REFRESH_TOKEN,
  RESPONSE_TEXT,
  ROTATOR_TEXT,
  SCHWAB_PY_TEXT,
  SCHWAB_RESPONSE,
  SCHWABDEV_TEXT,
  SECRETS,
  sampleRecord,
  stringValues,
} from './samples.js';

const SOURCE = 'the "token" input';

function parse(text: string) {
  return parseTokenRecord(text, SOURCE, NOW);
}

/** The error parsing `text` throws; fails the test when it does not throw a TokenRecordError. */
function rejection(text: string): TokenRecordError {
  try {
    parse(text);
  } catch (error) {
    expect(error).toBeInstanceOf(TokenRecordError);
    expect(error).toBeInstanceOf(UserError);
    return error as TokenRecordError;
  }
  throw new Error('expected a TokenRecordError');
}

function jsonWith(base: string, change: (doc: Record<string, unknown>) => void): string {
  const doc = JSON.parse(base) as Record<string, unknown>;
  change(doc);
  return JSON.stringify(doc);
}

describe('parseTokenRecord: accepted formats', () => {
  it('reads the rotator record', () => {
    const parsed = parse(ROTATOR_TEXT);
    expect(parsed.format).toBe('rotator');
    expect(parsed.record).toEqual(sampleRecord());
    expect(parsed.warnings).toEqual([]);
  });

  it("reads schwab-py's token file as schwab-py writes it (last refresh implied by expires_at, count 0)", () => {
    const parsed = parse(SCHWAB_PY_TEXT);
    expect(parsed.format).toBe('schwab-py');
    expect(parsed.record).toEqual(sampleRecord({ refreshCount: 0 }));
    expect(parsed.warnings).toEqual([]);
  });

  it('reads a schwab-py file with a float expires_at and without id_token', () => {
    const text = jsonWith(SCHWAB_PY_TEXT, (doc) => {
      const token = doc.token as Record<string, unknown>;
      token.expires_at = 1795264200.75;
      delete token.id_token;
    });
    const { record } = parse(text);
    expect(record.tokens.idToken).toBeUndefined();
    expect(record.meta.accessTokenExpiresAt.toISOString()).toBe('2026-11-21T12:30:00.000Z');
  });

  it('reads a schwab-py file without token.expires_at, assuming the access token was issued at the login', () => {
    const text = jsonWith(SCHWAB_PY_TEXT, (doc) => delete (doc.token as Record<string, unknown>).expires_at);
    const parsed = parse(text);
    expect(parsed.record.meta.accessTokenExpiresAt).toEqual(new Date('2026-11-18T09:30:00Z'));
    expect(parsed.record.meta.lastRefresh).toEqual(LOGIN);
    expect(parsed.warnings).toHaveLength(1);
    expect(parsed.warnings[0]).toContain('"token.expires_at"');
  });

  it('reads Schwabdev v2 tokens.json (microseconds, +00:00)', () => {
    const parsed = parse(SCHWABDEV_TEXT);
    expect(parsed.format).toBe('schwabdev');
    expect(parsed.record).toEqual(sampleRecord({ refreshCount: 0 }));
    expect(parsed.warnings).toEqual([]);
  });

  it('reads Schwabdev dates without an offset as UTC, as Schwabdev does, and converts other offsets', () => {
    const text = jsonWith(SCHWABDEV_TEXT, (doc) => {
      doc.access_token_issued = '2026-11-21T12:00:00.482913';
      doc.refresh_token_issued = '2026-11-18T11:00:00+02:00';
    });
    expect(parse(text).record).toEqual(sampleRecord({ refreshCount: 0 }));
  });

  it('reads a bare Schwab response, assuming the login is now (and the access token due), with a warning', () => {
    const now = new Date('2026-11-21T12:10:00.789Z');
    const parsed = parseTokenRecord(RESPONSE_TEXT, SOURCE, now);
    expect(parsed.format).toBe('schwab-response');
    expect(parsed.record.meta).toEqual({
      createdAt: new Date('2026-11-21T12:10:00Z'),
      accessTokenExpiresAt: new Date('2026-11-21T12:10:00Z'),
      lastRefresh: new Date('2026-11-21T12:10:00Z'),
      refreshCount: 0,
      loginAssumed: true,
    });
    expect(parsed.warnings).toHaveLength(1);
    expect(parsed.warnings[0]).toContain('the login was assumed to be now');
    expect(parsed.warnings[0]).toContain('may expire earlier');
    for (const secret of SECRETS) expect(parsed.warnings[0]).not.toContain(secret);
  });

  it('fills in token_type, scope and expires_in when absent, and treats null/empty id_token as absent', () => {
    const parsed = parse(JSON.stringify({ access_token: ACCESS_TOKEN, refresh_token: REFRESH_TOKEN, id_token: null }));
    expect(parsed.record.tokens).toEqual({
      accessToken: ACCESS_TOKEN,
      refreshToken: REFRESH_TOKEN,
      tokenType: 'Bearer',
      scope: 'api',
      expiresIn: 1800,
    });
    expect(parse(JSON.stringify({ ...SCHWAB_RESPONSE, id_token: '' })).record.tokens.idToken).toBeUndefined();
  });

  it('derives last_refresh and refresh_count when a rotator record omits them', () => {
    const text = jsonWith(ROTATOR_TEXT, (doc) => {
      delete doc.last_refresh;
      delete doc.refresh_count;
      delete doc.refresh_token_expires_at;
    });
    expect(parse(text).record).toEqual(sampleRecord({ refreshCount: 0 }));
  });

  it('warns when refresh_token_expires_at disagrees with created_at, and keeps created_at', () => {
    const parsed = parse(jsonWith(ROTATOR_TEXT, (doc) => (doc.refresh_token_expires_at = '2026-12-31T00:00:00Z')));
    expect(parsed.record.meta.createdAt).toEqual(LOGIN);
    expect(parsed.warnings).toHaveLength(1);
    expect(parsed.warnings[0]).toContain('"refresh_token_expires_at"');
  });

  it('drops fractions of a second from every date', () => {
    const text = jsonWith(ROTATOR_TEXT, (doc) => (doc.created_at = '2026-11-18T09:00:00.999Z'));
    expect(parse(text).record.meta.createdAt).toEqual(LOGIN);
  });

  it('ignores unknown fields', () => {
    const text = jsonWith(ROTATOR_TEXT, (doc) => {
      doc.note = 'written by hand';
      doc.nested = { a: [1, 2, 3] };
    });
    expect(parse(text).record).toEqual(sampleRecord());
  });

  describe('tolerates how secrets get pasted', () => {
    const cases: [string, string][] = [
      ['surrounding whitespace and newlines', `\n\t  ${ROTATOR_TEXT}  \r\n`],
      ['a UTF-8 BOM', `\uFEFF${ROTATOR_TEXT}`],
      ['a BOM after whitespace', ` \uFEFF${ROTATOR_TEXT}\n`],
      ['a double-encoded JSON string', JSON.stringify(ROTATOR_TEXT)],
      ['a double-encoded string with whitespace inside and out', ` ${JSON.stringify(`\n${ROTATOR_TEXT}\n`)} `],
      ['a triple-encoded JSON string', JSON.stringify(JSON.stringify(ROTATOR_TEXT))],
      ['pretty-printed JSON', JSON.stringify(JSON.parse(ROTATOR_TEXT), null, 2)],
    ];
    it.each(cases)('%s', (_name, text) => {
      expect(parse(text).record).toEqual(sampleRecord());
    });
  });

  it('parseTokenValue accepts an already-parsed object', () => {
    expect(parseTokenValue(JSON.parse(SCHWABDEV_TEXT), SOURCE, NOW).format).toBe('schwabdev');
  });
});

describe('parseTokenRecord: rejections name the source and the field, never the value', () => {
  const rotator = (change: (doc: Record<string, unknown>) => void) => jsonWith(ROTATOR_TEXT, change);
  const schwabPy = (change: (doc: Record<string, unknown>, token: Record<string, unknown>) => void) =>
    jsonWith(SCHWAB_PY_TEXT, (doc) => change(doc, doc.token as Record<string, unknown>));
  const schwabdev = (change: (doc: Record<string, unknown>, dict: Record<string, unknown>) => void) =>
    jsonWith(SCHWABDEV_TEXT, (doc) => change(doc, doc.token_dictionary as Record<string, unknown>));

  // [description, input, text the message must contain (the field, or the problem when there is no field)]
  const cases: [string, string, string][] = [
    ['not JSON (truncated paste)', ROTATOR_TEXT.slice(0, 120), 'is not valid JSON'],
    ['not JSON (token pasted alone)', REFRESH_TOKEN, 'is not valid JSON'],
    ['not JSON (single quotes)', ROTATOR_TEXT.replace(/"/g, "'"), 'is not valid JSON'],
    [
      'a double-encoded string that is not JSON',
      JSON.stringify(`${ACCESS_TOKEN} ${REFRESH_TOKEN}`),
      'is not valid JSON',
    ],
    ['empty', '   \n', 'is empty'],
    ['an array', `[${ROTATOR_TEXT}]`, 'is not a JSON object'],
    ['a number', '1795264200', 'is not a JSON object'],
    ['null', 'null', 'is not a JSON object'],
    [
      'an unknown shape',
      JSON.stringify({ token_value: ACCESS_TOKEN, other: REFRESH_TOKEN }),
      'is not a token document',
    ],
    ['missing refresh_token', rotator((d) => delete d.refresh_token), 'is missing "refresh_token"'],
    ['missing access_token', rotator((d) => delete d.access_token), 'is missing "access_token"'],
    ['null refresh_token', rotator((d) => (d.refresh_token = null)), 'is missing "refresh_token"'],
    ['empty access_token', rotator((d) => (d.access_token = '')), 'empty "access_token"'],
    [
      'refresh_token with a line break',
      rotator((d) => (d.refresh_token = `${REFRESH_TOKEN}\n`)),
      'invalid "refresh_token" (it contains spaces',
    ],
    ['access_token a number', rotator((d) => (d.access_token = 12345678901)), 'the wrong type for "access_token"'],
    ['id_token an object', rotator((d) => (d.id_token = { jwt: ID_TOKEN })), 'the wrong type for "id_token"'],
    ['empty token_type', rotator((d) => (d.token_type = '')), 'empty "token_type"'],
    ['expires_in a string', rotator((d) => (d.expires_in = '1800')), 'the wrong type for "expires_in"'],
    ['expires_in negative', rotator((d) => (d.expires_in = -1800)), 'invalid "expires_in"'],
    ['expires_in absurd', rotator((d) => (d.expires_in = 1e12)), 'invalid "expires_in"'],
    ['missing created_at', rotator((d) => delete d.created_at), 'is missing "created_at"'],
    ['created_at not a date', rotator((d) => (d.created_at = 'last tuesday morning')), 'invalid date in "created_at"'],
    ['created_at February 30', rotator((d) => (d.created_at = '2026-02-30T09:00:00Z')), 'invalid date in "created_at"'],
    ['created_at hour 25', rotator((d) => (d.created_at = '2026-11-18T25:00:00Z')), 'invalid date in "created_at"'],
    ['created_at a number', rotator((d) => (d.created_at = LOGIN_S)), 'the wrong type for "created_at"'],
    ['expires_at not a date', rotator((d) => (d.expires_at = '2026-13-01T00:00:00Z')), 'invalid date in "expires_at"'],
    ['last_refresh not a date', rotator((d) => (d.last_refresh = 'yesterday-ish')), 'invalid date in "last_refresh"'],
    [
      'refresh_token_expires_at not a date',
      rotator((d) => (d.refresh_token_expires_at = 'next week')),
      '"refresh_token_expires_at"',
    ],
    ['refresh_count negative', rotator((d) => (d.refresh_count = -1)), 'invalid "refresh_count"'],
    ['refresh_count fractional', rotator((d) => (d.refresh_count = 1.5)), 'invalid "refresh_count"'],
    ['refresh_count a string', rotator((d) => (d.refresh_count = '141')), 'the wrong type for "refresh_count"'],
    ['expires_at before created_at', rotator((d) => (d.expires_at = '2026-11-18T08:59:59Z')), '"expires_at"'],
    [
      'schwab-py without creation_timestamp (old format)',
      schwabPy((d) => delete d.creation_timestamp),
      'is missing "creation_timestamp"',
    ],
    [
      'schwab-py creation_timestamp a string',
      schwabPy((d) => (d.creation_timestamp = '2026-11-18T09:00:00Z')),
      'the wrong type for "creation_timestamp"',
    ],
    [
      'schwab-py creation_timestamp negative',
      schwabPy((d) => (d.creation_timestamp = -5)),
      'invalid date in "creation_timestamp"',
    ],
    [
      'schwab-py creation_timestamp in milliseconds',
      schwabPy((d) => (d.creation_timestamp = LOGIN_S * 1000)),
      'invalid date in "creation_timestamp"',
    ],
    ['schwab-py token a string', schwabPy((d) => (d.token = ACCESS_TOKEN)), 'the wrong type for "token"'],
    ['schwab-py token missing', schwabPy((d) => delete d.token), 'is missing "token"'],
    [
      'schwab-py missing token.refresh_token',
      schwabPy((_d, t) => delete t.refresh_token),
      'is missing "token.refresh_token"',
    ],
    ['schwab-py empty token.access_token', schwabPy((_d, t) => (t.access_token = '')), 'empty "token.access_token"'],
    [
      'schwab-py token.expires_at a string',
      schwabPy((_d, t) => (t.expires_at = '1795264200')),
      'the wrong type for "token.expires_at"',
    ],
    ['schwab-py refresh_count negative', schwabPy((d) => (d.refresh_count = -3)), '"refresh_count"'],
    [
      'Schwabdev missing token_dictionary.refresh_token',
      schwabdev((_d, t) => delete t.refresh_token),
      'is missing "token_dictionary.refresh_token"',
    ],
    [
      'Schwabdev token_dictionary an array',
      schwabdev((d) => (d.token_dictionary = [ACCESS_TOKEN])),
      'the wrong type for "token_dictionary"',
    ],
    [
      'Schwabdev access_token_issued missing',
      schwabdev((d) => delete d.access_token_issued),
      'is missing "access_token_issued"',
    ],
    [
      'Schwabdev refresh_token_issued not a date',
      schwabdev((d) => (d.refresh_token_issued = 'not a date at all')),
      'invalid date in "refresh_token_issued"',
    ],
    [
      'Schwabdev datetime.min',
      schwabdev((d) => (d.refresh_token_issued = '0001-01-01T00:00:00+00:00')),
      'invalid date in "refresh_token_issued"',
    ],
    [
      'bare response without refresh_token',
      JSON.stringify({ ...SCHWAB_RESPONSE, refresh_token: undefined }),
      'is missing "refresh_token"',
    ],
  ];

  it.each(cases)('%s', (_name, text, expected) => {
    const error = rejection(text);
    expect(error.message.startsWith(`The token from ${SOURCE} `)).toBe(true);
    expect(error.message).toContain(expected);
    expect(error.message).toMatch(/: [a-z].*\.$/); // ends with how to fix it
    const values = [...SECRETS, ...valuesOf(text)].filter((v) => v.length >= 8);
    for (const value of values) expect(error.message).not.toContain(value);
  });

  it('names the field in the error object too', () => {
    expect(rejection(jsonWith(ROTATOR_TEXT, (d) => delete d.refresh_token)).field).toBe('refresh_token');
    expect(rejection(SCHWAB_PY_TEXT.replace('"access_token"', '"access_tokn"')).field).toBe('token.access_token');
  });

  it('words the message as docs/design.md#record says: the source and the field, never the value', () => {
    expect(rejection(jsonWith(ROTATOR_TEXT, (d) => delete d.refresh_token)).message).toBe(
      'The token from the "token" input is missing "refresh_token": paste the whole token JSON (the file the login command writes).',
    );
  });

  it("never echoes JSON.parse's message (it quotes the input)", () => {
    const text = `{"access_token": ${ACCESS_TOKEN}}`;
    const error = rejection(text);
    expect(error.message).not.toContain('Unexpected');
    expect(error.message).not.toContain(ACCESS_TOKEN.slice(0, 8));
  });
});

function valuesOf(text: string): string[] {
  try {
    return [text, ...stringValues(JSON.parse(text))];
  } catch {
    return [text];
  }
}
