/**
 * Secrets Manager behind a proxy, as on a self-hosted runner: HTTPS_PROXY / HTTP_PROXY and NO_PROXY, which the AWS SDK
 * itself does not read, reach its connections through the project's CONNECT tunnel (src/http/proxy-agent.ts). The
 * endpoint's host name is one only the loopback proxy resolves, so a call that bypassed the proxy could not reach
 * moto at all. (Which hosts NO_PROXY exempts: test/http/proxy.test.ts and proxy-agent.test.ts.)
 */
import { randomUUID } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { SecretsManagerError, SecretsManagerStore } from '../../src/aws/secrets-manager-store.js';
import { createMemoryLogger } from '../../src/util/logger.js';
import { startLoopbackProxy } from '../http/loopback-proxy.js';
import type { LoopbackProxy } from '../http/loopback-proxy.js';
import {
  MOTO_REGION,
  applyEnv,
  awsEnv,
  createTestSecret,
  describeMoto,
  getMotoUrl,
  readSecretValue,
  uniqueSecretName,
} from '../support/moto.js';

const HOST = 'secretsmanager.proxy.test';
const NO_PROXY_ENV = { HTTPS_PROXY: '', https_proxy: '', HTTP_PROXY: '', http_proxy: '', NO_PROXY: '', no_proxy: '' };

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

function newStore(secretId: string) {
  const logger = createMemoryLogger();
  const store = new SecretsManagerStore({
    secretId,
    region: MOTO_REGION,
    logger,
    clientRequestToken: randomUUID(),
    maxAttempts: 2,
    retryDelayMs: () => 0,
    requestTimeoutMs: 5000,
  });
  cleanups.push(() => store.close());
  return store;
}

/** The loopback proxy routing HOST:port to moto, and the environment of a runner behind it. */
async function behindProxy(
  env: (proxy: LoopbackProxy) => Record<string, string>,
  credentials?: { user: string; password: string },
) {
  const motoPort = Number(new URL(getMotoUrl()).port);
  const proxy = await startLoopbackProxy({
    routes: { [`${HOST}:${motoPort}`]: motoPort },
    ...(credentials ? { credentials } : {}),
  });
  cleanups.push(() => proxy.close());
  cleanups.push(applyEnv({ ...awsEnv(`http://${HOST}:${motoPort}`), ...NO_PROXY_ENV, ...env(proxy) }));
  return { proxy, authority: `${HOST}:${motoPort}` };
}

describeMoto('SecretsManagerStore behind a proxy (HTTP_PROXY / HTTPS_PROXY / NO_PROXY)', () => {
  it("reads and writes the secret through the proxy's CONNECT tunnel, with the proxy URL's credentials", async () => {
    const secret = await createTestSecret(getMotoUrl(), uniqueSecretName(), '{"n":1}');
    const { proxy, authority } = await behindProxy((p) => ({ HTTP_PROXY: `http://bot:s3cr%40t@127.0.0.1:${p.port}` }), {
      user: 'bot',
      password: 's3cr@t',
    });
    const store = newStore(secret.name);
    const loaded = await store.load();
    expect(loaded.text).toBe('{"n":1}');
    await expect(store.compareAndSet('{"n":2}', loaded.versionId, () => 'keep')).resolves.toMatchObject({
      outcome: 'written',
    });
    expect((await readSecretValue(getMotoUrl(), secret.name)).text).toBe('{"n":2}');
    expect(proxy.tunnels.length).toBeGreaterThanOrEqual(1);
    expect(proxy.tunnels.every((t) => t.authority === authority && t.status === 200)).toBe(true);
  });

  it('a proxy refusing the tunnel ends in one sentence naming the proxy and what to check, never its password', async () => {
    const secret = await createTestSecret(getMotoUrl(), uniqueSecretName(), '{"n":1}');
    const { proxy } = await behindProxy((p) => ({ HTTP_PROXY: `http://bot:wrong-password@127.0.0.1:${p.port}` }), {
      user: 'bot',
      password: 'right',
    });
    const error = await newStore(secret.name)
      .load()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretsManagerError);
    expect(error).toMatchObject({ kind: 'network' });
    const message = (error as Error).message;
    expect(message).toMatch(
      new RegExp(
        `^Could not reach AWS Secrets Manager at http://${HOST}:\\d+ through the proxy http://127\\.0\\.0\\.1:${proxy.port} \\(The proxy .* refused the tunnel to ${HOST}:\\d+ \\(HTTP 407: check the credentials in the proxy URL\\)\\): check HTTPS_PROXY \\(its host, port and credentials\\), or list the endpoint's host in NO_PROXY if this runner reaches it directly\\.$`,
      ),
    );
    expect(message).not.toContain('wrong-password');
  });

  it('goes direct to a loopback endpoint: the proxy never sees it', async () => {
    const secret = await createTestSecret(getMotoUrl(), uniqueSecretName(), '{"n":1}');
    const { proxy } = await behindProxy((p) => ({ HTTP_PROXY: p.url }));
    cleanups.push(applyEnv({ AWS_ENDPOINT_URL_SECRETS_MANAGER: getMotoUrl() }));
    await expect(newStore(secret.name).load()).resolves.toMatchObject({ text: '{"n":1}' });
    expect(proxy.tunnels).toEqual([]);
  });
});
