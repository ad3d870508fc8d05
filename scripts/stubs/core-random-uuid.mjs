// Stands in for node:crypto inside @actions/core's file commands (core.setOutput, core.exportVariable…), whose only use
// of it is `crypto.randomUUID()` for the heredoc delimiter. Loading node:crypto costs ~13 ms and 3.6 MiB on Node 24,
// more than the rest of a not-due run's own work; 16 bytes from the kernel's random source (/dev/urandom, already
// what node:crypto draws from) make the same version-4 UUID. Where there is no /dev/urandom (Windows), node:crypto.
import { closeSync, openSync, readSync } from 'node:fs';

function urandom(length) {
  const bytes = Buffer.alloc(length);
  const fd = openSync('/dev/urandom', 'r');
  try {
    let filled = 0;
    while (filled < length) filled += readSync(fd, bytes, filled, length - filled, null);
  } finally {
    closeSync(fd);
  }
  return bytes;
}

export function randomUUID() {
  let bytes;
  try {
    bytes = urandom(16);
  } catch {
    return process.getBuiltinModule?.('node:crypto')?.randomUUID() ?? globalThis.crypto.randomUUID();
  }
  bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
