import { UserError, errorMessage } from '../util/errors.js';
import { upperFirst } from '../util/text.js';
import type { Logger } from '../util/logger.js';
import type { GitHubClient } from './octokit.js';
import { assertSecretValueFits } from './secret-targets.js';
import type { OrganizationSecretTarget, SecretTarget } from './secret-targets.js';
import { sealForGitHub } from './sealed-box.js';

export interface SecretWriteResult {
  target: SecretTarget;
  ok: boolean;
  /** On success: 201 → `created`, 204 → `updated`. */
  status?: 'created' | 'updated';
  /** On failure: one sentence (no trailing period) naming the target, the cause and the fix; never the value. */
  error?: string;
}

interface PublicKey {
  key_id: string;
  key: string;
}

type OrgAccess = { visibility: 'private' | 'all' } | { visibility: 'selected'; selected_repository_ids: number[] };

/**
 * Writes one value to GitHub Actions secrets (repository, environment and organization stores).
 *
 * Each store's public key is fetched once per writer (one writer per run), the value is encrypted with libsodium's
 * sealed box (./sealed-box.ts) for that key and `PUT` with its `key_id`. Targets of one store are written one after
 * another; stores are written in parallel. A failed target does not stop the others: every target gets a result.
 * Retries of 5xx, timeouts and rate limits are the client's (createGitHubClient's plugins).
 */
export class GitHubSecretsWriter {
  private readonly keys = new Map<string, Promise<PublicKey>>();

  /**
   * `tokenName` is how failure messages name the token that writes the secrets: the action's `secrets-token` input
   * by default; the CLI's token comes from GH_TOKEN.
   */
  constructor(
    private readonly client: GitHubClient,
    private readonly logger: Logger,
    private readonly tokenName: string = 'the secrets-token',
  ) {}

  /**
   * Writes `value` to every target and returns one result per target, in the order given. Throws (a UserError,
   * before any request) only when the value is too large for a GitHub secret.
   */
  async writeAll(targets: readonly SecretTarget[], value: string): Promise<SecretWriteResult[]> {
    assertSecretValueFits(value);
    this.logger.mask(value);
    if (targets.length === 0) return [];

    const stores = new Map<string, SecretTarget[]>();
    for (const target of targets) {
      const key = target.store.toLowerCase();
      stores.set(key, [...(stores.get(key) ?? []), target]);
    }
    const results = new Map<SecretTarget, SecretWriteResult>();
    await Promise.all(
      [...stores.values()].map(async (storeTargets) => {
        for (const target of storeTargets) results.set(target, await this.writeOne(target, value));
      }),
    );
    return targets.map((target) => results.get(target) as SecretWriteResult);
  }

  /**
   * Fetches the public key of every store the targets are in (reading it needs the same permission as writing the
   * secrets), once per writer, so a later `writeAll` reuses it. Throws a UserError naming the first target whose store
   * refuses, in one sentence with the fix: called before a refresh whose result only these secrets could keep.
   */
  async checkAccess(targets: readonly SecretTarget[]): Promise<void> {
    const refusals = await Promise.all(
      targets.map(async (target) => {
        try {
          await this.publicKey(target);
          return undefined;
        } catch (error) {
          return describeFailure(
            target,
            error,
            this.tokenName,
            `cannot write secret ${target.name} to ${describeStore(target)}`,
          );
        }
      }),
    );
    const refused = refusals.find((refusal) => refusal !== undefined);
    if (refused)
      throw new UserError(
        this.logger.redact(`${upperFirst(refused)}; nothing was refreshed, so the stored token still works.`),
      );
  }

  private async writeOne(target: SecretTarget, value: string): Promise<SecretWriteResult> {
    try {
      const key = await this.publicKey(target);
      const encrypted_value = sealForGitHub(key.key, value);
      const status = await this.put(target, encrypted_value, key.key_id);
      this.logger.info(`Wrote GitHub secret ${target.label} (${status}).`);
      return { target, ok: true, status };
    } catch (error) {
      const message = this.logger.redact(describeFailure(target, error, this.tokenName));
      this.logger.warning(message);
      return { target, ok: false, error: message };
    }
  }

  /** The store's public key, fetched once per writer; a failure is remembered too (same answer for its targets). */
  private publicKey(target: SecretTarget): Promise<PublicKey> {
    const cacheKey = target.store.toLowerCase();
    let key = this.keys.get(cacheKey);
    if (!key) {
      key = this.fetchPublicKey(target);
      key.catch(() => undefined); // handled by each target that awaits it
      this.keys.set(cacheKey, key);
    }
    return key;
  }

  private async fetchPublicKey(target: SecretTarget): Promise<PublicKey> {
    const { actions } = this.client.rest;
    this.logger.debug(`Fetching the public key of ${target.store}.`);
    const response =
      target.kind === 'repository'
        ? await actions.getRepoPublicKey({ owner: target.owner, repo: target.repo })
        : target.kind === 'environment'
          ? await actions.getEnvironmentPublicKey({
              owner: target.owner,
              repo: target.repo,
              environment_name: target.environment,
            })
          : await actions.getOrgPublicKey({ org: target.org });
    const { key_id, key } = response.data;
    return { key_id, key };
  }

  private async put(target: SecretTarget, encrypted_value: string, key_id: string): Promise<'created' | 'updated'> {
    const { actions } = this.client.rest;
    const secret_name = target.name;
    let status: number;
    if (target.kind === 'repository') {
      ({ status } = await actions.createOrUpdateRepoSecret({
        owner: target.owner,
        repo: target.repo,
        secret_name,
        encrypted_value,
        key_id,
      }));
    } else if (target.kind === 'environment') {
      ({ status } = await actions.createOrUpdateEnvironmentSecret({
        owner: target.owner,
        repo: target.repo,
        environment_name: target.environment,
        secret_name,
        encrypted_value,
        key_id,
      }));
    } else {
      const access = await this.orgAccess(target);
      ({ status } = await actions.createOrUpdateOrgSecret({
        org: target.org,
        secret_name,
        encrypted_value,
        key_id,
        ...access,
      }));
    }
    return status === 201 ? 'created' : 'updated';
  }

  /**
   * The repository access an organization secret is written with. `private` / `all`: as asked. `selected`: the
   * secret's current selected repositories (GitHub has no "keep" for them on a PUT). No visibility given: an existing
   * secret keeps its own (so a bare `org/ORG:NAME` never narrows or widens who can read it); a new one is `private`.
   */
  private async orgAccess(target: OrganizationSecretTarget): Promise<OrgAccess> {
    const { actions } = this.client.rest;
    let visibility = target.visibility;
    if (visibility === undefined) {
      const existing = await ifFound(actions.getOrgSecret({ org: target.org, secret_name: target.name }));
      visibility = existing?.data.visibility ?? 'private';
    }
    if (visibility !== 'selected') return { visibility };
    const repos = await ifFound(
      this.client.paginate(actions.listSelectedReposForOrgSecret, {
        org: target.org,
        secret_name: target.name,
        per_page: 100,
      }),
      [409],
    );
    const ids = (repos ?? []).map((repo) => repo.id);
    if (ids.length === 0) {
      this.logger.warning(
        `The organization secret ${target.label} is visible to selected repositories but none is selected yet: ` +
          `choose them in the settings of ${target.org} (Secrets and variables → Actions).`,
      );
    }
    return { visibility: 'selected', selected_repository_ids: ids };
  }
}

/**
 * Encrypts `value` for a GitHub secrets store: libsodium's sealed box (`crypto_box_seal`) with the store's public key
 * (base64, as the public-key endpoints return it); returns the base64 `encrypted_value` the PUT endpoints expect.
 */
export async function encryptForGitHub(publicKeyBase64: string, value: string): Promise<string> {
  return sealForGitHub(publicKeyBase64, value);
}

/** Gets the sealed box ready while a run waits on Schwab and AWS; exported here so the writer's one chunk brings it. */
export { prepareSealedBox } from './sealed-box.js';

/** Resolves to undefined when the request answers 404 (or another of `statuses`). */
async function ifFound<T>(request: Promise<T>, statuses: number[] = []): Promise<T | undefined> {
  try {
    return await request;
  } catch (error) {
    const status = statusOf(error);
    if (status === 404 || (status !== undefined && statuses.includes(status))) return undefined;
    throw error;
  }
}

interface HttpErrorLike {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | undefined>; data?: unknown };
}

function statusOf(error: unknown): number | undefined {
  const status = (error as HttpErrorLike | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** GitHub's own `message` of an error answer, else the error's message; cut to one short line. */
function githubMessage(error: unknown): string {
  const data = (error as HttpErrorLike | undefined)?.response?.data;
  const message =
    typeof data === 'object' && data !== null && typeof (data as { message?: unknown }).message === 'string'
      ? (data as { message: string }).message
      : errorMessage(error);
  const oneLine = message.replace(/\s+/g, ' ').trim();
  return oneLine.length > 200 ? `${oneLine.slice(0, 197)}...` : oneLine;
}

function describeStore(target: SecretTarget): string {
  if (target.kind === 'environment') return `the environment ${target.environment} of ${target.owner}/${target.repo}`;
  if (target.kind === 'organization') return `the organization ${target.org}`;
  return `${target.owner}/${target.repo}`;
}

const NOT_GITHUB_TOKEN = 'a fine-grained PAT or a GitHub App token; GITHUB_TOKEN cannot write secrets';

/** One sentence (no trailing period) for a failed target: what failed, why, and how to fix it. */
function describeFailure(
  target: SecretTarget,
  error: unknown,
  tokenName: string,
  failed = `could not write secret ${target.name} to ${describeStore(target)}`,
): string {
  const status = statusOf(error);
  const hasResponse = (error as HttpErrorLike | undefined)?.response !== undefined;
  const message = githubMessage(error);

  if (status === 401) {
    return (
      `${failed} (HTTP 401: ${message}): GitHub rejected ${tokenName} as invalid or expired; create a new ` +
      `token (${NOT_GITHUB_TOKEN}) and use it as ${tokenName}`
    );
  }
  if ((status === 403 || status === 429) && /rate limit/i.test(message)) {
    const kind = /secondary rate limit/i.test(message) ? 'secondary rate limit' : 'API rate limit';
    return (
      `${failed} (HTTP ${status}): GitHub's ${kind} was still exceeded after the retries; the next scheduled run ` +
      `will write it again (run less often or write fewer secrets if this repeats)`
    );
  }
  if (status === 403 || status === 404) {
    const code = status === 404 ? 'HTTP 404: not found' : `HTTP 403: ${message}`;
    if (target.kind === 'environment') {
      const repo = `${target.owner}/${target.repo}`;
      return (
        `${failed} (${code}): the environment ${target.environment} must exist in ${repo} (Settings → ` +
        `Environments) and ${tokenName} needs the "Secrets: read and write" and "Environments: read and ` +
        `write" permissions on ${repo} (${NOT_GITHUB_TOKEN})`
      );
    }
    if (target.kind === 'organization') {
      return (
        `${failed} (${code}): ${tokenName} needs the "Organization secrets: read and write" permission on ` +
        `the organization ${target.org} (${NOT_GITHUB_TOKEN})`
      );
    }
    const repo = `${target.owner}/${target.repo}`;
    return (
      `${failed} (${code}): ${tokenName} needs the "Secrets: read and write" permission on ${repo}` +
      `${status === 404 ? `, and ${repo} must exist` : ''} (${NOT_GITHUB_TOKEN})`
    );
  }
  if (status === 422) {
    const check = target.kind === 'organization' ? 'the secret name and the visibility' : 'the secret name';
    return `${failed} (HTTP 422: ${message}): GitHub rejected the request as invalid; check ${check}`;
  }
  const fromRequest = typeof error === 'object' && error !== null && 'request' in error;
  if (!fromRequest) return `${failed}: ${message}`;
  if (status === undefined || status >= 500 || !hasResponse) {
    const what = hasResponse ? `HTTP ${status}` : `no answer: ${message}`;
    return (
      `${failed} (${what}): GitHub did not answer successfully, even after the retries; the next scheduled run ` +
      `will write it again`
    );
  }
  return `${failed} (HTTP ${status}: ${message})`;
}
