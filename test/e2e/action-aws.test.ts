/**
 * End to end: `node dist/index.js` as the runner runs it, against the Schwab fake and moto_server.
 * Every run's stdout, stderr, summary and outputs are scanned for token values and the app secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchwabFake } from '../fakes/schwab-fake.js';
import { startSchwabFake } from '../fakes/schwab-fake.js';
import { runAction } from '../support/action-runner.js';
import type { ActionRun } from '../support/action-runner.js';
import { expectNoLeaks, outputsWithoutAccessToken } from '../support/leaks.js';
import {
  createTestSecret,
  describeMoto,
  getMotoUrl,
  listSecretVersions,
  putAsOtherWriter,
  readSecretValue,
} from '../support/moto.js';
import { allSecrets, DAY, loginRecord, MINUTE, motoChildEnv, parseStored } from './support.js';
import type { TokenRecord } from '../../src/token/record.js';

let fake: SchwabFake;
beforeAll(async () => {
  fake = await startSchwabFake();
});
afterAll(async () => {
  await fake.close();
});

function inputs(extra: Record<string, string>): Record<string, string> {
  return { 'app-key': fake.appKey, 'app-secret': fake.appSecret, 'schwab-base-url': fake.baseUrl, ...extra };
}

function expectClean(run: ActionRun, records: TokenRecord[]): void {
  expectNoLeaks(
    { stdout: run.stdout, stderr: run.stderr, summary: run.summary, outputs: outputsWithoutAccessToken(run.outputs) },
    allSecrets(fake, records),
  );
}

describeMoto('action end to end with Secrets Manager', () => {
  it('refreshes a due token and stores it as AWSCURRENT, the old one as AWSPREVIOUS', async () => {
    const login = loginRecord(fake, new Date(Date.now() - 10 * MINUTE));
    const secret = await createTestSecret(getMotoUrl(), undefined, login.text);

    const run = await runAction({ inputs: inputs({ 'aws-secret-id': secret.name }), env: motoChildEnv() });

    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const stored = await readSecretValue(getMotoUrl(), secret.name);
    const record = parseStored(stored.text);
    expect(record.meta.createdAt).toEqual(login.record.meta.createdAt);
    expect(record.meta.refreshCount).toBe(login.record.meta.refreshCount + 1);
    expect(record.tokens.accessToken).not.toBe(login.record.tokens.accessToken);
    expect(fake.isAccessTokenValid(record.tokens.accessToken)).toBe(true);
    const versions = await listSecretVersions(getMotoUrl(), secret.name);
    expect(versions.find((v) => v.versionId === secret.versionId)?.stages).toEqual(['AWSPREVIOUS']);
    expect(versions.find((v) => v.versionId === stored.versionId)?.stages).toEqual(['AWSCURRENT']);
    expect(versions.flatMap((v) => v.stages)).not.toContain('AWSPENDING');
    expect(run.outputs).toMatchObject({ refreshed: 'true', status: 'healthy' });
    expect(run.outputs['access-token']).toBe(record.tokens.accessToken);
    expect(run.stdout).toContain(`::add-mask::${record.tokens.accessToken}`);
    expect(run.outputs['refresh-token-expires-at']).toBe(
      new Date(login.record.meta.createdAt.getTime() + 7 * DAY).toISOString().replace('.000Z', 'Z'),
    );
    expect(run.summary).toContain('Refresh token deadline');
    expectClean(run, [login.record, record]);
  });

  it('leaves a token that is not due alone and writes nothing', async () => {
    const login = loginRecord(fake, new Date());
    const secret = await createTestSecret(getMotoUrl(), undefined, login.text);
    const before = fake.tokenRequests().length;

    const run = await runAction({ inputs: inputs({ 'aws-secret-id': secret.name }), env: motoChildEnv() });

    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(fake.tokenRequests().length).toBe(before);
    expect(await listSecretVersions(getMotoUrl(), secret.name)).toEqual([
      { versionId: secret.versionId, stages: ['AWSCURRENT'] },
    ]);
    expect(run.outputs).toMatchObject({ refreshed: 'false', status: 'healthy' });
    expectClean(run, [login.record]);
  });

  it('fails with reauth-required and leaves the record untouched when Schwab rejects the refresh token', async () => {
    const login = loginRecord(fake, new Date(Date.now() - 2 * DAY));
    const secret = await createTestSecret(getMotoUrl(), undefined, login.text);
    loginRecord(fake, new Date()); // a newer login elsewhere revokes the stored refresh token

    const run = await runAction({
      inputs: inputs({ 'aws-secret-id': secret.name, force: 'true' }),
      env: motoChildEnv(),
    });

    expect(run.exitCode).not.toBe(0);
    expect(run.outputs.status).toBe('reauth-required');
    expect(run.stdout).toMatch(/::error::.*log in again/i);
    expect((await readSecretValue(getMotoUrl(), secret.name)).text).toBe(login.text);
    expect(await listSecretVersions(getMotoUrl(), secret.name)).toHaveLength(1);
    expectClean(run, [login.record]);
  });

  it('fails naming the app credentials, not as a re-auth case, when the app secret is wrong', async () => {
    const login = loginRecord(fake, new Date(Date.now() - 20 * MINUTE));
    const secret = await createTestSecret(getMotoUrl(), undefined, login.text);

    const run = await runAction({
      inputs: inputs({ 'aws-secret-id': secret.name, 'app-secret': 'wrong-secret-value-123' }),
      env: motoChildEnv(),
    });

    expect(run.exitCode).not.toBe(0);
    expect(run.outputs.status).not.toBe('reauth-required');
    expect(run.stdout).toMatch(/::error::.*app key or secret/i);
    expect((await readSecretValue(getMotoUrl(), secret.name)).text).toBe(login.text);
    expectNoLeaks({ stdout: run.stdout, stderr: run.stderr, summary: run.summary }, [
      'wrong-secret-value-123',
      ...allSecrets(fake, [login.record]),
    ]);
  });

  it('a failed run never says healthy (a wrong app secret): status output "error", the summary shows the run failed and the token\'s health apart', async () => {
    const login = loginRecord(fake, new Date(Date.now() - 20 * MINUTE)); // a healthy refresh token, due for a refresh
    const secret = await createTestSecret(getMotoUrl(), undefined, login.text);

    const run = await runAction({
      inputs: inputs({ 'aws-secret-id': secret.name, 'app-secret': 'wrong-secret-value-123' }),
      env: motoChildEnv(),
    });

    expect(run.exitCode).toBe(1);
    expect(run.outputs.status).toBe('error');
    expect(run.summary).toContain('| Status | ❌ the run failed: see the problems below |');
    expect(run.summary).toContain('| Refresh token | 🟢 healthy |');
    expect(run.summary).not.toMatch(/\| Status \| 🟢/);
    expect((await readSecretValue(getMotoUrl(), secret.name)).text).toBe(login.text);
    expectNoLeaks({ stdout: run.stdout, stderr: run.stderr, summary: run.summary }, [
      'wrong-secret-value-123',
      ...allSecrets(fake, [login.record]),
    ]);
  });

  it('replaces the AWS record with a newer login given in the "token" input (manual deploy)', async () => {
    const old = loginRecord(fake, new Date(Date.now() - 3 * DAY));
    const secret = await createTestSecret(getMotoUrl(), undefined, old.text);
    const fresh = loginRecord(fake, new Date());

    const run = await runAction({
      inputs: inputs({ 'aws-secret-id': secret.name, token: fresh.text }),
      env: motoChildEnv(),
    });

    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const stored = parseStored((await readSecretValue(getMotoUrl(), secret.name)).text);
    expect(stored.meta.createdAt).toEqual(fresh.record.meta.createdAt);
    expect(stored.tokens.refreshToken).toBe(fresh.record.tokens.refreshToken);
    expect(run.outputs.refreshed).toBe('false');
    expectClean(run, [old.record, fresh.record]);
  });

  it('never overwrites a login that lands in the secret while the run is refreshing (compare-and-set)', async () => {
    const old = loginRecord(fake, new Date(Date.now() - 2 * DAY - 10 * MINUTE));
    const secret = await createTestSecret(getMotoUrl(), undefined, old.text);
    // The login lands between the run's read and its write; Schwab still answers the refresh.
    const other = await startSchwabFake();
    const fresh = loginRecord(other, new Date());
    await other.close();
    fake.beforeNext('token', async () => {
      await putAsOtherWriter(getMotoUrl(), secret.name, fresh.text);
    });

    const run = await runAction({ inputs: inputs({ 'aws-secret-id': secret.name }), env: motoChildEnv() });

    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect((await readSecretValue(getMotoUrl(), secret.name)).text).toBe(fresh.text);
    expect(run.summary).toMatch(/kept/i);
    expect(run.outputs['refresh-token-expires-at']).toBe(
      new Date(fresh.record.meta.createdAt.getTime() + 7 * DAY).toISOString().replace('.000Z', 'Z'),
    );
    expect((await listSecretVersions(getMotoUrl(), secret.name)).flatMap((v) => v.stages)).not.toContain('AWSPENDING');
    expectClean(run, [old.record, fresh.record]);
  });

  it('adopts a login that revoked the refresh token mid-run instead of crying re-auth', async () => {
    const old = loginRecord(fake, new Date(Date.now() - 2 * DAY - 10 * MINUTE));
    const secret = await createTestSecret(getMotoUrl(), undefined, old.text);
    let fresh: { text: string; record: TokenRecord } | undefined;
    fake.beforeNext('token', async () => {
      fresh = loginRecord(fake, new Date()); // revokes the refresh token the run is using
      await putAsOtherWriter(getMotoUrl(), secret.name, fresh.text);
    });

    const run = await runAction({ inputs: inputs({ 'aws-secret-id': secret.name }), env: motoChildEnv() });

    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.outputs.status).toBe('healthy');
    expect((await readSecretValue(getMotoUrl(), secret.name)).text).toBe(fresh?.text);
    expectClean(run, [old.record, fresh!.record]);
  });

  it('dry-run refreshes nothing and writes nothing', async () => {
    const login = loginRecord(fake, new Date(Date.now() - 10 * MINUTE));
    const secret = await createTestSecret(getMotoUrl(), undefined, login.text);
    const before = fake.tokenRequests().length;

    const run = await runAction({
      inputs: inputs({ 'aws-secret-id': secret.name, 'dry-run': 'true' }),
      env: motoChildEnv(),
    });

    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('Dry run: would refresh the access token');
    expect(fake.tokenRequests().length).toBe(before);
    expect(await listSecretVersions(getMotoUrl(), secret.name)).toHaveLength(1);
    expectClean(run, [login.record]);
  });

  it('with verify, a new access token that Schwab refuses fails the run before any write', async () => {
    const login = loginRecord(fake, new Date(Date.now() - 10 * MINUTE));
    const secret = await createTestSecret(getMotoUrl(), undefined, login.text);
    fake.fail('accounts', 401, 4);

    const run = await runAction({
      inputs: inputs({ 'aws-secret-id': secret.name, verify: 'accounts' }),
      env: motoChildEnv(),
    });
    fake.clearFaults();

    expect(run.exitCode).not.toBe(0);
    expect(run.stdout).toMatch(/::error::/);
    expect(await listSecretVersions(getMotoUrl(), secret.name)).toHaveLength(1);
    expectClean(run, [login.record]);
  });
});

describe('action end to end: bad input', () => {
  it('fails at once naming a missing app-key, printing no secret', async () => {
    const run = await runAction({ inputs: { 'app-secret': 'sekret-value-1234', token: '{"a":1}' } });
    expect(run.exitCode).not.toBe(0);
    expect(run.stdout).toMatch(/::error::Input "app-key" is required/);
    expect(run.summary).toContain('The run stopped before touching any store: Input "app-key" is required');
    expectNoLeaks({ stdout: run.stdout.replace(/::add-mask::.*\n/g, ''), stderr: run.stderr, summary: run.summary }, [
      'sekret-value-1234',
    ]);
  });

  it('rejects a malformed token record naming the source, never echoing it', async () => {
    const run = await runAction({
      inputs: {
        'app-key': 'k',
        'app-secret': 'sekret-value-1234',
        token: '{"refresh_token": 12, "access_token": "zzzzzzzz-secret"}',
        'schwab-base-url': 'http://127.0.0.1:9',
      },
    });
    expect(run.exitCode).not.toBe(0);
    expect(run.stdout).toMatch(/"token" input/);
    expect(
      run.stdout
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n'),
    ).not.toContain('zzzzzzzz-secret');
  });
});
