import type * as SecretsManagerSdk from '@aws-sdk/client-secrets-manager';
import { thisMachine } from '../util/audience.js';
import type { ConfiguredRetryStrategy } from '@smithy/util-retry';
import type { Logger } from '../util/logger.js';
import { errorMessage } from '../util/errors.js';
import { hasProxySettings } from '../http/proxy.js';
import { SecretsManagerError, toSecretsManagerError } from './errors.js';
import type { SecretsManagerOperation } from './errors.js';
import type { ConflictDecision } from '../run/stores.js';

export { SecretsManagerError, REQUIRED_IAM_ACTIONS } from './errors.js';
export type { SecretsManagerErrorKind } from './errors.js';

/** The secret's AWSCURRENT value; both fields undefined when the secret exists but has no value yet (first deploy). */
export interface StoredSecret {
  text: string | undefined;
  versionId: string | undefined;
}

export type CasResult =
  | { outcome: 'written'; versionId: string; previousVersionId?: string }
  | { outcome: 'kept-current'; current: StoredSecret };

/** Asked when AWSCURRENT moved since the caller's load: 'keep' the newer value, or 'overwrite' it with ours. */
export type OnConflict = (current: StoredSecret) => ConflictDecision | Promise<ConflictDecision>;

export interface CompareAndSetOptions {
  /**
   * Take AWSPENDING off our version in the background once AWSCURRENT is confirmed on it, instead of before
   * returning: the caller goes on (e.g. to write its copies) and awaits `settle()` before it ends. Default false.
   */
  deferCleanup?: boolean;
}

export interface SecretDescription {
  arn: string | undefined;
  name: string | undefined;
  /** The version holding AWSCURRENT, if any. */
  currentVersionId: string | undefined;
  /** Every version that carries at least one staging label, with its labels. */
  versionStages: Record<string, string[]>;
  /** Set when the secret is scheduled for deletion. */
  deletedDate: Date | undefined;
}

export interface SecretsManagerStoreOptions {
  /** Name or ARN of the secret. */
  secretId: string;
  /** Defaults to AWS_REGION, then AWS_DEFAULT_REGION, then the SDK's own profile lookup. */
  region?: string;
  logger: Logger;
  /**
   * Generated once per run by the caller (a UUID) and reused on every retry, so a repeated PutSecretValue is a no-op.
   * One token stands for ONE value: writing a different text with the same token is rejected by AWS
   * (ResourceExistsException → kind 'token-reused'). Use a new token for every new record.
   */
  clientRequestToken: string;
  /** Total attempts per AWS call, the first included (SDK retries for throttling, 5xx and network errors). Default 5. */
  maxAttempts?: number;
  /** Delay before retry attempt `attempt` (2, 3, …); tests pass `() => 0`. Default: the SDK's exponential backoff. */
  retryDelayMs?: (attempt: number) => number;
  /** Connection and whole-request timeout per attempt, in ms. Default 15000. */
  requestTimeoutMs?: number;
}

const CURRENT = 'AWSCURRENT';
const PENDING = 'AWSPENDING';
const PREVIOUS = 'AWSPREVIOUS';
/** How many times AWSCURRENT may move under us (with 'overwrite' answers) before we give up. */
const MAX_CONFLICT_ROUNDS = 3;
/** Secrets Manager's limit for SecretString. */
const MAX_SECRET_BYTES = 65_536;

interface Connection {
  sdk: typeof SecretsManagerSdk;
  client: SecretsManagerSdk.SecretsManagerClient;
}

/**
 * One AWS Secrets Manager secret holding the token record. Owns its SDK client (loaded on first use, so runs
 * without AWS never load the SDK). Endpoint: the SDK's own AWS_ENDPOINT_URL_SECRETS_MANAGER / AWS_ENDPOINT_URL.
 *
 * Writes follow AWS's rotation protocol as a compare-and-set (docs/design.md#compare-and-set): PutSecretValue as
 * AWSPENDING with the run's ClientRequestToken, move AWSCURRENT from the version the caller loaded to ours (AWS refuses
 * when it moved), then take AWSPENDING off.
 *
 * AWSPENDING is the write in progress, as in AWS's own rotation functions: it comes off our version only once
 * AWSCURRENT is confirmed on it (or a newer value was kept instead). A write that fails after the put leaves the new
 * value as AWSPENDING, never unlabelled: it may hold the only copy of a refresh token Schwab has just rotated, and
 * the next reader finds it with `loadPending()` and finishes the move.
 */
export class SecretsManagerStore {
  readonly secretId: string;
  private readonly logger: Logger;
  private readonly token: string;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: ((attempt: number) => number) | undefined;
  private readonly requestTimeoutMs: number;
  private regionName: string | undefined;
  private connection: Promise<Connection> | undefined;
  /** False once nextRun() handed the connection on: close() then leaves the client to the next store. */
  private ownsConnection = true;
  /** The AWSPENDING value last read by loadPending(); writing the same text again finishes that version's move. */
  private pendingSeen: StoredSecret | undefined;
  /** AWSPENDING removals still running in the background (see CompareAndSetOptions.deferCleanup). */
  private readonly cleanups = new Set<Promise<void>>();

  constructor(options: SecretsManagerStoreOptions) {
    if (!options.secretId.trim())
      throw new SecretsManagerError('rejected', 'The AWS secret id is empty: set it to the secret name or ARN.');
    if (!/^[A-Za-z0-9_-]{32,64}$/.test(options.clientRequestToken)) {
      // A programming error, not a user one: AWS wants 32–64 characters; callers pass randomUUID().
      throw new TypeError('clientRequestToken must be 32-64 characters (use crypto.randomUUID())');
    }
    this.secretId = options.secretId;
    this.logger = options.logger;
    this.token = options.clientRequestToken;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.retryDelayMs = options.retryDelayMs;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
    this.regionName =
      nonEmpty(options.region) ?? nonEmpty(process.env.AWS_REGION) ?? nonEmpty(process.env.AWS_DEFAULT_REGION);
  }

  /** The region in use, once known (the option or environment at once; the SDK's profile lookup after a call). */
  get region(): string | undefined {
    return this.regionName;
  }

  /** Reads AWSCURRENT. The whole value is masked at once; masking the tokens inside is the caller's job. */
  async load(): Promise<StoredSecret> {
    try {
      const out = await this.call('GetSecretValue', ({ sdk, client }) =>
        client.send(new sdk.GetSecretValueCommand({ SecretId: this.secretId, VersionStage: CURRENT })),
      );
      const text = out.SecretString ?? (out.SecretBinary ? Buffer.from(out.SecretBinary).toString('utf8') : undefined);
      this.logger.mask(text);
      // AWS answers a secret without a value with ResourceNotFoundException, never with an empty 200.
      if (out.VersionId === undefined) throw this.malformed('GetSecretValue');
      return { text, versionId: text === undefined ? undefined : out.VersionId };
    } catch (error) {
      if (!(error instanceof SecretsManagerError && error.kind === 'not-found')) throw error;
      // The secret exists but has no AWSCURRENT value: AWS says "can't find the specified secret value for staging
      // label"; moto says "can't find the specified secret" for both cases, so ask DescribeSecret when unsure.
      if (!/secret value/i.test(causeMessage(error))) {
        const exists = await this.describe().then(
          () => true,
          () => false,
        );
        if (!exists) throw error;
      }
      this.logger.debug(`AWS secret "${this.secretId}" has no value yet.`);
      return { text: undefined, versionId: undefined };
    }
  }

  /**
   * Reads AWSPENDING: a write that was started and did not finish (a run cancelled or failed between its put and
   * its stage move), or undefined when no version carries it. Masked at once, like load(). A later compareAndSet
   * of the same text reuses that version (its id is the ClientRequestToken), so it finishes the move.
   */
  async loadPending(): Promise<StoredSecret | undefined> {
    let out;
    try {
      out = await this.call('GetSecretValue', ({ sdk, client }) =>
        client.send(new sdk.GetSecretValueCommand({ SecretId: this.secretId, VersionStage: PENDING })),
      );
    } catch (error) {
      // No version carries AWSPENDING (moto words it like a missing secret; the AWSCURRENT read tells them apart).
      if (error instanceof SecretsManagerError && error.kind === 'not-found') return undefined;
      throw error;
    }
    const text = out.SecretString ?? (out.SecretBinary ? Buffer.from(out.SecretBinary).toString('utf8') : undefined);
    this.logger.mask(text);
    if (out.VersionId === undefined) throw this.malformed('GetSecretValue');
    this.pendingSeen = text === undefined ? undefined : { text, versionId: out.VersionId };
    return this.pendingSeen;
  }

  /** Waits for the AWSPENDING removals still running in the background (never rejects). */
  async settle(): Promise<void> {
    while (this.cleanups.size > 0) await Promise.all([...this.cleanups]);
  }

  /**
   * Writes `text` as the new AWSCURRENT if AWSCURRENT is still `expectedVersionId` (undefined: the secret had no
   * value). When it moved, re-reads and asks `onConflict(current)`: 'keep' leaves the newer value in place
   * (outcome 'kept-current'), 'overwrite' retries the move against it (at most 3 rounds).
   * Safe to call again after a failure with the same token and text. When it throws after the put, our version keeps
   * AWSPENDING (see the class comment); AWSPENDING comes off only after AWSCURRENT is confirmed on our version.
   */
  async compareAndSet(
    text: string,
    expectedVersionId: string | undefined,
    onConflict: OnConflict,
    options: CompareAndSetOptions = {},
  ): Promise<CasResult> {
    this.logger.mask(text);
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > MAX_SECRET_BYTES) {
      throw new SecretsManagerError(
        'too-large',
        `The value for AWS Secrets Manager secret "${this.secretId}" is ${bytes} bytes, over the 65536-byte limit: ` +
          'store a smaller record (the default record format is well under 4 KB).',
      );
    }

    // The same text as the AWSPENDING version read before: put it with that version's id, a no-op that hands back
    // the version, so the move below finishes the earlier write instead of storing the value twice.
    const token = this.pendingSeen?.text === text ? this.pendingSeen.versionId : this.token;
    const put = await this.call('PutSecretValue', ({ sdk, client }) =>
      client.send(
        new sdk.PutSecretValueCommand({
          SecretId: this.secretId,
          SecretString: text,
          ClientRequestToken: token,
          VersionStages: [PENDING],
        }),
      ),
    );
    if (put.VersionId === undefined) throw this.malformed('PutSecretValue');
    const ours = put.VersionId;
    this.logger.debug(`Put version ${ours} of AWS secret "${this.secretId}" as ${PENDING}.`);
    const confirmed = async (previous: string | undefined): Promise<CasResult> => {
      const cleanup = this.dropPending(ours);
      if (options.deferCleanup) this.track(cleanup);
      else await cleanup;
      return written(ours, previous);
    };

    // First version of the secret: AWS attaches AWSCURRENT itself. Also the case when an earlier attempt of this
    // run already finished (the repeated put is a no-op that reports the version's labels).
    if (put.VersionStages?.includes(CURRENT)) return confirmed(expectedVersionId);

    // From here on a failure leaves our version as AWSPENDING: the next read finds it (loadPending).
    try {
      return await this.moveCurrentTo(ours, expectedVersionId, onConflict, confirmed);
    } catch (error) {
      if (!(error instanceof SecretsManagerError)) throw error;
      throw new SecretsManagerError(
        error.kind,
        `${error.message.replace(/\.$/, '')}; the new value waits in the secret as ${PENDING} (version ${ours}), ` +
          'and the next run finishes the write.',
        { cause: error.cause, pendingVersion: ours },
      );
    }
  }

  /** The compare of compare-and-set: moves AWSCURRENT from `expectedVersionId` to `ours`, asking onConflict. */
  private async moveCurrentTo(
    ours: string,
    expectedVersionId: string | undefined,
    onConflict: OnConflict,
    confirmed: (previous: string | undefined) => Promise<CasResult>,
  ): Promise<CasResult> {
    let from = expectedVersionId;
    for (let round = 1; ; round++) {
      const moved = await this.moveCurrent(ours, from);
      if (moved === 'moved') return confirmed(from);
      // AWSCURRENT is not where we expected: someone else wrote (or this run's earlier attempt already did).
      const current = await this.load();
      if (current.versionId === ours) return confirmed(await this.versionWith(PREVIOUS));
      if (current.versionId !== undefined && current.versionId === from) {
        if (moved === 'unconfirmed') throw this.malformed('UpdateSecretVersionStage');
        // Not a conflict after all: the move failed for another reason. Let AWS's answer speak.
        throw new SecretsManagerError(
          'rejected',
          `AWS Secrets Manager refused to move ${CURRENT} of secret "${this.secretId}" to the new version ${ours} ` +
            'although it is still on the expected version: ' +
            'check for a rotation or replication configured on the secret.',
        );
      }
      if (current.versionId !== undefined) {
        this.logger.warning(
          `AWS secret "${this.secretId}" changed while this run was working (${CURRENT} is now version ` +
            `${current.versionId}, expected ${from ?? 'no value'}).`,
        );
        const decision = await onConflict(current);
        if (decision === 'keep') {
          // The caller's rule says the value there now is newer than ours: ours is no work in progress any more.
          await this.dropPending(ours);
          this.logger.info(`Kept the newer value of AWS secret "${this.secretId}" (version ${current.versionId}).`);
          return { outcome: 'kept-current', current };
        }
      }
      if (round >= MAX_CONFLICT_ROUNDS) {
        throw new SecretsManagerError(
          'conflict',
          `${CURRENT} of AWS Secrets Manager secret "${this.secretId}" kept moving while this run tried to write it ` +
            `(${round} attempts): another writer is updating it at the same time, run again once it is done.`,
        );
      }
      from = current.versionId;
    }
  }

  private track(cleanup: Promise<void>): void {
    this.cleanups.add(cleanup);
    void cleanup.finally(() => this.cleanups.delete(cleanup));
  }

  /** Version ids and their staging labels, for summaries and tests. */
  async describe(): Promise<SecretDescription> {
    const out = await this.call('DescribeSecret', ({ sdk, client }) =>
      client.send(new sdk.DescribeSecretCommand({ SecretId: this.secretId })),
    );
    const versionStages: Record<string, string[]> = {};
    for (const [id, stages] of Object.entries(out.VersionIdsToStages ?? {})) versionStages[id] = [...stages];
    return {
      arn: out.ARN,
      name: out.Name,
      currentVersionId: Object.keys(versionStages).find((id) => versionStages[id]?.includes(CURRENT)),
      versionStages,
      deletedDate: out.DeletedDate,
    };
  }

  /**
   * The same secret for the next run of a long-running loop, with a new ClientRequestToken (one token stands for one
   * value) and this store's SDK client, which it takes over: loading the SDK, resolving the client's configuration
   * and credentials and opening a connection happen once per process, not once per run. This store stays usable
   * until closed (its AWSPENDING clean-up may still be running); closing it leaves the client to the new one.
   */
  nextRun(clientRequestToken: string): SecretsManagerStore {
    const next = new SecretsManagerStore({
      secretId: this.secretId,
      ...(this.regionName ? { region: this.regionName } : {}),
      logger: this.logger,
      clientRequestToken,
      maxAttempts: this.maxAttempts,
      ...(this.retryDelayMs ? { retryDelayMs: this.retryDelayMs } : {}),
      requestTimeoutMs: this.requestTimeoutMs,
    });
    next.connection = this.connection;
    next.ownsConnection = this.ownsConnection;
    this.ownsConnection = false;
    return next;
  }

  /** Releases the SDK client's sockets (for a CLI that wants to exit promptly). Safe to call more than once. */
  async close(): Promise<void> {
    await this.settle();
    if (!this.ownsConnection) return;
    const connection = this.connection;
    this.connection = undefined;
    if (!connection) return;
    try {
      (await connection).client.destroy();
    } catch {
      // The SDK never loaded; nothing to release.
    }
  }

  /**
   * Moves AWSCURRENT to `ours`: 'refused' when AWS says it is not on `from` (it moved: the compare of compare-and-set),
   * 'unconfirmed' when the answer is not AWS's (an empty 200 from a proxy): the caller reads the secret to find out.
   */
  private async moveCurrent(ours: string, from: string | undefined): Promise<'moved' | 'refused' | 'unconfirmed'> {
    try {
      const out = await this.call('UpdateSecretVersionStage', ({ sdk, client }) =>
        client.send(
          new sdk.UpdateSecretVersionStageCommand({
            SecretId: this.secretId,
            VersionStage: CURRENT,
            MoveToVersionId: ours,
            ...(from !== undefined ? { RemoveFromVersionId: from } : {}),
          }),
        ),
      );
      if (out.ARN === undefined && out.Name === undefined) return 'unconfirmed';
      this.logger.debug(
        `Moved ${CURRENT} of AWS secret "${this.secretId}" to version ${ours}${from ? ` from ${from}` : ''}.`,
      );
      return 'moved';
    } catch (error) {
      // "Version stage AWSCURRENT not found in version …", "Not a valid version: …" (the old version was cleaned up),
      // "RemoveFromVersionId can't be empty … AWSCURRENT is currently attached to version …" (someone wrote first).
      if (isInvalidParameter(error)) return 'refused';
      throw error;
    }
  }

  /** An answer without the fields AWS always sends (an empty 200 from a proxy or a wrong endpoint). */
  private malformed(operation: SecretsManagerOperation): SecretsManagerError {
    return new SecretsManagerError(
      'service',
      `AWS Secrets Manager answered ${operation} on secret "${this.secretId}" with an empty or malformed response: ` +
        `check AWS_ENDPOINT_URL_SECRETS_MANAGER and any proxy between ${thisMachine()} and ${this.endpoint()}, ` +
        'then try again.',
    );
  }

  /** Takes AWSPENDING off our version; best effort (a failure is a warning, never hides the real outcome). */
  private async dropPending(ours: string): Promise<void> {
    try {
      await this.call('UpdateSecretVersionStage', ({ sdk, client }) =>
        client.send(
          new sdk.UpdateSecretVersionStageCommand({
            SecretId: this.secretId,
            VersionStage: PENDING,
            RemoveFromVersionId: ours,
          }),
        ),
      );
    } catch (error) {
      if (isInvalidParameter(error)) return; // AWSPENDING is not on our version (anymore): nothing to clean.
      this.logger.warning(
        `Could not remove the ${PENDING} label from version ${ours} of AWS secret "${this.secretId}"; it is harmless but ` +
          `you may remove it with \`aws secretsmanager update-secret-version-stage --secret-id ${this.secretId} ` +
          `--version-stage ${PENDING} --remove-from-version-id ${ours}\`: ${errorMessage(error)}`,
      );
    }
  }

  private async versionWith(stage: string): Promise<string | undefined> {
    try {
      const { versionStages } = await this.describe();
      return Object.keys(versionStages).find((id) => versionStages[id]?.includes(stage));
    } catch {
      return undefined;
    }
  }

  private connect(): Promise<Connection> {
    this.connection ??= (async () => {
      const sdk = await import('@aws-sdk/client-secrets-manager');
      let retryStrategy: ConfiguredRetryStrategy | undefined;
      if (this.retryDelayMs) {
        // The SDK's own standard strategy with our delays (tests: no waiting); it still decides what is retryable.
        const retry = await import('@smithy/util-retry');
        retryStrategy = new retry.ConfiguredRetryStrategy(this.maxAttempts, this.retryDelayMs);
      }
      // The SDK does not read HTTPS_PROXY / NO_PROXY: behind a proxy its connections go through ours (loaded only then).
      const agents = hasProxySettings()
        ? (await import('../http/proxy-agent.js')).proxyAgents({ timeoutMs: this.requestTimeoutMs })
        : undefined;
      const client = new sdk.SecretsManagerClient({
        ...(this.regionName ? { region: this.regionName } : {}),
        maxAttempts: this.maxAttempts,
        ...(retryStrategy ? { retryStrategy } : {}),
        requestHandler: {
          connectionTimeout: this.requestTimeoutMs,
          requestTimeout: this.requestTimeoutMs,
          throwOnRequestTimeout: true,
          ...agents,
        },
      });
      return { sdk, client };
    })();
    return this.connection;
  }

  /** Runs one SDK call; every failure becomes a SecretsManagerError sentence. */
  private async call<T>(operation: SecretsManagerOperation, run: (connection: Connection) => Promise<T>): Promise<T> {
    const connection = await this.connect();
    try {
      return await run(connection);
    } catch (error) {
      if (!this.regionName) {
        try {
          this.regionName = nonEmpty(await connection.client.config.region());
        } catch {
          // No region anywhere; the message says so.
        }
      }
      throw toSecretsManagerError(error, {
        operation,
        secretId: this.secretId,
        region: this.regionName,
        endpoint: this.endpoint(),
        redact: (text) => this.logger.redact(text),
      });
    }
  }

  private endpoint(): string {
    const configured =
      process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true'
        ? undefined
        : (nonEmpty(process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER) ?? nonEmpty(process.env.AWS_ENDPOINT_URL));
    return configured ?? `https://secretsmanager.${this.regionName ?? '<region>'}.amazonaws.com`;
  }
}

function written(versionId: string, previousVersionId: string | undefined): CasResult {
  return previousVersionId ? { outcome: 'written', versionId, previousVersionId } : { outcome: 'written', versionId };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function isInvalidParameter(error: unknown): boolean {
  const cause = error instanceof SecretsManagerError ? error.cause : error;
  return (
    typeof cause === 'object' && cause !== null && (cause as { name?: unknown }).name === 'InvalidParameterException'
  );
}

function causeMessage(error: SecretsManagerError): string {
  const cause = error.cause;
  return typeof cause === 'object' && cause !== null && typeof (cause as { message?: unknown }).message === 'string'
    ? (cause as { message: string }).message
    : '';
}
