import type { SchwabFake } from '../fakes/schwab-fake.js';
import { recordFromLogin } from '../../src/token/build.js';
import { serializeRecord } from '../../src/token/serialize.js';
import { parseTokenRecord } from '../../src/token/parse.js';
import type { TokenFormat, TokenRecord } from '../../src/token/record.js';

/** A login at the Schwab fake (revoking older refresh tokens), as the record the login command would write. */
export function loginRecord(
  fake: SchwabFake,
  loginAt: Date,
  format: TokenFormat = 'rotator',
): { record: TokenRecord; text: string } {
  const issued = fake.issueTokens({ loginAt });
  const record = recordFromLogin(issued.response, loginAt);
  return { record, text: serializeRecord(record, format) };
}

/** Parses what a store holds; throws when it holds nothing. */
export function parseStored(text: string | undefined): TokenRecord {
  if (text === undefined) throw new Error('nothing stored');
  return parseTokenRecord(text, 'test', new Date()).record;
}
