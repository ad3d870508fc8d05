// `node --import ./scripts/bench/register.mjs dist/index.js` (untimed bench runs only): records which modules the
// child loads ($BENCH_LOAD_LOG, via ./load-hooks.mjs) and, with $BENCH_TIMELINE_LOG, a timeline of its HTTP requests
// and its exit, as `<absolute ms>\t<event>` lines.
import { subscribe } from 'node:diagnostics_channel';
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';

register(new URL('./load-hooks.mjs', import.meta.url));

const timeline = process.env.BENCH_TIMELINE_LOG;
if (timeline) {
  const now = () => performance.timeOrigin + performance.now();
  const log = (event, at = now()) => appendFileSync(timeline, `${at.toFixed(2)}\t${event}\n`);
  log('process start', performance.timeOrigin);
  log('node ready (--import hooks registered)');
  const started = new WeakMap();
  const done = (request, what, status) => {
    const at = now();
    log(`  ← ${status} ${what} (${(at - (started.get(request) ?? at)).toFixed(1)} ms)`, at);
  };
  // fetch (Node's own undici, and any undici copy in the bundle: same channel names) and node:http (the AWS SDK).
  const path = (p) => String(p).split('?')[0];
  subscribe('undici:request:create', ({ request }) => {
    started.set(request, now());
    log(`HTTP ${request.method} ${String(request.origin).replace(/^https?:\/\//, '')}${path(request.path)} (fetch)`);
  });
  subscribe('undici:request:headers', ({ request, response }) =>
    done(request, `${request.method} ${path(request.path)}`, response.statusCode),
  );
  const target = (request) => request.getHeader('x-amz-target') ?? `${request.method} ${path(request.path)}`;
  subscribe('http.client.request.start', ({ request }) => {
    started.set(request, now());
    log(`HTTP ${target(request)} ${request.host} (node:http)`);
  });
  subscribe('http.client.response.finish', ({ request, response }) =>
    done(request, target(request), response.statusCode),
  );
  process.once('beforeExit', () => log('event loop empty (beforeExit)'));
  process.once('exit', () => log('exit event'));
}
