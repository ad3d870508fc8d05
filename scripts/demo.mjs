// `npm run demo`: watch the action keep a token alive, with no Schwab, AWS or GitHub account.
// Runs `node dist/index.js` exactly as a GitHub runner would, against the test suite's loopback fake of Schwab and a
// local AWS Secrets Manager (moto_server) — or, where moto is not installed, the suite's GitHub fake holding the token
// in an encrypted repository secret — and shows what changed. Token values are never printed.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, loadFakes, motoCall, startMotoIfInstalled } from './lib/loopback.mjs';

const DIST_INDEX = join(ROOT, 'dist', 'index.js');
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
  const moto = await startMotoIfInstalled(fakes, 'the demo keeps the token in a GitHub secret at the GitHub fake instead');
  if (moto) {
    return {
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
          say(`  version ${version.VersionId.slice(0, 8)}…  ${(version.VersionStages ?? []).join(', ') || '(no label)'}`);
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
    inputs: { 'app-key': schwab.appKey, 'app-secret': schwab.appSecret, 'schwab-base-url': schwab.baseUrl, ...(await store.inputs()) },
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
