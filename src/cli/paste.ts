import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export interface LineReader {
  /** Stops reading (stdin is left paused, so the process can exit). */
  close(): void;
}

/**
 * Calls `onLine` with every non-empty line typed or piped into `input`, trimmed, until closed. The end of the input
 * is not an error: a login can still finish in the browser.
 */
export function readLines(input: Readable, onLine: (line: string) => void): LineReader {
  const rl = createInterface({ input, crlfDelay: Infinity, terminal: false });
  let closed = false;
  rl.on('line', (line) => {
    const text = line.trim();
    if (!closed && text !== '') onLine(text);
  });
  rl.on('error', () => undefined);
  return {
    close() {
      if (closed) return;
      closed = true;
      rl.close();
      input.pause();
    },
  };
}
