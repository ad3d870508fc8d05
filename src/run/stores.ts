/**
 * The shapes of the places a token record lives. The rotation only talks to these interfaces; the composition
 * (action or CLI) plugs in Secrets Manager, a token file, GitHub secrets or a test fake.
 */

/** What a store holds now: its text (undefined when empty) and the version it was read at. */
export interface LoadedText {
  text: string | undefined;
  /** An opaque version (Secrets Manager VersionId, a file's mtime…) used for compare-and-set. */
  version?: string | undefined;
  /**
   * A write to this store that was started and did not finish (Secrets Manager's AWSPENDING on another version than
   * the current one): the rotation treats a valid record there that is newer than `text` as a candidate, and writing
   * that same text finishes the earlier write.
   */
  pending?: { text: string; version: string } | undefined;
}

/** A place the current record can be read from (the `token` input, a secret, a file). */
export interface RecordSource {
  /** How the source is named to the user, e.g. `the "token" input` or `AWS secret "schwab/token" (us-east-1)`. */
  readonly label: string;
  load(): Promise<LoadedText>;
}

export type ConflictDecision = 'overwrite' | 'keep';

export type PrimaryWriteResult =
  { outcome: 'written'; version?: string | undefined } | { outcome: 'kept-current'; current: LoadedText };

/**
 * The store written first, as a compare-and-set: the write lands only if the store still holds the version the
 * run read; otherwise `onConflict` sees what is there now and decides whether ours may replace it.
 */
export interface PrimaryStore extends RecordSource {
  compareAndSet(
    text: string,
    expectedVersion: string | undefined,
    onConflict: (current: LoadedText) => ConflictDecision,
    options?: { deferCleanup?: boolean },
  ): Promise<PrimaryWriteResult>;
  /**
   * Resolves when the store could take a record now (its folder is writable, …); throws a UserError saying what is
   * wrong otherwise. Writes nothing. Called before Schwab is asked for a refresh.
   */
  checkWritable?(): Promise<void>;
  /**
   * Waits for the clean-up a write left running (`deferCleanup`: taking AWSPENDING off a version AWSCURRENT is
   * confirmed on). Never rejects.
   */
  settle?(): Promise<void>;
  /** Releases the store's connections (a long-running CLI loop opens one store per run). */
  close?(): Promise<void>;
  /**
   * The same store for the next run of a long-running loop, for a store that holds per-run state (Secrets Manager's
   * ClientRequestToken): it takes over this one's connection, so closing this one afterwards leaves it open.
   */
  renew?(): PrimaryStore;
}

/**
 * What a primary store's failed write says when the record still reached the store as an unfinished write (Secrets
 * Manager's AWSPENDING): the next read finds it there (`LoadedText.pending`), so it is not lost.
 */
export interface UnfinishedWrite {
  readonly pendingVersion: string;
}

export function isUnfinishedWrite(error: unknown): error is UnfinishedWrite {
  return typeof (error as { pendingVersion?: unknown } | undefined)?.pendingVersion === 'string';
}

/** The result of writing one mirror target. `detail` is one sentence, never a value. */
export interface MirrorResult {
  label: string;
  ok: boolean;
  detail: string;
}

/** Write-only copies of the record (GitHub secrets), written after the primary. Never throws for one target. */
export interface MirrorStore {
  readonly label: string;
  /** Throws a UserError when `text` cannot be stored here; called for every mirror before any store is written. */
  check?(text: string): void;
  /** Starts loading what `write` needs, once the run knows it may write; it overlaps with the Schwab and AWS calls. */
  prepare?(): void;
  /**
   * Resolves when this store could take a record now (GitHub: each secrets store's public key is readable with the
   * token's permission); throws a UserError saying what is wrong otherwise. Writes nothing.
   */
  checkWritable?(): Promise<void>;
  write(text: string): Promise<MirrorResult[]>;
}
