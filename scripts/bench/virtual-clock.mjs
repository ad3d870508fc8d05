// `node --import ./scripts/bench/virtual-clock.mjs dist/cli.js refresh --every 1m …` (the bench's daemon row): runs
// the CLI's refresh loop on a virtual clock, from outside, so 500 ticks take seconds instead of hours.
//
// - Every wait of 50 s or more (the loop's wait for its next tick; nothing else in a healthy run waits that long: the
//   request timeouts are 15 s and 30 s), through setTimeout or timers/promises, is cut to 1 ms of real time, and the
//   clock (Date, Date.now) jumps ahead by the time it would have waited.
// - After each tick the process's RSS, V8 heap and anonymous (private, not file-backed) memory are appended to
//   $BENCH_DAEMON_LOG as `tick\trss\theapUsed\tanonymous` (bytes; anonymous from /proc/self/smaps_rollup, 0 elsewhere).
//   Most of a Node process's RSS is the node binary's own pages (~31 MiB of a bare Node 24's 42 MiB), which the
//   kernel can drop and re-read; anonymous memory is what the process really holds.
// - After $BENCH_DAEMON_TICKS ticks the process sends itself SIGTERM: the CLI stops as a user's Ctrl-C would stop it.
import { subscribe } from 'node:diagnostics_channel';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const timersPromises = require('node:timers/promises');
const log = process.env.BENCH_DAEMON_LOG;
const ticks = Number(process.env.BENCH_DAEMON_TICKS || 500);
const LONG_WAIT_MS = 50_000;

let offset = 0;
const RealDate = Date;
class VirtualDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + offset);
    else super(...args);
  }

  static now() {
    return RealDate.now() + offset;
  }
}
globalThis.Date = VirtualDate;

// The servers the process talks to live on the virtual clock too: the Date header of every HTTP answer is moved
// ahead by the same offset, before the client reads it. Without this the AWS SDK sees its own clock run minutes
// ahead of Secrets Manager's and treats every error answer (AWSPENDING's expected 404) as a clock-skew correction
// to retry, up to its attempt limit.
subscribe('http.client.response.finish', ({ response }) => {
  const date = response.headers.date;
  if (offset !== 0 && typeof date === 'string') {
    const at = RealDate.parse(date);
    if (!Number.isNaN(at)) response.headers.date = new RealDate(at + offset).toUTCString();
  }
});

let tick = 0;
function onTick() {
  tick++;
  if (log) {
    const { rss, heapUsed } = process.memoryUsage();
    appendFileSync(log, `${tick}\t${rss}\t${heapUsed}\t${anonymous()}\n`);
  }
  if (tick >= ticks) process.kill(process.pid, 'SIGTERM');
}

const ROLLUP = '/proc/self/smaps_rollup';
const hasRollup = existsSync(ROLLUP);
function anonymous() {
  if (!hasRollup) return 0;
  const kib = /^Anonymous:\s+(\d+) kB/m.exec(readFileSync(ROLLUP, 'utf8'))?.[1];
  return kib ? Number(kib) * 1024 : 0;
}

const realDelay = timersPromises.setTimeout;
timersPromises.setTimeout = (ms, value, options) => {
  if (typeof ms === 'number' && ms >= LONG_WAIT_MS) {
    offset += ms;
    onTick();
    return realDelay(1, value, options);
  }
  return realDelay(ms, value, options);
};

const realSetTimeout = globalThis.setTimeout;
globalThis.setTimeout = function setTimeout(callback, ms, ...args) {
  if (typeof ms === 'number' && ms >= LONG_WAIT_MS) {
    offset += ms;
    onTick();
    return realSetTimeout(callback, 1, ...args);
  }
  return realSetTimeout(callback, ms, ...args);
};
