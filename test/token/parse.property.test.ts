/**
 * Property-based tests: whatever text reaches parseTokenRecord, it either returns a record fit to be written or throws
 * a TokenRecordError whose message contains no string value of the input (length >= 8).
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseTokenRecord, TokenRecordError } from '../../src/token/parse.js';
import type { TokenFormat, TokenRecord } from '../../src/token/record.js';
import { serializeRecord } from '../../src/token/serialize.js';
import { MAX_RECORD_TIME_MS } from '../../src/token/time.js';
import { validateRecord } from '../../src/token/validate.js';
import { NOW, ROTATOR_TEXT, SCHWAB_PY_TEXT, SCHWABDEV_TEXT, RESPONSE_TEXT, stringValues } from './samples.js';

const SOURCE = 'the "token" input';
const RUNS = 400;
const MAX_S = Math.floor(MAX_RECORD_TIME_MS / 1000);

/** Checks the contract for one input text; throws (failing the property) when it is broken. */
function checkContract(text: string): void {
  let parsed;
  try {
    parsed = parseTokenRecord(text, SOURCE, NOW);
  } catch (error) {
    if (!(error instanceof TokenRecordError)) throw new Error(`not a TokenRecordError: ${String(error)}`);
    const leaked = inputStrings(text).find((value) => value.length >= 8 && error.message.includes(value));
    if (leaked !== undefined) throw new Error(`message leaks an input value: ${error.message}`);
    return;
  }
  validateRecord(parsed.record, 'the parsed token');
}

/** The text and every string value in it, unwrapping JSON strings that hold JSON. */
function inputStrings(text: string): string[] {
  const found = [text];
  let value: unknown = text;
  for (let depth = 0; depth < 5 && typeof value === 'string'; depth++) {
    try {
      value = JSON.parse(value.trim());
    } catch {
      break;
    }
    found.push(...stringValues(value));
  }
  return found;
}

const printable = fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code));
const tokenArb = fc.string({ unit: printable, minLength: 1, maxLength: 120 });

/** Records whose dates lie up to maxS (seconds since 1970). */
const recordsUpTo = (maxS: number): fc.Arbitrary<TokenRecord> =>
  fc
    .record({
      accessToken: tokenArb,
      refreshToken: tokenArb,
      idToken: fc.option(tokenArb, { nil: undefined }),
      tokenType: fc.string({ minLength: 1, maxLength: 12 }),
      scope: fc.string({ maxLength: 12 }),
      expiresIn: fc.integer({ min: 1, max: 604_800 }),
      createdS: fc.integer({ min: 0, max: maxS }),
      expiresAfterS: fc.nat(),
      refreshedAfterS: fc.nat(),
      refreshCount: fc.maxSafeNat(),
    })
    .map((r) => ({
      tokens: {
        accessToken: r.accessToken,
        refreshToken: r.refreshToken,
        ...(r.idToken === undefined ? {} : { idToken: r.idToken }),
        tokenType: r.tokenType,
        scope: r.scope,
        expiresIn: r.expiresIn,
      },
      meta: {
        createdAt: new Date(r.createdS * 1000),
        accessTokenExpiresAt: new Date(Math.min(r.createdS + r.expiresAfterS, maxS) * 1000),
        lastRefresh: new Date(Math.min(r.createdS + r.refreshedAfterS, maxS) * 1000),
        refreshCount: r.refreshCount,
      },
    }));

/** Any valid record, up to the last date a record may hold. */
const recordArb = recordsUpTo(MAX_S);

type DocumentFormat = TokenFormat | 'schwabdev' | 'schwab-response';

/** A valid document of the record in one of the four input formats, as a JSON object. */
function toDocument(record: TokenRecord, format: DocumentFormat): Record<string, unknown> {
  if (format === 'rotator' || format === 'schwab-py') return JSON.parse(serializeRecord(record, format));
  const { tokens } = record;
  const response = {
    expires_in: tokens.expiresIn,
    token_type: tokens.tokenType,
    scope: tokens.scope,
    refresh_token: tokens.refreshToken,
    access_token: tokens.accessToken,
    ...(tokens.idToken === undefined ? {} : { id_token: tokens.idToken }),
  };
  if (format === 'schwab-response') return response;
  return {
    access_token_issued: record.meta.lastRefresh.toISOString().replace('Z', '+00:00'),
    refresh_token_issued: record.meta.createdAt.toISOString().replace('.000Z', '.123456+00:00'),
    token_dictionary: response,
  };
}

/** Documents from records that leave room for Schwabdev's derived expiry (last refresh + up to 7 days). */
const documentArb = fc
  .tuple(
    recordsUpTo(MAX_S - 8 * 86_400),
    fc.constantFrom<DocumentFormat>('rotator', 'schwab-py', 'schwabdev', 'schwab-response'),
  )
  .map(([record, format]) => toDocument(record, format));

/** Values likely to hit an edge of some check. */
const nastyValue = fc.constantFrom<unknown>(
  '',
  ' ',
  '\n',
  'not a date',
  '2026-02-30T00:00:00Z',
  '0001-01-01T00:00:00+00:00',
  '1795264200',
  '1800',
  -1,
  0,
  1.5,
  1e300,
  -1e300,
  2 ** 53,
  true,
  false,
  null,
  [],
  {},
  [1, 2],
  { a: 'b' },
);

type Path = (string | number)[];

function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => [[...prefix, i], ...pathsOf(item, [...prefix, i])]);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => [[...prefix, key], ...pathsOf(item, [...prefix, key])]);
  }
  return [];
}

interface Mutation {
  kind: 'delete' | 'replace';
  pick: number;
  value: unknown;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom<'delete' | 'replace'>('delete', 'replace'),
  pick: fc.nat(),
  value: fc.oneof(fc.jsonValue(), nastyValue, tokenArb),
});

function mutate(document: Record<string, unknown>, mutation: Mutation): void {
  const paths = pathsOf(document);
  const path = paths[mutation.pick % Math.max(paths.length, 1)];
  if (!path) return;
  const parent = path.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], document);
  const key = path[path.length - 1] as string | number;
  const container = parent as Record<string | number, unknown>;
  if (mutation.kind === 'delete' && !Array.isArray(container)) delete container[key];
  else container[key] = structuredClone(mutation.value);
}

/** How a document becomes the text a user pastes. */
const encodingArb = fc.record({
  style: fc.constantFrom('compact', 'pretty', 'double', 'bom', 'truncate'),
  cut: fc.nat(),
});

function encode(document: unknown, encoding: { style: string; cut: number }): string {
  const text = JSON.stringify(document);
  switch (encoding.style) {
    case 'pretty':
      return `\n${JSON.stringify(document, null, 4)}\n`;
    case 'double':
      return JSON.stringify(text);
    case 'bom':
      return `\uFEFF${text}`;
    case 'truncate':
      return text.slice(0, encoding.cut % (text.length + 1));
    default:
      return text;
  }
}

describe('parseTokenRecord properties', () => {
  it('arbitrary strings: a valid record or a TokenRecordError that echoes nothing', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: printable })), checkContract),
      { numRuns: RUNS },
    );
  });

  it('arbitrary JSON (also double-encoded)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, double) => {
        const text = JSON.stringify(value);
        checkContract(double ? JSON.stringify(text) : text);
      }),
      { numRuns: RUNS },
    );
  });

  it('arbitrary objects carrying the recognised keys', () => {
    const key = fc.constantFrom(
      'access_token',
      'refresh_token',
      'id_token',
      'token_type',
      'scope',
      'expires_in',
      'expires_at',
      'created_at',
      'refresh_token_expires_at',
      'last_refresh',
      'refresh_count',
      'creation_timestamp',
      'token',
      'token_dictionary',
      'access_token_issued',
      'refresh_token_issued',
      'last_refresh_timestamp',
    );
    const value = fc.oneof(fc.jsonValue(), nastyValue, tokenArb);
    const objectArb = fc.dictionary(key, value, { maxKeys: 12 });
    fc.assert(
      fc.property(objectArb, objectArb, fc.boolean(), (outer, inner, nest) => {
        const document = nest ? { ...outer, token: inner, token_dictionary: inner } : outer;
        checkContract(JSON.stringify(document));
      }),
      { numRuns: RUNS },
    );
  });

  it('valid documents in every format parse, however they are pasted (untruncated)', () => {
    fc.assert(
      fc.property(documentArb, encodingArb, (document, encoding) => {
        if (encoding.style === 'truncate') return;
        const parsed = parseTokenRecord(encode(document, encoding), SOURCE, NOW);
        validateRecord(parsed.record, 'the parsed token');
      }),
      { numRuns: RUNS },
    );
  });

  it('mutated valid documents: a valid record or a TokenRecordError that echoes nothing', () => {
    fc.assert(
      fc.property(
        documentArb,
        fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
        encodingArb,
        (document, mutations, encoding) => {
          for (const mutation of mutations) mutate(document, mutation);
          checkContract(encode(document, encoding));
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it('mutated realistic samples', () => {
    const samples = [ROTATOR_TEXT, SCHWAB_PY_TEXT, SCHWABDEV_TEXT, RESPONSE_TEXT];
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.array(mutationArb, { minLength: 1, maxLength: 2 }),
        encodingArb,
        (sample, mutations, encoding) => {
          const document = JSON.parse(sample) as Record<string, unknown>;
          for (const mutation of mutations) mutate(document, mutation);
          checkContract(encode(document, encoding));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it.each<TokenFormat>(['rotator', 'schwab-py'])('round trip of arbitrary records (%s)', (format) => {
    fc.assert(
      fc.property(recordArb, (record) => {
        const parsed = parseTokenRecord(serializeRecord(record, format), SOURCE, NOW);
        expect(parsed.record).toEqual(record);
        expect(parsed.format).toBe(format);
      }),
      { numRuns: RUNS },
    );
  });
});
