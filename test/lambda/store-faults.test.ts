/**
 * The login function against the same store faults as the action's rotation (test/reliability/store-write-faults.ts):
 * the store and its compare-and-set are shared, so every row must end the way the rotation's does.
 *
 * - A row that recovers stores the login as AWSCURRENT (AWSPENDING left, if at all, only on that same version).
 * - A fault on the put: the page says "Logged in, but not stored" naming the call, the token secret holds exactly the
 *   old record, no workflow is started.
 * - A fault on the AWSCURRENT move (after the put): the new login waits as AWSPENDING. The page says so (202), that the
 *   next run finishes the write and that no new login is needed; the workflow is started (it is that next run). Then
 *   the next readers, the CLI's `status` and `refresh` on the same secret, must find the new login there and put it in
 *   force: the login is not lost although the write failed.
 *
 * Every response, log line and CLI output is scanned for every token, code, nonce, key and secret. The secrets live in
 * the AWS stub behind a gate that can refuse connections.
 */
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { startAwsStub } from '../fakes/aws-stub.js';
import type { AwsStub } from '../fakes/aws-stub.js';
import { startGate } from '../reliability/world.js';
import type { Gate } from '../reliability/world.js';
import { SHORT_TIMEOUT_MS, STORE_WRITE_FAULTS } from '../reliability/store-write-faults.js';
import type { StoreWriteFault } from '../reliability/store-write-faults.js';
import { parseStored } from '../support/records.js';
import { applyEnv, awsEnv } from '../support/moto.js';
import { expectNoLeaks } from '../support/leaks.js';
import { makeIo, run } from '../cli/helpers.js';
import { newStateKey } from '../../src/lambda/state.js';
import { formatIsoSeconds } from '../../src/token/time.js';
import type { TokenRecord } from '../../src/token/record.js';
import type { LoginWorld } from './world.js';
import { LOGIN_GITHUB_TOKEN, OWNER_HASHES, REPO, WORKFLOW, learnTokens, startLoginWorld } from './world.js';

let world: LoginWorld | undefined;
let stub: AwsStub | undefined;
let gate: Gate | undefined;
afterEach(async () => {
  await world?.close();
  await Promise.all([stub?.close(), gate?.shut()]);
  world = undefined;
  stub = undefined;
  gate = undefined;
});

/** How a row ends for the login function: a fault on the move comes after the put, so the login waits as AWSPENDING. */
function endingOf(row: StoreWriteFault): 'stored' | 'not-stored' | 'pending' {
  if (row.expect === 'recovers') return 'stored';
  return row.call === 'SM UpdateSecretVersionStage' ? 'pending' : 'not-stored';
}

/** The secret's versions: AWSCURRENT's text, and the text of a version holding AWSPENDING but not AWSCURRENT. */
function secretState(
  aws: AwsStub,
  secretId: string,
): { current: string | undefined; pendingElsewhere: string | undefined } {
  const stages = aws.stages(secretId);
  const pendingVersion = Object.keys(stages).find(
    (id) => stages[id]?.includes('AWSPENDING') && !stages[id]?.includes('AWSCURRENT'),
  );
  return {
    current: aws.current(secretId),
    pendingElsewhere: pendingVersion === undefined ? undefined : aws.text(secretId, pendingVersion),
  };
}

describe("login function × store write faults (the rotation's table)", () => {
  it('covers every row of the shared table', () => {
    expect(STORE_WRITE_FAULTS.length).toBeGreaterThanOrEqual(30);
    expect(STORE_WRITE_FAULTS.filter((row) => endingOf(row) === 'pending').length).toBeGreaterThanOrEqual(6);
  });

  it.each(STORE_WRITE_FAULTS.map((row) => ({ ...row, name: `${row.call} × ${row.fault}` })))(
    '$name → $expect',
    async (row) => {
      stub = await startAwsStub();
      gate = await startGate(stub.url);
      const stateKey = newStateKey();
      // A configuration that needs no write (state key and accounts known), so every scripted fault meets the token write.
      const w = await startLoginWorld({
        aws: { kind: 'stub', stub, url: gate.url },
        config: (schwab) => ({
          app_key: schwab.appKey,
          app_secret: schwab.appSecret,
          state_key: stateKey,
          account_hashes: OWNER_HASHES,
          github_token: LOGIN_GITHUB_TOKEN,
          github_repository: REPO,
          github_workflow: WORKFLOW,
        }),
      });
      world = w;
      w.secrets.add(stateKey);
      let short = false;
      const currentStub = stub;
      row.inject({
        aws: currentStub,
        awsGate: gate,
        secretId: w.tokenSecretId,
        beforeSchwabToken: (hook) => w.schwab.beforeNext('token', hook),
        shortenAwsTimeout: () => void (short = true),
      });
      w.coldStart({
        tuning: {
          awsRetryDelayMs: () => 0,
          githubWaitScale: 0,
          ...(short ? { awsRequestTimeoutMs: SHORT_TIMEOUT_MS } : {}),
        },
      });

      const tap = await w.tap();
      const page = tap.callback;
      const text = page.body.replace(/<[^>]+>/g, ' ').replace(/&#34;/g, '"');
      const { current, pendingElsewhere } = secretState(currentStub, w.tokenSecretId);
      const log = w.logs.join('\n');
      const ending = endingOf(row);

      if (ending === 'stored') {
        expect(page.status, text).toBe(200);
        const stored = parseStored(current);
        learnTokens(w, stored);
        expectFreshOwnerLogin(w, stored);
        expect(pendingElsewhere, 'no AWSPENDING left on another version').toBeUndefined();
        expect(w.github.dispatches).toHaveLength(1);
      } else if (ending === 'not-stored') {
        expect(page.status, text).toBe(503);
        expect(text).toContain('Logged in, but not stored');
        expect(text).toMatch(row.mentions ?? /./);
        expect(text).toMatch(/once this is fixed, tap the login link again/);
        expect(current, 'the token secret holds exactly the old record').toBe(w.old?.text);
        expect(pendingElsewhere, 'the put never reached the secret').toBeUndefined();
        expect(w.github.dispatches).toEqual([]);
        expect(log).toMatch(/^error: The new login could not be stored: /m);
      } else {
        // The put landed, the move did not: the new login waits as AWSPENDING, and the page says what is true.
        expect(page.status, text).toBe(202);
        expect(text).toContain('Logged in; the new token waits in the secret');
        expect(text).toMatch(row.mentions ?? /./);
        expect(text).toMatch(/the new value waits in the secret as AWSPENDING/);
        expect(text).toMatch(
          /The rotation’s next run finds the pending token there and finishes the write .*there is no need to log in again/,
        );
        expect(text).toMatch(
          /The workflow rotate-schwab-token\.yml of acme\/bot was started on main: it finishes the write/,
        );
        expect(text).not.toMatch(/not stored|Nothing was stored|tap the login link again/);
        expect(current, 'AWSCURRENT still holds the old record').toBe(w.old?.text);
        const pending = parseStored(pendingElsewhere);
        learnTokens(w, pending);
        expectFreshOwnerLogin(w, pending);
        expect(
          w.schwab.refreshTokenInfo(w.old?.record.tokens.refreshToken ?? '')?.active,
          'the login retired the old refresh token',
        ).toBe(false);
        expect(w.github.dispatches).toHaveLength(1);
        expect(log).toMatch(/^error: The new login waits in AWS secret .* as AWSPENDING; the write did not finish: /m);
        await expectNextReadersTakeItUp(w, currentStub, pending);
      }
      row.checkLog?.(log);
      expect(tap.callback.setCookies).toEqual([
        '__Host-schwab-login=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0',
      ]);
      w.expectNothingLeaked();
    },
  );
});

function expectFreshOwnerLogin(w: LoginWorld, record: TokenRecord): void {
  expect(w.schwab.userOf(record.tokens.refreshToken)).toBe('owner');
  expect(w.schwab.refreshTokenInfo(record.tokens.refreshToken)?.active).toBe(true);
  expect(Date.now() - record.meta.createdAt.getTime()).toBeLessThan(60_000);
}

/**
 * The next readers of the secret, with AWS working again (faults cleared, the stub reached past the gate): `status`
 * reports the waiting login, and `refresh` (a rotation run) refreshes with its refresh token and makes it current.
 */
async function expectNextReadersTakeItUp(w: LoginWorld, aws: AwsStub, login: TokenRecord): Promise<void> {
  aws.reset();
  const restore = applyEnv(awsEnv(aws.url));
  try {
    const statusIo = makeIo(w.schwab, tmpdir());
    expect(await run(['status', '--json', '--aws-secret-id', w.tokenSecretId], statusIo), statusIo.stderr.text).toBe(0);
    const health = JSON.parse(statusIo.stdout.text) as Record<string, unknown>;
    expect(health).toMatchObject({
      status: 'healthy',
      created_at: formatIsoSeconds(login.meta.createdAt),
      source: expect.stringMatching(/AWSPENDING/),
    });

    const refreshIo = makeIo(w.schwab, tmpdir());
    expect(await run(['refresh', '--aws-secret-id', w.tokenSecretId], refreshIo), refreshIo.stderr.text).toBe(0);
    const { current, pendingElsewhere } = secretState(aws, w.tokenSecretId);
    const inForce = parseStored(current);
    learnTokens(w, inForce);
    expect(inForce.meta.createdAt, 'the login in force is the one that waited as AWSPENDING').toEqual(
      login.meta.createdAt,
    );
    expect(inForce.meta.refreshCount).toBe(login.meta.refreshCount + 1);
    expect(w.schwab.refreshTokenInfo(inForce.tokens.refreshToken)?.active, 'its refresh token works').toBe(true);
    expect(pendingElsewhere, 'the write is finished').toBeUndefined();
    for (const value of w.schwab.issuedSecrets()) w.secrets.add(value);
    expectNoLeaks(
      {
        'status stdout': statusIo.stdout.text,
        'status stderr': statusIo.stderr.text,
        'refresh stdout': refreshIo.stdout.text,
        'refresh stderr': refreshIo.stderr.text,
      },
      [...w.secrets],
    );
  } finally {
    restore();
  }
}
