/**
 * The published package, as `npx` or `npm install` gets it: `npm pack` the working tree, install the tarball into an
 * empty folder with an empty npm cache, `--offline` and a registry address where nothing listens (so npm can fetch
 * nothing but the tarball itself), then run the installed `schwab-token-rotator` bin: `--help` and `status` against
 * a token file. dist/ is self-contained, so the package declares no runtime dependencies and the install must
 * succeed with none; every chunk of the installed dist/ must load with nothing else installed.
 *
 * The bin runs on the Node that runs this suite (`.ci/run` runs it on the machine's Node and on Node 24).
 */
import { execFile } from 'node:child_process';
import { access, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSchwabFake } from '../fakes/schwab-fake.js';
import { unusedLocalUrl } from '../fakes/aws-stub.js';
import { expectNoLeaks } from '../support/leaks.js';
import { loginRecord } from '../support/records.js';
import { secretValues } from '../../src/token/record.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DAY = 24 * 60 * 60 * 1000;

interface Run {
  exitCode: number;
  stdout: string;
  stderr: string;
}

function run(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; timeoutMs?: number },
): Promise<Run> {
  return new Promise((resolveRun) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: options.env, timeout: options.timeoutMs ?? 30_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolveRun({ exitCode: code, stdout, stderr });
      },
    );
  });
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

let work: string;
let tarball: string;
let packedFiles: string[];
let npmEnv: Record<string, string>;
/** The installed package's folder. */
let installed: string;
let bin: string;
let install: Run;

beforeAll(async () => {
  await access(join(ROOT, 'dist/cli.js')).catch(() => {
    throw new Error('dist/cli.js is missing: run `npm run bundle` first (npm test does)');
  });
  work = await mkdtemp(join(tmpdir(), 'rotator-pack-'));
  const cache = join(work, 'npm-cache');
  const project = join(work, 'project');
  await mkdir(cache);
  await mkdir(project);
  const npmrc = join(work, 'npmrc');
  await writeFile(npmrc, '');
  // The Node running this suite first on PATH, so the bin's `#!/usr/bin/env node` runs on it too. No user npmrc,
  // an empty cache, and a registry that refuses connections: npm can fetch nothing.
  npmEnv = {
    PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
    HOME: work,
    npm_config_userconfig: npmrc,
    npm_config_cache: cache,
    npm_config_registry: `${await unusedLocalUrl()}/`,
    npm_config_update_notifier: 'false',
  };

  const pack = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, env: npmEnv });
  expect(pack.exitCode, pack.stderr).toBe(0);
  const [report] = JSON.parse(pack.stdout) as [{ filename: string; files: { path: string }[] }];
  tarball = join(work, report.filename);
  packedFiles = report.files.map((file) => file.path);

  install = await run('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], {
    cwd: project,
    env: npmEnv,
  });
  installed = join(project, 'node_modules/schwab-token-rotator');
  bin = join(project, 'node_modules/.bin/schwab-token-rotator');
}, 60_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('holds the bin, every dist/ file, action.yml, the licence and README, and nothing of the sources', async () => {
    const dist = (await listFiles(join(ROOT, 'dist'))).map((file) => `dist/${file}`);
    expect(dist).toContain('dist/cli.js');
    expect(dist).toContain('dist/index.js');
    expect(dist.some((file) => file.startsWith('dist/chunks/'))).toBe(true);
    expect([...packedFiles].sort()).toEqual([...dist, 'action.yml', 'LICENSE', 'README.md', 'package.json'].sort());
  });

  it('declares no runtime dependencies: dist/ carries everything', async () => {
    const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
    for (const field of [
      'dependencies',
      'optionalDependencies',
      'peerDependencies',
      'bundleDependencies',
      'bundledDependencies',
    ]) {
      expect(manifest[field], field).toBeUndefined();
    }
    expect(manifest.bin).toEqual({ 'schwab-token-rotator': 'dist/cli.js' });
  });
});

describe('the installed tarball, with nothing else installed', () => {
  it('installs offline from the tarball alone, adding nothing but the package', async () => {
    expect(install.exitCode, install.stderr).toBe(0);
    const modules = (await readdir(join(dirname(installed)))).filter((name) => !name.startsWith('.'));
    expect(modules).toEqual(['schwab-token-rotator']);
    expect(await readdir(join(dirname(installed), '.bin'))).toEqual(['schwab-token-rotator']);
  });

  it('runs `schwab-token-rotator --help` from the installed bin', async () => {
    const help = await run(bin, ['--help'], { cwd: work, env: npmEnv });
    expect(help.exitCode, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: schwab-token-rotator <command> \[options\]$/m);
    for (const command of ['login', 'status', 'refresh'])
      expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(help.stderr).toBe('');
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as { version: string };
    const version = await run(bin, ['--version'], { cwd: work, env: npmEnv });
    expect(version.stdout.trim()).toBe(manifest.version);
  });

  it('runs `schwab-token-rotator status --file` from the installed bin, without printing a token', async () => {
    const fake = await startSchwabFake();
    try {
      const { record, text } = loginRecord(fake, new Date(Date.now() - DAY));
      const file = join(work, 'schwab_token.json');
      await writeFile(file, text, { mode: 0o600 });
      const status = await run(bin, ['status', '--file', file], { cwd: work, env: npmEnv });
      expect(status.exitCode, status.stderr).toBe(0);
      expect(status.stdout).toMatch(/^Status +healthy$/m);
      expect(status.stdout).toMatch(/^Refresh token deadline +.* \(5d 23h left\)$/m);
      expectNoLeaks({ stdout: status.stdout, stderr: status.stderr }, secretValues(record.tokens));
    } finally {
      await fake.close();
    }
  });

  it('loads every chunk of the installed dist/ (the lazily loaded AWS, GitHub and certificate code too)', async () => {
    const chunks = (await listFiles(join(installed, 'dist/chunks'))).filter((file) => file.endsWith('.js'));
    expect(chunks.length).toBeGreaterThan(5);
    // Import each chunk from a folder outside the repository, so nothing but the installed package can resolve.
    const script = `for (const chunk of ${JSON.stringify(chunks)}) await import(${JSON.stringify(`${installed}/dist/chunks/`)} + chunk);`;
    const load = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: work, env: npmEnv });
    expect(load.exitCode, load.stderr).toBe(0);
    expect(load.stderr).toBe('');
  });
});
