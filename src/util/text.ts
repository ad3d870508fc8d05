/** The text with its first letter raised, for a subject that starts a sentence. */
export function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The text as a sentence: a capital first letter and a closing full stop. */
export function sentence(text: string): string {
  const trimmed = text.trim();
  return `${upperFirst(trimmed)}${/[.!?]$/.test(trimmed) ? '' : '.'}`;
}
