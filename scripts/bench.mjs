// `npm run bench` (issue #6 item 4): start-up and full-rotation cost of the bundled action, against the loopback fakes.
//
//   (a) a bare `node -e 0`
//   (b) `node dist/index.js` parsing its inputs and exiting on a token that is not due (no AWS, no GitHub)
//   (c) a full rotation: refresh at the Schwab fake, compare-and-set in moto_server's Secrets Manager, one GitHub
//       secret and the alert-issue check at the GitHub fake
//   (d) the size of dist/index.js (and of what each path loads) and the peak RSS of (c)
//
// Every figure is the median of several runs after a warm-up; (b)/(a) and (c)/(a) are printed as ratios so they mean
// the same on any machine. A benchmark, not a test: it exits 0 whatever the figures (non-zero only when it cannot run).
//
// Environment:
//   BENCH_RUNS (default 9), BENCH_WARMUP (default 2)   measured runs and warm-up runs per scenario
//   BENCH_BREAKDOWN=1       also measure (b) plus one piece of (c) at a time (issue check, refresh, secret, AWS)
//   BENCH_TIMELINE=c        one more run of a scenario (c, b, b+issue, …): when each chunk loads and each HTTP call
//   BENCH_PROFILE=c         one more run under --cpu-prof, summarised (BENCH_PROFILE_OUT=file keeps the profile)
//   BENCH_NODE_FLAGS=…      node flags for the dist/index.js runs, for what-if experiments (e.g. --liftoff-only)
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { arch, cpus, platform, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadFakes, startMotoIfInstalled } from './lib/loopback.mjs';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const BUILT = join(ROOT, 'dist');
// The bench runs a private copy of dist/ (taken right after the build), so a rebuild elsewhere cannot disturb it.
let DIST = BUILT;
let DIST_INDEX = join(DIST, 'index.js');
const RUNS = positiveInt(process.env.BENCH_RUNS, 9);
const WARMUP = positiveInt(process.env.BENCH_WARMUP, 2, true);
const TARGET_C = 3.0;
// Extra node flags for the dist/index.js runs, for what-if experiments (e.g. BENCH_NODE_FLAGS=--liftoff-only).
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const TIME_BIN = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

function positiveInt(text, fallback, allowZero = false) {
  const n = Number(text);
  return Number.isInteger(n) && (n > 0 || (allowZero && n === 0)) ? n : fallback;
}

const cleanups = [];
/** The runner's step environment (test/support/action-runner.ts), set once the fakes are loaded. */
let runnerEnv;
async function cleanup() {
  while (cleanups.length) {
    try {
      await cleanups.pop()();
    } catch {
      // best effort
    }
  }
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    void cleanup().finally(() => process.exit(130));
  });
}

try {
  await main();
} catch (error) {
  console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}

async function main() {
  if (!existsSync(DIST_INDEX)) throw new Error('dist/index.js is missing: run `npm run bundle` (npm run bench does).');
  const work = await mkdtemp(join(tmpdir(), 'rotator-bench-'));
  cleanups.push(() => rm(work, { recursive: true, force: true }));
  await cp(BUILT, join(work, 'dist'), { recursive: true });
  DIST = join(work, 'dist');
  DIST_INDEX = join(DIST, 'index.js');

  const { fakes, dispose } = await loadFakes();
  cleanups.push(dispose);
  runnerEnv = fakes.runnerEnv;
  const loadHook = fileURLToPath(new URL('./bench/register.mjs', import.meta.url));

  const schwab = await fakes.startSchwabFake();
  cleanups.push(() => schwab.close());
  const github = await fakes.startGitHubFake();
  cleanups.push(() => github.close());
  const moto = await startMotoIfInstalled(fakes, 'scenario (c) is SKIPPED');
  if (moto) cleanups.push(() => moto.stop());

  // A login a moment ago: its access token is not due for ~30 min, its refresh token is healthy for 7 days.
  const login = fakes.recordFromLogin(schwab.issueTokens({ loginAt: new Date() }).response, new Date());
  const loginText = fakes.serializeRecord(login, 'rotator');
  const common = { 'app-key': schwab.appKey, 'app-secret': schwab.appSecret, 'schwab-base-url': schwab.baseUrl };

  /** @type {Scenario[]} */
  const scenarios = [
    { key: 'a', title: 'node -e 0', args: ['-e', '0'], env: {}, inputs: {} },
    {
      key: 'b',
      title: 'dist/index.js, token not due',
      args: [...NODE_FLAGS, DIST_INDEX],
      env: {},
      inputs: { ...common, token: loginText },
      check: (outputs) => outputs.refreshed === 'false' && outputs.status === 'healthy',
    },
  ];
  if (moto) {
    const secretId = `bench-${Date.now()}`;
    await moto.createSecret(secretId, loginText);
    scenarios.push({
      key: 'c',
      title: 'full rotation (refresh + AWS CAS + 1 GitHub secret + issue check)',
      args: [...NODE_FLAGS, DIST_INDEX],
      env: { ...moto.env, GITHUB_REPOSITORY: 'acme/bot', GITHUB_API_URL: github.url },
      inputs: {
        ...common,
        'aws-secret-id': secretId,
        force: 'true',
        'github-secrets': 'SCHWAB_TOKEN',
        'secrets-token': fakes.FAKE_SECRETS_TOKEN,
        'github-token': fakes.FAKE_WORKFLOW_TOKEN,
      },
      check: (outputs) => outputs.refreshed === 'true' && outputs.status === 'healthy',
    });
  }

  console.log(
    `schwab-token-rotator bench: node ${process.version}, ${platform()} ${arch()}, ${cpus().length} CPU(s) ` +
      `(${cpus()[0]?.model?.trim() ?? 'unknown'}); ${RUNS} runs after ${WARMUP} warm-up(s), medians` +
      `${TIME_BIN ? '; peak RSS by /usr/bin/time' : '; peak RSS by process.resourceUsage()'}` +
      `${NODE_FLAGS.length ? `; dist runs with ${NODE_FLAGS.join(' ')}` : ''}`,
  );

  if (process.env.BENCH_BREAKDOWN) scenarios.push(...(await breakdownScenarios(scenarios, moto, github, fakes, loginText)));

  const results = {};
  for (const scenario of scenarios) {
    process.stdout.write(`  measuring (${scenario.key}) ${scenario.title} `);
    github.clearRequests();
    results[scenario.key] = await measure(scenario, work);
    const runs = WARMUP + RUNS;
    results[scenario.key].githubPerRun = Object.fromEntries(Object.entries(github.counts).map(([route, n]) => [route, n / runs]));
    process.stdout.write('\n');
  }

  // Which files of dist/ each path loads (one extra, untimed run with a module-load hook).
  const loaded = {};
  for (const scenario of scenarios.filter((s) => s.key !== 'a')) {
    loaded[scenario.key] = await loadedFiles(scenario, work, loadHook);
  }

  await report(results, loaded);

  if (process.env.BENCH_TIMELINE) {
    await timeline(scenarios.find((s) => s.key === process.env.BENCH_TIMELINE) ?? scenarios.at(-1), work, loadHook);
  }
  if (process.env.BENCH_PROFILE) {
    const target = scenarios.find((s) => s.key === process.env.BENCH_PROFILE) ?? scenarios.at(-1);
    await profile(target, work);
  }
}

/**
 * BENCH_PROFILE=b|c: one more run of that scenario under `--cpu-prof`, summarised: where the wall time went (idle =
 * waiting on I/O, GC, compiling, running JS) and the files and functions with the most self time.
 */
async function profile(scenario, work) {
  const dir = join(work, 'profile');
  await mkdir(dir, { recursive: true });
  const started = performance.now();
  await runOnce(scenario, work, { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '200'] });
  const wall = performance.now() - started;
  const [file] = (await readdir(dir)).filter((name) => name.endsWith('.cpuprofile'));
  if (!file) return console.log('(no CPU profile written)');
  if (process.env.BENCH_PROFILE_OUT) await cp(join(dir, file), process.env.BENCH_PROFILE_OUT);
  const prof = JSON.parse(await readFile(join(dir, file), 'utf8'));
  const byId = new Map(prof.nodes.map((node) => [node.id, node]));
  const self = new Map();
  for (let i = 0; i < prof.samples.length; i++) {
    self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i] ?? 0) / 1000);
  }
  const byFile = new Map();
  const byFunction = new Map();
  for (const [id, msSelf] of self) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const where = url ? (url.startsWith('file:') ? relative(DIST, fileURLToPath(url)) : url) : `(${functionName || 'anonymous'})`;
    byFile.set(where, (byFile.get(where) ?? 0) + msSelf);
    const fn = `${functionName || '(anonymous)'} ${where}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + msSelf);
  }
  const total = (prof.endTime - prof.startTime) / 1000;
  const top = (map, n) =>
    [...map.entries()]
      .sort((x, y) => y[1] - x[1])
      .slice(0, n)
      .map(([k, v]) => `      ${v.toFixed(1).padStart(7)} ms  ${k}`)
      .join('\n');
  console.log('');
  console.log(`CPU profile of (${scenario.key}): ${wall.toFixed(0)} ms wall, ${total.toFixed(0)} ms profiled (after node's own start-up)`);
  console.log('    by file (self time; "(idle)" is waiting on I/O):');
  console.log(top(byFile, 12));
  console.log('    by function:');
  console.log(top(byFunction, 15));
}

/**
 * BENCH_BREAKDOWN=1: (b) plus one piece of (c) at a time, to see what each piece costs.
 * @returns {Promise<Scenario[]>}
 */
async function breakdownScenarios(scenarios, moto, github, fakes, loginText) {
  const b = scenarios.find((s) => s.key === 'b');
  const refreshed = (outputs) => outputs.refreshed === 'true' && outputs.status === 'healthy';
  const issueEnv = { GITHUB_REPOSITORY: 'acme/bot', GITHUB_API_URL: github.url };
  const list = [
    {
      key: 'b+issue',
      title: '(b) + the alert-issue check (Octokit, 1 list call)',
      env: issueEnv,
      inputs: { ...b.inputs, 'github-token': fakes.FAKE_WORKFLOW_TOKEN },
      check: b.check,
    },
    { key: 'b+refresh', title: '(b) + a forced refresh (fetch), no store', env: {}, inputs: { ...b.inputs, force: 'true' }, check: refreshed },
    {
      key: 'b+refresh+secret',
      title: '(b) + refresh + 1 GitHub secret (Octokit, libsodium)',
      env: issueEnv,
      inputs: { ...b.inputs, force: 'true', 'github-secrets': 'SCHWAB_TOKEN', 'secrets-token': fakes.FAKE_SECRETS_TOKEN },
      check: refreshed,
    },
  ];
  if (moto) {
    const readOnly = `bench-read-${Date.now()}`;
    await moto.createSecret(readOnly, loginText);
    const cas = `bench-cas-${Date.now()}`;
    await moto.createSecret(cas, loginText);
    list.push(
      {
        key: 'b+aws-read',
        title: '(b) + read the AWS secret (SDK load, GetSecretValue)',
        env: moto.env,
        inputs: { ...b.inputs, token: '', 'aws-secret-id': readOnly },
        check: b.check,
      },
      {
        key: 'b+refresh+aws',
        title: '(b) + refresh + AWS compare-and-set',
        env: moto.env,
        inputs: { ...b.inputs, token: '', force: 'true', 'aws-secret-id': cas },
        check: refreshed,
      },
    );
  }
  return list.map((s) => ({ ...s, args: b.args }));
}

/**
 * @typedef {{ key: string, title: string, args: string[], env: Record<string,string>, inputs: Record<string,string>,
 *   check?: (outputs: Record<string,string>) => boolean }} Scenario
 */

/** Runs a scenario WARMUP + RUNS times; wall times and peak RSS of the measured runs. */
async function measure(scenario, work) {
  const times = [];
  const rss = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const run = await runOnce(scenario, work);
    if (i >= WARMUP) {
      times.push(run.ms);
      if (run.maxRssKb !== undefined) rss.push(run.maxRssKb);
    }
    process.stdout.write('.');
  }
  return { times, rss, median: median(times), min: Math.min(...times), max: Math.max(...times), rssKb: rss.length ? median(rss) : undefined, peakRssKb: rss.length ? Math.max(...rss) : undefined };
}

/** One spawn as the runner does it: INPUT_* variables, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files, a clean env. */
async function runOnce(scenario, work, extra = {}) {
  const dir = await mkdtemp(join(work, 'run-'));
  const outputPath = join(dir, 'output');
  const summaryPath = join(dir, 'summary');
  const rssPath = join(dir, 'rss');
  await writeFile(outputPath, '');
  await writeFile(summaryPath, '');
  const env = runnerEnv({
    dir,
    outputPath,
    summaryPath,
    inputs: scenario.inputs,
    env: { GITHUB_WORKFLOW_REF: 'acme/bot/.github/workflows/rotate.yml@refs/heads/main', ...scenario.env, ...extra.env },
  });

  const nodeArgs = [...(extra.nodeArgs ?? []), ...scenario.args];
  let command = process.execPath;
  let args = nodeArgs;
  if (TIME_BIN && !extra.nodeArgs) {
    command = TIME_BIN;
    args = ['-f', '%M', '-o', rssPath, process.execPath, ...nodeArgs];
  } else if (!extra.nodeArgs) {
    // No /usr/bin/time: the child reports its own peak RSS on exit (a tiny --import hook; costs ~1 ms per run).
    args = ['--import', rssHookUrl(rssPath), ...nodeArgs];
  }

  const { code, ms, stdout, stderr } = await spawnTimed(command, args, env);
  const outputs = parseOutputFile(await readFile(outputPath, 'utf8'));
  if (code !== 0 || (scenario.check && !scenario.check(outputs))) {
    throw new Error(
      `(${scenario.key}) ${scenario.title}: exit ${code}, outputs ${JSON.stringify({ refreshed: outputs.refreshed, status: outputs.status })}\n` +
        `${stdout.slice(-3000)}\n${stderr.slice(-3000)}`,
    );
  }
  let maxRssKb;
  if (!extra.nodeArgs) {
    const text = await readFile(rssPath, 'utf8').catch(() => '');
    const kb = Number(text.trim().split('\n').at(-1));
    if (Number.isFinite(kb) && kb > 0) maxRssKb = kb;
  }
  await rm(dir, { recursive: true, force: true });
  return { ms, maxRssKb, stdout, stderr };
}

function rssHookUrl(path) {
  const source =
    `import { writeFileSync } from 'node:fs';` +
    `process.on('exit', () => writeFileSync(${JSON.stringify(path)}, String(Math.round(process.resourceUsage().maxRSS))));`;
  return `data:text/javascript,${encodeURIComponent(source)}`;
}

/** Spawns and times process start → exit (wall clock, high resolution). */
function spawnTimed(command, args, env) {
  return new Promise((resolvePromise, reject) => {
    let stdout = '';
    let stderr = '';
    const started = performance.now();
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    let ms = 0;
    child.once('exit', () => (ms = performance.now() - started));
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? (signal ? 128 : 1), ms, stdout, stderr });
    });
  });
}

/** Parses a GITHUB_OUTPUT file (`name<<DELIM … DELIM` blocks or `name=value` lines). */
function parseOutputFile(text) {
  const outputs = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const value = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) value.push(lines[i]);
      outputs[heredoc[1]] = value.join('\n');
    } else if (lines[i].includes('=')) {
      outputs[lines[i].slice(0, lines[i].indexOf('='))] = lines[i].slice(lines[i].indexOf('=') + 1);
    }
  }
  return outputs;
}


/** The dist/ files a scenario loads, with their sizes (one untimed run with the module-load hook). */
async function loadedFiles(scenario, work, loadHook) {
  const log = join(work, `loaded-${scenario.key}.txt`);
  await writeFile(log, '');
  await runOnce(scenario, work, { nodeArgs: ['--import', pathToFileURL(loadHook).href], env: { BENCH_LOAD_LOG: log } });
  const files = await distLoads(log);
  return { files: [...files].sort((x, y) => y.bytes - x.bytes), bytes: files.reduce((sum, f) => sum + f.bytes, 0) };
}

/** The dist/ files in a load log, in load order: `{ at, path, bytes }`. */
async function distLoads(log) {
  const seen = new Set();
  const loads = [];
  for (const line of (await readFile(log, 'utf8')).split('\n')) {
    const [at, url] = line.split('\t');
    if (!url?.startsWith('file:') || seen.has(url)) continue;
    seen.add(url);
    const path = fileURLToPath(url);
    if (path.startsWith(DIST)) loads.push({ at: Number(at), path: relative(DIST, path), bytes: (await stat(path)).size });
  }
  return loads;
}

/**
 * BENCH_TIMELINE=b|c|…: one more run of that scenario with the load and timeline hooks; prints when each dist/ file
 * was requested and each HTTP request made, in ms since the process started.
 */
async function timeline(scenario, work, loadHook) {
  const log = join(work, `timeline-${scenario.key}.txt`);
  await writeFile(log, '');
  const started = performance.now();
  await runOnce(scenario, work, { nodeArgs: ['--import', pathToFileURL(loadHook).href], env: { BENCH_LOAD_LOG: log, BENCH_TIMELINE_LOG: log } });
  const wall = performance.now() - started;
  const lines = (await readFile(log, 'utf8')).split('\n').filter(Boolean);
  const start = Number(lines.find((line) => line.endsWith('\tprocess start'))?.split('\t')[0] ?? 0);
  const events = lines
    .map((line) => line.split('\t'))
    .filter(([, what]) => !what.startsWith('file:'))
    .map(([at, what]) => ({ at: Number(at), what }));
  for (const load of await distLoads(log)) events.push({ at: load.at, what: `load ${load.path} (${kib(load.bytes)})` });
  events.sort((x, y) => x.at - y.at);
  console.log('');
  console.log(
    `Timeline of (${scenario.key}) ${scenario.title}, ms since the process started (module loads pass through the ` +
      'hook thread, which slows them: read the gaps between loads as upper bounds):',
  );
  for (const { at, what } of events) console.log(`  ${(at - start).toFixed(1).padStart(7)}  ${what}`);
  console.log(`  ${wall.toFixed(1).padStart(7)}  the parent saw the process end (after the exit event: V8/Node teardown)`);
  const waits = events.map((e) => /^ {2}← \d+ .*\(([\d.]+) ms\)$/.exec(e.what)).filter(Boolean);
  const waited = waits.reduce((sum, m) => sum + Number(m[1]), 0);
  console.log(`  ${waits.length} HTTP requests, ${waited.toFixed(1)} ms waiting for their answers in all`);
}


/** The packages a chunk holds, as far as its linked licence file (esbuild's legalComments) names them. */
async function packagesOf(path) {
  const name = /^chunks\/([a-z-]+?)(?:-[A-Z0-9]{8})?\.js$/.exec(path)?.[1];
  const legal = await readFile(join(DIST, `${path}.LEGAL.txt`), 'utf8').catch(() => '');
  const found = [...legal.matchAll(/^((?:@[^/\s]+\/)?[^/\s]+)\/\S*:$/gm)].map((m) => m[1]);
  if (name && name !== 'chunk' && !found.includes(name)) found.unshift(name);
  return [...new Set(found)];
}

async function distSizes() {
  let js = 0;
  let all = 0;
  let files = 0;
  const walk = async (dir) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else {
        const { size } = await stat(path);
        all += size;
        if (path.endsWith('.js')) {
          js += size;
          files++;
        }
      }
    }
  };
  await walk(DIST);
  return { js, all, files, index: (await stat(DIST_INDEX)).size };
}

async function report(results, loaded) {
  const a = results.a.median;
  const names = { a: '(a) node -e 0', b: '(b) dist/index.js, token not due', c: '(c) full rotation' };
  const rows = Object.entries(results).map(([key, r]) => [
    names[key] ?? key,
    ms(r.median),
    `${ms(r.min)} – ${ms(r.max)}`,
    key === 'a' ? '1.00' : (r.median / a).toFixed(2),
    r.rssKb !== undefined ? mib(r.rssKb * 1024) : 'n/a',
    loaded[key] ? `${loaded[key].files.length} files, ${kib(loaded[key].bytes)}` : '—',
  ]);
  const header = ['scenario', 'median', 'min – max', '× (a)', 'peak RSS', 'dist/ code loaded'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log('');
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const row of rows) console.log(line(row));

  const sizes = await distSizes();
  console.log('');
  console.log(
    `(d) dist/index.js: ${kib(sizes.index)}; dist/ as a whole: ${kib(sizes.js)} of JavaScript in ${sizes.files} files ` +
      `(${kib(sizes.all)} with licence files; index and CLI together)`,
  );
  for (const key of ['b', 'c']) {
    const info = loaded[key];
    if (!info) continue;
    console.log(`    loaded on (${key}): ${info.files.length} files, ${kib(info.bytes)}; the largest:`);
    for (const file of info.files.slice(0, 5)) {
      const packages = await packagesOf(file.path);
      console.log(`      ${kib(file.bytes).padStart(10)}  ${file.path}${packages.length ? `  (${packages.join(', ')})` : ''}`);
    }
  }
  if (results.c) {
    console.log(`    peak RSS of (c): median ${mib(results.c.rssKb * 1024)}, max ${mib(results.c.peakRssKb * 1024)}`);
    const perRun = results.c.githubPerRun;
    const total = Object.values(perRun).reduce((sum, n) => sum + n, 0);
    console.log(
      `    GitHub API calls of (c): ${total} per run (${Object.entries(perRun)
        .map(([route, n]) => `${route} ${n}`)
        .join(', ')})`,
    );
  }
  console.log('');
  console.log(`(b)/(a) = ${(results.b.median / a).toFixed(2)}`);
  if (results.c) {
    const ratio = results.c.median / a;
    console.log(`(c)/(a) = ${ratio.toFixed(2)}  ${ratio <= TARGET_C ? `✓ within the target (≤ ${TARGET_C.toFixed(1)})` : `✗ ABOVE the target (≤ ${TARGET_C.toFixed(1)})`}`);
  } else {
    console.log('(c)/(a) = n/a (moto_server not found: scenario (c) skipped)');
  }
}

function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function ms(value) {
  return `${value.toFixed(1)} ms`;
}

function kib(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

function mib(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
