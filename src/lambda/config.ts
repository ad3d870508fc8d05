/**
 * The login function's configuration: the environment names two secrets (TOKEN_SECRET_ID, CONFIG_SECRET_ID); the
 * configuration secret is one JSON object holding the rest:
 *
 * ```json
 * {"app_key":"…","app_secret":"…","state_key":"…","account_hashes":["…"],"github_token":"…",
 *  "github_repository":"owner/repo","github_workflow":"rotate-schwab-token.yml","github_ref":"main"}
 * ```
 *
 * `state_key` is generated and stored on first use when absent; `account_hashes` is recorded by the first login when
 * absent; the `github_*` fields are optional (all of token, repository and workflow, or none). Unknown fields are kept
 * when the function writes the secret. Messages name the field, never a value.
 */
import { createHash } from 'node:crypto';
import type * as SecretsManagerSdk from '@aws-sdk/client-secrets-manager';
import { UserError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { normalizeHttpUrl } from '../settings/validators.js';
import { DEFAULT_SCHWAB_BASE_URL } from '../schwab/urls.js';
import { SecretsManagerError, toSecretsManagerError } from '../aws/errors.js';
import type { SecretsManagerOperation } from '../aws/errors.js';
import { MIN_STATE_KEY_LENGTH, newStateKey } from './state.js';

/** The environment the function reads (names only; every secret value lives in the configuration secret). */
export interface LoginEnvironment {
  tokenSecretId: string;
  configSecretId: string;
  schwabBaseUrl: string;
  /** GITHUB_API_URL, for tests and GitHub Enterprise; undefined: https://api.github.com. */
  githubApiUrl: string | undefined;
}

export interface GitHubDispatchConfig {
  token: string;
  repository: string;
  workflow: string;
  ref: string;
}

export interface LoginConfig {
  appKey: string;
  appSecret: string;
  /** Undefined until generated (see ConfigSecret.ensureStateKey). */
  stateKey: string | undefined;
  /** The owner's accounts; undefined until the first login records them. */
  accountHashes: string[] | undefined;
  github: GitHubDispatchConfig | undefined;
}

/** The configuration as read: the parsed settings, the whole JSON object (to write back) and its version. */
export interface LoadedConfig {
  config: LoginConfig;
  raw: Record<string, unknown>;
  versionId: string;
}

/** Reads the environment; a missing variable is one sentence naming it. */
export function readLoginEnvironment(env: NodeJS.ProcessEnv): LoginEnvironment {
  const need = (name: string, what: string): string => {
    const value = env[name]?.trim();
    if (!value)
      throw new UserError(
        `The login function's environment variable ${name} is not set: set it to ${what} (the template ` +
          `deploy/login-function.yml does).`,
      );
    return value;
  };
  const tokenSecretId = need(
    'TOKEN_SECRET_ID',
    'the name or ARN of the Secrets Manager secret holding the token record',
  );
  const configSecretId = need('CONFIG_SECRET_ID', "the name or ARN of the function's configuration secret");
  const base = env.SCHWAB_BASE_URL?.trim();
  const schwabBaseUrl = base ? normalizeHttpUrl(base) : DEFAULT_SCHWAB_BASE_URL;
  if (schwabBaseUrl === undefined) {
    throw new UserError(
      "The login function's environment variable SCHWAB_BASE_URL is not an http(s) URL: remove it, or set it to " +
        `${DEFAULT_SCHWAB_BASE_URL}.`,
    );
  }
  return { tokenSecretId, configSecretId, schwabBaseUrl, githubApiUrl: env.GITHUB_API_URL?.trim() || undefined };
}

const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
const WORKFLOW = /^[A-Za-z0-9._-]{1,200}\.ya?ml$|^\d{1,20}$/;

/** Parses the configuration secret's text. `label` names the secret in messages. */
export function parseLoginConfig(
  text: string | undefined,
  label: string,
): { config: LoginConfig; raw: Record<string, unknown> } {
  const fix = (field: string, what: string) =>
    new UserError(
      `The configuration secret ${label} ${what}: set "${field}" in it (see the README's login function section).`,
    );
  if (text === undefined || text.trim() === '') {
    throw new UserError(
      `The configuration secret ${label} is empty: put a JSON object with "app_key" and "app_secret" in it (see ` +
        `the README's login function section).`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new UserError(
      `The configuration secret ${label} is not JSON: store one JSON object with "app_key" and "app_secret" (see ` +
        `the README's login function section).`,
    );
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new UserError(
      `The configuration secret ${label} is not a JSON object: store one with "app_key" and "app_secret" (see ` +
        `the README's login function section).`,
    );
  }
  const object = raw as Record<string, unknown>;
  const textField = (field: string): string | undefined => {
    const value = object[field];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') throw fix(field, `has a "${field}" that is not a string`);
    return value.trim() || undefined;
  };
  const appKey = textField('app_key');
  if (!appKey) throw fix('app_key', 'has no "app_key"');
  const appSecret = textField('app_secret');
  if (!appSecret) throw fix('app_secret', 'has no "app_secret"');
  const stateKey = textField('state_key');
  if (stateKey !== undefined && stateKey.length < MIN_STATE_KEY_LENGTH) {
    throw fix(
      'state_key',
      `has a "state_key" shorter than ${MIN_STATE_KEY_LENGTH} characters (remove it and the function generates a ` +
        `strong one)`,
    );
  }
  let accountHashes: string[] | undefined;
  const hashes = object.account_hashes;
  if (hashes !== undefined && hashes !== null) {
    if (!Array.isArray(hashes) || !hashes.every((hash) => typeof hash === 'string' && hash.trim() !== '')) {
      throw fix(
        'account_hashes',
        'has an "account_hashes" that is not a list of strings (remove it and the next login records it)',
      );
    }
    accountHashes = hashes.length ? [...new Set(hashes.map((hash: string) => hash.trim()))].sort() : undefined;
  }
  const token = textField('github_token');
  const repository = textField('github_repository');
  const workflow = textField('github_workflow');
  const ref = textField('github_ref') ?? 'main';
  let github: GitHubDispatchConfig | undefined;
  if (token || repository || workflow) {
    if (!token) throw fix('github_token', 'names a workflow to start but has no "github_token"');
    if (!repository || !REPOSITORY.test(repository))
      throw fix('github_repository', 'needs a "github_repository" written owner/repo');
    if (!workflow || !WORKFLOW.test(workflow)) {
      throw fix('github_workflow', 'needs a "github_workflow" naming the workflow file (e.g. rotate-schwab-token.yml)');
    }
    github = { token, repository, workflow, ref };
  }
  return { config: { appKey, appSecret, stateKey, accountHashes, github }, raw: object };
}

/** Every secret value of the configuration, for masking. */
export function configSecrets(config: LoginConfig): string[] {
  return [config.appSecret, config.stateKey, config.github?.token].filter((value): value is string => !!value);
}

export interface ConfigSecretOptions {
  secretId: string;
  logger: Logger;
  /** Per-request timeout (default 10 s); attempts per call 3. */
  requestTimeoutMs?: number;
  maxAttempts?: number;
}

/**
 * The configuration secret in Secrets Manager: read (GetSecretValue, AWSCURRENT) and, twice in the function's life,
 * written (PutSecretValue): the generated state key, then the first login's accounts. The role has only these two
 * actions on it. A write uses a ClientRequestToken derived from the version it read, so two cold starts racing to
 * store a state key cannot both win: AWS refuses the second (one token, one value) and it adopts the stored one.
 */
export class ConfigSecret {
  readonly secretId: string;
  private readonly logger: Logger;
  private readonly options: ConfigSecretOptions;
  private client:
    Promise<{ sdk: typeof SecretsManagerSdk; client: SecretsManagerSdk.SecretsManagerClient }> | undefined;

  constructor(options: ConfigSecretOptions) {
    this.secretId = options.secretId;
    this.logger = options.logger;
    this.options = options;
  }

  get label(): string {
    return `"${this.secretId}"`;
  }

  async load(): Promise<LoadedConfig> {
    const out = await this.call('GetSecretValue', ({ sdk, client }) =>
      client.send(new sdk.GetSecretValueCommand({ SecretId: this.secretId, VersionStage: 'AWSCURRENT' })),
    );
    const text = out.SecretString ?? (out.SecretBinary ? Buffer.from(out.SecretBinary).toString('utf8') : undefined);
    this.logger.mask(text);
    const { config, raw } = parseLoginConfig(text, this.label);
    for (const secret of configSecrets(config)) this.logger.mask(secret);
    return { config, raw, versionId: out.VersionId ?? '' };
  }

  /**
   * The configuration with a state key: the stored one, else a new one, stored now (or the one a racing writer stored).
   */
  async ensureStateKey(loaded: LoadedConfig): Promise<LoadedConfig> {
    if (loaded.config.stateKey) return loaded;
    const key = newStateKey();
    this.logger.mask(key);
    const stored = await this.update(loaded, 'state_key', key);
    this.logger.info(`Generated the state key and stored it in the configuration secret ${this.label}.`);
    return stored;
  }

  /** Records the owner's accounts (the first login through the function). */
  async recordAccounts(loaded: LoadedConfig, hashes: string[]): Promise<LoadedConfig> {
    const stored = await this.update(loaded, 'account_hashes', [...hashes].sort());
    this.logger.info(
      `Recorded ${hashes.length} account(s) of the first login in the configuration secret ${this.label}.`,
    );
    return stored;
  }

  /** Writes `field` into the JSON as read; on a lost race, the configuration the winner stored. */
  private async update(loaded: LoadedConfig, field: string, value: unknown): Promise<LoadedConfig> {
    const raw = { ...loaded.raw, [field]: value };
    const text = JSON.stringify(raw);
    this.logger.mask(text);
    // One value per (field, version read): 64 hex characters, within AWS's 32–64.
    const token = createHash('sha256').update(`${field}\n${loaded.versionId}`).digest('hex');
    try {
      const out = await this.call('PutSecretValue', ({ sdk, client }) =>
        client.send(
          new sdk.PutSecretValueCommand({ SecretId: this.secretId, SecretString: text, ClientRequestToken: token }),
        ),
      );
      const { config } = parseLoginConfig(text, this.label);
      return { config, raw, versionId: out.VersionId ?? token };
    } catch (error) {
      if (!(error instanceof SecretsManagerError && error.kind === 'token-reused')) throw error;
      this.logger.info(
        `Another instance of the function updated the configuration secret ${this.label} first; using its value.`,
      );
      return this.load();
    }
  }

  private connect() {
    this.client ??= (async () => {
      const sdk = await import('@aws-sdk/client-secrets-manager');
      const timeout = this.options.requestTimeoutMs ?? 10_000;
      const client = new sdk.SecretsManagerClient({
        maxAttempts: this.options.maxAttempts ?? 3,
        requestHandler: { connectionTimeout: timeout, requestTimeout: timeout, throwOnRequestTimeout: true },
      });
      return { sdk, client };
    })();
    return this.client;
  }

  private async call<T>(
    operation: SecretsManagerOperation,
    run: (connection: { sdk: typeof SecretsManagerSdk; client: SecretsManagerSdk.SecretsManagerClient }) => Promise<T>,
  ): Promise<T> {
    const connection = await this.connect();
    try {
      return await run(connection);
    } catch (error) {
      let region: string | undefined;
      try {
        region = await connection.client.config.region();
      } catch {
        region = undefined;
      }
      const configured = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER?.trim() || process.env.AWS_ENDPOINT_URL?.trim();
      throw toSecretsManagerError(error, {
        operation,
        secretId: this.secretId,
        region,
        endpoint: configured || `https://secretsmanager.${region ?? '<region>'}.amazonaws.com`,
        redact: (text) => this.logger.redact(text),
      });
    }
  }
}
