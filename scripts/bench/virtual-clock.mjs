// `node --import ./scripts/bench/virtual-clock.mjs dist/cli.js refresh --every 1m …` (the bench's daemon row): runs
// the CLI's refresh loop on a virtual clock, from outside, so 500 ticks take seconds instead of hours.
//
// - Every wait of 30 s or more (the loop's wait for its next tick; nothing else in a healthy run waits that long) is
//   cut to 1 ms of real time, and the clock (Date, Date.now) jumps ahead by the time it would have waited.
// - After each tick the process's RSS and V8 heap are appended to $BENCH_DAEMON_LOG as `tick\trss\theapUsed` (bytes).
// - After $BENCH_DAEMON_TICKS ticks the process sends itself SIGTERM: the CLI stops as a user's Ctrl-C would stop it.
import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const timersPromises = require('node:timers/promises');
const log = process.env.BENCH_DAEMON_LOG;
const ticks = Number(process.env.BENCH_DAEMON_TICKS || 500);
const LONG_WAIT_MS = 30_000;

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

let tick = 0;
function onTick() {
  tick++;
  if (log) {
    const { rss, heapUsed } = process.memoryUsage();
    appendFileSync(log, `${tick}\t${rss}\t${heapUsed}\n`);
  }
  if (tick >= ticks) process.kill(process.pid, 'SIGTERM');
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

