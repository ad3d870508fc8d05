import { randomUUID } from 'node:crypto';
import type { Settings } from '../settings/inputs.js';
import type { Logger } from '../util/logger.js';
import type { Clock, Sleep } from '../util/clock.js';
import { SchwabOAuthClient } from '../schwab/oauth-client.js';
import type { RotationDeps, RotationStep } from './rotation.js';
import type { MirrorStore, PrimaryStore, RecordSource } from './stores.js';
import { assertSecretValueFits } from '../github/secret-targets.js';
import type { SecretTarget } from '../github/secret-targets.js';
import { sentence } from '../util/text.js';
import type * as SecretsWriterModule from '../github/secrets-writer.js';
import type { SecretsManagerStore } from '../aws/secrets-manager-store.js';

export interface Platform {
  clock: Clock;
  sleep: Sleep;
  logger: Logger;
  /** Timeouts and waits of the I/O clients; production leaves it empty (their defaults), tests shorten them. */
  tuning?: Tuning | undefined;
  /** Aborts when the run is cancelled (SIGINT / SIGTERM): the write in progress finishes, nothing new starts. */
  signal?: AbortSignal | undefined;
  /** Told each step of the rotation as it starts. */
  onStep?: ((step: RotationStep) => void) | undefined;
}

export interface Tuning {
  /** Per-request timeout of Schwab calls (default 15 s). */
  schwabTimeoutMs?: number;
  /** Delay before AWS SDK retry `attempt` (default: the SDK's exponential backoff). */
  awsRetryDelayMs?: (attempt: number) => number;
  /** Per-request timeout of AWS calls (default 15 s). */
  awsRequestTimeoutMs?: number;
  /** Scales the Octokit plugins' waits (default 1; 0 in tests). */
  githubWaitScale?: number;
  /** Per-request timeout of GitHub calls (default 30 s). */
  githubTimeoutMs?: number;
}

/** The GitHub client options a Tuning implies. */
export function githubTuning(tuning: Tuning | undefined): { waitScale?: number; timeoutMs?: number } {
  return {
    ...(tuning?.githubWaitScale !== undefined ? { waitScale: tuning.githubWaitScale } : {}),
    ...(tuning?.githubTimeoutMs !== undefined ? { timeoutMs: tuning.githubTimeoutMs } : {}),
  };
}

/**
 * The action's composition root: turns settings into the stores and clients a rotation talks to.
 * Heavy SDKs are imported here, on demand, only when the settings need them.
 */
export async function buildActionDeps(settings: Settings, platform: Platform): Promise<RotationDeps> {
  const { logger, clock, sleep, tuning } = platform;
  const schwab = new SchwabOAuthClient({
    baseUrl: settings.schwabBaseUrl,
    appKey: settings.appKey,
    appSecret: settings.appSecret,
    logger,
    clock,
    sleep,
    ...(tuning?.schwabTimeoutMs !== undefined ? { timeoutMs: tuning.schwabTimeoutMs } : {}),
  });
  const sources: RecordSource[] = [];
  if (settings.tokenInput !== undefined) {
    const text = settings.tokenInput;
    sources.push({ label: 'the "token" input', load: async () => ({ text }) });
  }
  const primary = settings.awsSecretId
    ? await secretsManagerPrimary(settings.awsSecretId, settings.awsRegion, logger, tuning)
    : undefined;
  const mirrors: MirrorStore[] = [];
  if (settings.githubSecrets.length > 0 && settings.secretsToken) {
    mirrors.push(githubSecretsMirror(settings.githubSecrets, settings.secretsToken, logger, tuning));
  }
  return { clock, sleep, logger, schwab, sources, primary, mirrors, signal: platform.signal, onStep: platform.onStep };
}

/**
 * GitHub encrypted secrets as a mirror. Octokit and libsodium load on the first write, not before:
 * a run with nothing to write never pays for them.
 */
export function githubSecretsMirror(
  targets: SecretTarget[],
  token: string,
  logger: Logger,
  tuning?: Tuning,
  tokenName?: string,
): MirrorStore {
  // One client and one writer per mirror: the public keys fetched by checkWritable (or prepare) serve the write.
  let loading: Promise<SecretsWriterModule.GitHubSecretsWriter> | undefined;
  const load = () => {
    loading ??= (async () => {
      const [{ createGitHubClient }, { GitHubSecretsWriter, loadSodium }] = await Promise.all([
        import('../github/octokit.js'),
        import('../github/secrets-writer.js'),
      ]);
      const [client] = await Promise.all([createGitHubClient({ token, logger, ...githubTuning(tuning) }), loadSodium()]);
      return new GitHubSecretsWriter(client, logger, tokenName);
    })();
    return loading;
  };
  let access: Promise<void> | undefined;
  const checkAccess = () => {
    access ??= load().then((writer) => writer.checkAccess(targets));
    return access;
  };
  return {
    label: targets.length === 1 ? `GitHub secret ${targets[0]?.label}` : `${targets.length} GitHub secrets`,
    check: (text) => assertSecretValueFits(text),
    // Loads Octokit and libsodium and fetches the public keys while Schwab and AWS work; a failure surfaces in write().
    prepare: () => void checkAccess().catch(() => undefined),
    checkWritable: checkAccess,
    async write(text) {
      const results = await (await load()).writeAll(targets, text);
      return results.map((result) => ({
        label: `GitHub secret ${result.target.label}`,
        ok: result.ok,
        detail: result.ok ? (result.status ?? 'written') : sentence(result.error ?? 'the write failed'),
      }));
    },
  };
}

/** The AWS Secrets Manager secret as the primary store. One ClientRequestToken per run makes retries idempotent. */
export async function secretsManagerPrimary(
  secretId: string,
  region: string | undefined,
  logger: Logger,
  tuning?: Tuning,
): Promise<PrimaryStore> {
  const { SecretsManagerStore } = await import('../aws/secrets-manager-store.js');
  const store = new SecretsManagerStore({
    secretId,
    ...(region ? { region } : {}),
    logger,
    clientRequestToken: randomUUID(),
    ...(tuning?.awsRetryDelayMs ? { retryDelayMs: tuning.awsRetryDelayMs } : {}),
    ...(tuning?.awsRequestTimeoutMs !== undefined ? { requestTimeoutMs: tuning.awsRequestTimeoutMs } : {}),
  });
  const where = region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  return asPrimary(store, `AWS secret "${secretId}"${where ? ` (${where})` : ''}`);
}

function asPrimary(store: SecretsManagerStore, label: string): PrimaryStore {
  return {
    label,
    /** AWSCURRENT and, in parallel, AWSPENDING (a write that did not finish; see SecretsManagerStore). */
    async load() {
      const [current, pending] = await Promise.all([store.load(), store.loadPending()]);
      const { text, versionId } = pending ?? {};
      const unfinished = text !== undefined && versionId !== undefined && versionId !== current.versionId;
      return { text: current.text, version: current.versionId, pending: unfinished ? { text, version: versionId } : undefined };
    },
    async compareAndSet(text, expectedVersion, onConflict, options) {
      const result = await store.compareAndSet(
        text,
        expectedVersion,
        (current) => onConflict({ text: current.text, version: current.versionId }),
        options,
      );
      return result.outcome === 'written'
        ? { outcome: 'written', version: result.versionId }
        : { outcome: 'kept-current', current: { text: result.current.text, version: result.current.versionId } };
    },
    settle: () => store.settle(),
    close: () => store.close(),
    renew: () => asPrimary(store.nextRun(randomUUID()), label),
  };
}
