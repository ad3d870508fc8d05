/**
 * Remembers every secret value this process has seen and scrubs them from any text before it leaves the process.
 * The runner's own masking (core.setSecret) covers the log; this covers everything else we write ourselves:
 * error messages, annotations, the job summary and issue bodies.
 */
export const REDACTED = '***';

export class Redactor {
  private readonly secrets = new Set<string>();

  /** Registers a value; returns true when it was not known before. Values shorter than 4 characters are ignored. */
  add(value: string | undefined | null): boolean {
    if (!value || value.length < 4 || this.secrets.has(value)) return false;
    this.secrets.add(value);
    // Also scrub the encodings a value commonly travels in (form bodies, URLs, JSON strings).
    for (const variant of [encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]) {
      if (variant !== value && variant.length >= 4) this.secrets.add(variant);
    }
    return true;
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret containing another is replaced whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return out;
  }
}
