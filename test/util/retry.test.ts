import { describe, expect, it } from 'vitest';
import { parseRetryAfter, retry } from '../../src/util/retry.js';

class Transient extends Error {
  constructor(readonly retryAfterMs?: number) {
    super('transient');
  }
}

function options(sleeps: number[], overrides: Partial<Parameters<typeof retry>[1]> = {}) {
  return {
    attempts: 4,
    baseDelayMs: 1000,
    maxDelayMs: 30_000,
    sleep: async (ms: number) => void sleeps.push(ms),
    random: () => 0.5,
    isRetryable: (error: unknown) => error instanceof Transient,
    retryAfterMs: (error: unknown) => (error instanceof Transient ? error.retryAfterMs : undefined),
    ...overrides,
  };
}

describe('retry', () => {
  it('retries transient errors with exponential backoff and jitter, then succeeds', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const result = await retry(async () => {
      calls++;
      if (calls < 4) throw new Transient();
      return 'ok';
    }, options(sleeps));
    expect(result).toBe('ok');
    // full jitter between half and all of 1 s, 2 s, 4 s; random() = 0.5 gives three quarters
    expect(sleeps).toEqual([750, 1500, 3000]);
  });

  it('never retries an error that is not retryable', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    await expect(
      retry(async () => {
        calls++;
        throw new Error('permanent');
      }, options(sleeps)),
    ).rejects.toThrow('permanent');
    expect(calls).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('gives up after the last attempt with the last error', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new Transient();
        },
        options(sleeps, { attempts: 3 }),
      ),
    ).rejects.toBeInstanceOf(Transient);
    expect(calls).toBe(3);
    expect(sleeps).toHaveLength(2);
  });

  it('waits exactly what Retry-After asks', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    await retry(async () => {
      if (++calls === 1) throw new Transient(7000);
      return 'ok';
    }, options(sleeps));
    expect(sleeps).toEqual([7000]);
  });

  it('does not ask again early when Retry-After is longer than it may wait', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    await expect(
      retry(async () => {
        calls++;
        throw new Transient(120_000);
      }, options(sleeps)),
    ).rejects.toBeInstanceOf(Transient);
    expect(calls).toBe(1);
    expect(sleeps).toEqual([]);
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2026-11-21T12:00:00Z');
  it.each([
    ['7', 7000],
    ['0.5', 500],
    ['Sat, 21 Nov 2026 12:00:30 GMT', 30_000],
    ['Sat, 21 Nov 2026 11:59:00 GMT', 0],
    ['soon', undefined],
    [null, undefined],
  ])('reads %o as %o ms', (header, ms) => {
    expect(parseRetryAfter(header, now)).toBe(ms);
  });
});
