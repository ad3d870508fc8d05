import { afterEach, describe, expect, it, vi } from 'vitest';
import { DURATION_LIMITS, MAX_TIMER_MS, formatDuration, parseDuration } from '../../src/util/duration.js';
import { sleepFor } from '../../src/util/clock.js';

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

describe('duration limits', () => {
  it('keeps every setting below what one timer can hold', () => {
    for (const limits of Object.values(DURATION_LIMITS)) expect(limits.max).toBeLessThan(MAX_TIMER_MS);
  });

  it.each([
    ['every', '25d', '--every is longer than a day: the access token lives 30 minutes, so use something like 25m.'],
    ['every', '30s', '--every is too short: use at least 60s.'],
    [
      'timeout',
      '25d',
      '--timeout is longer than a day: a login takes a minute or two in the browser, so use something like 10m.',
    ],
    ['timeout', '0s', '--timeout is too short: use at least 1s.'],
    [
      'refresh-before',
      '2d',
      '--refresh-before is longer than a day: the access token lives 30 minutes, so use something like 25m.',
    ],
    [
      'reauth-warning',
      '7d',
      "--reauth-warning must be shorter than the refresh token's 7 days: use something like 48h.",
    ],
  ] as const)('%s %s is refused, naming the flag', (name, text, message) => {
    expect(() => parseDuration(text, `--${name}`, DURATION_LIMITS[name])).toThrow(message);
  });

  it('accepts the edges', () => {
    expect(parseDuration('24h', '--every', DURATION_LIMITS.every)).toBe(86_400_000);
    expect(parseDuration('60s', '--every', DURATION_LIMITS.every)).toBe(60_000);
    expect(parseDuration('6d23h', '--reauth-warning', DURATION_LIMITS['reauth-warning'])).toBe(167 * 3_600_000);
  });
});

describe('sleepFor', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits past the timer limit in chunks instead of firing after 1 ms', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let done = false;
    const wait = sleepFor(MAX_TIMER_MS + 10_000).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(9_000);
    await wait;
    expect(done).toBe(true);
  });

  it('ends early, without throwing, when its signal aborts', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const controller = new AbortController();
    let done = false;
    const wait = sleepFor(3 * MAX_TIMER_MS, controller.signal).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS + 5);
    expect(done).toBe(false);
    controller.abort();
    await wait;
    expect(done).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});
