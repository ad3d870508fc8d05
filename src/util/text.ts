/** The text with its first letter raised, for a subject that starts a sentence. */
export function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The text as a sentence: a capital first letter and a closing full stop. */
export function sentence(text: string): string {
  const trimmed = text.trim();
  return `${upperFirst(trimmed)}${/[.!?]$/.test(trimmed) ? '' : '.'}`;
}

/**
 * A word for a POSIX shell: as it is when the shell would take it literally, else in single quotes. `#` and `~`
 * are literal except at the start of a word (`github:acme/x#v1` stays as it is).
 */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_./:@%+=,-][A-Za-z0-9_./:@%+=,#~-]*$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
