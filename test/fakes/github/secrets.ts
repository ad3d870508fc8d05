/**
 * The Actions secrets API of the GitHub fake: repository, environment and organization stores, each with a real
 * libsodium key pair, so a test reads back exactly the plaintext GitHub would store.
 */
import { randomInt } from 'node:crypto';
import sodium from 'libsodium-wrappers';
import type { FakeSecretInfo } from './types.js';
import type { Context, FakeWorld, Reply, Route } from './http.js';
import { HttpError, lower, paginate, route } from './http.js';

const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface Store {
  label: string;
  keyId: string;
  publicKey: Uint8Array;
  privateKey: Uint8Array;
  secrets: Map<string, FakeSecretInfo>;
}

export class SecretsApi {
  private readonly stores = new Map<string, Store>();

  constructor(private readonly world: FakeWorld) {}

  /** The secrets routes, in matching order: the public-key routes come before the {name} routes, which match it too. */
  routes(): Route[] {
    const R = '/repos/{owner}/{repo}';
    const ENV = `${R}/environments/{env}/secrets`;
    const ORG = '/orgs/{org}/actions/secrets';
    return [
      route('repo-public-key', 'GET', `${R}/actions/secrets/public-key`, ['secrets'], 'repo', (ctx) =>
        this.getPublicKey(ctx),
      ),
      route('repo-secret-get', 'GET', `${R}/actions/secrets/{name}`, ['secrets'], 'repo', (ctx) => this.getSecret(ctx)),
      route('repo-secret-put', 'PUT', `${R}/actions/secrets/{name}`, ['secrets'], 'repo', (ctx) => this.putSecret(ctx)),
      route('env-public-key', 'GET', `${ENV}/public-key`, ['secrets', 'environments'], 'env', (ctx) =>
        this.getPublicKey(ctx),
      ),
      route('env-secret-get', 'GET', `${ENV}/{name}`, ['secrets', 'environments'], 'env', (ctx) => this.getSecret(ctx)),
      route('env-secret-put', 'PUT', `${ENV}/{name}`, ['secrets', 'environments'], 'env', (ctx) => this.putSecret(ctx)),
      route('org-public-key', 'GET', `${ORG}/public-key`, ['organization-secrets'], 'org', (ctx) =>
        this.getPublicKey(ctx),
      ),
      route('org-secret-repos', 'GET', `${ORG}/{name}/repositories`, ['organization-secrets'], 'org', (ctx) =>
        this.listOrgSecretRepositories(ctx),
      ),
      route('org-secret-get', 'GET', `${ORG}/{name}`, ['organization-secrets'], 'org', (ctx) => this.getSecret(ctx)),
      route('org-secret-put', 'PUT', `${ORG}/{name}`, ['organization-secrets'], 'org', (ctx) => this.putSecret(ctx)),
    ];
  }

  // ----- state a test sets up or reads ----------------------------------------------------------------------------

  decryptedSecret(store: string, name: string): string | undefined {
    const s = this.stores.get(lower(store));
    const secret = s?.secrets.get(name.toUpperCase());
    if (!s || !secret) return undefined;
    return this.decrypt(s, secret.encrypted_value);
  }

  secret(store: string, name: string): FakeSecretInfo | undefined {
    const secret = this.stores.get(lower(store))?.secrets.get(name.toUpperCase());
    return secret ? { ...secret } : undefined;
  }

  secretNames(store: string): string[] {
    return [...(this.stores.get(lower(store))?.secrets.keys() ?? [])];
  }

  seedSecret(
    store: string,
    name: string,
    value: string,
    org?: { visibility: 'all' | 'private' | 'selected'; selected_repository_ids?: number[] },
  ): void {
    const s = this.storeOrThrow(store);
    const at = this.world.now().toISOString();
    s.secrets.set(name.toUpperCase(), {
      store: s.label,
      name: name.toUpperCase(),
      encrypted_value: sodium.to_base64(sodium.crypto_box_seal(value, s.publicKey), sodium.base64_variants.ORIGINAL),
      key_id: s.keyId,
      created_at: at,
      updated_at: at,
      writes: 0,
      ...(org ? { visibility: org.visibility, selected_repository_ids: org.selected_repository_ids ?? [] } : {}),
    });
  }

  publicKey(store: string): { key_id: string; key: string } {
    const s = this.storeOrThrow(store);
    return { key_id: s.keyId, key: sodium.to_base64(s.publicKey, sodium.base64_variants.ORIGINAL) };
  }

  rotateKey(store: string): void {
    const s = this.storeOrThrow(store);
    const pair = sodium.crypto_box_keypair();
    s.publicKey = pair.publicKey;
    s.privateKey = pair.privateKey;
    s.keyId = newKeyId();
  }

  addStore(label: string): void {
    if (this.stores.has(lower(label))) return;
    const pair = sodium.crypto_box_keypair();
    this.stores.set(lower(label), {
      label,
      keyId: newKeyId(),
      publicKey: pair.publicKey,
      privateKey: pair.privateKey,
      secrets: new Map(),
    });
  }

  // ----- handlers ---------------------------------------------------------------------------------------------------

  private storeOf(ctx: Context): Store {
    const label = ctx.record.store ?? '';
    const s = this.stores.get(lower(label));
    if (!s) throw new HttpError(404, 'Not Found');
    return s;
  }

  private getPublicKey(ctx: Context): Reply {
    const s = this.storeOf(ctx);
    return { status: 200, body: this.publicKey(s.label) };
  }

  private getSecret(ctx: Context): Reply {
    const secret = this.storeOf(ctx).secrets.get((ctx.params.name ?? '').toUpperCase());
    if (!secret) throw new HttpError(404, 'Not Found');
    const body: Record<string, unknown> = {
      name: secret.name,
      created_at: secret.created_at,
      updated_at: secret.updated_at,
    };
    if (secret.visibility) {
      body.visibility = secret.visibility;
      if (secret.visibility === 'selected') {
        body.selected_repositories_url = `${this.world.url}${ctx.record.path}/repositories`;
      }
    }
    return { status: 200, body };
  }

  private putSecret(ctx: Context): Reply {
    const s = this.storeOf(ctx);
    const name = ctx.params.name ?? '';
    const { encrypted_value: encrypted, key_id: keyId } = ctx.body;
    if (!SECRET_NAME.test(name) || /^GITHUB_/i.test(name)) {
      throw new HttpError(
        422,
        'Secret names can only contain alphanumeric characters ([a-z], [A-Z], [0-9]) or underscores (_), ' +
          'must not start with a number, and must not start with the GITHUB_ prefix.',
      );
    }
    if (typeof encrypted !== 'string')
      throw new HttpError(422, 'Invalid request.\n\n"encrypted_value" wasn\'t supplied.');
    if (typeof keyId !== 'string') throw new HttpError(422, 'Invalid request.\n\n"key_id" wasn\'t supplied.');
    if (keyId !== s.keyId) throw new HttpError(422, 'Bad request - key_id does not match the current public key.');
    const plaintext = this.decrypt(s, encrypted);
    if (plaintext === undefined) {
      throw new HttpError(422, 'Bad request - encrypted_value could not be decrypted with the public key of key_id.');
    }
    if (Buffer.byteLength(plaintext) > 48 * 1024) {
      throw new HttpError(422, 'Secret value is too large (the maximum is 48 KB).');
    }
    const org: Pick<FakeSecretInfo, 'visibility' | 'selected_repository_ids'> = {};
    const existing = s.secrets.get(name.toUpperCase());
    if (s.label.startsWith('org/')) {
      const { visibility, selected_repository_ids: ids } = ctx.body;
      if (visibility !== 'all' && visibility !== 'private' && visibility !== 'selected') {
        throw new HttpError(422, 'Invalid request.\n\n"visibility" must be one of: all, private, selected.');
      }
      if (ids !== undefined && visibility !== 'selected') {
        throw new HttpError(
          422,
          'Invalid request.\n\nselected_repository_ids can only be provided when visibility is set to selected.',
        );
      }
      if (ids !== undefined && (!Array.isArray(ids) || !ids.every((id) => Number.isInteger(id)))) {
        throw new HttpError(422, 'Invalid request.\n\n"selected_repository_ids" must be an array of integers.');
      }
      org.visibility = visibility;
      if (visibility === 'selected') {
        // Omitted ids keep the current selection (this fake's choice; GitHub does not document it).
        org.selected_repository_ids = (ids as number[] | undefined) ?? existing?.selected_repository_ids ?? [];
      }
    }
    const at = this.world.now().toISOString();
    s.secrets.set(name.toUpperCase(), {
      store: s.label,
      name: name.toUpperCase(),
      encrypted_value: encrypted,
      key_id: keyId,
      created_at: existing?.created_at ?? at,
      updated_at: at,
      writes: (existing?.writes ?? 0) + 1,
      ...org,
    });
    return existing ? { status: 204 } : { status: 201, body: {} };
  }

  private listOrgSecretRepositories(ctx: Context): Reply {
    const secret = this.storeOf(ctx).secrets.get((ctx.params.name ?? '').toUpperCase());
    if (!secret) throw new HttpError(404, 'Not Found');
    if (secret.visibility !== 'selected') {
      throw new HttpError(409, 'The visibility of this secret is not set to selected.');
    }
    const byId = new Map(this.world.repositoryList().map((r) => [r.id, r.fullName]));
    const repos = (secret.selected_repository_ids ?? []).map((id) => {
      const fullName = byId.get(id) ?? `${ctx.params.org}/repository-${id}`;
      return { id, name: fullName.split('/')[1], full_name: fullName };
    });
    const page = paginate(this.world, ctx, repos);
    return { status: 200, body: { total_count: repos.length, repositories: page } };
  }

  private decrypt(s: Store, encrypted: string): string | undefined {
    try {
      const bytes = sodium.from_base64(encrypted, sodium.base64_variants.ORIGINAL);
      return sodium.to_string(sodium.crypto_box_seal_open(bytes, s.publicKey, s.privateKey));
    } catch {
      return undefined;
    }
  }

  private storeOrThrow(label: string): Store {
    const s = this.stores.get(lower(label));
    if (!s) throw new Error(`unknown secrets store ${label} (use "owner/repo", "owner/repo@env" or "org/NAME")`);
    return s;
  }
}

function newKeyId(): string {
  return `${randomInt(100_000_000, 999_999_999)}${randomInt(100_000_000, 999_999_999)}`;
}
