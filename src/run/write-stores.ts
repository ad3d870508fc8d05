/**
 * Writing: the primary store first, as a compare-and-set that never replaces a newer record, then the mirrors with
 * whatever record won (the words are defined in rotation.ts). Never throws: every store gets a report.
 */
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { errorMessage } from '../util/errors.js';
import type { TokenFormat, TokenRecord } from '../token/record.js';
import { serializeRecord } from '../token/serialize.js';
import { newerRecordWins } from './conflict.js';
import type { Writes } from './plan.js';
import type { Failure, RotationStep, StoreReport } from './rotation.js';
import type { LoadedText, MirrorStore, PrimaryStore } from './stores.js';
import { isUnfinishedWrite } from './stores.js';

export interface WriteContext {
  primary: PrimaryStore | undefined;
  /** What the primary held when the run read it: the version the compare-and-set expects. */
  primaryLoaded: LoadedText | undefined;
  mirrors: MirrorStore[];
  format: TokenFormat;
  clock: Clock;
  logger: Logger;
  signal?: AbortSignal | undefined;
  step: (step: RotationStep) => void;
}

export interface WriteResult {
  stores: StoreReport[];
  /** The record in force after the writes: the primary's own when it turned out to hold a newer one (kept-newer). */
  record: TokenRecord;
  /** The primary held a newer record than ours, which was kept. */
  keptNewer: boolean;
  /** The stores that could not take the record, one sentence each. */
  failures: Failure[];
}

/**
 * Writes `record` where `writes` says: the primary first (compare-and-set), then the mirrors. A store the plan leaves
 * alone is reported `unchanged`. A cancelled run whose primary write is not confirmed yet writes the mirrors at once,
 * beside it, so a new refresh token has a second home if the process is killed. AWSPENDING comes off the primary's
 * new version in the background, while the mirrors are written; the writes end when it is off.
 */
export async function writeStores(record: TokenRecord, writes: Writes, context: WriteContext): Promise<WriteResult> {
  const { primary, mirrors, logger, signal } = context;
  const stores: StoreReport[] = [];
  const failures: Failure[] = [];
  let inForce = record;
  let keptNewer = false;

  let early: { text: string; reports: Promise<StoreReport[]> } | undefined;
  const writeMirrorsEarly = (): void => {
    if (early || !writes.mirrors || mirrors.length === 0) return;
    const text = serializeRecord(record, context.format);
    logger.info('The run was cancelled during the primary write: writing the other stores beside it.');
    early = { text, reports: writeMirrors(mirrors, text, true, logger) };
  };

  if (primary && writes.primary) {
    context.step({ step: 'writing-primary', store: primary.label });
    signal?.addEventListener('abort', writeMirrorsEarly, { once: true });
    if (signal?.aborted) writeMirrorsEarly();
    const written = await writePrimary(primary, record, context);
    signal?.removeEventListener('abort', writeMirrorsEarly);
    stores.push(written.report);
    if (written.report.outcome === 'failed' || written.report.outcome === 'unfinished') {
      failures.push({ kind: 'store-unwritable', message: written.report.detail, error: written.error });
    }
    if (written.kept) {
      inForce = written.kept;
      keptNewer = true;
    }
  } else if (primary) {
    stores.push({ label: primary.label, outcome: 'unchanged', detail: 'already current' });
  }

  const text = serializeRecord(inForce, context.format);
  if (writes.mirrors && mirrors.length > 0)
    context.step({ step: 'writing-mirrors', stores: mirrors.map((m) => m.label) });
  const earlyReports = await early?.reports;
  // The early copies hold what the primary ended with unless it kept a newer record instead: then they are rewritten.
  const mirrorReports =
    early?.text === text && earlyReports ? earlyReports : await writeMirrors(mirrors, text, writes.mirrors, logger);
  for (const report of mirrorReports) {
    stores.push(report);
    if (report.outcome === 'failed') failures.push({ kind: 'store-unwritable', message: report.detail });
  }
  if (primary?.settle) {
    context.step({ step: 'settling', store: primary.label });
    await primary.settle();
  }
  return { stores, record: inForce, keptNewer, failures };
}

async function writePrimary(
  primary: PrimaryStore,
  record: TokenRecord,
  context: WriteContext,
): Promise<{ report: StoreReport; kept?: TokenRecord | undefined; error?: unknown }> {
  const { clock, logger } = context;
  const text = serializeRecord(record, context.format);
  const rule = newerRecordWins(record, primary.label, clock, logger);
  try {
    const result = await primary.compareAndSet(text, context.primaryLoaded?.version, (now) => rule.onConflict(now), {
      deferCleanup: true,
    });
    if (result.outcome === 'written') {
      return { report: { label: primary.label, outcome: 'written', detail: 'written (compare-and-set)' } };
    }
    return {
      report: {
        label: primary.label,
        outcome: 'kept-newer',
        detail: 'kept: it was updated with a newer record during this run',
      },
      kept: rule.kept(),
    };
  } catch (error) {
    const outcome = isUnfinishedWrite(error) ? 'unfinished' : 'failed';
    return { report: { label: primary.label, outcome, detail: logger.redact(errorMessage(error)) }, error };
  }
}

/** Writes every mirror (or reports it unchanged); one report per target, never a throw. */
async function writeMirrors(
  mirrors: MirrorStore[],
  text: string,
  write: boolean,
  logger: Logger,
): Promise<StoreReport[]> {
  const reports: StoreReport[] = [];
  for (const mirror of mirrors) {
    if (!write) {
      reports.push({ label: mirror.label, outcome: 'unchanged', detail: 'already current' });
      continue;
    }
    let results;
    try {
      results = await mirror.write(text);
    } catch (error) {
      results = [{ label: mirror.label, ok: false, detail: errorMessage(error) }];
    }
    for (const result of results) {
      reports.push({
        label: result.label,
        outcome: result.ok ? 'written' : 'failed',
        detail: logger.redact(result.detail),
      });
    }
  }
  return reports;
}

/**
 * The first store that cannot take the record, as a failed report, or undefined. Every mirror must accept its size.
 * Before Schwab is asked for a refresh (which may retire the stored refresh token), the primary store must be able to
 * take the result (a writable folder), and without a primary store every mirror must (each GitHub store's public key
 * readable with the token's permission). With a primary the mirrors' keys are still fetched, beside the refresh
 * (`prepare`), and a refusal fails the run after the primary holds the new record.
 */
export async function storeThatCannotTake(
  text: string,
  refreshing: boolean,
  stores: { primary?: PrimaryStore | undefined; mirrors: MirrorStore[]; logger: Logger },
): Promise<{ report: StoreReport; error: unknown } | undefined> {
  const refusal = async (label: string, check: () => unknown) => {
    try {
      await check();
      return undefined;
    } catch (error) {
      return {
        report: { label, outcome: 'failed' as const, detail: stores.logger.redact(errorMessage(error)) },
        error,
      };
    }
  };
  for (const mirror of stores.mirrors) {
    const refused = await refusal(mirror.label, () => mirror.check?.(text));
    if (refused) return refused;
  }
  if (!refreshing) return undefined;
  const { primary } = stores;
  if (primary) return refusal(primary.label, () => primary.checkWritable?.());
  const refusals = await Promise.all(
    stores.mirrors.map((mirror) => refusal(mirror.label, () => mirror.checkWritable?.())),
  );
  return refusals.find((refused) => refused !== undefined);
}
