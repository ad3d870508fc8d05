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
});
