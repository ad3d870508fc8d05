import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/util/duration.js';

describe('parseDuration', () => {
  it.each([
    ['25m', 25 * 60_000],
    ['48h', 48 * 3_600_000],
    ['7d', 7 * 86_400_000],
    ['90s', 90_000],
    ['1h30m', 90 * 60_000],
    [' 2D ', 2 * 86_400_000],
  ])('reads %s', (text, ms) => {
    expect(parseDuration(text, 'Input "x"')).toBe(ms);
  });

  it.each(['', '25', 'soon', '5 minutes', '1w', '-5m', '400d'])('rejects %o naming the input', (text) => {
    expect(() => parseDuration(text, 'Input "x"')).toThrow(/^Input "x" is/);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [40_000, '40s'],
    [25 * 60_000 + 5000, '25m 5s'],
    [3 * 86_400_000 + 20 * 3_600_000 + 59 * 60_000, '3d 20h'],
    [-3 * 3_600_000, 'expired 3h ago'],
  ])('%i ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
