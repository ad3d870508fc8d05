/** The one way a stored record is read (src/run/read-record.ts): mask the text, parse, mask every token. */
import { describe, expect, it } from 'vitest';
import { readRecord } from '../../src/run/read-record.js';
import { createMemoryLogger } from '../../src/util/logger.js';
import { ACCESS_TOKEN, NOW, REFRESH_TOKEN, ROTATOR_TEXT, SECRETS } from '../token/samples.js';

describe('readRecord', () => {
  it('masks the whole text and every token it holds, and returns the parsed record', () => {
    const logger = createMemoryLogger();
    const parsed = readRecord(ROTATOR_TEXT, 'file schwab_token.json', NOW, logger);
    expect(parsed.format).toBe('rotator');
    expect(parsed.record.tokens.refreshToken).toBe(REFRESH_TOKEN);
    expect(logger.masked).toEqual([ROTATOR_TEXT, ...SECRETS]);
    expect(logger.redact(`a ${ACCESS_TOKEN} b`)).not.toContain(ACCESS_TOKEN);
  });

  it('masks the text before parsing, so a text that is not a record stays masked when the error names the source', () => {
    const logger = createMemoryLogger();
    const text = `{"refresh_token":"${REFRESH_TOKEN}","access_token":42}`;
    expect(() => readRecord(text, 'AWS secret "schwab/token"', NOW, logger)).toThrow(/AWS secret "schwab\/token"/);
    expect(logger.masked).toEqual([text]);
    expect(logger.redact(text)).not.toContain(REFRESH_TOKEN);
  });
});
