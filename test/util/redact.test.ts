import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/util/redact.js';
import { createMemoryLogger } from '../../src/util/logger.js';

describe('Redactor', () => {
  it('scrubs a secret and its URL- and JSON-encoded forms', () => {
    const redactor = new Redactor();
    redactor.add('C0.abc/def+ghi@');
    redactor.add('line"quote\\back');
    expect(redactor.redact('code=C0.abc/def+ghi@ and code=C0.abc%2Fdef%2Bghi%40')).toBe('code=*** and code=***');
    expect(redactor.redact(JSON.stringify({ v: 'line"quote\\back' }))).toBe('{"v":"***"}');
  });

  it('replaces the longest secret first, so one containing another goes whole', () => {
    const redactor = new Redactor();
    redactor.add('abcd');
    redactor.add('abcdefgh');
    expect(redactor.redact('x abcdefgh y abcd')).toBe('x *** y ***');
  });

  it('ignores values too short to be secrets', () => {
    const redactor = new Redactor();
    expect(redactor.add('abc')).toBe(false);
    expect(redactor.redact('abc')).toBe('abc');
  });
});

describe('Redactor.forget: a long-running loop holds a bounded set', () => {
  it('forgets what was registered after the mark, except the values in use and their encodings', () => {
    const redactor = new Redactor();
    redactor.add('app-secret/+');
    const mark = redactor.mark();
    redactor.add('old-token/1');
    redactor.add('current-token/2');
    expect(redactor.forget(mark, ['current-token/2'])).toBe(1);
    expect(redactor.size).toBe(2);
    expect(redactor.redact('app-secret/+ app-secret%2F%2B old-token/1 current-token/2 current-token%2F2')).toBe(
      '*** *** old-token/1 *** ***',
    );
  });

  it('never forgets what was registered before the mark, even when it is not named as in use', () => {
    const redactor = new Redactor();
    redactor.add('app-secret-1');
    const mark = redactor.mark();
    redactor.add('app-secret-1'); // registered again later: still the old registration
    redactor.forget(mark, []);
    expect(redactor.redact('app-secret-1')).toBe('***');
  });

  it('keeps its size when each round brings new values and keeps only the current ones', () => {
    const redactor = new Redactor();
    redactor.add('app-secret-1');
    const mark = redactor.mark();
    const sizes: number[] = [];
    for (let round = 0; round < 50; round++) {
      const current = [`access-${round}`, `refresh-${round}`, `{"access_token":"access-${round}"}`];
      for (const value of current) redactor.add(value);
      redactor.forget(mark, current);
      sizes.push(redactor.size);
    }
    expect(new Set(sizes)).toEqual(new Set([4]));
    expect(redactor.redact('access-49 access-48')).toBe('*** access-48');
  });

  it('after forgetting, still replaces the longest value first', () => {
    const redactor = new Redactor();
    const mark = redactor.mark();
    redactor.add('abcd');
    redactor.add('abcdefgh');
    redactor.add('zzzzzzzzzzzz');
    redactor.forget(mark, ['abcd', 'abcdefgh']);
    expect(redactor.redact('x abcdefgh y abcd zzzzzzzzzzzz')).toBe('x *** y *** zzzzzzzzzzzz');
  });
});

describe('logger', () => {
  it('registers each secret once with the platform and redacts every line', () => {
    const logger = createMemoryLogger();
    logger.mask('secret-value-1');
    logger.mask('secret-value-1');
    logger.info('the value secret-value-1 is here');
    logger.warning('again: secret-value-1');
    expect(logger.masked).toEqual(['secret-value-1']);
    expect(logger.lines.map((line) => line.message)).toEqual(['the value *** is here', 'again: ***']);
  });

  it('forgets, through a mask scope, the values masked since it began except those still in use', () => {
    const logger = createMemoryLogger();
    logger.mask('app-secret-value');
    const masks = logger.maskScope();
    logger.mask('token-of-tick-1');
    logger.mask('token-of-tick-2');
    masks.forgetAllBut(['token-of-tick-2', undefined]);
    expect(logger.redact('app-secret-value token-of-tick-1 token-of-tick-2')).toBe('*** token-of-tick-1 ***');
  });
});
