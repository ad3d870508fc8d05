import { expect } from 'vitest';

/**
 * Asserts that no secret value appears in any of the texts. The runner's own `::add-mask::VALUE` commands are the
 * one place a value may appear in stdout (that is how the runner learns what to mask; it never shows them), so
 * those lines are removed first. The GITHUB_OUTPUT's masked `access-token` is excluded by the caller.
 */
export function expectNoLeaks(texts: Record<string, string>, secrets: (string | undefined)[]): void {
  const values = secrets.filter((s): s is string => !!s && s.length >= 4);
  expect(values.length).toBeGreaterThan(0);
  for (const [where, text] of Object.entries(texts)) {
    const visible = text
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n');
    for (const value of values) {
      if (visible.includes(value)) {
        throw new Error(`A secret value (${value.length} chars, starting ${value.slice(0, 3)}…) leaked into ${where}.`);
      }
      const encoded = encodeURIComponent(value);
      if (encoded !== value && visible.includes(encoded)) throw new Error(`A URL-encoded secret leaked into ${where}.`);
    }
  }
}

/** The GITHUB_OUTPUT file without the access-token output (masked by the runner, and meant to be consumed). */
export function outputsWithoutAccessToken(outputs: Record<string, string>): string {
  return Object.entries(outputs)
    .filter(([name]) => name !== 'access-token')
    .map(([name, value]) => `${name}=${value}`)
    .join('\n');
}
