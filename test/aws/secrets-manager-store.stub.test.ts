import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SecretsManagerError, SecretsManagerStore } from '../../src/aws/secrets-manager-store.js';
import type { SecretsManagerErrorKind, SecretsManagerStoreOptions } from '../../src/aws/secrets-manager-store.js';
import { createMemoryLogger } from '../../src/util/logger.js';
import { STUB_ERRORS, startAwsStub, unusedLocalUrl } from '../fakes/aws-stub.js';
import type { AwsStub, StubAnswer } from '../fakes/aws-stub.js';
import { applyEnv, useAwsEnv } from '../support/moto.js';

const SECRET_VALUE = '{"access_token":"I0.super-secret-access@","refresh_token":"super-secret-refresh-token"}';
const NEW_VALUE = '{"access_token":"I0.brand-new-access@","refresh_token":"super-secret-refresh-token"}';

describe('SecretsManagerStore against the AWS error stub', () => {
  let stub: AwsStub;
  beforeAll(async () => {
    stub = await startAwsStub();
  });
  useAwsEnv(() => stub.url);
  afterAll(async () => {
    await stub.close();
  });

  let name: string;
  let firstVersion: string | undefined;
  beforeEach(() => {
    stub.reset();
    name = `stub-${randomUUID()}`;
    firstVersion = stub.seed(name, SECRET_VALUE).versionId;
  });

  function newStore(overrides: Partial<SecretsManagerStoreOptions> = {}) {
    const logger = createMemoryLogger();
    // The caller masks the tokens inside a record it has read; emulate that for the tokens in SECRET_VALUE.
    logger.mask('super-secret-refresh-token');
    const store = new SecretsManagerStore({
      secretId: name,
      region: 'us-east-1',
      logger,
      clientRequestToken: randomUUID(),
      maxAttempts: 3,
      retryDelayMs: () => 0,
      requestTimeoutMs: 2000,
      ...overrides,
    });
    return { store, logger };
  }

  async function failure(promise: Promise<unknown>): Promise<SecretsManagerError> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SecretsManagerError);
    const message = (error as Error).message;
    expect(message).not.toContain('super-secret');
    expect(message).not.toContain('brand-new-access');
    // One sentence: no line breaks, ends with a period.
    expect(message).not.toMatch(/\n/);
    expect(message).toMatch(/\.$/);
    return error as SecretsManagerError;
  }

  it('reads and writes through the stub (happy path, endpoint from AWS_ENDPOINT_URL_SECRETS_MANAGER)', async () => {
    const { store } = newStore();
    const loaded = await store.load();
    expect(loaded).toEqual({ text: SECRET_VALUE, versionId: firstVersion });
    const result = await store.compareAndSet(NEW_VALUE, loaded.versionId, () => 'keep');
    expect(result).toMatchObject({ outcome: 'written', previousVersionId: firstVersion });
    expect(stub.current(name)).toBe(NEW_VALUE);
    expect(Object.values(stub.stages(name)).flat()).not.toContain('AWSPENDING');
    expect(stub.calls.map((c) => c.operation)).toEqual([
      'GetSecretValue',
      'PutSecretValue',
      'UpdateSecretVersionStage',
      'UpdateSecretVersionStage',
    ]);
    const put = stub.callsTo('PutSecretValue')[0];
    expect(put?.input).toMatchObject({ VersionStages: ['AWSPENDING'] });
    expect(put?.headers['content-type']).toBe('application/x-amz-json-1.1');
  });

  const cases: { title: string; answer: StubAnswer; kind: SecretsManagerErrorKind; words: (string | RegExp)[] }[] = [
    {
      title: 'ResourceNotFoundException',
      answer: STUB_ERRORS.notFound,
      kind: 'not-found',
      words: [
        'was not found in region us-east-1',
        'aws secretsmanager create-secret --name stub-',
        '--region us-east-1',
      ],
    },
    {
      title: 'AccessDeniedException',
      answer: STUB_ERRORS.accessDenied,
      kind: 'access-denied',
      words: [
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutSecretValue',
        'secretsmanager:UpdateSecretVersionStage',
        'secretsmanager:DescribeSecret',
        "secret's ARN",
      ],
    },
    {
      title: 'UnrecognizedClientException',
      answer: STUB_ERRORS.unrecognizedClient,
      kind: 'credentials',
      words: ['credentials', 'configure-aws-credentials'],
    },
    {
      title: 'ExpiredTokenException',
      answer: STUB_ERRORS.expiredToken,
      kind: 'credentials',
      words: ['ExpiredTokenException', 'credentials'],
    },
    {
      title: 'InvalidRequestException (marked for deletion)',
      answer: STUB_ERRORS.scheduledForDeletion,
      kind: 'scheduled-for-deletion',
      words: ['scheduled for deletion', 'aws secretsmanager restore-secret --secret-id stub-', '--region us-east-1'],
    },
    {
      title: 'DecryptionFailure',
      answer: STUB_ERRORS.decryptionFailure,
      kind: 'kms',
      words: ['KMS key', 'DecryptionFailure', 'kms:Decrypt', 'kms:GenerateDataKey'],
    },
    {
      title: 'KMSDisabledException',
      answer: STUB_ERRORS.kmsDisabled,
      kind: 'kms',
      words: ['KMSDisabledException', 'enabled', 'kms:Decrypt'],
    },
    {
      title: 'AccessDeniedException about KMS',
      answer: STUB_ERRORS.kmsAccessDenied,
      kind: 'kms',
      words: ['kms:Decrypt', 'kms:GenerateDataKey'],
    },
  ];

  for (const { title, answer, kind, words } of cases) {
    it(`explains ${title} on load in one sentence`, async () => {
      const { store } = newStore();
      stub.always('GetSecretValue', answer);
      stub.always('DescribeSecret', answer);
      const error = await failure(store.load());
      expect(error.kind).toBe(kind);
      for (const word of words) expect(error.message).toMatch(word);
      expect(error.message).toContain(name);
      // Not retried: these are not transient.
      expect(stub.callsTo('GetSecretValue')).toHaveLength(1);
    });
  }

  it('explains EncryptionFailure on write and leaves the old value current', async () => {
    const { store } = newStore();
    stub.script('PutSecretValue', STUB_ERRORS.encryptionFailure);
    const error = await failure(store.compareAndSet(NEW_VALUE, firstVersion, () => 'keep'));
    expect(error.kind).toBe('kms');
    expect(error.message).toMatch(/EncryptionFailure.*kms:GenerateDataKey/);
    expect(stub.current(name)).toBe(SECRET_VALUE);
  });

  it('names the denied operation when only the write is denied', async () => {
    const { store } = newStore();
    stub.always('UpdateSecretVersionStage', STUB_ERRORS.accessDenied);
    const error = await failure(store.compareAndSet(NEW_VALUE, firstVersion, () => 'keep'));
    expect(error.kind).toBe('access-denied');
    expect(error.message).toMatch(/^AWS denied secretsmanager:UpdateSecretVersionStage on AWS Secrets Manager secret/);
  });

  it('never shows the secret value, even when AWS echoes it back', async () => {
    const { store } = newStore();
    stub.always('PutSecretValue', (call) => ({
      error: 'ValidationException',
      message: `Invalid secret string ${String(call.input.SecretString)}`,
    }));
    const error = await failure(store.compareAndSet(NEW_VALUE, firstVersion, () => 'keep'));
    expect(error.kind).toBe('rejected');
    expect(error.message).toContain('ValidationException');
    expect(error.message).toContain('***');
  });

  it('lets the SDK retry throttling (no real waits) and then succeeds', async () => {
    const { store } = newStore({ maxAttempts: 5 });
    stub.script('GetSecretValue', STUB_ERRORS.throttling, STUB_ERRORS.throttling);
    stub.script('UpdateSecretVersionStage', STUB_ERRORS.throttling);
    const started = Date.now();
    const loaded = await store.load();
    await expect(store.compareAndSet(NEW_VALUE, loaded.versionId, () => 'keep')).resolves.toMatchObject({
      outcome: 'written',
    });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(stub.callsTo('GetSecretValue')).toHaveLength(3);
    expect(stub.callsTo('PutSecretValue')).toHaveLength(1);
    expect(stub.callsTo('UpdateSecretVersionStage')).toHaveLength(3);
    expect(stub.current(name)).toBe(NEW_VALUE);
  });

  it('reuses the ClientRequestToken on every retry of PutSecretValue', async () => {
    const { store } = newStore();
    stub.script('PutSecretValue', STUB_ERRORS.internal, STUB_ERRORS.throttling);
    await store.compareAndSet(NEW_VALUE, firstVersion, () => 'keep');
    const tokens = stub.callsTo('PutSecretValue').map((c) => c.input.ClientRequestToken);
    expect(tokens).toHaveLength(3);
    expect(new Set(tokens).size).toBe(1);
  });

  it('reports throttling that outlasts the retries clearly, after maxAttempts calls', async () => {
    const { store } = newStore({ maxAttempts: 4 });
    stub.always('GetSecretValue', STUB_ERRORS.throttling);
    const error = await failure(store.load());
    expect(error.kind).toBe('throttled');
    expect(error.message).toMatch(/throttled GetSecretValue .* after 4 attempts: try again later or run less often/);
    expect(stub.callsTo('GetSecretValue')).toHaveLength(4);
  });

  // The new value may hold the only copy of a refresh token Schwab has just rotated: it stays findable as AWSPENDING.
  for (const [title, answer] of [
    ['throttled to exhaustion', STUB_ERRORS.throttling],
    ['answered 500 to exhaustion', STUB_ERRORS.internal],
    ['denied (AccessDeniedException)', STUB_ERRORS.accessDenied],
  ] as const) {
    it(`keeps the new value as AWSPENDING when the stage move is ${title}, and a later store finishes the move`, async () => {
      const { store } = newStore({ maxAttempts: 2 });
      stub.always('UpdateSecretVersionStage', (call) =>
        call.input.VersionStage === 'AWSCURRENT' ? answer : { default: true },
      );
      await failure(store.compareAndSet(NEW_VALUE, firstVersion, () => 'keep'));
      expect(stub.current(name)).toBe(SECRET_VALUE);
      const [pendingVersion] =
        Object.entries(stub.stages(name)).find(([, stages]) => stages.includes('AWSPENDING')) ?? [];
      expect(pendingVersion).toBeDefined();
      expect(stub.callsTo('UpdateSecretVersionStage').every((c) => c.input.VersionStage === 'AWSCURRENT')).toBe(true);

      // The next run: reads AWSPENDING, writes the same text, which finishes that version's move (no second copy).
      stub.reset();
      const next = newStore().store;
      expect(await next.loadPending()).toEqual({ text: NEW_VALUE, versionId: pendingVersion });
      const result = await next.compareAndSet(NEW_VALUE, (await next.load()).versionId, () => 'keep');
      expect(result).toMatchObject({ outcome: 'written', versionId: pendingVersion, previousVersionId: firstVersion });
      expect(stub.callsTo('PutSecretValue')[0]?.input.ClientRequestToken).toBe(pendingVersion);
      expect(stub.stages(name)).toEqual({
        [pendingVersion ?? '']: ['AWSCURRENT'],
        [firstVersion ?? '']: ['AWSPREVIOUS'],
      });
    });
  }

  it('reads no AWSPENDING as undefined, and a stray one as it is (masked)', async () => {
    const { store, logger } = newStore();
    await expect(store.loadPending()).resolves.toBeUndefined();
    stub.seed(name, SECRET_VALUE);
    const stray = stub.write(name, NEW_VALUE);
    stub.setStages(name, stray, ['AWSPENDING']);
    await expect(store.loadPending()).resolves.toEqual({ text: NEW_VALUE, versionId: stray });
    expect(logger.masked).toContain(NEW_VALUE);
  });

  it('with deferCleanup, returns once AWSCURRENT is confirmed and takes AWSPENDING off in the background', async () => {
    const { store } = newStore();
    let release: () => void = () => undefined;
    const removal = new Promise<void>((resolve) => (release = resolve));
    stub.script('UpdateSecretVersionStage', { default: true }, { until: removal, then: { default: true } });

    const result = await store.compareAndSet(NEW_VALUE, firstVersion, () => 'keep', { deferCleanup: true });

    expect(result).toMatchObject({ outcome: 'written', previousVersionId: firstVersion });
    expect(stub.current(name)).toBe(NEW_VALUE);
    // The removal is not done yet (it is held): AWSCURRENT was confirmed first, and the caller already has the result.
    expect(Object.values(stub.stages(name)).flat()).toContain('AWSPENDING');
    release();
    await store.settle();
    expect(stub.callsTo('UpdateSecretVersionStage').map((c) => c.input.VersionStage)).toEqual([
      'AWSCURRENT',
      'AWSPENDING',
    ]);
    expect(Object.values(stub.stages(name)).flat()).not.toContain('AWSPENDING');
  });

  it('reports 5xx answers as an AWS-side problem after the retries', async () => {
    const { store } = newStore();
    stub.always('GetSecretValue', STUB_ERRORS.internal);
    const error = await failure(store.load());
    expect(error.kind).toBe('service');
    expect(error.message).toMatch(/HTTP 500 .* after 3 attempts: this is on AWS's side, try again later/);
    expect(stub.callsTo('GetSecretValue')).toHaveLength(3);
  });

  it('retries an HTML 503 page and succeeds', async () => {
    const { store } = newStore();
    stub.script('GetSecretValue', STUB_ERRORS.serviceUnavailable);
    await expect(store.load()).resolves.toMatchObject({ text: SECRET_VALUE });
    expect(stub.callsTo('GetSecretValue')).toHaveLength(2);
  });

  it('times out a hanging endpoint, retries, and names endpoint and region', async () => {
    const { store } = newStore({ maxAttempts: 2, requestTimeoutMs: 200 });
    stub.always('GetSecretValue', STUB_ERRORS.hang);
    const error = await failure(store.load());
    expect(error.kind).toBe('network');
    expect(error.message).toContain(`Could not reach AWS Secrets Manager at ${stub.url} (region us-east-1`);
    expect(error.message).toContain('AWS_ENDPOINT_URL_SECRETS_MANAGER');
    expect(stub.callsTo('GetSecretValue')).toHaveLength(2);
  });

  it('retries a reset connection and succeeds', async () => {
    const { store } = newStore();
    stub.script('GetSecretValue', STUB_ERRORS.reset);
    await expect(store.load()).resolves.toMatchObject({ text: SECRET_VALUE });
    expect(stub.callsTo('GetSecretValue')).toHaveLength(2);
  });

  it('reports connection resets that do not stop as a network error', async () => {
    const { store } = newStore();
    stub.always('GetSecretValue', STUB_ERRORS.reset);
    const error = await failure(store.load());
    expect(error.kind).toBe('network');
    expect(error.message).toMatch(/ECONNRESET|socket hang up/i);
  });

  it('reports an unreachable endpoint (connection refused) naming it', async () => {
    const url = await unusedLocalUrl();
    const restore = applyEnv({ AWS_ENDPOINT_URL_SECRETS_MANAGER: url });
    try {
      const { store } = newStore({ maxAttempts: 2 });
      const error = await failure(store.load());
      expect(error.kind).toBe('network');
      expect(error.message).toContain(`at ${url} (region us-east-1, ECONNREFUSED)`);
    } finally {
      restore();
    }
  });

  it('says to set aws-region or AWS_REGION when no region is configured', async () => {
    const restore = applyEnv({ AWS_REGION: '', AWS_DEFAULT_REGION: '' });
    try {
      const { store } = newStore({ region: undefined });
      const error = await failure(store.load());
      expect(error.kind).toBe('region-missing');
      expect(error.message).toMatch(/set the `aws-region` input \(or AWS_REGION in the workflow\)/);
      expect(stub.calls).toHaveLength(0);
    } finally {
      restore();
    }
  });

  it('takes the region from AWS_DEFAULT_REGION when AWS_REGION is unset', async () => {
    const restore = applyEnv({ AWS_REGION: '', AWS_DEFAULT_REGION: 'eu-west-3' });
    try {
      const { store } = newStore({ region: undefined });
      expect(store.region).toBe('eu-west-3');
      await store.load();
      expect(String(stub.calls[0]?.headers.authorization)).toContain('/eu-west-3/secretsmanager/');
    } finally {
      restore();
    }
  });

  it('explains missing credentials', async () => {
    const restore = applyEnv({
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: '',
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '',
      AWS_WEB_IDENTITY_TOKEN_FILE: '',
    });
    try {
      const { store } = newStore();
      const error = await failure(store.load());
      expect(error.kind).toBe('credentials');
      expect(error.message).toMatch(/could not find the credentials/);
      expect(stub.calls).toHaveLength(0);
    } finally {
      restore();
    }
  });

  it('rejects a value over 64 KiB before calling AWS', async () => {
    const { store } = newStore();
    const error = await failure(store.compareAndSet('x'.repeat(70_000), firstVersion, () => 'keep'));
    expect(error.kind).toBe('too-large');
    expect(stub.calls).toHaveLength(0);
  });

  it('explains a ClientRequestToken reused for a different text (one text per token)', async () => {
    const { store } = newStore();
    await store.compareAndSet(NEW_VALUE, firstVersion, () => 'keep');
    const error = await failure(store.compareAndSet(`${NEW_VALUE} `, firstVersion, () => 'keep'));
    expect(error.kind).toBe('token-reused');
    expect(error.message).toMatch(/new token for every new record/);
    expect(stub.current(name)).toBe(NEW_VALUE);
  });

  it('re-reads and asks onConflict when another writer moved AWSCURRENT during the write', async () => {
    const { store } = newStore();
    let other: string | undefined;
    stub.script('UpdateSecretVersionStage', () => {
      other = stub.write(name, '{"refresh_token":"newer-login-token"}');
      return { default: true }; // now refused: AWSCURRENT is no longer on firstVersion
    });
    const asked: unknown[] = [];
    const result = await store.compareAndSet(NEW_VALUE, firstVersion, (current) => {
      asked.push(current);
      return 'keep';
    });
    expect(asked).toEqual([{ text: '{"refresh_token":"newer-login-token"}', versionId: other }]);
    expect(result).toEqual({ outcome: 'kept-current', current: asked[0] });
    expect(stub.current(name)).toBe('{"refresh_token":"newer-login-token"}');
    expect(Object.values(stub.stages(name)).flat()).not.toContain('AWSPENDING');
  });

  it('does not treat a refused move as a conflict when AWSCURRENT did not move, and keeps the new value AWSPENDING', async () => {
    const { store } = newStore();
    stub.script('UpdateSecretVersionStage', STUB_ERRORS.stageMoved(firstVersion ?? ''));
    const error = await failure(store.compareAndSet(NEW_VALUE, firstVersion, () => 'overwrite'));
    expect(error.kind).toBe('rejected');
    expect(error.message).toMatch(/refused to move AWSCURRENT/);
    expect(stub.current(name)).toBe(SECRET_VALUE);
    expect(
      Object.values(stub.stages(name))
        .flat()
        .filter((stage) => stage === 'AWSPENDING'),
    ).toHaveLength(1);
  });

  it('writes when no version holds AWSCURRENT (moves it without RemoveFromVersionId)', async () => {
    stub.setStages(name, firstVersion ?? '', ['AWSPREVIOUS']);
    const { store } = newStore();
    const loaded = await store.load();
    expect(loaded).toEqual({ text: undefined, versionId: undefined });
    await expect(store.compareAndSet(NEW_VALUE, loaded.versionId, () => 'keep')).resolves.toMatchObject({
      outcome: 'written',
    });
    expect(stub.current(name)).toBe(NEW_VALUE);
    const move = stub.callsTo('UpdateSecretVersionStage')[0];
    expect(move?.input).not.toHaveProperty('RemoveFromVersionId');
  });

  it('loads a secret that has no value yet as undefined', async () => {
    name = `stub-${randomUUID()}`;
    stub.seed(name);
    const { store } = newStore();
    await expect(store.load()).resolves.toEqual({ text: undefined, versionId: undefined });
  });
});
