// Module-customization hooks for `npm run bench` (registered by ./register.mjs in the measured child, untimed runs
// only): appends `<absolute ms>\t<url>` for every file: module the child loads to $BENCH_LOAD_LOG.
import { appendFileSync } from 'node:fs';

export async function load(url, context, nextLoad) {
  const log = process.env.BENCH_LOAD_LOG;
  if (log && url.startsWith('file:'))
    appendFileSync(log, `${(performance.timeOrigin + performance.now()).toFixed(2)}\t${url}\n`);
  return nextLoad(url, context);
}
