/**
 * dist/lambda.js as the Lambda runtime loads it: an ES module (dist/package.json says so) exporting `handler`, whose
 * import reads the environment and starts reading the configuration secret (the cold start). It is served through the
 * Function URL emulator against the fakes and moto; its log is what it writes through `console` (captured here), and
 * is scanned like every response. Its static imports must not reach the parts it never needs (Octokit, libsodium,
 * @actions/core): those load on demand.
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { LoginHandler } from '../../src/lambda/login-function.js';
import { describeMoto } from '../support/moto.js';
import { parseStored } from '../support/records.js';
import type { LoginWorld } from './world.js';
import {
  LOGIN_GITHUB_TOKEN,
  OWNER_HASHES,
  REPO,
  WORKFLOW,
  learnGeneratedSecrets,
  learnTokens,
  startLoginWorld,
} from './world.js';

const DIST = join(process.cwd(), 'dist');
const LAMBDA = join(DIST, 'lambda.js');

let world: LoginWorld | undefined;
let logged: string[] = [];
beforeEach(() => {
  logged = [];
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation(
      (...args: unknown[]) => void logged.push(`${method}: ${args.map(String).join(' ')}`),
    );
  }
});
afterEach(async () => {
  vi.restoreAllMocks();
  await world?.close();
  world = undefined;
});

let instances = 0;
/** A fresh module instance of dist/lambda.js: a new container, cold-started with the environment as it is now. */
async function loadBundle(): Promise<LoginHandler> {
  const module = (await import(/* @vite-ignore */ `${pathToFileURL(LAMBDA).href}?container=${++instances}`)) as {
    handler: LoginHandler;
  };
  return module.handler;
}

/** Every file dist/lambda.js loads before its handler runs: its static imports, followed through the chunks. */
async function staticallyLoaded(entry: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const queue = [entry];
  while (queue.length) {
    const file = queue.shift() ?? '';
    if (files.has(file)) continue;
    const text = await readFile(file, 'utf8');
    files.set(file, text);
    // Minified static imports: `import{a as b}from"./chunks/x.js"` and `import"./chunks/x.js"` (not `import("…")`).
    for (const match of text.matchAll(/\bimport\s*(?:[\w${},\s*]+?\s*from\s*)?"(\.{1,2}\/[^"]+)"/g)) {
      queue.push(join(dirname(file), match[1] ?? ''));
    }
  }
  return files;
}

const CONFIG = (schwab: { appKey: string; appSecret: string }) => ({
  app_key: schwab.appKey,
  app_secret: schwab.appSecret,
  account_hashes: OWNER_HASHES,
  github_token: LOGIN_GITHUB_TOKEN,
  github_repository: REPO,
  github_workflow: WORKFLOW,
});

describeMoto('dist/lambda.js', () => {
  it('is an ES module package whose handler serves the whole login; its log says what happened and leaks nothing', async () => {
    expect(existsSync(LAMBDA), 'run `npm run bundle` first').toBe(true);
    expect(JSON.parse(await readFile(join(DIST, 'package.json'), 'utf8'))).toEqual({ type: 'module' });
    const w = await startLoginWorld({ config: CONFIG });
    world = w;
    w.install(await loadBundle()); // the environment the world set is the function's

    const tap = await w.tap();
    expect(tap.callback.status, tap.callback.body).toBe(200);
    expect(tap.callback.body).toContain('Logged in');
    learnTokens(w, parseStored((await w.tokenSecret()).text));
    await learnGeneratedSecrets(w);
    expect(w.github.dispatches).toHaveLength(1);

    const refused = await w.browser.get(tap.callbackUrl);
    expect(refused.status).toBe(400);

    expect(logged.join('\n')).toMatch(
      /^info: Stored the new login in AWS secret .* \d+ ms after the callback arrived\.$/m,
    );
    expect(logged.join('\n')).toMatch(/^info: Refused a callback \(no-cookie\); nothing was stored\.$/m);
    expect(logged.some((line) => line.startsWith('debug'))).toBe(false);
    w.logs.push(...logged);
    w.expectNothingLeaked();
  });

  it('a missing environment variable at the cold start: the first request answers a 500 page naming it, and no crash', async () => {
    const w = await startLoginWorld({ config: CONFIG });
    world = w;
    // On Lambda the environment is the function's configuration: missing at the cold start, missing at every request.
    const saved = process.env.TOKEN_SECRET_ID;
    delete process.env.TOKEN_SECRET_ID;
    let page;
    try {
      w.install(await loadBundle());
      page = await w.browser.get(`${w.emulator.url}/login`);
    } finally {
      process.env.TOKEN_SECRET_ID = saved;
    }
    expect(page.status).toBe(500);
    expect(page.body).toContain('TOKEN_SECRET_ID is not set');
    expect(logged.join('\n')).toContain(
      "error: The configuration could not be read: The login function's environment variable TOKEN_SECRET_ID is not set",
    );
  });

  it('loads only what it needs: no Octokit, libsodium or @actions/core before a request asks for them', async () => {
    const files = await staticallyLoaded(LAMBDA);
    const code = [...files.values()].join('\n');
    expect(files.size).toBeGreaterThan(1);
    expect(code).not.toMatch(/octokit-core\.js|@octokit\/core|libsodium|sodium_init|::add-mask::|ACTIONS_STEP_DEBUG/);
    const bytes = [...files.values()].reduce((sum, text) => sum + Buffer.byteLength(text), 0);
    process.stdout.write(
      `dist/lambda.js loads ${files.size} files, ${Math.round(bytes / 1024)} KiB, before its first request\n`,
    );
    // The AWS SDK (and Octokit, for the dispatch) load on demand, as dynamic imports.
    expect(await readFile(LAMBDA, 'utf8')).not.toContain('@aws-sdk/client-secrets-manager');
  });
});
