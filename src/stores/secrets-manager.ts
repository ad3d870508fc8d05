import { randomUUID } from 'node:crypto';
import type { Logger } from '../util/logger.js';
import type { Tuning } from '../util/tuning.js';
import type { PrimaryStore } from '../run/stores.js';
import type { SecretsManagerStore } from '../aws/secrets-manager-store.js';

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
    region,
    logger,
    clientRequestToken: randomUUID(),
    retryDelayMs: tuning?.awsRetryDelayMs,
    requestTimeoutMs: tuning?.awsRequestTimeoutMs,
  });
  const where = region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  return asPrimary(store, `AWS secret "${secretId}"${where ? ` (${where})` : ''}`);
}

/** The store behind the run's interface; `renew` gives the next run of a loop the same SDK client, a new request token. */
function asPrimary(store: SecretsManagerStore, label: string): PrimaryStore {
  return {
    label,
    /** AWSCURRENT and, in parallel, AWSPENDING (a write that did not finish; see SecretsManagerStore). */
    async load() {
      const [current, pending] = await Promise.all([store.load(), store.loadPending()]);
      const { text, versionId } = pending ?? {};
      const unfinished = text !== undefined && versionId !== undefined && versionId !== current.versionId;
      return {
        text: current.text,
        version: current.versionId,
        pending: unfinished ? { text, version: versionId } : undefined,
      };
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
