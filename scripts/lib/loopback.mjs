// The loopback world the scripts run the action in (`npm run demo`, `npm run bench`): the test suite's own fakes of
// Schwab and GitHub and its moto_server launcher, bundled on the fly with esbuild (Node 20 cannot import TypeScript),
// so the scripts and the tests share one implementation of each.
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const REGION = 'us-east-1';

/**
 * Bundles and imports the fakes and helpers: startSchwabFake, startGitHubFake, FAKE_SECRETS_TOKEN,
 * FAKE_WORKFLOW_TOKEN, findMotoServer, freePort, startMotoServer, recordFromLogin, serializeRecord, parseTokenRecord,
 * runnerEnv (the environment a GitHub runner gives a step), startFunctionUrlEmulator and createCallbackCertificate
 * (the login function served locally).
 * Returns the module and a function that removes the bundle.
 */
export async function loadFakes() {
  const outdir = join(ROOT, 'node_modules', '.cache', 'rotator-scripts');
  await mkdir(outdir, { recursive: true });
  const outfile = join(outdir, `fakes-${process.pid}.mjs`);
  await build({
    stdin: {
      contents: [
        "export { startSchwabFake } from './test/fakes/schwab-fake.js';",
        "export { startGitHubFake, FAKE_SECRETS_TOKEN, FAKE_WORKFLOW_TOKEN } from './test/fakes/github-fake.js';",
        "export { findMotoServer, freePort, startMotoServer } from './test/support/moto-server.js';",
        "export { recordFromLogin } from './src/token/build.js';",
        "export { serializeRecord } from './src/token/serialize.js';",
        "export { parseTokenRecord } from './src/token/parse.js';",
        "export { runnerEnv } from './test/support/action-runner.js';",
        "export { startFunctionUrlEmulator } from './test/fakes/function-url-emulator.js';",
        "export { createCallbackCertificate } from './src/cli/certificate.js';",
      ].join('\n'),
      resolveDir: ROOT,
      sourcefile: 'loopback-fakes.ts',
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'warning',
  });
  const fakes = await import(pathToFileURL(outfile).href);
  return { fakes, dispose: () => rm(outfile, { force: true }) };
}

/** The environment that points the AWS SDK (of a child process) at moto, with dummy credentials. */
export function motoEnv(url) {
  return {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: url,
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** Calls one Secrets Manager operation on moto in the AWS JSON 1.1 protocol (moto checks no signature). */
export async function motoCall(url, operation, input) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `secretsmanager.${operation}`,
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${REGION}/secretsmanager/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(input),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`moto ${operation} answered ${response.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

/** Starts moto_server, or returns undefined (saying why) when it is not installed. */
export async function startMotoIfInstalled(fakes, what) {
  if (!fakes.findMotoServer()) {
    console.log(`*** moto_server not found on PATH: ${what} (pip install "moto[server]" to run it). ***`);
    return undefined;
  }
  const server = await fakes.startMotoServer();
  return {
    url: server.url,
    env: motoEnv(server.url),
    stop: () => server.stop(),
    createSecret: (name, value) => motoCall(server.url, 'CreateSecret', { Name: name, SecretString: value }),
  };
}
