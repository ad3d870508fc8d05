/** Shared helpers for the CLI suites: in-process io, fake time, temp folders and a browser that plays along. */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { request } from 'node:https';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import type { CliIo, CliSleep } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/main.js';
import type { SchwabFake } from '../fakes/schwab-fake.js';
import type { TokenRecord } from '../../src/token/record.js';
import { secretValues } from '../../src/token/record.js';
import { systemClock } from '../../src/util/clock.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** A stream that remembers what was written. */
export class Collector {
  text = '';
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

/** Time that only moves when told: `sleep` advances it (and yields once, so other I/O can run). */
export class FakeTime {
  private ms: number;
  /** Every wait the loop made (sleeps with a signal), in ms. */
  readonly loopWaits: number[] = [];
  /** Every other sleep (Schwab's retry backoff), in ms. */
  readonly retryWaits: number[] = [];
  /** Called after each loop wait with its index (0-based), before the loop goes on. */
  onLoopWait: ((index: number) => void) | undefined;

  constructor(start: Date) {
    this.ms = start.getTime();
  }

  readonly clock = { now: () => new Date(this.ms) };

  advance(ms: number): void {
    this.ms += ms;
  }

  readonly sleep: CliSleep = async (ms, signal) => {
    if (signal) this.loopWaits.push(ms);
    else this.retryWaits.push(ms);
    this.ms += Math.max(0, ms);
    await tick();
    if (signal) this.onLoopWait?.(this.loopWaits.length - 1);
  };
}

/** A sleep for login tests: short waits (retries) end at once, the login's timeout waits until aborted. */
export const loginSleep: CliSleep = (ms, signal) =>
  ms < MINUTE
    ? Promise.resolve()
    : new Promise<void>((resolve) => {
        if (signal?.aborted) resolve();
        signal?.addEventListener('abort', () => resolve(), { once: true });
      });

export interface TestIo extends CliIo {
  stdout: Collector;
  stderr: Collector;
  stdin: PassThrough;
  controller: AbortController;
}

/** An io for `runCli` against the Schwab fake: app key and secret, base URL, a temp cwd. */
export function makeIo(
  fake: SchwabFake | undefined,
  cwd: string,
  overrides: Partial<CliIo> & { env?: Record<string, string | undefined> } = {},
): TestIo {
  const controller = new AbortController();
  const { env, ...rest } = overrides;
  return {
    env: {
      ...(fake
        ? { SCHWAB_APP_KEY: fake.appKey, SCHWAB_APP_SECRET: fake.appSecret, SCHWAB_BASE_URL: fake.baseUrl }
        : {}),
      ...env,
    },
    stdin: new PassThrough(),
    stdout: new Collector(),
    stderr: new Collector(),
    clock: systemClock,
    sleep: loginSleep,
    signal: controller.signal,
    controller,
    cwd,
    openBrowser: () => false,
    tuning: { githubWaitScale: 0, awsRetryDelayMs: () => 0 },
    ...rest,
  } as TestIo;
}

export async function run(argv: string[], io: TestIo): Promise<number> {
  return runCli(argv, io);
}

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'rotator-cli-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Names in `dir` other than `keep`: leftovers such as temporary files. */
export async function strayFiles(dir: string, keep: string[]): Promise<string[]> {
  return (await readdir(dir)).filter((name) => !keep.includes(name));
}

export { loginRecord as loginFile, parseStored as parseRecord } from '../support/records.js';

export function tokensOf(...records: TokenRecord[]): string[] {
  return records.flatMap((record) => secretValues(record.tokens));
}

export interface BrowserVisit {
  /** Schwab's Location header (the callback URL with the code). */
  location: string;
  /** What the CLI's callback server answered. */
  status: number;
  body: string;
  certificate: PeerCertificate;
}

/** Follows Schwab's authorize URL (at the fake) and returns the redirect it answered, without following it. */
export async function authorize(authorizeUrl: string): Promise<string> {
  const response = await fetch(authorizeUrl, { redirect: 'manual' });
  await response.arrayBuffer();
  const location = response.headers.get('location');
  if (response.status !== 302 || !location) throw new Error(`authorize answered HTTP ${response.status}`);
  return location;
}

/** GET over HTTPS, accepting the self-signed certificate as a user clicking "proceed" would. */
export function httpsGet(url: string): Promise<{ status: number; body: string; certificate: PeerCertificate }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', rejectUnauthorized: false }, (res) => {
      const certificate = (res.socket as TLSSocket).getPeerCertificate();
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, certificate }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Plays the browser: follows the authorize URL at the Schwab fake, then the redirect to the CLI's HTTPS callback.
 * `between` may change the redirect URL or the fake's clock before the callback is visited.
 */
export async function playBrowser(
  authorizeUrl: string,
  between?: (location: string) => string | Promise<string>,
): Promise<BrowserVisit> {
  const location = await authorize(authorizeUrl);
  const target = between ? await between(location) : location;
  const page = await httpsGet(target);
  return { location, ...page };
}
