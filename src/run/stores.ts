/**
 * The shapes of the places a token record lives. The rotation only talks to these interfaces; the composition
 * (action or CLI) plugs in Secrets Manager, a token file, GitHub secrets or a test fake.
 */

/** What a store holds now: its text (undefined when empty) and the version it was read at. */
export interface LoadedText {
  text: string | undefined;
  /** An opaque version (Secrets Manager VersionId, a file's mtime…) used for compare-and-set. */
  version?: string | undefined;
}

/** A place the current record can be read from (the `token` input, a secret, a file). */
export interface RecordSource {
  /** How the source is named to the user, e.g. `the "token" input` or `AWS secret "schwab/token" (us-east-1)`. */
  readonly label: string;
  load(): Promise<LoadedText>;
}

export type ConflictDecision = 'overwrite' | 'keep';

export type PrimaryWriteResult =
  | { outcome: 'written'; version?: string | undefined }
  | { outcome: 'kept-current'; current: LoadedText };

/**
 * The store written first, as a compare-and-set: the write lands only if the store still holds the version the
 * run read; otherwise `onConflict` sees what is there now and decides whether ours may replace it.
 */
export interface PrimaryStore extends RecordSource {
  compareAndSet(
    text: string,
    expectedVersion: string | undefined,
    onConflict: (current: LoadedText) => ConflictDecision,
  ): Promise<PrimaryWriteResult>;
  /** Releases the store's connections (a long-running CLI loop opens one store per run). */
  close?(): Promise<void>;
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
  write(text: string): Promise<MirrorResult[]>;
}
