import { randomUUID } from 'node:crypto';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { expect, it, vi } from 'vitest';
import { SecretsManagerError, SecretsManagerStore } from '../../src/aws/secrets-manager-store.js';
import type { StoredSecret } from '../../src/aws/secrets-manager-store.js';
import { createMemoryLogger } from '../../src/util/logger.js';
import {
  MOTO_REGION,
  createTestSecret,
  describeMoto,
  getMotoUrl,
  listSecretVersions,
  motoClient,
  putAsOtherWriter,
  readSecretValue,
  stagesByVersion,
  uniqueSecretName,
  useMotoEnv,
  versionsWithStage,
} from '../support/moto.js';

const record = (n: number) =>
  JSON.stringify({ access_token: `I0.access-${n}-${randomUUID()}@`, refresh_token: `rt-${n}`, refresh_count: n });

function newStore(secretId: string, token: string = randomUUID()) {
  const logger = createMemoryLogger();
  const store = new SecretsManagerStore({
    secretId,
    region: MOTO_REGION,
    logger,
    clientRequestToken: token,
    maxAttempts: 2,
    retryDelayMs: () => 0,
    requestTimeoutMs: 5000,
  });
  return { store, logger, token };
}

const never = () => {
  throw new Error('onConflict must not be called');
};

describeMoto('SecretsManagerStore against moto', () => {
  useMotoEnv();
  const url = () => getMotoUrl();

  it('loads AWSCURRENT with its version id and masks the whole value (endpoint from AWS_ENDPOINT_URL_SECRETS_MANAGER)', async () => {
    const value = record(1);
    const secret = await createTestSecret(url(), uniqueSecretName(), value);
    const { store, logger } = newStore(secret.name);
    await expect(store.load()).resolves.toEqual({ text: value, versionId: secret.versionId });
    expect(logger.masked).toContain(value);
    await store.close();
  });

  it('loads a secret without a value as undefined (first deploy)', async () => {
    const secret = await createTestSecret(url(), uniqueSecretName());
    const { store } = newStore(secret.name);
    await expect(store.load()).resolves.toEqual({ text: undefined, versionId: undefined });
  });

  it('explains a missing secret with the create-secret command', async () => {
    const name = uniqueSecretName('missing');
    const { store } = newStore(name);
    const error = await store.load().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretsManagerError);
    expect((error as SecretsManagerError).kind).toBe('not-found');
    expect((error as Error).message).toContain(
      `aws secretsmanager create-secret --name ${name} --region ${MOTO_REGION}`,
    );
  });

  it('writes a new AWSCURRENT; the old version becomes AWSPREVIOUS and no AWSPENDING is left', async () => {
    const secret = await createTestSecret(url(), uniqueSecretName(), record(1));
    const { store, token, logger } = newStore(secret.name);
    const loaded = await store.load();
    const next = record(2);

    const result = await store.compareAndSet(next, loaded.versionId, never);

    expect(result).toEqual({ outcome: 'written', versionId: token, previousVersionId: secret.versionId });
    expect(logger.masked).toContain(next);
    await expect(readSecretValue(url(), secret.name)).resolves.toEqual({ text: next, versionId: token });
    expect(await stagesByVersion(url(), secret.name)).toEqual({
      [token]: ['AWSCURRENT'],
      [secret.versionId ?? '']: ['AWSPREVIOUS'],
    });
    expect(await versionsWithStage(url(), secret.name, 'AWSPENDING')).toEqual([]);
    const description = await store.describe();
    expect(description.currentVersionId).toBe(token);
    expect(description.versionStages[token]).toEqual(['AWSCURRENT']);
  });

  it('writes the first version of an empty secret (AWS attaches AWSCURRENT itself) and drops AWSPENDING', async () => {
    const secret = await createTestSecret(url(), uniqueSecretName());
    const { store, token } = newStore(secret.name);
    expect((await store.load()).versionId).toBeUndefined();
    const value = record(1);

    const result = await store.compareAndSet(value, undefined, never);

    expect(result).toEqual({ outcome: 'written', versionId: token });
    expect(await stagesByVersion(url(), secret.name)).toEqual({ [token]: ['AWSCURRENT'] });
    await expect(readSecretValue(url(), secret.name)).resolves.toEqual({ text: value, versionId: token });
  });

  it('is idempotent: the same token and text written twice (also by a new store instance) make one version', async () => {
    const secret = await createTestSecret(url(), uniqueSecretName(), record(1));
    const { store, token } = newStore(secret.name);
    const value = record(2);

    const first = await store.compareAndSet(value, secret.versionId, never);
    const second = await store.compareAndSet(value, secret.versionId, never);
    const third = await newStore(secret.name, token).store.compareAndSet(value, secret.versionId, never);

    expect(first).toMatchObject({ outcome: 'written', versionId: token });
    expect(second).toMatchObject({ outcome: 'written', versionId: token });
    expect(third).toMatchObject({ outcome: 'written', versionId: token });
    expect(await listSecretVersions(url(), secret.name)).toHaveLength(2);
    expect(await stagesByVersion(url(), secret.name)).toEqual({
      [token]: ['AWSCURRENT'],
      [secret.versionId ?? '']: ['AWSPREVIOUS'],
    });
  });

  it('finishes the write of an earlier attempt that stopped after PutSecretValue (version still AWSPENDING)', async () => {
    const secret = await createTestSecret(url(), uniqueSecretName(), record(1));
    const { store, token } = newStore(secret.name);
    const value = record(2);
    await motoClient(url()).send(
      new PutSecretValueCommand({
        SecretId: secret.name,
        SecretString: value,
        ClientRequestToken: token,
        VersionStages: ['AWSPENDING'],
      }),
    );

    await expect(store.compareAndSet(value, secret.versionId, never)).resolves.toMatchObject({
      outcome: 'written',
      versionId: token,
    });
    expect(await listSecretVersions(url(), secret.name)).toHaveLength(2);
    expect(await versionsWithStage(url(), secret.name, 'AWSCURRENT')).toEqual([token]);
    expect(await versionsWithStage(url(), secret.name, 'AWSPENDING')).toEqual([]);
  });

  it('chains runs: each run loads what the previous one wrote and moves AWSCURRENT on, keeping one label each', async () => {
    let expectedText = record(1);
    const secret = await createTestSecret(url(), uniqueSecretName(), expectedText);
    const tokens: string[] = [];
    for (let n = 2; n <= 4; n++) {
      const { store, token } = newStore(secret.name);
      const loaded = await store.load();
      expect(loaded.text).toBe(expectedText);
      expectedText = record(n);
      await expect(store.compareAndSet(expectedText, loaded.versionId, never)).resolves.toMatchObject({
        outcome: 'written',
      });
      tokens.push(token);
    }
    expect(await stagesByVersion(url(), secret.name)).toEqual({
      [tokens[2] ?? '']: ['AWSCURRENT'],
      [tokens[1] ?? '']: ['AWSPREVIOUS'],
    });
  });

  it('chains runs of a long-running loop with nextRun: one SDK client, a new ClientRequestToken each run', async () => {
    let expectedText = record(1);
    const secret = await createTestSecret(url(), uniqueSecretName(), expectedText);
    const seen = vi.spyOn(SecretsManagerClient.prototype, 'send');
    const destroy = vi.spyOn(SecretsManagerClient.prototype, 'destroy');
    try {
      let { store } = newStore(secret.name);
      const tokens: string[] = [];
      for (let n = 2; n <= 4; n++) {
        const loaded = await store.load();
        expect(loaded.text).toBe(expectedText);
        expectedText = record(n);
        const result = await store.compareAndSet(expectedText, loaded.versionId, never);
        expect(result).toMatchObject({ outcome: 'written' });
        tokens.push(result.outcome === 'written' ? result.versionId : '');
        const token = randomUUID();
        const next = store.nextRun(token);
        await store.close(); // the previous run's store: its client now belongs to the next one
        store = next;
      }
      expect(seen.mock.calls.length).toBeGreaterThanOrEqual(9);
      expect(new Set(seen.mock.contexts).size).toBe(1);
      expect(new Set(tokens).size).toBe(3);
      expect(await stagesByVersion(url(), secret.name)).toEqual({
        [tokens[2] ?? '']: ['AWSCURRENT'],
        [tokens[1] ?? '']: ['AWSPREVIOUS'],
      });
      expect(destroy).not.toHaveBeenCalled();
      await store.close();
      expect(destroy).toHaveBeenCalledTimes(1);
    } finally {
      seen.mockRestore();
      destroy.mockRestore();
    }
  });

  it('takes over a stray AWSPENDING left on another version and leaves none', async () => {
    const secret = await createTestSecret(url(), uniqueSecretName(), record(1));
    const stray = randomUUID();
    await motoClient(url()).send(
      new PutSecretValueCommand({
        SecretId: secret.name,
        SecretString: record(9),
        ClientRequestToken: stray,
        VersionStages: ['AWSPENDING'],
      }),
    );
    const { store, token } = newStore(secret.name);

    await store.compareAndSet(record(2), secret.versionId, never);

    expect(await versionsWithStage(url(), secret.name, 'AWSPENDING')).toEqual([]);
    expect(await versionsWithStage(url(), secret.name, 'AWSCURRENT')).toEqual([token]);
  });

  describeMoto('when another writer moved AWSCURRENT between load and write', () => {
    async function raced() {
      const secret = await createTestSecret(url(), uniqueSecretName(), record(1));
      const { store, token, logger } = newStore(secret.name);
      const loaded = await store.load();
      const otherText = record(50);
      const otherVersion = await putAsOtherWriter(url(), secret.name, otherText);
      return { secret, store, token, logger, loaded, otherText, otherVersion };
    }

    it("'keep' leaves the other writer's value as AWSCURRENT and no AWSPENDING stray", async () => {
      const { secret, store, token, logger, loaded, otherText, otherVersion } = await raced();
      const onConflict = vi.fn((_current: StoredSecret) => 'keep' as const);

      const result = await store.compareAndSet(record(2), loaded.versionId, onConflict);

      expect(onConflict).toHaveBeenCalledTimes(1);
      expect(onConflict).toHaveBeenCalledWith({ text: otherText, versionId: otherVersion });
      expect(result).toEqual({ outcome: 'kept-current', current: { text: otherText, versionId: otherVersion } });
      expect(await stagesByVersion(url(), secret.name)).toEqual({
        [otherVersion]: ['AWSCURRENT'],
        [secret.versionId ?? '']: ['AWSPREVIOUS'],
      });
      expect((await listSecretVersions(url(), secret.name)).find((v) => v.versionId === token)?.stages).toEqual([]);
      expect(logger.masked).toContain(otherText);
      expect(logger.lines.some((l) => l.level === 'warning' && l.message.includes(otherVersion))).toBe(true);
    });

    it("'overwrite' moves AWSCURRENT from the newer version to ours", async () => {
      const { secret, store, token, loaded, otherVersion } = await raced();
      const value = record(2);

      const result = await store.compareAndSet(value, loaded.versionId, () => 'overwrite');

      expect(result).toEqual({ outcome: 'written', versionId: token, previousVersionId: otherVersion });
      expect(await stagesByVersion(url(), secret.name)).toEqual({
        [token]: ['AWSCURRENT'],
        [otherVersion]: ['AWSPREVIOUS'],
      });
      await expect(readSecretValue(url(), secret.name)).resolves.toEqual({ text: value, versionId: token });
    });

    it('asks again when AWSCURRENT moves once more while deciding, then writes', async () => {
      const { secret, store, token, loaded } = await raced();
      let third: string | undefined;
      const onConflict = vi.fn(async () => {
        if (!third) third = await putAsOtherWriter(url(), secret.name, record(60));
        return 'overwrite' as const;
      });

      const result = await store.compareAndSet(record(2), loaded.versionId, onConflict);

      expect(onConflict).toHaveBeenCalledTimes(2);
      expect(onConflict.mock.calls[1]).toEqual([
        { text: expect.stringContaining('"refresh_count":60'), versionId: third },
      ]);
      expect(result).toEqual({ outcome: 'written', versionId: token, previousVersionId: third });
      expect(await versionsWithStage(url(), secret.name, 'AWSPENDING')).toEqual([]);
    });

    it('gives up with a conflict error after 3 rounds when AWSCURRENT keeps moving, leaving ours AWSPENDING', async () => {
      const { secret, store, token, loaded } = await raced();
      const onConflict = vi.fn(async () => {
        await putAsOtherWriter(url(), secret.name, record(70));
        return 'overwrite' as const;
      });

      const error = await store.compareAndSet(record(2), loaded.versionId, onConflict).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(SecretsManagerError);
      expect((error as SecretsManagerError).kind).toBe('conflict');
      expect((error as Error).message).toMatch(/another writer.*run again/);
      expect(onConflict).toHaveBeenCalledTimes(3);
      // Every round said ours is newer: it may be the only copy of a rotated refresh token, so it stays findable.
      expect(await versionsWithStage(url(), secret.name, 'AWSPENDING')).toEqual([token]);
    });

    it('treats a first value written by someone else after an empty load as a conflict', async () => {
      const secret = await createTestSecret(url(), uniqueSecretName());
      const { store } = newStore(secret.name);
      expect((await store.load()).versionId).toBeUndefined();
      const otherVersion = await putAsOtherWriter(url(), secret.name, record(80));
      const onConflict = vi.fn(() => 'keep' as const);

      const result = await store.compareAndSet(record(1), undefined, onConflict);

      expect(result).toMatchObject({ outcome: 'kept-current', current: { versionId: otherVersion } });
      expect(onConflict).toHaveBeenCalledTimes(1);
      expect(await stagesByVersion(url(), secret.name)).toEqual({ [otherVersion]: ['AWSCURRENT'] });
    });

    it('keeps ours AWSPENDING (never unlabelled) when onConflict throws', async () => {
      const { secret, store, token, loaded, otherVersion } = await raced();
      await expect(
        store.compareAndSet(record(2), loaded.versionId, () => {
          throw new Error('decider failed');
        }),
      ).rejects.toThrow('decider failed');
      expect(await versionsWithStage(url(), secret.name, 'AWSPENDING')).toEqual([token]);
      expect(await versionsWithStage(url(), secret.name, 'AWSCURRENT')).toEqual([otherVersion]);
    });

    it('reads an unfinished write with loadPending, and writing the same text finishes its move', async () => {
      const { secret, store, token, loaded, otherVersion } = await raced();
      const value = record(2);
      await store
        .compareAndSet(value, loaded.versionId, () => {
          throw new Error('cancelled');
        })
        .catch(() => undefined);

      const next = newStore(secret.name).store;
      await expect(next.loadPending()).resolves.toEqual({ text: value, versionId: token });
      const result = await next.compareAndSet(value, (await next.load()).versionId, () => 'keep');

      expect(result).toEqual({ outcome: 'written', versionId: token, previousVersionId: otherVersion });
      expect(await stagesByVersion(url(), secret.name)).toEqual({
        [token]: ['AWSCURRENT'],
        [otherVersion]: ['AWSPREVIOUS'],
      });
      await expect(next.loadPending()).resolves.toBeUndefined();
    });
  });
});
