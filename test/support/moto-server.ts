/**
 * Starts and stops a `moto_server` (moto's AWS emulator) on a free loopback port. Used by the test suite's global
 * setup and by the scripts that run the action against local fakes (`npm run demo`, `npm run bench`).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

const STARTUP_TIMEOUT_MS = 20_000;

/** The first executable `moto_server` on PATH, or undefined. */
export function findMotoServer(path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'moto_server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * A port that was free a moment ago, for a server that must bind a port chosen in advance (moto_server, the CLI's
 * callback). Picked at random below Linux's ephemeral range (32768+), which listen(0) and outgoing connections draw
 * from: a parallel test's port-0 server can then never take it between this check and the real bind.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canListen(port)) return port;
  }
  throw new Error('could not find a free port between 20000 and 32000');
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function waitUntilUp(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `moto_server exited during startup (${child.exitCode ?? child.signalCode}): ${output().slice(-2000)}`,
      );
    }
    try {
      const response = await fetch(`${url}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`moto_server did not answer on ${url} within ${STARTUP_TIMEOUT_MS} ms: ${output().slice(-2000)}`);
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  const pid = child.pid;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal(pid, 'SIGKILL');
      resolve();
    }, 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    signal(pid, 'SIGTERM');
  });
}

/** Signals the process group we created (moto_server may be a pyenv shim that execs python). */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(-pid, name);
  } catch {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  }
}

async function spawnMoto(binary: string): Promise<{ url: string; child: ChildProcess }> {
  let lastError: unknown;
  // The free port can be taken between picking and binding; try a few.
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(binary, ['-H', '127.0.0.1', '-p', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-8000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('error', (error) => {
      output += `\n${String(error)}`;
    });
    try {
      await waitUntilUp(url, child, () => output);
      return { url, child };
    } catch (error) {
      lastError = error;
      await stop(child);
    }
  }
  throw lastError;
}

export interface MotoServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  stop(): Promise<void>;
}

/** Starts moto_server (the `binary` found on PATH by default); killed at the latest when this process exits. */
export async function startMotoServer(binary: string | undefined = findMotoServer()): Promise<MotoServer> {
  if (!binary) throw new Error('moto_server not found on PATH: install it with `pip install "moto[server]"`.');
  const { url, child } = await spawnMoto(binary);
  const onExit = () => child.pid !== undefined && signal(child.pid, 'SIGKILL');
  process.once('exit', onExit);
  return {
    url,
    stop: async () => {
      process.removeListener('exit', onExit);
      await stop(child);
    },
  };
}
