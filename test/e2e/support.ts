import { startSchwabFake } from '../fakes/schwab-fake.js';
import type { SchwabFake } from '../fakes/schwab-fake.js';
import type { TokenRecord } from '../../src/token/record.js';
import { secretValues } from '../../src/token/record.js';
import { motoEnv } from '../support/moto.js';

export { loginRecord, parseStored } from '../support/records.js';

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
