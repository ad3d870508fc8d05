import { createConnection } from 'node:net';

/**
 * Sends `line` (one JSON document and a newline) to the Unix socket (Windows: named pipe) at `path`, then closes
 * the connection. Rejects with the system error (ENOENT: nothing there; ECONNREFUSED: nobody listening) or a
 * timeout; never includes the line in an error.
 */
export function sendLine(path: string, line: string, timeoutMs = 5_000): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const socket = createConnection({ path });
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        socket.destroy();
        reject(error);
      } else {
        resolve();
      }
    };
    const timer = setTimeout(() => {
      const error = Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' });
      finish(error);
    }, timeoutMs);
    timer.unref();
    socket.on('error', (error) => finish(error));
    socket.on('connect', () => {
      socket.end(line.endsWith('\n') ? line : `${line}\n`, () => finish());
    });
    // The reader may close first; a clean close after our end is fine.
    socket.on('close', (hadError) => {
      if (!hadError) finish();
    });
  });
}
