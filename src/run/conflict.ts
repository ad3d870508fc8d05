import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { TokenRecord } from '../token/record.js';
import { compareRecords } from '../token/choose.js';
import type { ConflictDecision, LoadedText } from './stores.js';
import { readRecord } from './read-record.js';

export interface ConflictRule {
  /** The compare-and-set's question: may `ours` replace what the store holds now? */
  onConflict(current: LoadedText): ConflictDecision;
  /** The newer record the store turned out to hold, when `onConflict` answered 'keep'. */
  kept(): TokenRecord | undefined;
}

/**
 * The one rule for a store written by someone else after we read it (the action and the CLI share it): ours replaces
 * what is there only if ours is strictly newer (newer login, then newer refresh); what is not a record is replaced.
 * Whatever is read is masked before anything else.
 */
export function newerRecordWins(ours: TokenRecord, storeLabel: string, clock: Clock, logger: Logger): ConflictRule {
  let kept: TokenRecord | undefined;
  return {
    onConflict(current) {
      if (current.text === undefined) return 'overwrite';
      let theirs: TokenRecord;
      try {
        theirs = readRecord(current.text, storeLabel, clock.now(), logger).record;
      } catch {
        return 'overwrite'; // what is there now is not a record; ours is
      }
      if (compareRecords(ours, theirs) > 0) return 'overwrite';
      kept = theirs;
      return 'keep';
    },
    kept: () => kept,
  };
}
