import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { constants as osConstants, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const DIST_INDEX = resolve(import.meta.dirname, '../../dist/index.js');

export interface ActionRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The GITHUB_OUTPUT file, parsed. */
  outputs: Record<string, string>;
  /** The raw GITHUB_OUTPUT file. */
  outputsFile: string;
  /** The GITHUB_STEP_SUMMARY file. */
  summary: string;
}

export interface ActionRunOptions {
  /** Action inputs by name, as in `with:` (the runner turns `app-key` into INPUT_APP-KEY). */
  inputs: Record<string, string>;
  /** Extra environment (GITHUB_API_URL, AWS_ENDPOINT_URL_SECRETS_MANAGER, …). */
  env?: Record<string, string>;
  /** Kill the process after this many ms (a hung run is a failed test, not a hung suite). */
  timeoutMs?: number;
}

/**
 * Runs `node dist/index.js` exactly as the runner does: inputs as INPUT_* variables, GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY files, a clean environment without the developer's AWS or GitHub credentials.
 */
export async function runAction(options: ActionRunOptions): Promise<ActionRun> {
  const dir = await mkdtemp(join(tmpdir(), 'rotator-run-'));
  const outputPath = join(dir, 'output');
  const summaryPath = join(dir, 'summary');
  await writeFile(outputPath, '');
  await writeFile(summaryPath, '');
  const env = runnerEnv({ dir, outputPath, summaryPath, inputs: options.inputs, env: options.env });
  try {
    const { exitCode, stdout, stderr } = await spawnNode([DIST_INDEX], env, options.timeoutMs ?? 30_000);
    const outputsFile = await readFile(outputPath, 'utf8');
    return {
      exitCode,
      stdout,
      stderr,
      outputs: parseOutputFile(outputsFile),
      outputsFile,
      summary: await readFile(summaryPath, 'utf8'),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The environment a GitHub runner gives an action step: inputs as INPUT_* variables (`app-key` → `INPUT_APP-KEY`),
 * the GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, the repository and workflow, and nothing of the developer's own
 * AWS or GitHub credentials. Shared with `npm run demo` and `npm run bench`.
 */
export function runnerEnv(options: {
  dir: string;
  outputPath: string;
  summaryPath: string;
  inputs: Record<string, string>;
  env?: Record<string, string> | undefined;
}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: options.dir,
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: options.outputPath,
    GITHUB_STEP_SUMMARY: options.summaryPath,
    GITHUB_REPOSITORY: 'acme/trader',
    GITHUB_WORKFLOW_REF: 'acme/trader/.github/workflows/rotate.yml@refs/heads/main',
    RUNNER_TEMP: options.dir,
    ...options.env,
  };
  for (const [name, value] of Object.entries(options.inputs)) {
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  return env;
}

/** A `node dist/index.js` still running: its output so far, signals, and the run once it ends. */
export interface RunningAction {
  /** Resolves when stdout has printed a line matching `pattern` (rejects when the process ends first). */
  waitForStdout(pattern: RegExp): Promise<void>;
  kill(signal: NodeJS.Signals): void;
  /** The finished run (the exit code is 128 + n for a process killed by signal n, as a shell reports it). */
  done: Promise<ActionRun>;
}

/** `runAction`, but returns at once: a test sends signals while the run is at a chosen point. */
export async function startAction(options: ActionRunOptions): Promise<RunningAction> {
  const dir = await mkdtemp(join(tmpdir(), 'rotator-run-'));
  const outputPath = join(dir, 'output');
  const summaryPath = join(dir, 'summary');
  await writeFile(outputPath, '');
  await writeFile(summaryPath, '');
  const env = runnerEnv({ dir, outputPath, summaryPath, inputs: options.inputs, env: options.env });
  const child = spawn(process.execPath, [DIST_INDEX], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let closed = false;
  const waiters: { pattern: RegExp; resolve: () => void; reject: (error: Error) => void }[] = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(stdout)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    check();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  const done = new Promise<ActionRun>((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      closed = true;
      clearTimeout(timer);
      for (const waiter of waiters.splice(0))
        waiter.reject(new Error(`the action ended before printing ${waiter.pattern}:\n${stdout}${stderr}`));
      const exitCode = code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : 1);
      void (async () => {
        try {
          const outputsFile = await readFile(outputPath, 'utf8');
          const summary = await readFile(summaryPath, 'utf8');
          resolvePromise({ exitCode, stdout, stderr, outputs: parseOutputFile(outputsFile), outputsFile, summary });
        } catch (error) {
          reject(error as Error);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      })();
    });
  });
  return {
    waitForStdout: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(stdout)) return resolve();
        if (closed) return reject(new Error(`the action ended before printing ${pattern}:\n${stdout}${stderr}`));
        waiters.push({ pattern, resolve, reject });
      }),
    kill: (signal) => void child.kill(signal),
    done,
  };
}

export function spawnNode(
  args: string[],
  env: Record<string, string>,
  timeoutMs: number,
  stdin?: string,
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ exitCode: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.end(stdin ?? '');
  });
}

/** Parses a GITHUB_OUTPUT file (`name<<DELIM\nvalue\nDELIM` blocks, or `name=value` lines). */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc as unknown as [string, string, string];
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] as string);
      outputs[name] = value.join('\n');
    } else if (line.includes('=')) {
      outputs[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return outputs;
}
