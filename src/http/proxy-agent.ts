import { Agent as HttpAgent } from 'node:http';
import type { ClientRequest, ClientRequestArgs } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { AgentOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import type { ConnectionOptions } from 'node:tls';
import { describeProxy, proxyFor } from './proxy.js';
import type { ProxyEnv } from './proxy.js';
import { HttpTimeoutError, openTunnel } from './transport.js';

/**
 * Node agents that reach their targets through the proxy the environment names, with the rules and the CONNECT
 * tunnel of ./proxy.ts and ./transport.ts: for a client that takes an agent instead of our transport (the AWS SDK's
 * NodeHttpHandler). Each new connection asks proxyFor() about its host, so NO_PROXY and loopback go direct; a proxied
 * connection is a CONNECT tunnel, with TLS to the target inside it for https. Connections are kept alive and reused
 * as with Node's own agents.
 */
export interface ProxyAgentOptions {
  /** Where the proxy variables are read, at each new connection. Default process.env. */
  env?: ProxyEnv;
  /** Deadline for opening a tunnel (reaching the proxy and its answer to CONNECT), in ms. */
  timeoutMs: number;
  /** Extra certificate authorities to trust for the target (tests). */
  ca?: ConnectionOptions['ca'];
}

type Callback = (error: Error | null, socket: Duplex) => void;

export function proxyAgents(options: ProxyAgentOptions): { httpAgent: HttpAgent; httpsAgent: HttpsAgent } {
  const env = options.env ?? process.env;
  const agentOptions: AgentOptions = { keepAlive: true, ...(options.ca ? { ca: options.ca } : {}) };

  class ProxyHttpAgent extends HttpAgent {
    override createConnection(connect: ClientRequestArgs, callback?: Callback): Duplex | null | undefined {
      const target = targetUrl('http:', connect);
      const proxy = proxyFor(target, env);
      if (!proxy || !callback) return super.createConnection(connect, callback);
      tunnel(proxy, target, options.timeoutMs).then(
        (socket) => callback(null, socket),
        (error: Error) => callback(error, undefined as never),
      );
      return undefined;
    }
  }

  class ProxyHttpsAgent extends HttpsAgent {
    override createConnection(connect: ClientRequestArgs, callback?: Callback): Duplex | null | undefined {
      const target = targetUrl('https:', connect);
      const proxy = proxyFor(target, env);
      if (!proxy || !callback) return super.createConnection(connect, callback);
      tunnel(proxy, target, options.timeoutMs).then(
        (socket) => callback(null, tlsConnect({ ...(connect as ConnectionOptions), socket })),
        (error: Error) => callback(error, undefined as never),
      );
      return undefined;
    }
  }

  return { httpAgent: new ProxyHttpAgent(agentOptions), httpsAgent: new ProxyHttpsAgent(agentOptions) };
}

function targetUrl(protocol: 'http:' | 'https:', connect: ClientRequestArgs): URL {
  const host = connect.hostname ?? connect.host ?? 'localhost';
  const port = connect.port ?? (protocol === 'https:' ? 443 : 80);
  return new URL(`${protocol}//${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`);
}

/** A CONNECT tunnel to `target`, given up (and its request destroyed) after `timeoutMs`. */
function tunnel(proxy: URL, target: URL, timeoutMs: number): Promise<Duplex> {
  const authority = `${target.hostname}:${target.port || (target.protocol === 'https:' ? '443' : '80')}`;
  let request: ClientRequest | undefined;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      request?.destroy();
      reject(
        Object.assign(
          new HttpTimeoutError(
            `No tunnel through the proxy ${describeProxy(proxy)} to ${authority} within ${timeoutMs} ms`,
          ),
          {
            proxy: describeProxy(proxy),
          },
        ),
      );
    }, timeoutMs);
  });
  return Promise.race([openTunnel(proxy, target, {}, (req) => (request = req)), deadline]).finally(() =>
    clearTimeout(timer),
  );
}
