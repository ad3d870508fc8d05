/**
 * The login function against the same store faults as the action's rotation (test/reliability/store-write-faults.ts):
 * the store and its compare-and-set are shared, so every row must end the way the rotation's does. A row that
 * recovers stores the login; a row that fails answers "Logged in, but not stored" naming the call, leaves the token
 * secret holding exactly the old record (AWSPENDING only where AWS was unreachable for the clean-up), starts no
 * workflow, and leaks nothing. The secrets live in the AWS stub behind a gate that can refuse connections.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startAwsStub } from '../fakes/aws-stub.js';
import type { AwsStub } from '../fakes/aws-stub.js';
import { startGate } from '../reliability/world.js';
import type { Gate } from '../reliability/world.js';
import { SHORT_TIMEOUT_MS, STORE_WRITE_FAULTS } from '../reliability/store-write-faults.js';
import { parseStored } from '../support/records.js';
import { newStateKey } from '../../src/lambda/state.js';
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

describe('login function × store write faults (the rotation\'s table)', () => {
  it('covers every row of the shared table', () => {
    expect(STORE_WRITE_FAULTS.length).toBeGreaterThanOrEqual(30);
  });

  it.each(STORE_WRITE_FAULTS.map((row) => ({ ...row, name: `${row.call} × ${row.fault}` })))('$name → $expect', async (row) => {
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
    w.coldStart({ tuning: { awsRetryDelayMs: () => 0, githubWaitScale: 0, ...(short ? { awsRequestTimeoutMs: SHORT_TIMEOUT_MS } : {}) } });

    const tap = await w.tap();
    const page = tap.callback;
    const text = page.body.replace(/<[^>]+>/g, ' ').replace(/&#34;/g, '"');
    const stages = currentStub.stages(w.tokenSecretId);
    const pending = Object.values(stages).some((labels) => labels.includes('AWSPENDING'));
    const current = currentStub.current(w.tokenSecretId);

    if (row.expect === 'recovers') {
      expect(page.status, text).toBe(200);
      const stored = parseStored(current);
      learnTokens(w, stored);
      expect(w.schwab.userOf(stored.tokens.refreshToken)).toBe('owner');
      expect(w.schwab.refreshTokenInfo(stored.tokens.refreshToken)?.active).toBe(true);
      expect(Date.now() - stored.meta.createdAt.getTime()).toBeLessThan(60_000);
      expect(pending, 'no AWSPENDING left').toBe(false);
      expect(w.github.dispatches).toHaveLength(1);
    } else {
      expect(page.status, text).toBe(503);
      expect(text).toContain('Logged in, but not stored');
      expect(text).toMatch(row.mentions ?? /./);
      expect(text).toMatch(/once this is fixed, tap the login link again/);
      expect(current, 'the token secret holds exactly the old record').toBe(w.old?.text);
      if (!row.pendingLeft) expect(pending, 'AWSPENDING left only when AWS could not be reached for the clean-up').toBe(false);
      expect(w.github.dispatches).toEqual([]);
      expect(w.logs.join('\n')).toMatch(/error: The new login could not be stored: /);
      row.checkLog?.(w.logs.join('\n'));
    }
    expect(tap.callback.setCookies).toEqual(['__Host-schwab-login=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0']);
    w.expectNothingLeaked();
  });
});
