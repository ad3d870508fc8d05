/**
 * Helpers for suites that talk to the moto_server started by test/support/global-setup.ts.
 *
 * ```ts
 * import { describeMoto, getMotoUrl, useMotoEnv, createTestSecret, listSecretVersions } from '../support/moto.js';
 *
 * describeMoto('my suite', () => {
 *   useMotoEnv();                          // AWS_* env pointing the real SDK at moto, for this suite only
 *                                          // (useAwsEnv(() => stub.url) does the same for the AWS stub)
 *   it('…', async () => {
 *     const secret = await createTestSecret(getMotoUrl(), undefined, '{"a":1}');
 *     …
 *   });
 * });
 * ```
 *
 * The helpers' own SDK clients get moto's endpoint and dummy credentials explicitly and never touch process.env;
 * the code under test reads the environment, which `useMotoEnv()` (in-process) or `childEnv(motoEnv())` (child
 * processes, e.g. `node dist/index.js`) provide.
 *
 * moto quirks worth knowing (moto 5.2.1): no IAM, KMS, throttling or size limits (use test/fakes/aws-stub.ts);
 * ListSecretVersionIds lists every version including unlabelled ones; repeating PutSecretValue with a token whose
 * version still carries AWSPENDING silently replaces that version (AWS would reject a different value); the ARN in
 * ListSecretVersionIds is the name. Two that bite: UpdateSecretVersionStage does not update moto's "default version",
 * so GetSecretValue WITHOUT VersionStage returns a stale value after a stage move, and a plain PutSecretValue (no
 * VersionStages) afterwards leaves two versions labelled AWSCURRENT — always pass VersionStage: 'AWSCURRENT' (the
 * store does) and simulate other writers with putAsOtherWriter(). GetSecretValue with VersionStage on a secret with no
 * value answers "can't find the specified secret" like a missing secret (the store disambiguates with DescribeSecret).
 * UpdateSecretVersionStage moving AWSCURRENT without RemoveFromVersionId when no version holds it answers HTTP 500.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, inject, it } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the shared moto_server (http://127.0.0.1:PORT), or '' when moto is not installed. */
    motoUrl: string;
  }
}

/** Region every moto helper uses; moto keeps secrets per region, so the code under test must use it too. */
export const MOTO_REGION = 'us-east-1';
/** moto accepts any credentials; these are the conventional dummies. */
export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

/** The moto URL provided by the global setup ('' when moto is absent). */
export function getMotoUrl(): string {
  return inject('motoUrl');
}

/** True when moto is running for this test run. */
export const hasMoto: boolean = getMotoUrl() !== '';

/** `describe` when moto is running, skipped otherwise (the global setup already said why). Same for `itMoto`. */
export const describeMoto = describe.skipIf(!hasMoto);
export const itMoto = it.skipIf(!hasMoto);

/**
 * The environment that points the real SDK at `url` (moto, or the AWS stub): endpoint (the SDK's own
 * AWS_ENDPOINT_URL_SECRETS_MANAGER), region and dummy credentials, with profile files and the EC2 metadata lookup
 * switched off. Empty values mean "unset". Merge it into a child process's env (drop the empty ones), or let
 * `useAwsEnv()` apply it in-process.
 */
export function awsEnv(url: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: url,
    AWS_ENDPOINT_URL: '',
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: '',
    AWS_REGION: MOTO_REGION,
    AWS_DEFAULT_REGION: MOTO_REGION,
    AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: '',
    AWS_PROFILE: '',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '',
    AWS_RETRY_MODE: '',
  };
}

/** `awsEnv()` for the shared moto_server. */
export function motoEnv(url: string = getMotoUrl()): Record<string, string> {
  return awsEnv(url);
}

/** `env` without its empty ("unset") entries, to merge into a child process's environment. */
export function childEnv(env: Record<string, string>, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...base };
  for (const [key, value] of Object.entries(env)) {
    if (value === '') delete out[key];
    else out[key] = value;
  }
  return out;
}

/**
 * Sets `env` on process.env and returns a function that restores the previous values exactly.
 * An empty string value deletes the variable (the SDK treats "" differently from unset for some variables).
 */
export function applyEnv(env: Record<string, string>): () => void {
  const saved = new Map<string, string | undefined>();
  for (const [key, value] of Object.entries(env)) {
    saved.set(key, process.env[key]);
    if (value === '') delete process.env[key];
    else process.env[key] = value;
  }
  return () => {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}

/**
 * Registers beforeAll/afterAll hooks in the current describe block that apply `awsEnv(url)` for its tests only.
 * `url` may be a function, resolved in beforeAll (e.g. `() => stub.url` for a stub started in an earlier beforeAll).
 */
export function useAwsEnv(url: string | (() => string)): void {
  let restore: (() => void) | undefined;
  beforeAll(() => {
    restore = applyEnv(awsEnv(typeof url === 'function' ? url() : url));
  });
  afterAll(() => {
    restore?.();
    restore = undefined;
  });
}

/** `useAwsEnv()` for the shared moto_server. Call inside `describeMoto(…)`. */
export function useMotoEnv(): void {
  useAwsEnv(() => getMotoUrl());
}

const clients = new Map<string, SecretsManagerClient>();

/** A real SDK client pointed at `url` with dummy credentials, without touching process.env. Cached per URL. */
export function motoClient(url: string = getMotoUrl()): SecretsManagerClient {
  if (!url) throw new Error('moto is not running (use describeMoto so the suite is skipped without it)');
  let client = clients.get(url);
  if (!client) {
    client = new SecretsManagerClient({
      endpoint: url,
      region: MOTO_REGION,
      credentials: { ...MOTO_CREDENTIALS },
      maxAttempts: 1,
    });
    clients.set(url, client);
  }
  return client;
}

/** A secret name no other test (or parallel test file) uses. */
export function uniqueSecretName(prefix = 'str-test'): string {
  return `${prefix}-${randomUUID()}`;
}

export interface TestSecret {
  name: string;
  arn: string;
  /** The first version's id when a value was given (it carries AWSCURRENT). */
  versionId: string | undefined;
}

/** Creates a secret in moto, with a first value (AWSCURRENT) or none (like a freshly created, never written secret). */
export async function createTestSecret(
  url: string = getMotoUrl(),
  name: string = uniqueSecretName(),
  value?: string,
): Promise<TestSecret> {
  const out = await motoClient(url).send(
    new CreateSecretCommand({ Name: name, ...(value !== undefined ? { SecretString: value } : {}) }),
  );
  return { name, arn: out.ARN ?? name, versionId: out.VersionId };
}

/**
 * Writes a new value the way another writer (a `login` on someone's laptop, another run) would: a new version that
 * becomes AWSCURRENT, the old current becoming AWSPREVIOUS. Returns the new version id.
 *
 * Done with explicit label moves rather than a plain PutSecretValue, because moto's plain put moves AWSCURRENT from
 * its own remembered "default version", which UpdateSecretVersionStage does not update: after a store write it would
 * leave two versions labelled AWSCURRENT (real AWS has no such bug).
 */
export async function putAsOtherWriter(url: string, name: string, value: string): Promise<string> {
  const client = motoClient(url);
  const holder = (await versionsWithStage(url, name, 'AWSCURRENT'))[0];
  const versionId = randomUUID();
  const marker = 'OTHERWRITER';
  const out = await client.send(
    new PutSecretValueCommand({
      SecretId: name,
      SecretString: value,
      ClientRequestToken: versionId,
      VersionStages: [marker],
    }),
  );
  // The first version of a secret gets AWSCURRENT from AWS itself.
  if (!out.VersionStages?.includes('AWSCURRENT')) {
    await moveStage(url, name, 'AWSCURRENT', versionId, holder);
  }
  await moveStage(url, name, marker, undefined, versionId);
  return versionId;
}

/** The value at a staging label (default AWSCURRENT), or undefined when no version carries it. */
export async function readSecretValue(
  url: string,
  name: string,
  stage = 'AWSCURRENT',
): Promise<{ text: string | undefined; versionId: string | undefined }> {
  try {
    const out = await motoClient(url).send(new GetSecretValueCommand({ SecretId: name, VersionStage: stage }));
    return { text: out.SecretString, versionId: out.VersionId };
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException')
      return { text: undefined, versionId: undefined };
    throw error;
  }
}

export interface SecretVersionInfo {
  versionId: string;
  stages: string[];
}

/** Every version of the secret with its staging labels (including unlabelled ones), via ListSecretVersionIds. */
export async function listSecretVersions(url: string, name: string): Promise<SecretVersionInfo[]> {
  const out = await motoClient(url).send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }));
  return (out.Versions ?? []).map((v) => ({
    versionId: v.VersionId ?? '',
    stages: [...(v.VersionStages ?? [])].sort(),
  }));
}

/** versionId → sorted staging labels, only for versions that carry a label (DescribeSecret's VersionIdsToStages). */
export async function stagesByVersion(url: string, name: string): Promise<Record<string, string[]>> {
  const out = await motoClient(url).send(new DescribeSecretCommand({ SecretId: name }));
  const result: Record<string, string[]> = {};
  for (const [id, stages] of Object.entries(out.VersionIdsToStages ?? {})) {
    if (stages.length > 0) result[id] = [...stages].sort();
  }
  return result;
}

/** The version ids carrying `stage` (a healthy secret has exactly one for AWSCURRENT and none for AWSPENDING). */
export async function versionsWithStage(url: string, name: string, stage: string): Promise<string[]> {
  const stages = await stagesByVersion(url, name);
  return Object.keys(stages).filter((id) => stages[id]?.includes(stage));
}

/** Moves a staging label directly (to set up odd states, e.g. a stray AWSPENDING). */
export async function moveStage(
  url: string,
  name: string,
  stage: string,
  moveTo: string | undefined,
  removeFrom: string | undefined,
): Promise<void> {
  await motoClient(url).send(
    new UpdateSecretVersionStageCommand({
      SecretId: name,
      VersionStage: stage,
      ...(moveTo ? { MoveToVersionId: moveTo } : {}),
      ...(removeFrom ? { RemoveFromVersionId: removeFrom } : {}),
    }),
  );
}
