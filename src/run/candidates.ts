/**
 * Reading: every source and the primary store in parallel, each text masked before anything else, parsed into the
 * candidates the run chooses from (the words are defined in rotation.ts).
 */
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { errorMessage } from '../util/errors.js';
import { upperFirst } from '../util/text.js';
import type { TokenRecord } from '../token/record.js';
import type { ParsedRecord } from '../token/parse.js';
import { chooseNewest, compareRecords } from '../token/choose.js';
import type { LoadedText, PrimaryStore, RecordSource } from './stores.js';
import { readRecord } from './read-record.js';

/**
 * A record read from one place: a read-only source, the primary store's current value, or the primary store's
 * unfinished write (its AWSPENDING value).
 */
export interface Candidate {
  label: string;
  record: TokenRecord;
  loaded: LoadedText;
  role: 'source' | 'primary' | 'pending';
}

/** What the reading found, for the plan and the writes. */
export interface Candidates {
  all: Candidate[];
  /** The newest record of all (a newer login first, then a newer refresh); undefined when none is usable. */
  chosen: Candidate | undefined;
  /** What the primary store held when it was read (the version its compare-and-set expects). */
  primaryLoaded: LoadedText | undefined;
  /** Whether a primary store is configured, and whether it could be read (empty or unparsable counts as read). */
  primary: 'none' | 'read' | 'unreadable';
  /** Why the primary store could not be read. */
  primaryError: { message: string; error: unknown } | undefined;
  /**
   * One sentence each, in the order of the sources: what parsing had to say (an assumed login time, …), sources that
   * could not be read or parsed, and a primary that did not parse.
   */
  warnings: string[];
}

/**
 * Loads every source and the primary store in parallel and parses what they hold. A source that fails is a warning
 * while another one is usable; a primary store that cannot be read at all is `unreadable`. The
 * primary's unfinished write becomes a candidate when it holds a valid record newer than the current one.
 */
export async function loadCandidates(
  sources: readonly RecordSource[],
  primary: PrimaryStore | undefined,
  clock: Clock,
  logger: Logger,
): Promise<Candidates> {
  const all: RecordSource[] = [...sources, ...(primary ? [primary] : [])];
  const results = await Promise.all(all.map((source) => loadCandidate(source, source === primary, clock, logger)));
  const read: Candidates = {
    all: [],
    chosen: undefined,
    primaryLoaded: undefined,
    primary: primary ? 'read' : 'none',
    primaryError: undefined,
    warnings: [],
  };
  for (const result of results) {
    read.warnings.push(...result.warnings);
    if (result.isPrimary) {
      read.primaryLoaded = result.loaded;
      if (result.loaded === undefined && result.error) {
        read.primary = 'unreadable';
        read.primaryError = { message: result.error, error: result.cause };
        continue;
      }
    }
    if (result.pending) {
      read.all.push(result.pending);
      logger.info(
        `${upperFirst(result.pending.label)} holds a newer record (refresh ` +
          `${result.pending.record.meta.refreshCount} ` +
          'since the login) from a write that did not finish; this run takes it up.',
      );
    }
    if (result.candidate) read.all.push(result.candidate);
    else if (result.error) read.warnings.push(result.error);
  }
  read.chosen = chooseNewest(read.all);
  return read;
}

/**
 * Re-reads the primary store: its newest record (the unfinished write's when that is newer), or undefined when it
 * holds none.
 */
export async function rereadPrimary(
  primary: PrimaryStore,
  clock: Clock,
  logger: Logger,
): Promise<TokenRecord | undefined> {
  const again = await loadCandidate(primary, true, clock, logger);
  return (again.pending ?? again.candidate)?.record;
}

interface LoadResult {
  isPrimary: boolean;
  loaded: LoadedText | undefined;
  candidate: Candidate | undefined;
  /** The primary's unfinished write, when it holds a valid record newer than the current one. */
  pending: Candidate | undefined;
  error: string | undefined;
  cause: unknown;
  warnings: string[];
}

async function loadCandidate(
  source: RecordSource,
  isPrimary: boolean,
  clock: Clock,
  logger: Logger,
): Promise<LoadResult> {
  const none = { candidate: undefined, pending: undefined, error: undefined, cause: undefined, warnings: [] };
  let loaded: LoadedText;
  try {
    loaded = await source.load();
  } catch (error) {
    return { ...none, isPrimary, loaded: undefined, error: errorMessage(error), cause: error };
  }
  const unfinished = isPrimary ? readUnfinishedWrite(source.label, loaded, clock.now(), logger) : undefined;
  const pending: Candidate | undefined = unfinished && {
    label: unfinished.label,
    record: unfinished.parsed.record,
    loaded,
    role: 'pending',
  };
  if (loaded.text === undefined || loaded.text.trim() === '') return { ...none, isPrimary, loaded, pending };
  try {
    const parsed = readRecord(loaded.text, source.label, clock.now(), logger);
    const candidate: Candidate = {
      label: source.label,
      record: parsed.record,
      loaded,
      role: isPrimary ? 'primary' : 'source',
    };
    const newer = pending && compareRecords(pending.record, parsed.record) > 0 ? pending : undefined;
    return { ...none, isPrimary, loaded, candidate, pending: newer, warnings: parsed.warnings };
  } catch (error) {
    return { ...none, isPrimary, loaded, pending, error: errorMessage(error), cause: error };
  }
}

/**
 * The record of a store's unfinished write (`loaded.pending`), when it parses; masked before anything else. Anything
 * else there is ignored (logged at debug level). `status` reads it the same way as the rotation.
 */
export function readUnfinishedWrite(
  storeLabel: string,
  loaded: LoadedText,
  now: Date,
  logger: Logger,
): { label: string; parsed: ParsedRecord } | undefined {
  const pending = loaded.pending;
  if (!pending?.text.trim()) return undefined;
  const label = `${storeLabel} (its unfinished write, AWSPENDING)`;
  try {
    return { label, parsed: readRecord(pending.text, label, now, logger) };
  } catch (error) {
    logger.debug(`Ignored ${label}: ${errorMessage(error)}`);
    return undefined;
  }
}
