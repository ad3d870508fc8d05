import sodium from 'libsodium-wrappers';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../../src/github/octokit.js';
import type { GitHubClientOptions } from '../../src/github/octokit.js';
import { parseSecretTargets } from '../../src/github/secret-targets.js';
import { encryptForGitHub, GitHubSecretsWriter } from '../../src/github/secrets-writer.js';
import type { SecretWriteResult } from '../../src/github/secrets-writer.js';
import { UserError } from '../../src/util/errors.js';
import { createMemoryLogger } from '../../src/util/logger.js';
import { FAKE_SECRETS_TOKEN, FAKE_WORKFLOW_TOKEN, startGitHubFake } from '../fakes/github-fake.js';
import type { GitHubFake, GitHubFakeOptions } from '../fakes/github-fake.js';

/** A token record as the run writes it; every test checks that it never shows up in a message or a log line. */
const VALUE = JSON.stringify({
  access_token: 'I0.b2F1dGgyLmNkYy5zY2h3YWIuY29tAccessTokenValue@',
  refresh_token: 'RT-9f8e7d6c5b4a39281706fedcba@',
  id_token: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln',
  token_type: 'Bearer',
  scope: 'api',
  expires_in: 1800,
  expires_at: '2026-11-21T12:30:00Z',
  created_at: '2026-11-18T09:00:00Z',
  refresh_token_expires_at: '2026-11-25T09:00:00Z',
  last_refresh: '2026-11-21T12:00:00Z',
  refresh_count: 141,
});
const FRAGMENTS = [
  'I0.b2F1dGgyLmNkYy5zY2h3YWIuY29tAccessTokenValue@',
  'RT-9f8e7d6c5b4a39281706fedcba@',
  'eyJhbGciOiJSUzI1NiJ9',
];

let fake: GitHubFake | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup(
  options: {
    fake?: GitHubFakeOptions;
    token?: string;
    client?: Partial<GitHubClientOptions>;
  } = {},
) {
  fake = await startGitHubFake(options.fake);
  const logger = createMemoryLogger();
  const client = await createGitHubClient({
    token: options.token ?? FAKE_SECRETS_TOKEN,
    baseUrl: fake.url,
    logger,
    waitScale: 0,
    timeoutMs: 2_000,
    ...options.client,
  });
  const writer = new GitHubSecretsWriter(client, logger);
  /** Everything that left the writer as text: results and log lines. */
  const output = (results: SecretWriteResult[]) =>
    [...results.map((r) => r.error ?? ''), ...logger.lines.map((l) => l.message)].join('\n');
  return { fake, logger, writer, output };
}

function expectNoSecret(text: string): void {
  expect(text).not.toContain(VALUE);
  for (const fragment of FRAGMENTS) expect(text).not.toContain(fragment);
}

const ALL_KINDS = `
SCHWAB_TOKEN
acme/bot@production:SCHWAB_TOKEN
org/acme:SCHWAB_TOKEN
`;

describe('GitHubSecretsWriter.checkAccess (before a refresh only GitHub secrets could keep)', () => {
  it("reads each store's public key once, and the write reuses it", async () => {
    const { fake, writer } = await setup();
    const targets = parseSecretTargets(ALL_KINDS, 'acme/bot');
    await writer.checkAccess(targets);
    const results = await writer.writeAll(targets, VALUE);
    expect(results.every((r) => r.ok)).toBe(true);
    expect([fake.count('repo-public-key'), fake.count('env-public-key'), fake.count('org-public-key')]).toEqual([
      1, 1, 1,
    ]);
  });

  it('refuses in one sentence naming the secret, the permission and that nothing was refreshed', async () => {
    const { fake, writer, logger } = await setup();
    fake.inject('env-public-key', { type: 'forbidden' }, Infinity);
    const error = await writer.checkAccess(parseSecretTargets(ALL_KINDS, 'acme/bot')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    const message = (error as Error).message;
    expect(message).toMatch(
      /^Cannot write secret SCHWAB_TOKEN to the environment production of acme\/bot \(HTTP 403: .*\): .*the secrets-token needs the "Secrets: read and write" and "Environments: read and write" permissions on acme\/bot .*; nothing was refreshed, so the stored token still works\.$/,
    );
    expect(message).not.toMatch(/\n/);
    expect(fake.count('repo-secret-put') + fake.count('env-secret-put') + fake.count('org-secret-put')).toBe(0);
    expectNoSecret([message, ...logger.lines.map((l) => l.message)].join('\n'));
  });
});

describe('GitHubSecretsWriter', () => {
  it('writes repository, environment and organization secrets that decrypt to the value', async () => {
    const { fake, writer, logger, output } = await setup();
    const results = await writer.writeAll(parseSecretTargets(ALL_KINDS, 'acme/bot'), VALUE);
    expect(results.map((r) => [r.target.label, r.ok, r.status])).toEqual([
      ['acme/bot:SCHWAB_TOKEN', true, 'created'],
      ['acme/bot@production:SCHWAB_TOKEN', true, 'created'],
      ['org/acme:SCHWAB_TOKEN', true, 'created'],
    ]);
    expect(fake.decryptedSecret('acme/bot', 'SCHWAB_TOKEN')).toBe(VALUE);
    expect(fake.decryptedSecret('acme/bot@production', 'SCHWAB_TOKEN')).toBe(VALUE);
    expect(fake.decryptedSecret('org/acme', 'SCHWAB_TOKEN')).toBe(VALUE);
    expect(fake.secret('org/acme', 'SCHWAB_TOKEN')?.visibility).toBe('private');
    const put = fake.requestsTo('repo-secret-put')[0];
    expect(put?.body).toEqual({ encrypted_value: expect.any(String), key_id: fake.publicKey('acme/bot').key_id });
    expect(put?.headers.authorization).toBe(`token ${FAKE_SECRETS_TOKEN}`);
    expect(logger.lines.filter((l) => l.level === 'info').map((l) => l.message)).toContain(
      'Wrote GitHub secret acme/bot:SCHWAB_TOKEN (created).',
    );
    expect(logger.masked).toContain(VALUE);
    expectNoSecret(output(results) + JSON.stringify(fake.requests.map((r) => r.body)));
  });

  it('reports an update (204) on the second write, with the new value', async () => {
    const { fake, writer } = await setup();
    fake.seedSecret('acme/bot', 'SCHWAB_TOKEN', 'old value');
    const [result] = await writer.writeAll(parseSecretTargets('acme/bot:schwab_token', undefined), VALUE);
    expect(result).toMatchObject({ ok: true, status: 'updated' });
    expect(fake.decryptedSecret('acme/bot', 'SCHWAB_TOKEN')).toBe(VALUE);
    expect(fake.secret('acme/bot', 'SCHWAB_TOKEN')?.writes).toBe(1);
  });

  it('fetches each public key once per store, writes one store serially and stores in parallel', async () => {
    const { fake, writer } = await setup();
    fake.inject({ method: 'PUT' }, { type: 'delay', ms: 60 }, Infinity);
    const targets = parseSecretTargets(
      'A_TOKEN\nB_TOKEN\nC_TOKEN\nacme/bot@production:A_TOKEN\nacme/bot@production:B_TOKEN\norg/acme:A_TOKEN:all',
      'acme/bot',
    );
    const results = await writer.writeAll(targets, VALUE);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(fake.count('repo-public-key')).toBe(1);
    expect(fake.count('env-public-key')).toBe(1);
    expect(fake.count('org-public-key')).toBe(1);
    expect(fake.secretNames('acme/bot')).toEqual(['A_TOKEN', 'B_TOKEN', 'C_TOKEN']);

    const overlaps = (a: { startedAt: number; finishedAt?: number }, b: { startedAt: number; finishedAt?: number }) =>
      a.startedAt < (b.finishedAt ?? Infinity) && b.startedAt < (a.finishedAt ?? Infinity);
    const puts = fake.requests.filter((r) => r.method === 'PUT');
    for (const a of puts) {
      for (const b of puts) {
        if (a !== b && a.store === b.store) expect(overlaps(a, b)).toBe(false);
      }
    }
    const acrossStores = puts.some((a) => puts.some((b) => a.store !== b.store && overlaps(a, b)));
    expect(acrossStores).toBe(true);
    // A second run (a new writer) fetches the keys again.
    const second = new GitHubSecretsWriter(
      await createGitHubClient({
        token: FAKE_SECRETS_TOKEN,
        baseUrl: fake.url,
        logger: createMemoryLogger(),
        waitScale: 0,
      }),
      createMemoryLogger(),
    );
    await second.writeAll(targets.slice(0, 1), VALUE);
    expect(fake.count('repo-public-key')).toBe(2);
  });

  it('keeps writing the other targets when one is forbidden, and names the missing permission', async () => {
    const { fake, writer, output } = await setup({
      fake: { repositories: ['acme/bot', 'acme/other'] },
    });
    fake.inject({ route: 'repo-secret-put', path: '/repos/acme/other/actions/secrets/SCHWAB_TOKEN' }, 'forbidden');
    const results = await writer.writeAll(
      parseSecretTargets('acme/other:SCHWAB_TOKEN\nSCHWAB_TOKEN\nacme/bot@production:SCHWAB_TOKEN', 'acme/bot'),
      VALUE,
    );
    expect(results.map((r) => r.ok)).toEqual([false, true, true]);
    expect(results[0]?.error).toBe(
      'could not write secret SCHWAB_TOKEN to acme/other (HTTP 403: Resource not accessible by integration): the ' +
        'secrets-token needs the "Secrets: read and write" permission on acme/other (a fine-grained PAT or a ' +
        'GitHub App token; GITHUB_TOKEN cannot write secrets)',
    );
    expect(fake.decryptedSecret('acme/bot', 'SCHWAB_TOKEN')).toBe(VALUE);
    expect(fake.decryptedSecret('acme/bot@production', 'SCHWAB_TOKEN')).toBe(VALUE);
    expect(fake.decryptedSecret('acme/other', 'SCHWAB_TOKEN')).toBeUndefined();
    expectNoSecret(output(results));
  });

  it('explains that GITHUB_TOKEN cannot write secrets (403 on the public key, every store)', async () => {
    const { writer, fake, output } = await setup({ token: FAKE_WORKFLOW_TOKEN });
    const results = await writer.writeAll(parseSecretTargets(`${ALL_KINDS}\nOTHER`, 'acme/bot'), VALUE);
    expect(results.every((r) => !r.ok)).toBe(true);
    expect(results[0]?.error).toMatch(
      /HTTP 403: Resource not accessible by integration.*"Secrets: read and write".*GITHUB_TOKEN cannot write secrets/,
    );
    expect(results[1]?.error).toMatch(
      /"Secrets: read and write" and "Environments: read and write" permissions on acme\/bot/,
    );
    expect(results[2]?.error).toBe(
      'could not write secret SCHWAB_TOKEN to the organization acme (HTTP 403: Resource not accessible by ' +
        'integration): the secrets-token needs the "Organization secrets: read and write" permission on the ' +
        'organization acme (a fine-grained PAT or a GitHub App token; GITHUB_TOKEN cannot write secrets)',
    );
    expect(results[3]?.error).toMatch(/^could not write secret OTHER to acme\/bot \(HTTP 403/);
    expect(fake.count('repo-public-key')).toBe(1); // the failed key is not fetched again for OTHER
    expect(fake.count('repo-secret-put')).toBe(0);
    expectNoSecret(output(results));
  });

  it('says the environment must exist when it answers 404', async () => {
    const { writer, output } = await setup();
    const [result] = await writer.writeAll(parseSecretTargets('acme/bot@staging:SCHWAB_TOKEN', undefined), VALUE);
    expect(result?.error).toBe(
      'could not write secret SCHWAB_TOKEN to the environment staging of acme/bot (HTTP 404: not found): the ' +
        'environment staging must exist in acme/bot (Settings → Environments) and the secrets-token needs the ' +
        '"Secrets: read and write" and "Environments: read and write" permissions on acme/bot (a fine-grained PAT ' +
        'or a GitHub App token; GITHUB_TOKEN cannot write secrets)',
    );
    expectNoSecret(output([result as SecretWriteResult]));
  });

  it('says the repository must exist when it answers 404', async () => {
    const { writer } = await setup();
    const [result] = await writer.writeAll(parseSecretTargets('acme/nope:T', undefined), VALUE);
    expect(result?.error).toMatch(
      /^could not write secret T to acme\/nope \(HTTP 404: not found\): .*, and acme\/nope must exist/,
    );
  });

  it('retries a secondary rate limit (retry-after) and succeeds, without real waits', async () => {
    const { fake, writer, logger } = await setup();
    fake.inject('repo-secret-put', { type: 'secondary-rate-limit', retryAfterSeconds: 30 });
    fake.inject('org-public-key', { type: 'secondary-rate-limit', retryAfterSeconds: 30, status: 429 });
    const started = Date.now();
    const results = await writer.writeAll(parseSecretTargets('acme/bot:T\norg/acme:T', undefined), VALUE);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(fake.count('repo-secret-put')).toBe(2);
    expect(fake.count('org-public-key')).toBe(2);
    expect(fake.decryptedSecret('acme/bot', 'T')).toBe(VALUE);
    expect(
      logger.lines
        .filter((l) => l.level === 'warning')
        .map((l) => l.message)
        .sort(),
    ).toEqual([
      'GitHub secondary rate limit on GET /orgs/{org}/actions/secrets/public-key; retrying in 30s.',
      'GitHub secondary rate limit on PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}; retrying in 30s.',
    ]);
  });

  it('gives up on a secondary rate limit after the retries and says so', async () => {
    const { fake, writer, output } = await setup();
    fake.inject('repo-secret-put', 'secondary-rate-limit', Infinity);
    const [result] = await writer.writeAll(parseSecretTargets('acme/bot:T', undefined), VALUE);
    expect(result?.error).toBe(
      "could not write secret T to acme/bot (HTTP 403): GitHub's secondary rate limit was still exceeded after the " +
        'retries; the next scheduled run will write it again (run less often or write fewer secrets if this repeats)',
    );
    expect(fake.count('repo-secret-put')).toBe(3); // the first try and rateLimitRetries (2)
    expectNoSecret(output([result as SecretWriteResult]));
  });

  it('retries a primary rate limit until the reset', async () => {
    const { fake, writer } = await setup();
    fake.inject('env-secret-put', 'rate-limit');
    const [result] = await writer.writeAll(parseSecretTargets('acme/bot@production:T', undefined), VALUE);
    expect(result?.ok).toBe(true);
    expect(fake.count('env-secret-put')).toBe(2);
  });

  it('retries a 500 (retry plugin) and succeeds; reports a server that keeps failing', async () => {
    const { fake, writer, output } = await setup();
    fake.inject('repo-public-key', 'server-error');
    fake.inject('repo-secret-put', { type: 'server-error', status: 502 });
    fake.inject('org-secret-put', { type: 'server-error', status: 503 }, Infinity);
    const results = await writer.writeAll(parseSecretTargets('acme/bot:T\norg/acme:T:all', undefined), VALUE);
    expect(results[0]).toMatchObject({ ok: true, status: 'created' });
    expect(fake.count('repo-public-key')).toBe(2);
    expect(fake.count('repo-secret-put')).toBe(2);
    expect(results[1]?.error).toBe(
      'could not write secret T to the organization acme (HTTP 503): GitHub did not answer successfully, even after ' +
        'the retries; the next scheduled run will write it again',
    );
    expect(fake.count('org-secret-put')).toBe(3);
    expectNoSecret(output(results));
  });

  it('reports a hanging GitHub as no answer after the timeout', async () => {
    const { fake, writer } = await setup({ client: { timeoutMs: 100, retries: 1 } });
    fake.inject('repo-secret-put', 'hang', Infinity);
    const [result] = await writer.writeAll(parseSecretTargets('acme/bot:T', undefined), VALUE);
    expect(result?.error).toMatch(
      /^could not write secret T to acme\/bot \(no answer: .*timeout.*\): GitHub did not answer successfully, even after the retries/,
    );
    expect(fake.count('repo-secret-put')).toBe(2);
  });

  it('reports a bad or expired secrets-token (401)', async () => {
    const { writer } = await setup({ token: 'github_pat_expired' });
    const [result] = await writer.writeAll(parseSecretTargets('acme/bot:T', undefined), VALUE);
    expect(result?.error).toBe(
      'could not write secret T to acme/bot (HTTP 401: Bad credentials): GitHub rejected the secrets-token as ' +
        'invalid or expired; create a new token (a fine-grained PAT or a GitHub App token; GITHUB_TOKEN cannot write ' +
        'secrets) and use it as the secrets-token',
    );
  });

  it("reports a 422 with GitHub's message", async () => {
    const { fake, writer, output } = await setup();
    fake.inject('org-secret-put', { type: 'unprocessable', message: 'Visibility is not allowed for this plan' });
    const [result] = await writer.writeAll(parseSecretTargets('org/acme:T:all', undefined), VALUE);
    expect(result?.error).toBe(
      'could not write secret T to the organization acme (HTTP 422: Visibility is not allowed for this plan): ' +
        'GitHub rejected the request as invalid; check the secret name and the visibility',
    );
    expectNoSecret(output([result as SecretWriteResult]));
  });

  it('detects a public key rotated between the key fetch and the PUT (the fake checks key_id and decrypts)', async () => {
    const { fake, writer } = await setup();
    await writer.writeAll(parseSecretTargets('acme/bot:A', undefined), VALUE);
    fake.rotateKey('acme/bot');
    const [result] = await writer.writeAll(parseSecretTargets('acme/bot:B', undefined), VALUE);
    expect(result?.error).toMatch(/HTTP 422: Bad request - key_id does not match/);
  });

  it('rejects a value too large for a GitHub secret before any request', async () => {
    const { fake, writer } = await setup();
    await expect(writer.writeAll(parseSecretTargets('acme/bot:T', undefined), 'x'.repeat(40_000))).rejects.toThrow(
      UserError,
    );
    expect(fake.requests).toHaveLength(0);
  });

  it('does nothing for no targets', async () => {
    const { fake, writer } = await setup();
    expect(await writer.writeAll([], VALUE)).toEqual([]);
    expect(fake.requests).toHaveLength(0);
  });

  describe('organization visibility', () => {
    it('keeps the visibility and selected repositories of an existing secret when none is given', async () => {
      const { fake, writer } = await setup({ fake: { repositories: ['acme/bot', 'acme/web'] } });
      const ids = [fake.repositoryId('acme/bot'), fake.repositoryId('acme/web')];
      fake.seedSecret('org/acme', 'SELECTED', 'old', { visibility: 'selected', selected_repository_ids: ids });
      fake.seedSecret('org/acme', 'EVERYONE', 'old', { visibility: 'all' });
      const results = await writer.writeAll(
        parseSecretTargets('org/acme:SELECTED\norg/acme:EVERYONE', undefined),
        VALUE,
      );
      expect(results.map((r) => r.status)).toEqual(['updated', 'updated']);
      expect(fake.secret('org/acme', 'SELECTED')).toMatchObject({
        visibility: 'selected',
        selected_repository_ids: ids,
      });
      expect(fake.secret('org/acme', 'EVERYONE')).toMatchObject({ visibility: 'all' });
      expect(fake.decryptedSecret('org/acme', 'SELECTED')).toBe(VALUE);
      expect(fake.requestsTo('org-secret-put').map((r) => r.body)).toEqual([
        expect.objectContaining({ visibility: 'selected', selected_repository_ids: ids }),
        expect.not.objectContaining({ selected_repository_ids: expect.anything() }),
      ]);
    });

    it('sets an explicit visibility, keeping the selection for :selected', async () => {
      const { fake, writer, logger } = await setup();
      const id = fake.repositoryId('acme/bot');
      fake.seedSecret('org/acme', 'WAS_SELECTED', 'old', { visibility: 'selected', selected_repository_ids: [id] });
      fake.seedSecret('org/acme', 'KEEP_SELECTION', 'old', { visibility: 'selected', selected_repository_ids: [id] });
      const results = await writer.writeAll(
        parseSecretTargets(
          'org/acme:WAS_SELECTED:all\norg/acme:KEEP_SELECTION:selected\norg/acme:NEW:selected',
          undefined,
        ),
        VALUE,
      );
      expect(results.every((r) => r.ok)).toBe(true);
      expect(fake.secret('org/acme', 'WAS_SELECTED')?.visibility).toBe('all');
      expect(fake.secret('org/acme', 'KEEP_SELECTION')).toMatchObject({
        visibility: 'selected',
        selected_repository_ids: [id],
      });
      expect(fake.secret('org/acme', 'NEW')).toMatchObject({ visibility: 'selected', selected_repository_ids: [] });
      expect(logger.lines).toContainEqual({
        level: 'warning',
        message:
          'The organization secret org/acme:NEW:selected is visible to selected repositories but none is selected ' +
          'yet: choose them in the settings of acme (Secrets and variables → Actions).',
      });
    });

    it('creates a new organization secret as private when no visibility is given', async () => {
      const { fake, writer } = await setup();
      await writer.writeAll(parseSecretTargets('org/acme:T', undefined), VALUE);
      expect(fake.secret('org/acme', 'T')?.visibility).toBe('private');
      expect(fake.count('org-secret-get')).toBe(1);
    });
  });
});

describe('encryptForGitHub', () => {
  it("produces a sealed box that opens with the store's private key", async () => {
    await sodium.ready;
    const pair = sodium.crypto_box_keypair();
    const publicKey = sodium.to_base64(pair.publicKey, sodium.base64_variants.ORIGINAL);
    const encrypted = await encryptForGitHub(publicKey, 'héllo wörld');
    const opened = sodium.crypto_box_seal_open(
      sodium.from_base64(encrypted, sodium.base64_variants.ORIGINAL),
      pair.publicKey,
      pair.privateKey,
    );
    expect(sodium.to_string(opened)).toBe('héllo wörld');
    expect(encrypted).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(await encryptForGitHub(publicKey, 'héllo wörld')).not.toBe(encrypted); // ephemeral key each time
  });

  it('rejects a key that is not a base64 32-byte key', async () => {
    await expect(encryptForGitHub('not base64!', 'v')).rejects.toThrow(/not a base64-encoded 32-byte key/);
    await expect(encryptForGitHub('AAAA', 'v')).rejects.toThrow(/32-byte/);
  });
});
