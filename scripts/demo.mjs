// `npm run demo`: watch the action keep a token alive, with no Schwab, AWS or GitHub account.
// Runs `node dist/index.js` exactly as a GitHub runner would, against the test suite's loopback fake of Schwab and a
// local AWS Secrets Manager (moto_server) — or, where moto is not installed, the suite's GitHub fake holding the token
// in an encrypted repository secret — and shows what changed. Token values are never printed.
// Then the login function (dist/lambda.js) is served locally behind the suite's Function URL emulator: one login is
// tapped through automatically, and, in a terminal, you can tap through it yourself in a browser.
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request } from 'node:https';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, loadFakes, motoCall, startMotoIfInstalled } from './lib/loopback.mjs';

const DIST_INDEX = join(ROOT, 'dist', 'index.js');
const DIST_LAMBDA = join(ROOT, 'dist', 'lambda.js');
const LOGIN_CONFIG_SECRET = 'demo/login-config';
const DEMO_GITHUB_TOKEN = 'github_pat_11DEMO0login0function0dispatch';
const SECRET = 'demo/schwab-token';
const bold = (text) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);
const say = (text = '') => console.log(text);

if (!existsSync(DIST_INDEX)) {
  console.error('dist/index.js is missing: run `npm run bundle` first.');
  process.exit(1);
}

const { fakes, dispose } = await loadFakes();
const schwab = await fakes.startSchwabFake();
const store = await openStore();
const work = await mkdtemp(join(tmpdir(), 'rotator-demo-'));
try {
  await demo();
  await demoLogin(store.moto);
} finally {
  await Promise.allSettled([schwab.close(), store.close(), dispose(), rm(work, { recursive: true, force: true })]);
}

async function demo() {
  // A login 25 minutes ago: its access token expires in 5 minutes, so a refresh is due.
  const loginAt = new Date(Date.now() - 25 * 60_000);
  const login = fakes.recordFromLogin(schwab.issueTokens({ loginAt }).response, loginAt);
  await store.seed(fakes.serializeRecord(login, 'rotator'));

  say(bold('schwab-token-rotator demo'));
  say(`Schwab (fake) at ${schwab.baseUrl}, ${store.where}.`);
  say(`${store.name} holds a login from 25 minutes ago:`);
  await store.show();

  say();
  say(bold('Run 1: node dist/index.js, as the scheduled workflow runs it'));
  const first = await runAction();
  say();
  say(`${store.name} now:`);
  await store.show();
  if (store.note) say(store.note);
  say();
  say(bold('The job summary of run 1:'));
  say(first.summary.trim().replace(/^/gm, '  '));

  say();
  say(bold('Run 2, a minute later: the new access token is not due, so nothing is written'));
  const second = await runAction();
  say();
  await store.show();
  say();
  const ok = first.exitCode === 0 && second.exitCode === 0;
  say(`Both runs ${ok ? 'succeeded' : 'did not succeed'}. Next: \`npm test\`, then the Quick start in README.md.`);
  if (!ok) process.exitCode = 1;
}

/** Where the token lives in the demo: moto's Secrets Manager, else a GitHub repository secret at the GitHub fake. */
async function openStore() {
  const moto = await startMotoIfInstalled(
    fakes,
    'the demo keeps the token in a GitHub secret at the GitHub fake instead',
  );
  if (moto) {
    return {
      moto,
      name: `The AWS secret "${SECRET}"`,
      where: `AWS Secrets Manager (moto) at ${moto.url}`,
      seed: (text) => moto.createSecret(SECRET, text),
      inputs: async () => ({ 'aws-secret-id': SECRET }),
      env: { ...moto.env, GITHUB_REPOSITORY: '' }, // no repository: the alert issue stays off in the demo
      close: () => moto.stop(),
      // moto 5.2.1 keeps answering the pre-rotation version when no stage is named (real AWS does not).
      note:
        '  (Read it with the stage named, as this demo does: `aws --endpoint-url URL secretsmanager get-secret-value\n' +
        `   --secret-id ${SECRET} --version-stage AWSCURRENT\`. Without --version-stage, moto 5.2.1 returns the version\n` +
        '   from before the rotation; real AWS returns the current one either way.)',
      async show() {
        const { Versions = [] } = await motoCall(moto.url, 'ListSecretVersionIds', { SecretId: SECRET });
        for (const version of Versions) {
          say(
            `  version ${version.VersionId.slice(0, 8)}…  ${(version.VersionStages ?? []).join(', ') || '(no label)'}`,
          );
        }
        const current = await motoCall(moto.url, 'GetSecretValue', { SecretId: SECRET, VersionStage: 'AWSCURRENT' });
        showRecord('AWSCURRENT', current.SecretString);
      },
    };
  }
  const github = await fakes.startGitHubFake();
  return {
    name: 'The repository secret acme/bot:SCHWAB_TOKEN',
    where: `GitHub (fake, decrypting what it receives) at ${github.url}`,
    seed: async (text) => github.seedSecret('acme/bot', 'SCHWAB_TOKEN', text),
    // As a workflow passes `token: ${{ secrets.SCHWAB_TOKEN }}` and writes the rotated record back to it.
    inputs: async () => ({
      token: github.decryptedSecret('acme/bot', 'SCHWAB_TOKEN') ?? '',
      'github-secrets': 'SCHWAB_TOKEN',
      'secrets-token': fakes.FAKE_SECRETS_TOKEN,
    }),
    env: { GITHUB_REPOSITORY: 'acme/bot', GITHUB_API_URL: github.url },
    close: () => github.close(),
    show: async () => showRecord('SCHWAB_TOKEN', github.decryptedSecret('acme/bot', 'SCHWAB_TOKEN')),
  };
}

/** Prints a record's metadata (never a token). */
function showRecord(label, text) {
  const { meta } = fakes.parseTokenRecord(text ?? '', 'the demo store', new Date()).record;
  const iso = (date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
  say(
    `  ${label}: login ${iso(meta.createdAt)}, refresh_count ${meta.refreshCount}, ` +
      `access token expires ${iso(meta.accessTokenExpiresAt)}, last refresh ${iso(meta.lastRefresh)}`,
  );
}

/** Runs the action with INPUT_* variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY; prints its log as the runner shows it. */
async function runAction() {
  const output = join(work, 'output');
  const summary = join(work, 'summary');
  await writeFile(output, '');
  await writeFile(summary, '');
  const env = fakes.runnerEnv({
    dir: work,
    outputPath: output,
    summaryPath: summary,
    inputs: {
      'app-key': schwab.appKey,
      'app-secret': schwab.appSecret,
      'schwab-base-url': schwab.baseUrl,
      ...(await store.inputs()),
    },
    env: {
      ...store.env,
      // The SDK warns on Node 20 that its 2027 releases need Node 22; GitHub runs the action on Node 24.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });
  const { exitCode, stdout } = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DIST_INDEX], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (text += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ exitCode: code ?? 1, stdout: text }));
  });
  for (const line of stdout.split('\n')) {
    // The runner's masking commands are never shown in a log, and debug lines only with step debugging on.
    if (!line || line.startsWith('::add-mask::') || line.startsWith('::debug::')) continue;
    say(`  | ${line.replace(/^::(warning|error|notice)::/, '$1: ').replace(/%0A/g, ' ')}`);
  }
  const outputs = await readFile(output, 'utf8');
  const refreshed = /refreshed<<(\S+)\n(.*)\n\1/.exec(outputs)?.[2];
  const status = /status<<(\S+)\n(.*)\n\1/.exec(outputs)?.[2];
  say(`  outputs: refreshed=${refreshed}, status=${status}, access-token=*** (masked)`);
  return { exitCode, summary: await readFile(summary, 'utf8') };
}

// --- the login function --------------------------------------------------------------------------------------------

/**
 * dist/lambda.js behind the Function URL emulator on https://localhost (a certificate made on the spot), a Schwab fake
 * with a consent page on 127.0.0.1 (another site, as Schwab is), the token secret of the first part and a configuration
 * secret in moto, and the GitHub fake taking the workflow dispatch.
 */
async function demoLogin(moto) {
  say();
  say(bold('The login function: the weekly login in one tap'));
  if (!moto) {
    say(
      '*** moto_server not found: the login function part is SKIPPED (it keeps the token in AWS Secrets Manager; pip install "moto[server]"). ***',
    );
    return;
  }
  if (!existsSync(DIST_LAMBDA)) {
    say('*** dist/lambda.js is missing: run `npm run bundle` first. ***');
    process.exitCode = 1;
    return;
  }
  const certificate = await fakes.createCallbackCertificate('localhost', new Date());
  let handler;
  const emulator = await fakes.startFunctionUrlEmulator({
    handler: (event, context) => handler(event, context),
    tls: { key: certificate.key, cert: certificate.cert },
    hostname: 'localhost',
  });
  const schwabLogin = await fakes.startSchwabFake({
    consentPage: true,
    extraCallbackUrls: [`${emulator.url}/callback`],
  });
  const github = await fakes.startGitHubFake({
    workflows: [{ repository: 'acme/bot', id: 1, path: '.github/workflows/rotate-schwab-token.yml' }],
    tokens: { [DEMO_GITHUB_TOKEN]: { permissions: ['actions'], repositories: ['acme/bot'] } },
  });
  const restoreConsole = prefixConsole('  lambda | ');
  try {
    await moto.createSecret(
      LOGIN_CONFIG_SECRET,
      JSON.stringify({
        app_key: schwabLogin.appKey,
        app_secret: schwabLogin.appSecret,
        github_token: DEMO_GITHUB_TOKEN,
        github_repository: 'acme/bot',
        github_workflow: 'rotate-schwab-token.yml',
      }),
    );
    // The function's environment, as the template sets it (the AWS variables are the Lambda runtime's own).
    Object.assign(process.env, moto.env, {
      TOKEN_SECRET_ID: SECRET,
      CONFIG_SECRET_ID: LOGIN_CONFIG_SECRET,
      SCHWAB_BASE_URL: schwabLogin.baseUrl,
      GITHUB_API_URL: github.url,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    ({ handler } = await import(pathToFileURL(DIST_LAMBDA).href));
    say(
      `dist/lambda.js is served at ${emulator.url} (a local Function URL); the fake Schwab login page is at ${schwabLogin.baseUrl}.`,
    );
    say(
      `Its configuration secret "${LOGIN_CONFIG_SECRET}" holds the app key and secret and a GitHub token that may start the workflow.`,
    );
    say();
    say(bold("One tap, played by a script: /login → Schwab's login page → approve → /callback"));
    const browser = demoBrowser(emulator.url, certificate.cert);
    const login = await browser.get(`${emulator.url}/login`);
    say(
      `  GET /login → ${login.status}, cookie ${login.setCookies.map((c) => c.split('=')[0]).join(', ')} set, to Schwab's page`,
    );
    const authorize = new URL(login.location);
    const consent = await browser.get(`${schwabLogin.baseUrl}/v1/oauth/authorize`, {
      ...Object.fromEntries(authorize.searchParams),
      user: 'owner',
    });
    say(`  Schwab: logged in as the owner, approved → ${consent.status} back to the function's /callback`);
    const callback = await browser.get(consent.location);
    say(`  GET /callback → ${callback.status}; the page says:`);
    for (const line of pageText(callback.body)) say(`    ${line}`);
    say();
    say(`${store.name} now:`);
    await store.show();
    say(
      `Workflow dispatches received by the GitHub fake: ${github.dispatches.map((d) => `${d.path} on ${d.ref}`).join(', ') || 'none'}.`,
    );

    if (process.stdin.isTTY && process.stdout.isTTY && !process.env.CI) {
      say();
      say(bold('Now tap through it yourself'));
      say(
        `Open ${emulator.url}/login in a browser on this machine. It warns about the certificate (made a moment ago):`,
      );
      say(
        'proceed to localhost. Choose who logs in on the fake Schwab page: the owner is stored; another Schwab customer',
      );
      say("is refused (their accounts are not the owner's), as is Deny, a reload of the result page, or an old tab.");
      say('Press Enter here to stop.');
      await new Promise((resolve) => createInterface({ input: process.stdin }).once('line', resolve));
    }
  } finally {
    restoreConsole();
    await Promise.allSettled([emulator.close(), schwabLogin.close(), github.close()]);
  }
}

/** A minimal browser for the scripted tap: one hop per call, the function's cookies kept, its certificate trusted. */
function demoBrowser(functionOrigin, ca) {
  const jar = new Map();
  return {
    get(url, form) {
      const target = new URL(url);
      const ours = target.origin === functionOrigin;
      const headers = {};
      if (ours && jar.size) headers.cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
      const body = form ? new URLSearchParams(form).toString() : undefined;
      if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
      const send = target.protocol === 'https:' ? request : httpRequest;
      return new Promise((resolve, reject) => {
        const req = send(target, { method: body ? 'POST' : 'GET', headers, ca }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => {
            const setCookies = res.headers['set-cookie'] ?? [];
            for (const line of ours ? setCookies : []) {
              const [pair] = line.split(';');
              const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
              if (value) jar.set(name, value);
              else jar.delete(name);
            }
            resolve({ status: res.statusCode, location: res.headers.location, setCookies, body: text });
          });
        });
        req.on('error', reject);
        req.end(body);
      });
    },
  };
}

/** The text of a page, one line per heading, paragraph or list item. */
function pageText(html) {
  return [...html.matchAll(/<(h1|p|li)>(.*?)<\/\1>/g)].map(
    ([, tag, text]) =>
      `${tag === 'li' ? '- ' : ''}${text.replace(/&#(\d+);/g, (_m, code) => String.fromCharCode(Number(code)))}`,
  );
}

/** The function logs through console (as on Lambda); in the demo its lines are indented and marked. */
function prefixConsole(prefix) {
  const saved = { info: console.info, warn: console.warn, error: console.error };
  for (const level of Object.keys(saved)) console[level] = (...args) => saved.info(`${prefix}${args.join(' ')}`);
  return () => Object.assign(console, saved);
}
