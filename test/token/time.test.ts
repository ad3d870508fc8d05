import { describe, it, expect } from 'vitest';
import { formatIsoSeconds, fromEpochSeconds, parseIsoDate, toEpochSeconds } from '../../src/token/time.js';

describe('parseIsoDate', () => {
  it.each([
    ['2026-11-21T12:30:00Z', '2026-11-21T12:30:00.000Z'],
    ['2026-11-21T12:30:00.999Z', '2026-11-21T12:30:00.000Z'],
    ['2026-11-21T12:30:00.482913+00:00', '2026-11-21T12:30:00.000Z'],
    ['2026-11-21T12:30:00', '2026-11-21T12:30:00.000Z'],
    ['2026-11-21 12:30:00+00:00', '2026-11-21T12:30:00.000Z'],
    ['2026-11-21T14:30:00+02:00', '2026-11-21T12:30:00.000Z'],
    ['2026-11-21T07:30:00-0500', '2026-11-21T12:30:00.000Z'],
    ['2026-11-21T12:30Z', '2026-11-21T12:30:00.000Z'],
    ['2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['1970-01-01T00:00:00Z', '1970-01-01T00:00:00.000Z'],
  ])('%s', (text, iso) => {
    expect(parseIsoDate(text)?.toISOString()).toBe(iso);
  });

  it.each([
    '',
    'soon',
    '2026-11-21',
    '2026-11-21T12:30:00ZZ',
    '2027-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-11-21T24:00:00Z',
    '2026-11-21T12:60:00Z',
    '2026-11-21T12:30:60Z',
    '2026-11-21T12:30:00+24:00',
    '1969-12-31T23:59:59Z',
    '0001-01-01T00:00:00+00:00',
    '10000-01-01T00:00:00Z',
    '+010000-01-01T00:00:00Z',
  ])('rejects %j', (text) => {
    expect(parseIsoDate(text)).toBeUndefined();
  });
});

describe('epoch seconds', () => {
  it('converts both ways, dropping fractions', () => {
    expect(fromEpochSeconds(1795264200.9)?.toISOString()).toBe('2026-11-21T12:30:00.000Z');
    expect(toEpochSeconds(new Date('2026-11-21T12:30:00.900Z'))).toBe(1795264200);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY, 1e15])('rejects %s', (seconds) => {
    expect(fromEpochSeconds(seconds)).toBeUndefined();
  });
});

describe('formatIsoSeconds', () => {
  it('writes UTC without milliseconds', () => {
    expect(formatIsoSeconds(new Date('2026-11-21T12:30:00.999Z'))).toBe('2026-11-21T12:30:00Z');
  });
});
