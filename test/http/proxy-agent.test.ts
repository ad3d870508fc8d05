/**
 * The proxy agents the AWS SDK's connections go through (src/http/proxy-agent.ts), driven with Node's own
 * `http.request` / `https.request` as the SDK's NodeHttpHandler drives them: CONNECT tunnels through the loopback
 * proxy, TLS to the target inside the tunnel, direct connections for loopback, kept-alive tunnels reused, and a
 * proxy that never answers given up at the deadline.
 */
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import type { Agent, IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import type { LookupFunction, Server, Socket } from 'node:net';
import type { LookupAddress } from 'node:dns';
import type { TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { createCallbackCertificate } from '../../src/cli/certificate.js';
import { proxyAgents } from '../../src/http/proxy-agent.js';
import { startLoopbackProxy } from './loopback-proxy.js';

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()?.();
});

async function listen(server: Server): Promise<number> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  server.on('connection', track);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

const answer = (req: IncomingMessage, res: ServerResponse) =>
  res
    .writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify({ path: req.url, host: req.headers.host, sni: (req.socket as TLSSocket).servername ?? null }));

/** Resolves every name to 127.0.0.1, for a request that goes direct to a made-up host. */
const loopbackLookup: LookupFunction = (_host, options, callback) => {
  if ((options as { all?: boolean }).all)
    (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

function get(url: string, agent: Agent, lookup?: LookupFunction): Promise<Record<string, unknown>> {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { agent, ...(lookup ? { lookup } : {}) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve(JSON.parse(text) as Record<string, unknown>));
    });
    req.on('error', reject);
    req.end();
  });
}

function agentsFor(env: Record<string, string>, options: { ca?: string; timeoutMs?: number } = {}) {
  const agents = proxyAgents({ env, timeoutMs: options.timeoutMs ?? 5_000, ...(options.ca ? { ca: options.ca } : {}) });
  closers.push(() => {
    agents.httpAgent.destroy();
    agents.httpsAgent.destroy();
  });
  return agents;
}

describe('proxyAgents: connections through HTTPS_PROXY / HTTP_PROXY for clients that take an agent', () => {
  it('tunnels plain HTTP with CONNECT (the host name resolved by the proxy only) and reuses the kept-alive tunnel', async () => {
    const port = await listen(createHttpServer(answer));
    const proxy = await startLoopbackProxy({ routes: { [`secretsmanager.proxy.test:${port}`]: port } });
    closers.push(() => proxy.close());
    const { httpAgent } = agentsFor({ HTTP_PROXY: proxy.url });
    expect(await get(`http://secretsmanager.proxy.test:${port}/one`, httpAgent)).toMatchObject({
      path: '/one',
      host: `secretsmanager.proxy.test:${port}`,
    });
    expect(await get(`http://secretsmanager.proxy.test:${port}/two`, httpAgent)).toMatchObject({ path: '/two' });
    expect(proxy.tunnels).toEqual([{ authority: `secretsmanager.proxy.test:${port}`, status: 200 }]);
  });

  it('speaks TLS to an https target inside the tunnel, with its host as SNI, and still checks its certificate', async () => {
    const { key, cert } = await createCallbackCertificate('secretsmanager.proxy.test', new Date());
    const server = createHttpsServer({ key, cert }, answer);
    const port = await listen(server);
    const proxy = await startLoopbackProxy({
      routes: { [`secretsmanager.proxy.test:${port}`]: port },
      credentials: { user: 'me', password: 'p@ss' },
    });
    closers.push(() => proxy.close());
    const env = { https_proxy: `http://me:p%40ss@127.0.0.1:${proxy.port}` };
    const { httpsAgent } = agentsFor(env, { ca: cert });
    expect(await get(`https://secretsmanager.proxy.test:${port}/`, httpsAgent)).toMatchObject({
      sni: 'secretsmanager.proxy.test',
    });
    expect(proxy.tunnels[0]).toMatchObject({
      status: 200,
      authorization: `Basic ${Buffer.from('me:p@ss').toString('base64')}`,
    });

    const untrusting = agentsFor(env).httpsAgent;
    await expect(get(`https://secretsmanager.proxy.test:${port}/`, untrusting)).rejects.toMatchObject({
      code: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/),
    });
  });

  it('goes direct to loopback and to NO_PROXY hosts: the proxy never sees them', async () => {
    const port = await listen(createHttpServer(answer));
    const proxy = await startLoopbackProxy({ routes: {} });
    closers.push(() => proxy.close());
    const { httpAgent } = agentsFor({ HTTP_PROXY: proxy.url, NO_PROXY: 'example.org,.direct.test' });
    expect(await get(`http://127.0.0.1:${port}/`, httpAgent)).toMatchObject({ path: '/' });
    expect(await get(`http://localhost:${port}/`, httpAgent)).toMatchObject({ path: '/' });
    expect(await get(`http://secretsmanager.direct.test:${port}/`, httpAgent, loopbackLookup)).toMatchObject({
      host: `secretsmanager.direct.test:${port}`,
    });
    expect(proxy.tunnels).toEqual([]);
    // The same made-up host without the NO_PROXY entry is asked of the proxy (which has no route for it).
    const proxied = agentsFor({ HTTP_PROXY: proxy.url }).httpAgent;
    await expect(get(`http://secretsmanager.direct.test:${port}/`, proxied, loopbackLookup)).rejects.toThrow(
      /refused the tunnel .*HTTP 502/,
    );
    expect(proxy.tunnels).toEqual([{ authority: `secretsmanager.direct.test:${port}`, status: 502 }]);
  });

  it('a refused tunnel fails the request with the proxy named, never its password', async () => {
    const proxy = await startLoopbackProxy({ routes: {}, credentials: { user: 'me', password: 'right' } });
    closers.push(() => proxy.close());
    const { httpsAgent } = agentsFor({ HTTPS_PROXY: `http://me:wrong@127.0.0.1:${proxy.port}` });
    const error = (await get('https://secretsmanager.proxy.test/', httpsAgent).catch((e: unknown) => e)) as Error & {
      proxy?: string;
    };
    expect(error.message).toBe(
      `The proxy http://127.0.0.1:${proxy.port} refused the tunnel to secretsmanager.proxy.test:443 (HTTP 407: check the credentials in the proxy URL)`,
    );
    expect(error.proxy).toBe(`http://127.0.0.1:${proxy.port}`);
    expect(JSON.stringify(error)).not.toContain('wrong');
  });

  it('gives up on a proxy that never answers the CONNECT at the deadline, with a TimeoutError', async () => {
    const silent = createNetServer(() => undefined); // accepts, never answers
    const port = await listen(silent);
    const { httpsAgent } = agentsFor({ HTTPS_PROXY: `http://127.0.0.1:${port}` }, { timeoutMs: 200 });
    const started = Date.now();
    const error = (await get('https://secretsmanager.proxy.test/', httpsAgent).catch((e: unknown) => e)) as Error & {
      proxy?: string;
    };
    expect(error.name).toBe('TimeoutError');
    expect(error.message).toBe(
      `No tunnel through the proxy http://127.0.0.1:${port} to secretsmanager.proxy.test:443 within 200 ms`,
    );
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
