/**
 * Storing a fresh login in the primary store, the one way the CLI's `login` and the login function both do it: a
 * compare-and-set against the version read before the login, with the one conflict rule (newerRecordWins): a newer
 * record that reached the store meanwhile is kept, never overwritten. Never throws for a store's failure: the
 * outcome says what happened, in the words of StoreOutcome (rotation.ts).
 */
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { errorMessage } from '../util/errors.js';
import type { TokenFormat, TokenRecord } from '../token/record.js';
import { serializeRecord } from '../token/serialize.js';
import { newerRecordWins } from './conflict.js';
import type { LoadedText, PrimaryStore } from './stores.js';
import { isUnfinishedWrite } from './stores.js';

export type StoredLogin =
  /** The store holds the new login. */
  | { outcome: 'written' }
  /** The store received a newer record while the login ran (a newer login revoked this one); it was kept. */
  | { outcome: 'kept-newer'; newer: TokenRecord | undefined }
  /**
   * The write failed after the new record reached the store as its unfinished write (Secrets Manager's AWSPENDING):
   * the next reader (a rotation run, `status`) finds it there and finishes the write. `message`: one sentence,
   * redacted.
   */
  | { outcome: 'unfinished'; message: string; error: unknown }
  /** The store did not take the record (or cannot say it did). `message`: one sentence, redacted. */
  | { outcome: 'failed'; message: string; error: unknown };

export interface StoreLoginInput {
  store: PrimaryStore;
  /** What the store held when it was read before the login: the version the compare-and-set expects. */
  before: LoadedText;
  record: TokenRecord;
  format: TokenFormat;
  clock: Clock;
  logger: Logger;
}

export async function storeLogin(input: StoreLoginInput): Promise<StoredLogin> {
  const { store, before, record, clock, logger } = input;
  const rule = newerRecordWins(record, store.label, clock, logger);
  try {
    const result = await store.compareAndSet(serializeRecord(record, input.format), before.version, (current) =>
      rule.onConflict(current),
    );
    return result.outcome === 'written' ? { outcome: 'written' } : { outcome: 'kept-newer', newer: rule.kept() };
  } catch (error) {
    const message = logger.redact(errorMessage(error));
    return { outcome: isUnfinishedWrite(error) ? 'unfinished' : 'failed', message, error };
  }
}
