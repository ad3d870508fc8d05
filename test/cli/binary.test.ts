/**
 * The real binary: `node dist/cli.js` (built by `npm run bundle`), as a user runs it after a clone. Proves the
 * bundle works (help, status, the lazily loaded certificate, Octokit and AWS chunks, signal handling) and scans
 * every output for token values and the app secret.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import {
  access,
  chmod,
  chown,
  copyFile,
  cp,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSchwabFake } from '../fakes/schwab-fake.js';
import { FAKE_SECRETS_TOKEN, startGitHubFake } from '../fakes/github-fake.js';
import { spawnNode } from '../support/action-runner.js';
import { freePort } from '../support/moto-server.js';
import { expectNoLeaks } from '../support/leaks.js';
import { awsEnv, createTestSecret, getMotoUrl, hasMoto, motoEnv, readSecretValue } from '../support/moto.js';
import { DAY, MINUTE, httpsGet, loginFile, parseRecord, playBrowser, tempDir, tokensOf } from './helpers.js';

const CLI = resolve(import.meta.dirname, '../../dist/cli.js');

let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  await access(CLI).catch(() => {
    throw new Error('dist/cli.js is missing: run `npm run bundle` first (npm test does)');
  });
});
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  await cleanup();
});

function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: dir, ...extra };
}

function cli(args: string[], env: Record<string, string> = {}, stdin?: string) {
  return spawnNode([CLI, ...args], baseEnv(env), 15_000, stdin);
}

/** A child whose output can be awaited line by line. */
function start(args: string[], env: Record<string, string>) {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [CLI, ...args], {
    env: baseEnv(env),
    cwd: dir,
  });
  let stdout = '';
  let stderr = '';
  const waiters: { test: () => boolean; resolve: () => void }[] = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      if (waiter.test()) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    check();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    check();
  });
  const exited = new Promise<number>((resolveExit) => child.on('close', (code) => resolveExit(code ?? 128)));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  void exited.then(() => clearTimeout(timer));
  return {
    child,
    exited,
    output: () => ({ stdout, stderr }),
    until(test: (out: { stdout: string; stderr: string }) => boolean): Promise<void> {
      return new Promise((resolveWait, reject) => {
        if (test({ stdout, stderr })) return resolveWait();
        waiters.push({ test: () => test({ stdout, stderr }), resolve: resolveWait });
        void exited.then(() => reject(new Error(`exited before the expected output:\n${stdout}\n${stderr}`)));
      });
    },
  };
}

describe('node dist/cli.js', () => {
  it('starts with a shebang and answers --help for the program and every command', async () => {
    expect((await readFile(CLI, 'utf8')).startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect((await stat(CLI)).mode & 0o111).not.toBe(0);
    const main = await cli(['--help']);
    expect(main.exitCode).toBe(0);
    expect(main.stdout).toContain('Usage: schwab-token-rotator <command> [options]');
    for (const command of ['login', 'status', 'refresh']) {
      const help = await cli([command, '--help']);
      expect(help.exitCode, help.stderr).toBe(0);
      expect(help.stdout).toContain(`Usage: schwab-token-rotator ${command} [options]`);
      expect(help.stdout).toContain('Exit status:');
      expect(help.stdout.includes('--schwab-base-url URL')).toBe(command !== 'status');
    }
    const version = await cli(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const none = await cli([]);
    expect(none.exitCode).toBe(64);
    const wrong = await cli(['logn']);
    expect(wrong.exitCode).toBe(64);
    expect(wrong.stderr).toBe(
      'schwab-token-rotator: "logn" is not a command: use login, status or refresh (see `schwab-token-rotator --help`).\n',
    );
  });

  it('status --file prints the table and gates on health with its exit status', async () => {
    const fake = await startSchwabFake();
    try {
      const healthy = loginFile(fake, new Date(Date.now() - DAY));
      await writeFile(join(dir, 'ok.json'), healthy.text);
      const expiring = loginFile(fake, new Date(Date.now() - 6 * DAY));
      await writeFile(join(dir, 'soon.json'), expiring.text);
      const dead = loginFile(fake, new Date(Date.now() - 8 * DAY));
      await writeFile(join(dir, 'dead.json'), dead.text);

      const ok = await cli(['status', '--file', join(dir, 'ok.json')]);
      expect(ok.exitCode, ok.stderr).toBe(0);
      expect(ok.stdout).toMatch(/^Status {18}healthy$/m);
      expect(ok.stdout).toMatch(/^Refresh token deadline {2}.* \(5d 23h left\)$/m);
      expect((await cli(['status', '--file', join(dir, 'soon.json')])).exitCode).toBe(1);
      expect((await cli(['status', '--file', join(dir, 'dead.json')])).exitCode).toBe(2);
      const json = await cli(['status', '--json', '--file', join(dir, 'ok.json')]);
      expect((JSON.parse(json.stdout) as { status: string }).status).toBe('healthy');
      const all = [ok, json];
      for (const run of all) {
        expectNoLeaks(
          { stdout: run.stdout, stderr: run.stderr },
          tokensOf(healthy.record, expiring.record, dead.record),
        );
      }
    } finally {
      await fake.close();
    }
  });

  it('says clearly that SCHWAB_APP_KEY is missing', async () => {
    const run = await cli(['refresh', '--file', join(dir, 'x.json')], { SCHWAB_APP_SECRET: 'abc-secret-value' });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/^schwab-token-rotator: SCHWAB_APP_KEY is not set: export it with the App Key/);
  });

  it("logs in end to end: the browser hits the binary's HTTPS callback; file, GitHub secret (and AWS secret) hold the record", async () => {
    const port = await freePort();
    const callbackUrl = `https://127.0.0.1:${port}`;
    const fake = await startSchwabFake({ callbackUrl });
    const github = await startGitHubFake();
    const secret = hasMoto ? await createTestSecret(getMotoUrl()) : undefined;
    try {
      const env: Record<string, string> = {
        SCHWAB_APP_KEY: fake.appKey,
        SCHWAB_APP_SECRET: fake.appSecret,
        SCHWAB_BASE_URL: fake.baseUrl,
        GH_TOKEN: FAKE_SECRETS_TOKEN,
        GITHUB_API_URL: github.url,
        ...(secret ? Object.fromEntries(Object.entries(motoEnv()).filter(([, v]) => v !== '')) : {}),
      };
      const args = [
        'login',
        '--no-browser',
        '--callback-url',
        callbackUrl,
        '--github-repo',
        'acme/bot',
        '--github-secret-name',
        'SCHWAB_TOKEN',
      ];
      if (secret) args.push('--aws-secret-id', secret.name);
      const child = start(args, env);
      await child.until(({ stdout }) => stdout.includes('Waiting up to 5m'));
      const authorizeUrl = /^\s+(http\S+\/v1\/oauth\/authorize\?\S+)$/m.exec(child.output().stdout)?.[1];
      expect(authorizeUrl).toBeDefined();
      const visit = await playBrowser(authorizeUrl as string);
      expect(await child.exited).toBe(0);
      expect(visit.body).toContain('Logged in');

      const text = (await readFile(join(dir, 'schwab_token.json'), 'utf8')).trim();
      expect((await stat(join(dir, 'schwab_token.json'))).mode & 0o777).toBe(0o600);
      const record = parseRecord(text);
      expect(fake.refreshTokenInfo(record.tokens.refreshToken)?.active).toBe(true);
      expect(github.decryptedSecret('acme/bot', 'SCHWAB_TOKEN')).toBe(text);
      if (secret) expect((await readSecretValue(getMotoUrl(), secret.name)).text).toBe(text);
      const { stdout, stderr } = child.output();
      expectNoLeaks({ stdout, stderr, page: visit.body }, [
        fake.appSecret,
        FAKE_SECRETS_TOKEN,
        new URL(visit.location).searchParams.get('code') ?? '',
        ...tokensOf(record),
      ]);
    } finally {
      await Promise.all([fake.close(), github.close()]);
    }
  });

  it('logs in from a URL piped on stdin', async () => {
    const port = await freePort();
    const callbackUrl = `https://127.0.0.1:${port}`;
    const fake = await startSchwabFake({ callbackUrl });
    try {
      const env = { SCHWAB_APP_KEY: fake.appKey, SCHWAB_APP_SECRET: fake.appSecret, SCHWAB_BASE_URL: fake.baseUrl };
      const child = start(
        ['login', '--no-browser', '--callback-url', callbackUrl, '--out', 'py.json', '--token-format', 'schwab-py'],
        env,
      );
      await child.until(({ stdout }) => stdout.includes('Waiting up to'));
      const authorizeUrl = /^\s+(http\S+\/v1\/oauth\/authorize\?\S+)$/m.exec(child.output().stdout)?.[1] as string;
      const location = (await fetch(authorizeUrl, { redirect: 'manual' })).headers.get('location') as string;
      child.child.stdin.write(`${location}\n`);
      expect(await child.exited, child.output().stderr).toBe(0);
      const written = JSON.parse(await readFile(join(dir, 'py.json'), 'utf8')) as { token: { access_token: string } };
      expect(fake.isAccessTokenValid(written.token.access_token)).toBe(true);
    } finally {
      await fake.close();
    }
  });

  it('refresh --every refreshes at once, then stops cleanly on SIGTERM', async () => {
    const fake = await startSchwabFake();
    try {
      const login = loginFile(fake, new Date(Date.now() - DAY));
      await writeFile(join(dir, 'schwab_token.json'), login.text, { mode: 0o600 });
      const env = { SCHWAB_APP_KEY: fake.appKey, SCHWAB_APP_SECRET: fake.appSecret, SCHWAB_BASE_URL: fake.baseUrl };
      const child = start(['refresh', '--every', '25m'], env);
      await child.until(({ stderr }) => stderr.includes('Next refresh at'));
      child.child.kill('SIGTERM');
      expect(await child.exited).toBe(0);
      const { stdout, stderr } = child.output();
      expect(stderr).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ Refreshed the access token; it expires at /m);
      expect(stderr).toContain('Received SIGTERM');
      expect(stderr).toContain('Stopped; the last record was written completely.');
      const record = parseRecord(await readFile(join(dir, 'schwab_token.json'), 'utf8'));
      expect(record.meta.refreshCount).toBe(1);
      expect(record.meta.lastRefresh.getTime()).toBeGreaterThan(Date.now() - 10 * MINUTE);
      expectNoLeaks({ stdout, stderr }, [fake.appSecret, ...tokensOf(login.record, record)]);
    } finally {
      await fake.close();
    }
  });
});

describe('node dist/cli.js: durations past what a timer can hold', () => {
  it('refuses refresh --every 25d (a timer over 2^31 ms fires after 1 ms) before calling Schwab', async () => {
    const fake = await startSchwabFake();
    try {
      const login = loginFile(fake, new Date(Date.now() - DAY));
      await writeFile(join(dir, 'schwab_token.json'), login.text, { mode: 0o600 });
      const env = { SCHWAB_APP_KEY: fake.appKey, SCHWAB_APP_SECRET: fake.appSecret, SCHWAB_BASE_URL: fake.baseUrl };
      const run = await cli(['refresh', '--file', join(dir, 'schwab_token.json'), '--every', '25d'], env);
      expect(run.exitCode, run.stderr).toBe(64);
      expect(run.stderr).toBe(
        'schwab-token-rotator: --every is longer than a day: the access token lives 30 minutes, so use something like 25m.\n',
      );
      expect(fake.requests).toHaveLength(0);
      expect(await readFile(join(dir, 'schwab_token.json'), 'utf8')).toBe(login.text);
    } finally {
      await fake.close();
    }
  });

  it('refuses login --timeout 25d instead of giving up at once', async () => {
    const fake = await startSchwabFake();
    try {
      const env = { SCHWAB_APP_KEY: fake.appKey, SCHWAB_APP_SECRET: fake.appSecret, SCHWAB_BASE_URL: fake.baseUrl };
      const run = await cli(['login', '--no-browser', '--timeout', '25d'], env);
      expect(run.exitCode, run.stderr).toBe(64);
      expect(run.stderr).toBe(
        'schwab-token-rotator: --timeout is longer than a day: a login takes a minute or two in the browser, so use something like 10m.\n',
      );
      expect(run.stdout).toBe('');
      expect(fake.requests).toHaveLength(0);
    } finally {
      await fake.close();
    }
  });
});

describe('node dist/cli.js login: hostile requests to the callback', () => {
  it('answers forged requests 400 and still takes the real redirect', async () => {
    const port = await freePort();
    const callbackUrl = `https://127.0.0.1:${port}`;
    const fake = await startSchwabFake({ callbackUrl });
    try {
      const env = { SCHWAB_APP_KEY: fake.appKey, SCHWAB_APP_SECRET: fake.appSecret, SCHWAB_BASE_URL: fake.baseUrl };
      const child = start(['login', '--no-browser', '--callback-url', callbackUrl], env);
      await child.until(({ stdout }) => stdout.includes('Waiting up to'));
      const authorizeUrl = /^\s+(http\S+\/v1\/oauth\/authorize\?\S+)$/m.exec(child.output().stdout)?.[1] as string;
      const forged = await Promise.all([
        httpsGet(`${callbackUrl}/?code=C0.forged%40&session=x&state=wrong`),
        httpsGet(`${callbackUrl}/?code=C0.forged%40&session=x`),
        httpsGet(`${callbackUrl}/?error=access_denied`),
      ]);
      expect(forged.map((page) => page.status)).toEqual([400, 400, 400]);
      const visit = await playBrowser(authorizeUrl);
      expect(await child.exited, child.output().stderr).toBe(0);
      expect(visit.status).toBe(200);
      const record = parseRecord(await readFile(join(dir, 'schwab_token.json'), 'utf8'));
      expect(fake.refreshTokenInfo(record.tokens.refreshToken)?.active).toBe(true);
      expect(fake.tokenRequests().filter((r) => r.form.grant_type === 'authorization_code')).toHaveLength(1);
      const { stdout, stderr } = child.output();
      expect(stderr).toContain('Ignored a request to the callback');
      expectNoLeaks({ stdout, stderr }, [fake.appSecret, ...tokensOf(record)]);
    } finally {
      await fake.close();
    }
  });
});

describe('node dist/cli.js: no file is replaced through a symlink', () => {
  it('login --out refuses a planted link before showing the URL; refresh --file leaves the target alone', async () => {
    const fake = await startSchwabFake();
    try {
      const env = { SCHWAB_APP_KEY: fake.appKey, SCHWAB_APP_SECRET: fake.appSecret, SCHWAB_BASE_URL: fake.baseUrl };
      const bashrc = join(dir, '.bashrc');
      await writeFile(bashrc, 'export PATH=/usr/bin\n');
      await symlink(bashrc, join(dir, 'schwab_token.json'));

      const login = await cli(['login', '--no-browser', '--out', join(dir, 'schwab_token.json')], env);
      expect(login.exitCode).toBe(1);
      expect(login.stderr).toBe(
        `schwab-token-rotator: File ${join(dir, 'schwab_token.json')} is a symbolic link to ${bashrc}, so it was not replaced (a link in a shared folder could point at any file of yours): pass ${bashrc} itself if that is your token file, or remove the link.\n`,
      );
      expect(login.stdout).not.toContain('/v1/oauth/authorize');
      expect(fake.requests).toHaveLength(0);
      expect(await readFile(bashrc, 'utf8')).toBe('export PATH=/usr/bin\n');

      // refresh --file through a link to a real token file elsewhere: the file stays as it was.
      const record = loginFile(fake, new Date(Date.now() - DAY));
      const elsewhere = join(dir, 'elsewhere.json');
      await writeFile(elsewhere, record.text, { mode: 0o600 });
      await symlink(elsewhere, join(dir, 'shared.json'));
      const refresh = await cli(['refresh', '--file', join(dir, 'shared.json')], env);
      expect(refresh.exitCode).not.toBe(0);
      expect(refresh.stderr).toContain(`is a symbolic link to ${elsewhere}, so it was not replaced`);
      expect(await readFile(elsewhere, 'utf8')).toBe(record.text);
      expect(await readlink(join(dir, 'shared.json'))).toBe(elsewhere);
    } finally {
      await fake.close();
    }
  });
});

describe('node dist/cli.js login: the app credentials are checked before the URL', () => {
  it('a wrong app secret ends the login before the authorize URL is shown', async () => {
    const fake = await startSchwabFake();
    try {
      const env = {
        SCHWAB_APP_KEY: fake.appKey,
        SCHWAB_APP_SECRET: 'wrong-app-secret-value',
        SCHWAB_BASE_URL: fake.baseUrl,
      };
      const run = await cli(['login', '--no-browser', '--out', join(dir, 'schwab_token.json')], env);
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toMatch(
        /^schwab-token-rotator: Schwab rejected the app key or secret \(HTTP 401 invalid_client\): .*SCHWAB_APP_SECRET/,
      );
      expect(run.stdout).not.toContain('/v1/oauth/authorize');
      expect(fake.tokenRequests().map((r) => r.form.grant_type)).toEqual(['refresh_token']);
      expectNoLeaks({ stdout: run.stdout, stderr: run.stderr }, ['wrong-app-secret-value']);
    } finally {
      await fake.close();
    }
  });
});

describe('node dist/cli.js: messages in the words of a terminal', () => {
  it('a dead refresh token says "log in again" with the command as it was run; no input or runner anywhere', async () => {
    const fake = await startSchwabFake();
    try {
      const login = loginFile(fake, new Date(Date.now() - DAY));
      loginFile(fake, new Date()); // a newer login revokes it
      await writeFile(join(dir, 'schwab_token.json'), login.text, { mode: 0o600 });
      const env = { SCHWAB_APP_KEY: fake.appKey, SCHWAB_APP_SECRET: fake.appSecret, SCHWAB_BASE_URL: fake.baseUrl };
      // (A rejected refresh token is re-read from the store for 7 s before it is called dead: see rotation.ts.)
      const run = await cli(['refresh', '--file', join(dir, 'schwab_token.json')], env);
      expect(run.exitCode).toBe(2);
      // Run from a clone: `node dist/cli.js` (the test runs in the repository).
      expect(run.stderr).toContain('log in again with `node dist/cli.js login`');

      // No region anywhere: the AWS SDK's own error, in CLI words.
      const aws = await cli(['status', '--aws-secret-id', 'prod/schwab-token'], {
        AWS_ACCESS_KEY_ID: 'AKIAFAKE',
        AWS_SECRET_ACCESS_KEY: 'fake',
      });
      expect(aws.exitCode).toBe(3);
      expect(aws.stderr).toContain('set --aws-region (or AWS_REGION)');
      for (const output of [run, aws])
        expect(output.stdout + output.stderr).not.toMatch(/\binputs?\b|runner|scheduled runs/);
    } finally {
      await fake.close();
    }
  });

  it('run through npx from GitHub, it prints the same npx command', async () => {
    const fake = await startSchwabFake();
    try {
      // What `npx --yes github:acme/schwab-token-rotator#v1` leaves in npm's cache.
      const installDir = join(dir, '.npm', '_npx', '0f1e2d3c4b5a6978');
      const packageDir = join(installDir, 'node_modules', 'schwab-token-rotator');
      await cp(resolve(CLI, '..'), join(packageDir, 'dist'), { recursive: true });
      await cp(resolve(CLI, '../../package.json'), join(packageDir, 'package.json'));
      await writeFile(
        join(installDir, 'package.json'),
        JSON.stringify({ dependencies: { 'schwab-token-rotator': 'github:acme/schwab-token-rotator#v1' } }),
      );
      await mkdir(join(installDir, 'node_modules', '.bin'));
      await symlink(
        '../schwab-token-rotator/dist/cli.js',
        join(installDir, 'node_modules', '.bin', 'schwab-token-rotator'),
      );

      const login = loginFile(fake, new Date(Date.now() - 8 * DAY));
      await writeFile(join(dir, 'schwab_token.json'), login.text, { mode: 0o600 });
      const env = { SCHWAB_APP_KEY: fake.appKey, SCHWAB_APP_SECRET: fake.appSecret, SCHWAB_BASE_URL: fake.baseUrl };
      const run = await spawnNode(
        [
          join(installDir, 'node_modules', '.bin', 'schwab-token-rotator'),
          'refresh',
          '--file',
          join(dir, 'schwab_token.json'),
        ],
        baseEnv(env),
        15_000,
      );
      expect(run.exitCode, run.stderr).toBe(2);
      expect(run.stderr).toContain('log in again with `npx --yes github:acme/schwab-token-rotator#v1 login`');
    } finally {
      await fake.close();
    }
  });
});

/**
 * `refresh --file` into a store that cannot take the refreshed record, with a Schwab that rotates the refresh token on
 * every refresh (so refreshing first would retire the stored one and then lose the new one at the rename): the
 * folder is checked before Schwab is called.
 *
 * A folder the user cannot write: permissions do not bind root, so as root the binary runs as `nobody`, over a token
 * file of nobody's own (a file of another user is refused for that reason first: the next case). A full disk: a 16 KiB
 * tmpfs, which only root may mount (elsewhere that case says so and is skipped). A token file that is a symbolic link,
 * or another user's file, is refused before Schwab is called too (TokenFile.checkReplaceable).
 */
const IS_ROOT = process.getuid?.() === 0;
const NOBODY = 65534;

/**
 * The node binary and the CLI as `uid` can run them. Both usually are already (the system's node, a checkout under
 * /tmp); a Node fetched into root's own cache (scripts/node24.sh: ~/.cache under a 0700 home) or a checkout under
 * /root is not, so a world-readable copy of what is out of reach is made once, in a temporary folder.
 */
const runnables = new Map<number, Promise<{ node: string; cli: string }>>();
const runnableCopies: string[] = [];
afterAll(async () => {
  await Promise.all(runnableCopies.map((copies) => rm(copies, { recursive: true, force: true })));
});
function runnableAs(uid: number): Promise<{ node: string; cli: string }> {
  const reaches = (node: string, args: string[]) => spawnSync(node, args, { uid, gid: uid }).status === 0;
  let found = runnables.get(uid);
  if (!found) {
    found = (async () => {
      let node = process.execPath;
      let cli = CLI;
      const copies = await mkdtemp(join(tmpdir(), 'rotator-runnable-'));
      runnableCopies.push(copies);
      await chmod(copies, 0o755);
      if (!reaches(node, ['-e', '0'])) {
        node = join(copies, 'node');
        await copyFile(process.execPath, node);
        await chmod(node, 0o755);
      }
      if (!reaches(node, [CLI, '--version'])) {
        await cp(dirname(CLI), join(copies, 'dist'), { recursive: true });
        execFileSync('chmod', ['-R', 'a+rX', join(copies, 'dist')]);
        cli = join(copies, 'dist', 'cli.js');
      }
      return { node, cli };
    })();
    runnables.set(uid, found);
  }
  return found;
}

async function cliAs(args: string[], env: Record<string, string>, uid: number | undefined) {
  const { node, cli } = uid === undefined ? { node: process.execPath, cli: CLI } : await runnableAs(uid);
  return new Promise<{ exitCode: number; stdout: string; stderr: string }>((resolveRun, reject) => {
    const child = spawn(node, [cli, ...args], {
      env: baseEnv(env),
      cwd: dir,
      ...(uid === undefined ? {} : { uid, gid: uid }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ exitCode: code ?? 128, stdout, stderr });
    });
    child.stdin.end();
  });
}

describe('node dist/cli.js refresh --file into a store that cannot take the record (rotating Schwab)', () => {
  it('a folder it cannot write: fails before calling Schwab, and the stored refresh token still works', async () => {
    const fake = await startSchwabFake({ rotateOnRefresh: true });
    try {
      const login = loginFile(fake, new Date(Date.now() - DAY));
      const folder = join(dir, 'locked');
      await mkdir(folder);
      await writeFile(join(folder, 'schwab_token.json'), login.text, { mode: 0o600 });
      // The token file is the user's own (as root: nobody's); only the folder (root's, or the user's made read-only)
      // refuses the write.
      if (IS_ROOT) await chown(join(folder, 'schwab_token.json'), NOBODY, NOBODY);
      await chmod(folder, 0o555);
      await chmod(dir, 0o755);
      const env = { SCHWAB_APP_KEY: fake.appKey, SCHWAB_APP_SECRET: fake.appSecret, SCHWAB_BASE_URL: fake.baseUrl };

      const run = await cliAs(
        ['refresh', '--file', join(folder, 'schwab_token.json')],
        env,
        IS_ROOT ? NOBODY : undefined,
      );

      expect(run.exitCode, run.stderr).toBe(3);
      expect(run.stderr).toMatch(
        /^schwab-token-rotator: File .*schwab_token\.json could not be written \(EACCES\): the folder .*locked must be writable by you; fix its permissions or choose another path\.$/m,
      );
      expect(fake.tokenRequests()).toHaveLength(0);
      expect(await readFile(join(folder, 'schwab_token.json'), 'utf8')).toBe(login.text);
      expect(fake.refreshTokenInfo(login.record.tokens.refreshToken)?.active).toBe(true);
      expect(await readdir(folder)).toEqual(['schwab_token.json']);
      expectNoLeaks({ stdout: run.stdout, stderr: run.stderr }, [fake.appSecret, ...tokensOf(login.record)]);
    } finally {
      await chmod(join(dir, 'locked'), 0o755).catch(() => undefined);
      await fake.close();
    }
  });

  it('a symbolic link as --file: refused before calling Schwab, the file it points at untouched and still working', async () => {
    const fake = await startSchwabFake({ rotateOnRefresh: true });
    try {
      const login = loginFile(fake, new Date(Date.now() - DAY));
      const elsewhere = join(dir, 'elsewhere.json');
      await writeFile(elsewhere, login.text, { mode: 0o600 });
      const link = join(dir, 'shared.json');
      await symlink(elsewhere, link);
      const env = { SCHWAB_APP_KEY: fake.appKey, SCHWAB_APP_SECRET: fake.appSecret, SCHWAB_BASE_URL: fake.baseUrl };

      const run = await cli(['refresh', '--file', link], env);

      expect(run.exitCode, run.stderr).toBe(3);
      expect(run.stderr).toContain(
        `schwab-token-rotator: File ${link} is a symbolic link to ${elsewhere}, so it was not replaced`,
      );
      expect(run.stderr).toMatch(/: pass .*elsewhere\.json itself if that is your token file, or remove the link\.$/m);
      expect(fake.tokenRequests(), 'Schwab is not called').toHaveLength(0);
      expect(await readFile(elsewhere, 'utf8')).toBe(login.text);
      expect(await readlink(link)).toBe(elsewhere);
      expect(fake.refreshTokenInfo(login.record.tokens.refreshToken)?.active).toBe(true);
      expect((await readdir(dir)).sort()).toEqual(['elsewhere.json', 'shared.json']);
      expectNoLeaks({ stdout: run.stdout, stderr: run.stderr }, [fake.appSecret, ...tokensOf(login.record)]);
    } finally {
      await fake.close();
    }
  });

  it.skipIf(!IS_ROOT)(
    "another user's token file (as root: run as nobody over root's file): refused before calling Schwab",
    async () => {
      const fake = await startSchwabFake({ rotateOnRefresh: true });
      try {
        const login = loginFile(fake, new Date(Date.now() - DAY));
        const folder = join(dir, 'shared');
        await mkdir(folder);
        await writeFile(join(folder, 'schwab_token.json'), login.text, { mode: 0o644 });
        // nobody may write the folder (so the folder is not what refuses) but does not own the file.
        await chown(folder, NOBODY, NOBODY);
        await chmod(dir, 0o755);
        const env = { SCHWAB_APP_KEY: fake.appKey, SCHWAB_APP_SECRET: fake.appSecret, SCHWAB_BASE_URL: fake.baseUrl };

        const run = await cliAs(['refresh', '--file', join(folder, 'schwab_token.json')], env, NOBODY);

        expect(run.exitCode, run.stderr).toBe(3);
        expect(run.stderr).toMatch(
          /^schwab-token-rotator: File .*schwab_token\.json belongs to another user \(uid 0\), so it was not replaced: run this command as that user, or choose a file of your own\.$/m,
        );
        expect(fake.tokenRequests(), 'Schwab is not called').toHaveLength(0);
        expect(await readFile(join(folder, 'schwab_token.json'), 'utf8')).toBe(login.text);
        expect(fake.refreshTokenInfo(login.record.tokens.refreshToken)?.active).toBe(true);
        expect(await readdir(folder)).toEqual(['schwab_token.json']);
        expectNoLeaks({ stdout: run.stdout, stderr: run.stderr }, [fake.appSecret, ...tokensOf(login.record)]);
      } finally {
        await fake.close();
      }
    },
  );

  it.skipIf(!IS_ROOT)('a full disk (a 16 KiB tmpfs; needs root to mount): fails before calling Schwab', async () => {
    const fake = await startSchwabFake({ rotateOnRefresh: true });
    const disk = join(dir, 'disk');
    await mkdir(disk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', disk]);
    try {
      const login = loginFile(fake, new Date(Date.now() - DAY));
      await writeFile(join(disk, 'schwab_token.json'), login.text, { mode: 0o600 });
      await writeFile(join(disk, 'filler'), Buffer.alloc(64 * 1024)).catch(() => undefined); // fills what is left
      const env = { SCHWAB_APP_KEY: fake.appKey, SCHWAB_APP_SECRET: fake.appSecret, SCHWAB_BASE_URL: fake.baseUrl };

      const run = await cliAs(['refresh', '--file', join(disk, 'schwab_token.json')], env, undefined);

      expect(run.exitCode, run.stderr).toBe(3);
      expect(run.stderr).toMatch(
        /could not be written \(ENOSPC\): the disk is full; free some space and try again\.$/m,
      );
      expect(fake.tokenRequests()).toHaveLength(0);
      expect(await readFile(join(disk, 'schwab_token.json'), 'utf8')).toBe(login.text);
      expect(fake.refreshTokenInfo(login.record.tokens.refreshToken)?.active).toBe(true);
      expect((await readdir(disk)).sort()).toEqual(['filler', 'schwab_token.json']);
    } finally {
      execFileSync('umount', [disk]);
      await fake.close();
    }
  });
});

describe('node dist/cli.js: a store that cannot be read is exit 3, never 2 ("log in again")', () => {
  it('refresh --aws-secret-id with AWS unreachable, and status --json printing the error', async () => {
    const { unusedLocalUrl } = await import('../fakes/aws-stub.js');
    const fake = await startSchwabFake();
    try {
      const aws = Object.fromEntries(Object.entries(awsEnv(await unusedLocalUrl())).filter(([, v]) => v !== ''));
      const env = {
        SCHWAB_APP_KEY: fake.appKey,
        SCHWAB_APP_SECRET: fake.appSecret,
        SCHWAB_BASE_URL: fake.baseUrl,
        ...aws,
      };

      const refresh = await cli(['refresh', '--aws-secret-id', 'schwab/token'], env);
      expect(refresh.exitCode, refresh.stderr).toBe(3);
      expect(refresh.stderr).toMatch(/^schwab-token-rotator: Could not reach AWS Secrets Manager at /m);
      expect(refresh.stdout).not.toMatch(/RE-AUTH/);
      expect(fake.tokenRequests()).toHaveLength(0);

      const status = await cli(['status', '--json', '--aws-secret-id', 'schwab/token'], env);
      expect(status.exitCode).toBe(3);
      expect(JSON.parse(status.stdout)).toMatchObject({
        status: 'error',
        reason: expect.stringMatching(/^Could not reach AWS Secrets Manager/),
        refresh_token_expires_at: null,
      });
    } finally {
      await fake.close();
    }
  });

  it.skipIf(!hasMoto)('refresh --aws-secret-id of a secret that does not exist', async () => {
    const fake = await startSchwabFake();
    try {
      const env = {
        SCHWAB_APP_KEY: fake.appKey,
        SCHWAB_APP_SECRET: fake.appSecret,
        SCHWAB_BASE_URL: fake.baseUrl,
        ...Object.fromEntries(Object.entries(motoEnv()).filter(([, v]) => v !== '')),
      };
      const run = await cli(['refresh', '--aws-secret-id', 'no-such-secret-for-the-binary'], env);
      expect(run.exitCode, run.stderr).toBe(3);
      expect(run.stderr).toMatch(/no-such-secret-for-the-binary.*was not found/);
      expect(fake.tokenRequests()).toHaveLength(0);
    } finally {
      await fake.close();
    }
  });
});
