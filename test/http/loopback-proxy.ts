// A forward proxy on loopback, as a corporate proxy in front of a self-hosted runner: it answers CONNECT only (the
// transport tunnels every proxied request), maps the host names the tests use (api.schwab.test, …) to loopback ports,
// so a request that did not go through it cannot reach its target at all, and records every tunnel it opened.
import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';

export interface ProxyTunnel {
  /** `host:port` the client asked for. */
  authority: string;
  /** The Proxy-Authorization header, when sent. */
  authorization?: string;
  /** The status the proxy answered the CONNECT with. */
  status: number;
}

export interface LoopbackProxyOptions {
  /** `host:port` → the loopback port it is forwarded to. Any other authority gets 502. */
  routes: Record<string, number>;
  /** Require these credentials (Basic); a CONNECT without them gets 407. */
  credentials?: { user: string; password: string };
}

export interface LoopbackProxy {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  tunnels: ProxyTunnel[];
  close(): Promise<void>;
}

export async function startLoopbackProxy(options: LoopbackProxyOptions): Promise<LoopbackProxy> {
  const tunnels: ProxyTunnel[] = [];
  const sockets = new Set<Socket>();
  const expected = options.credentials
    ? `Basic ${Buffer.from(`${options.credentials.user}:${options.credentials.password}`).toString('base64')}`
    : undefined;

  const server = createServer((_req, res) => {
    // Plain (absolute-form) proxy requests are not what the transport sends.
    res.writeHead(405).end();
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const authority = req.url ?? '';
    const authorization = req.headers['proxy-authorization'];
    const record = (status: number) => tunnels.push({ authority, status, ...(authorization ? { authorization } : {}) });
    client.on('error', () => undefined);
    if (expected && authorization !== expected) {
      record(407);
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    const port = options.routes[authority];
    if (port === undefined) {
      record(502);
      client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = connect(port, '127.0.0.1', () => {
      record(200);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.once('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.once('close', () => upstream.destroy());
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    tunnels,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
