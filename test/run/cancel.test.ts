/** The cancel watcher (SIGINT, then SIGTERM, then the runner's SIGKILL) and the sentences a cancelled run reports. */
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { describeStop, watchCancellation } from '../../src/run/cancel.js';

describe('watchCancellation', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function watch() {
    const source = new EventEmitter();
    const onSignal = vi.fn();
    const onExpired = vi.fn();
    const watcher = watchCancellation({
      graceMs: 6000,
      termGraceMs: 2000,
      onSignal,
      onExpired,
      source: source as unknown as Pick<NodeJS.Process, 'on' | 'off'>,
    });
    return { source, onSignal, onExpired, watcher };
  }

  it('aborts at SIGINT and gives the run the grace before it calls it expired', () => {
    const { source, onSignal, onExpired, watcher } = watch();
    source.emit('SIGINT', 'SIGINT');
    expect(watcher.signal.aborted).toBe(true);
    expect(watcher.received).toBe('SIGINT');
    expect(onSignal).toHaveBeenCalledWith('SIGINT', 6000);
    vi.advanceTimersByTime(5999);
    expect(onExpired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onExpired).toHaveBeenCalledWith('SIGINT');
  });

  it('shortens what is left of the grace to 2 s at SIGTERM, and a third signal ends it at once', () => {
    const { source, onExpired } = watch();
    source.emit('SIGINT', 'SIGINT');
    vi.advanceTimersByTime(1000);
    source.emit('SIGTERM', 'SIGTERM');
    vi.advanceTimersByTime(1999);
    expect(onExpired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onExpired).toHaveBeenCalledTimes(1);

    const second = watch();
    second.source.emit('SIGTERM', 'SIGTERM');
    expect(second.onSignal).toHaveBeenCalledWith('SIGTERM', 2000);
    second.source.emit('SIGINT', 'SIGINT');
    second.source.emit('SIGINT', 'SIGINT');
    expect(second.onExpired).toHaveBeenCalledWith('SIGTERM');
  });

  it('does nothing once disposed (the run finished in time)', () => {
    const { source, onExpired, watcher } = watch();
    source.emit('SIGINT', 'SIGINT');
    watcher.dispose();
    vi.advanceTimersByTime(60_000);
    expect(onExpired).not.toHaveBeenCalled();
    expect(source.listenerCount('SIGINT') + source.listenerCount('SIGTERM')).toBe(0);
  });
});

describe('describeStop', () => {
  it.each([
    [undefined, /while reading the token record; nothing was changed\.$/],
    [{ step: 'refreshing' as const }, /while Schwab was refreshing the access token; no store was changed/],
    [
      { step: 'writing-primary' as const, store: 'AWS secret "s"' },
      /before the write to AWS secret "s" was confirmed; .* AWSPENDING and the next run finishes the write\.$/,
    ],
    [
      { step: 'writing-mirrors' as const, stores: ['GitHub secret acme/bot:T'] },
      /while writing GitHub secret acme\/bot:T, after the primary store was written/,
    ],
    [
      { step: 'settling' as const, store: 'AWS secret "s"' },
      /after every store was written, while AWS secret "s" took the AWSPENDING label off/,
    ],
    [{ step: 'done' as const }, /after every store was written; the alert issue was left as it was\.$/],
  ])('%j → one sentence', (step, words) => {
    const sentence = describeStop('SIGINT', step);
    expect(sentence).toMatch(/^The run was cancelled \(SIGINT\) and stopped /);
    expect(sentence).toMatch(words);
    expect(sentence).not.toMatch(/\n/);
  });
});
