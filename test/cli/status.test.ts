/** `status`: the health table from a file or an AWS secret, exit 0/1/2 (3 when unreadable), never a token value. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectNoLeaks } from '../support/leaks.js';
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { createTestSecret, describeMoto, getMotoUrl, motoClient, useMotoEnv } from '../support/moto.js';
import { ROTATOR_TEXT, SCHWABDEV_TEXT, SCHWAB_PY_TEXT, SECRETS } from '../token/samples.js';
import type { TestIo } from './helpers.js';
import { makeIo, run, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  await cleanup();
});

function ioAt(iso: string): TestIo {
  return makeIo(undefined, dir, { clock: { now: () => new Date(iso) } });
}

function expectClean(io: TestIo): void {
  expectNoLeaks({ stdout: io.stdout.text, stderr: io.stderr.text }, SECRETS);
}

describe('status', () => {
  it('prints the health table of schwab_token.json and exits 0 when healthy', async () => {
    await writeFile(join(dir, 'schwab_token.json'), ROTATOR_TEXT);
    const io = ioAt('2026-11-21T12:10:00Z');
    expect(await run(['status'], io)).toBe(0);
    expect(io.stdout.text).toBe(
      [
        'Status                  healthy',
        'Access token expires    2026-11-21 12:30:00 UTC (in 20m)',
        'Refresh token deadline  2026-11-25 09:00:00 UTC (3d 20h left)',
        'Login                   2026-11-18 09:00:00 UTC',
        'Last refresh            2026-11-21 12:00:00 UTC (10m ago)',
        'Refresh count           141',
        'Source                  file schwab_token.json (rotator record)',
        '',
        'The refresh token has 3d 20h left (until 2026-11-25T09:00:00Z).',
        '',
      ].join('\n'),
    );
    expect(io.stderr.text).toBe('');
    expectClean(io);
  });

  it('exits 1 when the refresh token expires within --reauth-warning, 2 once it has expired', async () => {
    await writeFile(join(dir, 't.json'), ROTATOR_TEXT);
    const expiring = ioAt('2026-11-24T00:00:00Z');
    expect(await run(['status', '--file', 't.json'], expiring)).toBe(1);
    expect(expiring.stdout.text).toContain('EXPIRING: log in again soon');
    expect(expiring.stdout.text).toContain('Access token expires    2026-11-21 12:30:00 UTC (expired 2d 11h ago)');

    const widened = ioAt('2026-11-21T12:10:00Z');
    expect(await run(['status', '--file', 't.json', '--reauth-warning', '5d'], widened)).toBe(1);

    const dead = ioAt('2026-11-26T09:00:00Z');
    expect(await run(['status', '--file', 't.json'], dead)).toBe(2);
    expect(dead.stdout.text).toContain('RE-AUTH REQUIRED');
    expect(dead.stdout.text).toContain(
      'The refresh token expired 1d ago (2026-11-25T09:00:00Z); run the login command.',
    );
    expectClean(dead);
  });

  it('reads an existing schwab-py token file and a Schwabdev tokens.json as they are', async () => {
    await writeFile(join(dir, 'py.json'), SCHWAB_PY_TEXT);
    await writeFile(join(dir, 'tokens.json'), SCHWABDEV_TEXT);
    const py = ioAt('2026-11-21T12:10:00Z');
    expect(await run(['status', '--file', 'py.json'], py)).toBe(0);
    expect(py.stdout.text).toContain('Refresh token deadline  2026-11-25 09:00:00 UTC');
    expect(py.stdout.text).toContain('Source                  file py.json (schwab-py token file)');
    const dev = ioAt('2026-11-21T12:10:00Z');
    expect(await run(['status', '--file', join(dir, 'tokens.json')], dev)).toBe(0);
    expect(dev.stdout.text).toContain('Refresh token deadline  2026-11-25 09:00:00 UTC');
    expect(dev.stdout.text).toContain('(Schwabdev tokens.json)');
    expectClean(py);
    expectClean(dev);
  });

  it('prints JSON for scripts with --json', async () => {
    await writeFile(join(dir, 'schwab_token.json'), ROTATOR_TEXT);
    const io = ioAt('2026-11-21T12:10:00Z');
    expect(await run(['status', '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout.text)).toEqual({
      status: 'healthy',
      reason: 'The refresh token has 3d 20h left (until 2026-11-25T09:00:00Z).',
      access_token_expires_at: '2026-11-21T12:30:00Z',
      access_token_seconds_left: 1200,
      refresh_token_expires_at: '2026-11-25T09:00:00Z',
      refresh_token_seconds_left: 334200,
      created_at: '2026-11-18T09:00:00Z',
      last_refresh: '2026-11-21T12:00:00Z',
      refresh_count: 141,
      source: 'file schwab_token.json',
      format: 'rotator',
    });
  });

  it('reports a missing or broken file as re-auth required, naming the file and never a value', async () => {
    const missing = ioAt('2026-11-21T12:10:00Z');
    expect(await run(['status', '--file', 'nowhere.json'], missing)).toBe(2);
    expect(missing.stdout.text).toContain(
      'File nowhere.json does not exist: run `schwab-token-rotator login` to create it',
    );

    await writeFile(join(dir, 'broken.json'), ROTATOR_TEXT.replace(/"refresh_token":"[^"]+",/, ''));
    const broken = ioAt('2026-11-21T12:10:00Z');
    expect(await run(['status', '--file', 'broken.json'], broken)).toBe(2);
    expect(broken.stdout.text).toMatch(/The token from file broken\.json .*refresh_token/);
    expectClean(broken);
  });

  it('exits 3 when the store cannot be read, and 64 on a wrong command line', async () => {
    const folder = ioAt('2026-11-21T12:10:00Z');
    expect(await run(['status', '--file', '.'], folder)).toBe(3);
    expect(folder.stderr.text).toBe(
      'schwab-token-rotator: File . is a folder: pass the path of the token file itself.\n',
    );

    // --json still prints the JSON, with the error, for the script that reads it.
    const json = ioAt('2026-11-21T12:10:00Z');
    expect(await run(['status', '--json', '--file', '.'], json)).toBe(3);
    expect(JSON.parse(json.stdout.text)).toEqual({
      status: 'error',
      reason: 'File . is a folder: pass the path of the token file itself.',
      access_token_expires_at: null,
      access_token_seconds_left: null,
      refresh_token_expires_at: null,
      refresh_token_seconds_left: null,
      created_at: null,
      last_refresh: null,
      refresh_count: null,
      source: 'file .',
      format: null,
    });
    expect(json.stderr.text).toBe(
      'schwab-token-rotator: File . is a folder: pass the path of the token file itself.\n',
    );

    const both = ioAt('2026-11-21T12:10:00Z');
    expect(await run(['status', '--file', 'a', '--aws-secret-id', 'b'], both)).toBe(64);
    expect(both.stderr.text).toContain('give --file or --aws-secret-id, not both');

    const unknown = ioAt('2026-11-21T12:10:00Z');
    expect(await run(['status', '--fiel', 'a'], unknown)).toBe(64);
    expect(unknown.stderr.text).toBe(
      'schwab-token-rotator: --fiel is not an option of status: see `schwab-token-rotator status --help`.\n',
    );
  });
});

describeMoto('status of an AWS secret', () => {
  useMotoEnv();

  it('reads the secret and prints its health', async () => {
    const secret = await createTestSecret(getMotoUrl(), undefined, ROTATOR_TEXT);
    const io = ioAt('2026-11-21T12:10:00Z');
    expect(await run(['status', '--aws-secret-id', secret.name], io)).toBe(0);
    expect(io.stdout.text).toContain('Refresh count           141');
    expect(io.stdout.text).toContain(
      `Source                  AWS secret "${secret.name}" (us-east-1) (rotator record)`,
    );
    expectClean(io);
  });

  it('shows the newer record of a write that did not finish (AWSPENDING), as the next run uses it', async () => {
    const secret = await createTestSecret(getMotoUrl(), undefined, ROTATOR_TEXT);
    const newer = ROTATOR_TEXT.replace('"refresh_count":141', '"refresh_count":142').replace(
      '"last_refresh":"2026-11-21T12:00:00Z"',
      '"last_refresh":"2026-11-21T12:05:00Z"',
    );
    expect(newer).not.toBe(ROTATOR_TEXT);
    await motoClient().send(
      new PutSecretValueCommand({ SecretId: secret.name, SecretString: newer, VersionStages: ['AWSPENDING'] }),
    );
    const io = ioAt('2026-11-21T12:10:00Z');
    expect(await run(['status', '--aws-secret-id', secret.name], io)).toBe(0);
    expect(io.stdout.text).toContain('Refresh count           142');
    expect(io.stdout.text).toContain(
      `Source                  AWS secret "${secret.name}" (us-east-1) (its unfinished write, AWSPENDING) (rotator record)`,
    );
    expect(io.stderr.text).toMatch(
      /warning: .*its unfinished write, AWSPENDING.* holds a newer record than its current value/,
    );
    expectClean(io);
  });

  it("exits 3 with AWS's reason when the secret does not exist", async () => {
    const io = ioAt('2026-11-21T12:10:00Z');
    expect(await run(['status', '--aws-secret-id', 'missing-secret-for-status'], io)).toBe(3);
    expect(io.stderr.text).toMatch(/^schwab-token-rotator: .*missing-secret-for-status.*\n$/);
  });
});
