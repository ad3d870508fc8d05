import { startSchwabFake } from '../fakes/schwab-fake.js';
import type { SchwabFake } from '../fakes/schwab-fake.js';
import { recordFromLogin } from '../../src/token/build.js';
import { serializeRecord } from '../../src/token/serialize.js';
import { parseTokenRecord } from '../../src/token/parse.js';
import type { TokenFormat, TokenRecord } from '../../src/token/record.js';
import { secretValues } from '../../src/token/record.js';
import { motoEnv } from '../support/moto.js';

/** A login at the Schwab fake, as the record the login command would write. */
export function loginRecord(fake: SchwabFake, loginAt: Date, format: TokenFormat = 'rotator'): { record: TokenRecord; text: string } {
  const issued = fake.issueTokens({ loginAt });
  const record = recordFromLogin(issued.response, loginAt);
  return { record, text: serializeRecord(record, format) };
}

export function parseStored(text: string | undefined): TokenRecord {
  if (text === undefined) throw new Error('nothing stored');
  return parseTokenRecord(text, 'test', new Date()).record;
}

/** Every secret a run could leak: all tokens the fake ever issued, and the app secret. */
export function allSecrets(fake: SchwabFake, records: TokenRecord[]): string[] {
  return [fake.appSecret, ...records.flatMap((r) => secretValues(r.tokens))];
}

/** The moto environment for a child process, without the "unset" entries. */
export function motoChildEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(motoEnv()).filter(([, v]) => v !== ''));
}

export async function withSchwabFake(): Promise<SchwabFake> {
  return startSchwabFake();
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
