/**
 * `refresh`, once and `--every`, in-process against the Schwab fake, with fake time (no real waiting): the schedule,
 * transient faults, a clean stop on SIGTERM (an AbortSignal here) after the write in progress, the notify socket,
 * and the file formats users bring (schwab-py, Schwabdev).
 */
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startSchwabFake } from '../fakes/schwab-fake.js';
import type { SchwabFake } from '../fakes/schwab-fake.js';
import { expectNoLeaks } from '../support/leaks.js';
import {
  createTestSecret,
  describeMoto,
  getMotoUrl,
  listSecretVersions,
  readSecretValue,
  useMotoEnv,
} from '../support/moto.js';
import type { TokenRecord } from '../../src/token/record.js';
import { runRefresh } from '../../src/cli/commands/refresh.js';
import { Redactor } from '../../src/util/redact.js';
import type { TestIo } from './helpers.js';
import {
  DAY,
  FakeTime,
  HOUR,
  MINUTE,
  loginFile,
  makeIo,
  parseRecord,
  run,
  strayFiles,
  tempDir,
  tokensOf,
} from './helpers.js';

const START = new Date('2026-11-20T10:00:00Z');

let time: FakeTime;
let fake: SchwabFake;
let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  time = new FakeTime(START);
  fake = await startSchwabFake({ now: () => time.clock.now() });
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  await Promise.all([fake.close(), cleanup()]);
});

function ioFor(overrides: Parameters<typeof makeIo>[2] = {}): TestIo {
  return makeIo(fake, dir, { clock: time.clock, sleep: time.sleep, ...overrides });
}

/** Stops the loop (as SIGTERM would) after `ticks` refreshes. */
function stopAfter(io: TestIo, ticks: number): void {
  time.onLoopWait = (index) => {
    if (index + 1 >= ticks) io.controller.abort();
  };
}

async function writeLogin(
  name = 'schwab_token.json',
  loginAt = new Date(START.getTime() - DAY),
): Promise<{ record: TokenRecord; text: string }> {
  const login = loginFile(fake, loginAt);
  await writeFile(join(dir, name), login.text, { mode: 0o600 });
  return login;
}

async function readRecord(name = 'schwab_token.json'): Promise<TokenRecord> {
  return parseRecord(await readFile(join(dir, name), 'utf8'));
}

function refreshTimes(): string[] {
  return fake
    .tokenRequests()
    .filter((r) => r.form.grant_type === 'refresh_token' && r.fault === undefined)
    .map((r) => r.at.toISOString());
}

function expectClean(io: TestIo, records: TokenRecord[], extra: Record<string, string> = {}): void {
  expectNoLeaks({ stdout: io.stdout.text, stderr: io.stderr.text, ...extra }, [
    fake.appSecret,
    ...tokensOf(...records),
  ]);
}

describe('refresh once', () => {
  it('refreshes schwab_token.json, keeps it 0600, and prints the health table', async () => {
    const login = await writeLogin();
    const io = ioFor();
    expect(await run(['refresh'], io)).toBe(0);
    const record = await readRecord();
    expect(record.meta.refreshCount).toBe(1);
    expect(record.meta.createdAt).toEqual(login.record.meta.createdAt);
    expect(record.meta.lastRefresh).toEqual(START);
    expect(fake.isAccessTokenValid(record.tokens.accessToken)).toBe(true);
    expect(record.tokens.accessToken).not.toBe(login.record.tokens.accessToken);
    expect((await stat(join(dir, 'schwab_token.json'))).mode & 0o777).toBe(0o600);
    expect(await strayFiles(dir, ['schwab_token.json'])).toEqual([]);
    expect(io.stdout.text).toContain('Refresh count           1');
    expect(io.stdout.text).toContain('Refreshed the access token (refresh 1 since the login).');
    expectClean(io, [login.record, record]);
  });

  it('keeps a schwab-py file in schwab-py format', async () => {
    const login = loginFile(fake, new Date(START.getTime() - DAY), 'schwab-py');
    await writeFile(join(dir, 'py.json'), login.text);
    const io = ioFor();
    expect(await run(['refresh', '--file', 'py.json'], io)).toBe(0);
    const written = JSON.parse(await readFile(join(dir, 'py.json'), 'utf8')) as {
      creation_timestamp: number;
      token: Record<string, unknown>;
    };
    expect(written.creation_timestamp).toBe(Math.floor(login.record.meta.createdAt.getTime() / 1000));
    expect(written.token.refresh_token).toBe(login.record.tokens.refreshToken);
    expect(fake.isAccessTokenValid(String(written.token.access_token))).toBe(true);
    expectClean(io, [login.record, await readRecord('py.json')]);
  });

  it('imports a Schwabdev tokens.json: refreshed, rewritten as a rotator record, with a warning', async () => {
    const issued = fake.issueTokens({ loginAt: new Date(START.getTime() - 2 * DAY) });
    await writeFile(
      join(dir, 'tokens.json'),
      JSON.stringify(
        {
          access_token_issued: new Date(START.getTime() - 20 * MINUTE).toISOString().replace('Z', '+00:00'),
          refresh_token_issued: new Date(START.getTime() - 2 * DAY).toISOString().replace('Z', '+00:00'),
          token_dictionary: issued.response,
        },
        null,
        4,
      ),
    );
    const io = ioFor();
    expect(await run(['refresh', '--file', 'tokens.json'], io)).toBe(0);
    expect(io.stderr.text).toContain(
      'warning: File tokens.json is a Schwabdev tokens.json; it is rewritten as a rotator record',
    );
    const record = await readRecord('tokens.json');
    expect(record.meta.createdAt).toEqual(new Date(START.getTime() - 2 * DAY));
    expect(record.meta.refreshCount).toBe(1);
    expect(JSON.parse(await readFile(join(dir, 'tokens.json'), 'utf8'))).toHaveProperty('refresh_token_expires_at');
  });

  it('exits 2 and leaves the file alone when Schwab rejects the refresh token', async () => {
    const login = await writeLogin();
    fake.issueTokens(); // a newer login elsewhere revokes it
    const io = ioFor();
    expect(await run(['refresh'], io)).toBe(2);
    expect(io.stderr.text).toContain(
      'schwab-token-rotator: Schwab rejected the refresh token (it expired or was revoked by a newer login): log in again with',
    );
    expect(io.stdout.text).toContain('RE-AUTH REQUIRED');
    expect(await readFile(join(dir, 'schwab_token.json'), 'utf8')).toBe(login.text);
  });

  it('stores the refresh of a record whose login time is in the future (a fast clock where the login ran), with a warning', async () => {
    fake.rotateOnRefresh = true;
    const login = await writeLogin('schwab_token.json', new Date(START.getTime() + 2 * HOUR));
    const io = ioFor();
    expect(await run(['refresh'], io)).toBe(0);
    const record = await readRecord();
    expect(record.meta.createdAt).toEqual(START);
    expect(record.meta.refreshCount).toBe(1);
    expect(fake.refreshTokenInfo(record.tokens.refreshToken)?.active).toBe(true);
    expect(io.stderr.text).toMatch(
      /warning: The login time of the token record \(created_at 2026-11-20T12:00:00Z\) is in the future/,
    );
    expectClean(io, [login.record, record]);
  });

  it('exits 1 and leaves the file alone when Schwab keeps failing', async () => {
    const login = await writeLogin();
    fake.fail('token', 503, 4);
    const io = ioFor();
    expect(await run(['refresh'], io)).toBe(1);
    expect(io.stderr.text).toMatch(/schwab-token-rotator: Schwab's server failed the token refresh|HTTP 503/);
    expect(time.retryWaits).toHaveLength(3);
    expect(await readFile(join(dir, 'schwab_token.json'), 'utf8')).toBe(login.text);
  });

  it('with --refresh-before, refreshes only when due', async () => {
    const login = await writeLogin('schwab_token.json', new Date(START.getTime() - 5 * MINUTE));
    const io = ioFor();
    expect(await run(['refresh', '--refresh-before', '10m'], io)).toBe(0);
    expect(fake.tokenRequests()).toHaveLength(0);
    expect(io.stdout.text).toContain('Not refreshed: the access token is not due.');
    expect(await readFile(join(dir, 'schwab_token.json'), 'utf8')).toBe(login.text);
  });

  it('fails clearly without SCHWAB_APP_SECRET, and with a wrong one', async () => {
    await writeLogin();
    const missing = ioFor({ env: { SCHWAB_APP_SECRET: undefined } });
    expect(await run(['refresh'], missing)).toBe(1);
    expect(missing.stderr.text).toContain('SCHWAB_APP_SECRET is not set');
    const wrong = ioFor({ env: { SCHWAB_APP_SECRET: 'not-the-secret-at-all' } });
    expect(await run(['refresh'], wrong)).toBe(1);
    expect(wrong.stderr.text).toMatch(/HTTP 401/);
    expect(wrong.stderr.text).not.toContain('not-the-secret-at-all');
    // A failed run never says healthy: the table puts the failure first and the refresh token's health apart.
    expect(wrong.stdout.text).toMatch(/^Status {18}FAILED: this run did not do its job \(the error is below\)$/m);
    expect(wrong.stdout.text).toMatch(/^Refresh token {11}healthy$/m);
    expect(wrong.stdout.text).not.toMatch(/^Status +healthy/m);
  });
});

describe('refresh --every', () => {
  it('refreshes on schedule until stopped, logging times and outcomes', async () => {
    const login = await writeLogin();
    const io = ioFor();
    stopAfter(io, 4);
    expect(await run(['refresh', '--every', '25m'], io)).toBe(0);
    expect(refreshTimes()).toEqual([0, 25, 50, 75].map((m) => new Date(START.getTime() + m * MINUTE).toISOString()));
    const record = await readRecord();
    expect(record.meta.refreshCount).toBe(4);
    expect(record.meta.lastRefresh).toEqual(new Date(START.getTime() + 75 * MINUTE));
    expect(time.loopWaits).toEqual([25 * MINUTE, 25 * MINUTE, 25 * MINUTE, 25 * MINUTE]);
    expect(io.stderr.text).toContain(
      '2026-11-20T10:00:00Z Refreshing file schwab_token.json every 25m; stop with Ctrl-C or SIGTERM.',
    );
    expect(io.stderr.text).toContain('2026-11-20T10:25:00Z Next refresh at 2026-11-20T10:50:00Z.');
    expect(io.stderr.text).toContain('file schwab_token.json: written (compare-and-set).');
    expect(io.stderr.text).toContain('Stopped; the last record was written completely.');
    expect(io.stdout.text).toBe('');
    expectClean(io, [login.record, record]);
  });

  it('holds as many masked values after 40 refreshes as after 2: those of records no longer in force are forgotten', async () => {
    fake.rotateOnRefresh = true; // every refresh brings a new refresh token as well as a new access token
    const login = await writeLogin();
    const io = ioFor();
    const redactor = new Redactor();
    const sizes: number[] = [];
    time.onLoopWait = (index) => {
      sizes.push(redactor.size);
      if (index + 1 >= 40) io.controller.abort();
    };
    expect(await runRefresh(['--every', '25m'], io, redactor)).toBe(0);

    expect(sizes).toHaveLength(40);
    expect(sizes.every((size) => size > 0)).toBe(true);
    expect(new Set(sizes.slice(1))).toEqual(new Set([sizes[1]]));
    const current = await readRecord();
    expect(current.meta.refreshCount).toBe(40);
    // What is in force stays masked: the record's tokens, the app secret, and what was read before the loop began.
    for (const value of [...tokensOf(current), fake.appSecret, ...tokensOf(login.record)]) {
      expect(redactor.redact(`<${value}>`)).toBe('<***>');
    }
    // The tokens of the refreshes in between are no longer held: the refresh token the 10th refresh retired.
    const retired = fake.tokenRequests().filter((r) => r.form.grant_type === 'refresh_token')[9]?.form.refresh_token;
    expect(retired).toBeDefined();
    expect(fake.refreshTokenInfo(retired ?? '')?.active).toBe(false);
    expect(redactor.redact(`<${retired}>`)).toBe(`<${retired}>`);
    expectClean(io, [login.record, current]);
  });

  it("gives the run's memory back before each wait (the process's io does it), never during a run", async () => {
    await writeLogin();
    const events: string[] = [];
    const io = ioFor({
      releaseMemory: () => events.push(`release after ${fake.tokenRequests().length} refreshes`),
      sleep: async (ms, signal) => {
        events.push('wait');
        await time.sleep(ms, signal);
      },
    });
    stopAfter(io, 3);
    expect(await run(['refresh', '--every', '25m'], io)).toBe(0);
    expect(events).toEqual([
      'release after 1 refreshes',
      'wait',
      'release after 2 refreshes',
      'wait',
      'release after 3 refreshes',
      'wait',
    ]);
  });

  it('keeps the schedule when Schwab retries take time, and survives transient faults', async () => {
    await writeLogin();
    const io = ioFor();
    stopAfter(io, 4);
    let tick = 0;
    time.onLoopWait = (index) => {
      tick = index + 1;
      if (tick === 1) fake.fail('token', 503, 4); // the second refresh fails after all its retries
      if (tick === 2) fake.fail('token', 'access-denied', 1); // the third succeeds on a retry
      if (tick >= 4) io.controller.abort();
    };
    expect(await run(['refresh', '--every', '25m'], io)).toBe(0);
    expect(io.stderr.text).toMatch(/warning: This refresh failed: .*503.* Trying again at the next tick\./);
    const record = await readRecord();
    expect(record.meta.refreshCount).toBe(3);
    // Each tick starts 25 minutes after the previous one started, retries included.
    const starts = fake.tokenRequests().map((r) => r.at.getTime() - START.getTime());
    expect(starts[0]).toBe(0);
    expect(fake.tokenRequests().filter((r) => r.at.getTime() - START.getTime() >= 75 * MINUTE)).toHaveLength(1);
    expect(time.loopWaits[1]).toBeLessThan(25 * MINUTE);
  });

  it('finishes the write in progress when SIGTERM arrives during a refresh, then stops', async () => {
    await writeLogin();
    const io = ioFor();
    time.onLoopWait = (index) => {
      if (index === 0) fake.beforeNext('token', () => io.controller.abort()); // SIGTERM while Schwab answers
    };
    expect(await run(['refresh', '--every', '25m'], io)).toBe(0);
    expect(refreshTimes()).toHaveLength(2);
    const record = await readRecord();
    expect(record.meta.refreshCount).toBe(2);
    expect(fake.isAccessTokenValid(record.tokens.accessToken)).toBe(true);
    expect(time.loopWaits).toHaveLength(1);
    expect(await strayFiles(dir, ['schwab_token.json'])).toEqual([]);
    expect(io.stderr.text).toContain('Stopped; the last record was written completely.');
  });

  it('ends with exit 2 when the refresh token dies', async () => {
    await writeLogin();
    const io = ioFor();
    time.onLoopWait = (index) => {
      if (index === 1) fake.issueTokens(); // a login elsewhere revokes ours
    };
    expect(await run(['refresh', '--every', '25m'], io)).toBe(2);
    expect(refreshTimes()).toHaveLength(3); // two refreshes, then the rejected one
    expect(io.stderr.text.trim().split('\n').at(-1)).toMatch(
      /^schwab-token-rotator: Schwab rejected the refresh token/,
    );
    expect((await readRecord()).meta.refreshCount).toBe(2);
  });

  it('ends with exit 2 when the 7-day deadline passes', async () => {
    await writeLogin('schwab_token.json', new Date(START.getTime() - 7 * DAY + 30 * MINUTE));
    const io = ioFor();
    expect(await run(['refresh', '--every', '25m'], io)).toBe(2);
    expect(refreshTimes()).toHaveLength(2);
    expect(io.stderr.text).toMatch(/schwab-token-rotator: The refresh token expired at .*: log in again/);
  });

  it('stops at once on a wrong app secret instead of failing every 25 minutes', async () => {
    await writeLogin();
    const io = ioFor({ env: { SCHWAB_APP_SECRET: 'wrong-secret-value' } });
    expect(await run(['refresh', '--every', '25m'], io)).toBe(1);
    expect(time.loopWaits).toHaveLength(0);
  });

  it('sends each new record as one JSON line to the notify socket', async () => {
    await writeLogin();
    const socketPath = join(dir, 'bot.sock');
    const lines: string[] = [];
    const server: Server = createServer((socket) => {
      let buffer = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (buffer += chunk));
      socket.on('end', () => lines.push(buffer));
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    const fileSnapshots: string[] = [];
    const io = ioFor();
    time.onLoopWait = (index) => {
      void readFile(join(dir, 'schwab_token.json'), 'utf8').then((text) => fileSnapshots.push(text));
      if (index === 2) io.controller.abort();
    };
    try {
      expect(await run(['refresh', '--every', '25m', '--notify-socket', socketPath], io)).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line.endsWith('\n')).toBe(true);
      expect(line.trim()).not.toContain('\n');
    }
    expect(lines.map((line) => parseRecord(line).meta.refreshCount)).toEqual([1, 2, 3]);
    expect(lines.map((line) => line)).toEqual(fileSnapshots);
    expect(io.stderr.text).toContain(`Sent the new record to the notify socket ${socketPath}.`);
    expectClean(
      io,
      lines.map((line) => parseRecord(line)),
    );
  });

  it('warns when nothing listens on the notify socket, and keeps refreshing', async () => {
    await writeLogin();
    const io = ioFor();
    stopAfter(io, 3);
    expect(await run(['refresh', '--every', '25m', '--notify-socket', 'nobody.sock'], io)).toBe(0);
    expect((await readRecord()).meta.refreshCount).toBe(3);
    const warnings = io.stderr.text
      .split('\n')
      .filter((line) => line.includes('warning: Could not send the new record'));
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toContain(
      `notify socket ${join(dir, 'nobody.sock')} (nothing listens there yet); the refresh goes on.`,
    );
  });

  it('refuses an interval under a minute and warns about one of 30 minutes or more', async () => {
    await writeLogin();
    const fast = ioFor();
    expect(await run(['refresh', '--every', '10s'], fast)).toBe(64);
    expect(fast.stderr.text).toContain('--every is too short: use at least 60s.');
    const slow = ioFor();
    stopAfter(slow, 1);
    expect(await run(['refresh', '--every', '45m'], slow)).toBe(0);
    expect(slow.stderr.text).toContain("warning: --every 45m is not shorter than the access token's 30 minutes");
  });
});

describeMoto('refresh an AWS secret', () => {
  useMotoEnv();

  it('refreshes once, by compare-and-set', async () => {
    const login = loginFile(fake, new Date(START.getTime() - DAY));
    const secret = await createTestSecret(getMotoUrl(), undefined, login.text);
    const io = ioFor();
    expect(await run(['refresh', '--aws-secret-id', secret.name], io)).toBe(0);
    const stored = parseRecord((await readSecretValue(getMotoUrl(), secret.name)).text);
    expect(stored.meta.refreshCount).toBe(1);
    expect(fake.isAccessTokenValid(stored.tokens.accessToken)).toBe(true);
    expectClean(io, [login.record, stored]);
  });

  it('keeps refreshing it --every 25m (a new version each time, over one SDK client)', async () => {
    const login = loginFile(fake, new Date(START.getTime() - DAY));
    const secret = await createTestSecret(getMotoUrl(), undefined, login.text);
    const io = ioFor();
    stopAfter(io, 3);
    const send = vi.spyOn(SecretsManagerClient.prototype, 'send');
    try {
      expect(await run(['refresh', '--aws-secret-id', secret.name, '--every', '25m'], io)).toBe(0);
      // Loaded, configured and connected once for the loop, not once per run.
      expect(send.mock.calls.length).toBeGreaterThanOrEqual(15);
      expect(new Set(send.mock.contexts).size).toBe(1);
    } finally {
      send.mockRestore();
    }
    expect(io.stderr.text).not.toContain('warning');
    const stored = parseRecord((await readSecretValue(getMotoUrl(), secret.name)).text);
    expect(stored.meta.refreshCount).toBe(3);
    const versions = await listSecretVersions(getMotoUrl(), secret.name);
    expect(versions.filter((v) => v.stages.includes('AWSCURRENT'))).toHaveLength(1);
    expect(versions.flatMap((v) => v.stages)).not.toContain('AWSPENDING');
  });
});

describe('refresh --every when the store cannot take a refreshed record', () => {
  it('keeps the rotated refresh token in memory and stores it at the next tick, instead of losing the login', async () => {
    const { startAwsStub, STUB_ERRORS } = await import('../fakes/aws-stub.js');
    const { awsEnv, applyEnv } = await import('../support/moto.js');
    const stub = await startAwsStub();
    const restore = applyEnv(awsEnv(stub.url));
    try {
      fake.rotateOnRefresh = true; // every refresh retires the refresh token it used
      const login = loginFile(fake, new Date(START.getTime() - DAY));
      stub.seed('schwab/token', login.text);
      stub.script('PutSecretValue', ...Array(5).fill(STUB_ERRORS.throttling)); // the first tick's write fails
      const io = ioFor();
      stopAfter(io, 2);

      expect(await run(['refresh', '--aws-secret-id', 'schwab/token', '--every', '25m'], io)).toBe(0);

      expect(io.stderr.text).toMatch(/warning: This refresh failed: .*throttl/i);
      const stored = parseRecord(stub.current('schwab/token'));
      expect(stored.meta.refreshCount).toBe(2);
      expect(fake.refreshTokenInfo(stored.tokens.refreshToken)?.active).toBe(true);
      expectClean(io, [login.record, stored]);
    } finally {
      restore();
      await stub.close();
    }
  });
});

describe('refresh exit codes: a store problem is 3, never 2 ("log in again")', () => {
  it('exits 3 when AWS cannot be reached, and the table says the health is unknown', async () => {
    const { unusedLocalUrl } = await import('../fakes/aws-stub.js');
    const { awsEnv, applyEnv } = await import('../support/moto.js');
    const restore = applyEnv(awsEnv(await unusedLocalUrl()));
    try {
      const io = ioFor();
      expect(await run(['refresh', '--aws-secret-id', 'schwab/token'], io)).toBe(3);
      expect(io.stderr.text).toMatch(/^schwab-token-rotator: Could not reach AWS Secrets Manager at /m);
      expect(io.stdout.text).toMatch(/^Status +FAILED: this run did not do its job/m);
      expect(io.stdout.text).toMatch(/^Refresh token +UNKNOWN: the store could not be read$/m);
      expect(io.stdout.text).not.toMatch(/RE-AUTH|log in/i);
      expect(fake.tokenRequests()).toHaveLength(0);
    } finally {
      restore();
    }
  });

  it('exits 3 when no region is configured', async () => {
    const { awsEnv, applyEnv } = await import('../support/moto.js');
    const restore = applyEnv({ ...awsEnv('http://127.0.0.1:9'), AWS_REGION: '', AWS_DEFAULT_REGION: '' });
    try {
      const io = ioFor();
      expect(await run(['refresh', '--aws-secret-id', 'schwab/token'], io)).toBe(3);
      expect(io.stderr.text).toMatch(/region/i);
      expect(fake.tokenRequests()).toHaveLength(0);
    } finally {
      restore();
    }
  });

  it('--every goes on when the store is down for a tick, and refreshes at the next one', async () => {
    const { startAwsStub, STUB_ERRORS } = await import('../fakes/aws-stub.js');
    const { awsEnv, applyEnv } = await import('../support/moto.js');
    const stub = await startAwsStub();
    const restore = applyEnv(awsEnv(stub.url));
    try {
      fake.rotateOnRefresh = true;
      const login = loginFile(fake, new Date(START.getTime() - DAY));
      stub.seed('schwab/token', login.text);
      stub.always('GetSecretValue', STUB_ERRORS.internal); // AWS is down for the first tick
      const io = ioFor();
      time.onLoopWait = (index) => {
        if (index === 0) stub.reset();
        if (index === 1) io.controller.abort();
      };

      expect(await run(['refresh', '--aws-secret-id', 'schwab/token', '--every', '25m'], io)).toBe(0);

      expect(io.stderr.text).toMatch(
        /warning: This refresh failed: .*GetSecretValue.* Trying again at the next tick\./,
      );
      expect(io.stderr.text).toContain('Stopped; the last record was written completely.');
      const stored = parseRecord(stub.current('schwab/token'));
      expect(stored.meta.refreshCount).toBe(1);
      expect(fake.refreshTokenInfo(stored.tokens.refreshToken)?.active).toBe(true);
    } finally {
      restore();
      await stub.close();
    }
  });

  it('--every stopped after a failed refresh does not claim the last record was written', async () => {
    await writeLogin();
    const io = ioFor();
    time.onLoopWait = (index) => {
      if (index === 0) fake.fail('token', 503, 4); // the second refresh fails after all its retries
      if (index === 1) io.controller.abort();
    };
    expect(await run(['refresh', '--every', '25m'], io)).toBe(0);
    expect(io.stderr.text).not.toContain('the last record was written completely');
    expect(io.stderr.text).toMatch(
      /warning: Stopped; the last refresh failed \(see above\), so file schwab_token\.json still holds the record from before it\./,
    );
    expect((await readRecord()).meta.refreshCount).toBe(1);
  });
});

describeMoto('refresh exit codes against moto', () => {
  useMotoEnv();

  it('exits 3 when the secret does not exist', async () => {
    const io = ioFor();
    expect(await run(['refresh', '--aws-secret-id', 'no-such-secret-for-refresh'], io)).toBe(3);
    expect(io.stderr.text).toMatch(/^schwab-token-rotator: .*no-such-secret-for-refresh.*was not found/m);
    expect(fake.tokenRequests()).toHaveLength(0);
  });
});
