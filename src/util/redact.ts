/**
 * Remembers the secret values this process has seen and scrubs them from any text before it leaves the process.
 * The runner's own masking (core.setSecret) covers the log; this covers everything else we write ourselves:
 * error messages, annotations, the job summary and issue bodies.
 *
 * A long-running process (the CLI's `refresh --every`) sees new tokens at every refresh. It takes a `mark()` once
 * and, after each run, `forget(mark, inUse)`: the values registered since the mark that are not in `inUse` (the
 * record in force) are dropped, so what the redactor holds stays the same size however long the loop runs. Values
 * registered before the mark (the app secret) are kept for the life of the process.
 */
export const REDACTED = '***';

interface Entry {
  /** When the value was registered (the count of values registered before it, plus one). */
  serial: number;
  /** The value and the encodings it commonly travels in. */
  patterns: string[];
}

export class Redactor {
  /** Each registered value, with its encodings. */
  private readonly entries = new Map<string, Entry>();
  private serial = 0;
  /** Every pattern to scrub, longest first; rebuilt after a change, not on every redact(). */
  private sorted: string[] | undefined;

  /** Registers a value; returns true when it was not known before. Values shorter than 4 characters are ignored. */
  add(value: string | undefined | null): boolean {
    if (!value || value.length < 4 || this.entries.has(value)) return false;
    const patterns = [value];
    // Also scrub the encodings a value commonly travels in (form bodies, URLs, JSON strings).
    for (const variant of [encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]) {
      if (variant !== value && variant.length >= 4 && !patterns.includes(variant)) patterns.push(variant);
    }
    this.entries.set(value, { serial: ++this.serial, patterns });
    this.sorted = undefined;
    return true;
  }

  redact(text: string): string {
    this.sorted ??= [...new Set([...this.entries.values()].flatMap((entry) => entry.patterns))].sort(
      (a, b) => b.length - a.length,
    );
    let out = text;
    // Longest first, so a secret containing another is replaced whole.
    for (const secret of this.sorted) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return out;
  }

  /** A point in the registrations, for forget(). */
  mark(): number {
    return this.serial;
  }

  /**
   * Forgets the values registered after `mark` except those in `inUse` (with their encodings). Values registered
   * at or before the mark are never forgotten. Returns how many values were forgotten.
   */
  forget(mark: number, inUse: Iterable<string | undefined>): number {
    const keep = new Set(inUse);
    let forgotten = 0;
    for (const [value, entry] of this.entries) {
      if (entry.serial > mark && !keep.has(value)) {
        this.entries.delete(value);
        forgotten++;
      }
    }
    if (forgotten > 0) this.sorted = undefined;
    return forgotten;
  }

  /** How many values are registered (each with its encodings). */
  get size(): number {
    return this.entries.size;
  }
}
