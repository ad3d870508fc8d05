import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createCallbackCertificate } from '../../src/cli/certificate.js';
import { createTransport, HttpTimeoutError, ProxyTunnelError } from '../../src/http/transport.js';
import { unusedLocalUrl } from '../fakes/aws-stub.js';
import { startLoopbackProxy } from './loopback-proxy.js';
import type { LoopbackProxy } from './loopback-proxy.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  servername?: string | false | null;
}

interface TestServer {
  url: string;
  port: number;
  seen: Seen[];
  close(): Promise<void>;
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()?.();
});

async function listen(server: Server, protocol: 'http' | 'https', seen: Seen[]): Promise<TestServer> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const handle: TestServer = {
    url: `${protocol}://127.0.0.1:${port}`,
    port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  closers.push(handle.close);
  return handle;
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

function recording(seen: Seen[], handler: Handler) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const servername = (req.socket as TLSSocket).servername;
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        ...(servername !== undefined ? { servername } : {}),
      });
      handler(req, res, body);
    });
  };
}

async function httpServer(handler: Handler): Promise<TestServer> {
  const seen: Seen[] = [];
  return listen(createHttpServer(recording(seen, handler)), 'http', seen);
}

async function httpsServer(host: string, handler: Handler): Promise<TestServer & { cert: string }> {
  const seen: Seen[] = [];
  const { key, cert } = await createCallbackCertificate(host, new Date());
  const server = await listen(
    createHttpsServer({ key, cert }, recording(seen, handler)) as unknown as Server,
    'https',
    seen,
  );
  return { ...server, cert };
}

async function proxy(options: Parameters<typeof startLoopbackProxy>[0]): Promise<LoopbackProxy> {
  const started = await startLoopbackProxy(options);
  closers.push(started.close);
  return started;
}

const json = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));

/** The transport with no proxy configured, whatever the test process's own environment says. */
const direct = createTransport({ env: {} });

describe('the HTTP transport', () => {
  it('sends the method, headers and body, and returns status, lower-case headers and the whole body', async () => {
    const server = await httpServer((_req, res, body) => json(res, 201, { echo: body }, { 'X-Thing': 'yes' }));
    const answer = await direct(`${server.url}/v1/oauth/token?x=1`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: 'Basic abc' },
      body: 'grant_type=refresh_token&refresh_token=r%40',
      timeoutMs: 5_000,
    });
    expect(answer.status).toBe(201);
    expect(answer.url).toBe(`${server.url}/v1/oauth/token?x=1`);
    expect(answer.headers['x-thing']).toBe('yes');
    expect(JSON.parse(answer.body.toString())).toEqual({ echo: 'grant_type=refresh_token&refresh_token=r%40' });
    expect(server.seen[0]).toMatchObject({
      method: 'POST',
      url: '/v1/oauth/token?x=1',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: 'Basic abc',
        'content-length': String('grant_type=refresh_token&refresh_token=r%40'.length),
      },
    });
  });

  it('returns error answers with their bodies instead of rejecting', async () => {
    const server = await httpServer((_req, res) =>
      json(res, 400, { error: 'invalid_grant', error_description: 'Refresh token is invalid' }, { 'retry-after': '7' }),
    );
    const answer = await direct(server.url, { timeoutMs: 5_000 });
    expect(answer.status).toBe(400);
    expect(answer.statusText).toBe('Bad Request');
    expect(answer.headers['retry-after']).toBe('7');
    expect(JSON.parse(answer.body.toString())).toMatchObject({ error: 'invalid_grant' });
  });

  it('never follows a redirect: the 3xx comes back as it is', async () => {
    const target = await httpServer((_req, res) => json(res, 200, { followed: true }));
    const server = await httpServer((_req, res) => res.writeHead(307, { location: `${target.url}/elsewhere` }).end());
    const answer = await direct(`${server.url}/repos/acme/bot`, { method: 'PUT', body: '{}', timeoutMs: 5_000 });
    expect(answer.status).toBe(307);
    expect(answer.headers.location).toBe(`${target.url}/elsewhere`);
    expect(target.seen).toHaveLength(0);
  });

  it('one deadline covers the whole exchange: a server that never answers, and one that stalls mid-body', async () => {
    const silent = await httpServer(() => undefined);
    const started = Date.now();
    const error = await direct(silent.url, { timeoutMs: 150 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpTimeoutError);
    expect((error as Error).name).toBe('TimeoutError');
    expect((error as Error).message).toMatch(/^No complete answer from 127\.0\.0\.1:\d+ within the 150 ms timeout$/);
    expect(Date.now() - started).toBeLessThan(3_000);

    const stalling = await httpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"access_token":');
    });
    await expect(direct(stalling.url, { timeoutMs: 150 })).rejects.toBeInstanceOf(HttpTimeoutError);
  });

  it('rejects with the system error code when nothing listens', async () => {
    const url = await unusedLocalUrl();
    await expect(direct(url, { timeoutMs: 5_000 })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('rejects when the server closes the connection before the body is complete', async () => {
    const server = await httpServer((req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"partial":');
      setImmediate(() => req.socket.destroy());
    });
    await expect(direct(server.url, { timeoutMs: 5_000 })).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('stops at an abort signal', async () => {
    const silent = await httpServer(() => undefined);
    const controller = new AbortController();
    const pending = direct(silent.url, { timeoutMs: 5_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('decodes a gzip body and refuses one larger than maxBodyBytes', async () => {
    const server = await httpServer((_req, res) =>
      res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync(JSON.stringify({ ok: true }))),
    );
    const answer = await direct(server.url, { timeoutMs: 5_000 });
    expect(JSON.parse(answer.body.toString())).toEqual({ ok: true });

    const big = await httpServer((_req, res) => res.writeHead(200).end('x'.repeat(5000)));
    await expect(direct(big.url, { timeoutMs: 5_000, maxBodyBytes: 1000 })).rejects.toThrow(/larger than 1000 bytes/);
  });

  it('rejects URLs that are not http(s)', async () => {
    await expect(direct('ftp://example.test/file', { timeoutMs: 1_000 })).rejects.toThrow(/Only http and https URLs/);
  });
});

describe('the HTTP transport behind a proxy', () => {
  it('tunnels a plain-HTTP target through HTTP_PROXY with CONNECT; the host name is resolved by the proxy only', async () => {
    const target = await httpServer((_req, res) => json(res, 200, { via: 'proxy' }));
    const p = await proxy({ routes: { [`api.schwab.test:${target.port}`]: target.port } });
    const transport = createTransport({ env: { HTTP_PROXY: p.url } });
    const answer = await transport(`http://api.schwab.test:${target.port}/v1/oauth/token`, {
      method: 'POST',
      body: 'a=b',
      timeoutMs: 5_000,
    });
    expect(JSON.parse(answer.body.toString())).toEqual({ via: 'proxy' });
    expect(p.tunnels).toEqual([{ authority: `api.schwab.test:${target.port}`, status: 200 }]);
    expect(target.seen[0]).toMatchObject({
      url: '/v1/oauth/token',
      body: 'a=b',
      headers: { host: `api.schwab.test:${target.port}` },
    });
  });

  it('speaks TLS to an https target inside the tunnel, with the target host as SNI and certificate name', async () => {
    const target = await httpsServer('secure.test', (_req, res) => json(res, 200, { tls: true }));
    const p = await proxy({ routes: { [`secure.test:${target.port}`]: target.port } });
    const transport = createTransport({ env: { https_proxy: p.url }, ca: target.cert });
    const answer = await transport(`https://secure.test:${target.port}/repos/acme/bot`, { timeoutMs: 5_000 });
    expect(JSON.parse(answer.body.toString())).toEqual({ tls: true });
    expect(target.seen[0]?.servername).toBe('secure.test');
    expect(p.tunnels.map((t) => t.status)).toEqual([200]);

    // The certificate is still checked inside the tunnel: without its CA the request fails.
    const untrusting = createTransport({ env: { https_proxy: p.url } });
    await expect(untrusting(`https://secure.test:${target.port}/`, { timeoutMs: 5_000 })).rejects.toMatchObject({
      code: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/),
    });
  });

  it("sends the proxy URL's credentials, and a 407 is a ProxyTunnelError naming the proxy, never the password", async () => {
    const target = await httpServer((_req, res) => json(res, 200, {}));
    const p = await proxy({
      routes: { [`api.github.test:${target.port}`]: target.port },
      credentials: { user: 'me', password: 'p@ss' },
    });
    const good = createTransport({ env: { HTTP_PROXY: `http://me:p%40ss@127.0.0.1:${p.port}` } });
    expect((await good(`http://api.github.test:${target.port}/`, { timeoutMs: 5_000 })).status).toBe(200);
    expect(p.tunnels[0]?.authorization).toBe(`Basic ${Buffer.from('me:p@ss').toString('base64')}`);

    const bad = createTransport({ env: { HTTP_PROXY: `http://me:wrong-secret@127.0.0.1:${p.port}` } });
    const error = await bad(`http://api.github.test:${target.port}/`, { timeoutMs: 5_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProxyTunnelError);
    expect((error as ProxyTunnelError).status).toBe(407);
    expect((error as Error).message).toBe(
      `The proxy http://127.0.0.1:${p.port} refused the tunnel to api.github.test:${target.port} (HTTP 407: check the credentials in the proxy URL)`,
    );
    expect((error as Error).message).not.toContain('wrong-secret');
  });

  it('a proxy that cannot be reached is an error with its code, naming the proxy', async () => {
    const proxyUrl = await unusedLocalUrl();
    const transport = createTransport({ env: { HTTPS_PROXY: proxyUrl } });
    const error = await transport('https://api.schwab.test/v1/oauth/token', { timeoutMs: 5_000 }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'ECONNREFUSED' });
    expect((error as Error).message).toContain(`Could not reach the proxy ${proxyUrl}`);
  });

  it('goes direct for loopback targets and NO_PROXY matches; the proxy never sees them', async () => {
    const target = await httpServer((_req, res) => json(res, 200, {}));
    const p = await proxy({ routes: {} });
    const transport = createTransport({ env: { HTTP_PROXY: p.url, NO_PROXY: 'example.invalid' } });
    expect((await transport(`${target.url}/`, { timeoutMs: 5_000 })).status).toBe(200);
    // Direct means Node resolves the name itself: .invalid never resolves, so this fails in DNS, not at the proxy.
    await expect(transport('http://api.example.invalid/', { timeoutMs: 5_000 })).rejects.toMatchObject({
      code: expect.stringMatching(/^(ENOTFOUND|EAI_AGAIN)$/),
    });
    expect(p.tunnels).toEqual([]);
  });

  it('a time-out covers the tunnel too: a proxy that never answers CONNECT', async () => {
    const silent = createHttpServer();
    silent.on('connect', () => undefined);
    const server = await listen(silent, 'http', []);
    const transport = createTransport({ env: { HTTP_PROXY: server.url } });
    await expect(transport('http://api.schwab.test/', { timeoutMs: 150 })).rejects.toBeInstanceOf(HttpTimeoutError);
  });
});
