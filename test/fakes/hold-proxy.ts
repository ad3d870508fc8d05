/**
 * A loopback HTTP proxy in front of an AWS endpoint (moto_server) that can hold one call at a chosen point of a
 * write, picked by its `X-Amz-Target` header (and its JSON body), so a test can cancel or kill the process while
 * that call is in flight. Every other call passes straight through.
 *
 * A held call either reached AWS (the proxy forwards it at once and keeps the answer back: AWS did the work, the
 * client never heard) or did not (the proxy keeps the request until released, then forwards it). A client that goes
 * away (killed) while its call is held never gets an answer; a call that had not reached AWS then never does.
 */
import { createServer, request } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface ProxiedCall {
  /** e.g. `secretsmanager.UpdateSecretVersionStage` */
  target: string;
  body: Record<string, unknown>;
}

export interface HeldCall {
  /** Resolves when the call arrives at the proxy (and, with `reachesAws`, has been answered by AWS). */
  arrived: Promise<void>;
  /** Lets the call go on: forwards it (if it was kept) and passes the answer to the client. */
  release(): void;
}

export interface HoldProxy {
  url: string;
  /** Every call's target, in order of arrival. */
  targets: string[];
  /** Holds the next call that matches. */
  hold(match: (call: ProxiedCall) => boolean, options: { reachesAws: boolean }): HeldCall;
  /** Drops the holds not yet used and releases the held calls. */
  releaseAll(): void;
  /** Drops the holds not yet used, and the held calls without an answer (a kept request never reaches AWS). */
  abandonAll(): void;
  close(): Promise<void>;
}

interface Rule {
  match: (call: ProxiedCall) => boolean;
  reachesAws: boolean;
  arrived: () => void;
  released: Promise<void>;
  release: () => void;
  abandoned: boolean;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export async function startHoldProxy(targetUrl: string): Promise<HoldProxy> {
  const target = new URL(targetUrl);
  const rules: Rule[] = [];
  const active = new Set<Rule>();
  const sockets = new Set<Socket>();
  const targets: string[] = [];

  const forward = (method: string, path: string, headers: IncomingHttpHeaders, body: Buffer): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const upstream = request(
        {
          hostname: target.hostname,
          port: Number(target.port),
          method,
          path,
          headers: { ...headers, host: target.host },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }),
          );
          res.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });

  const reply = (res: ServerResponse, answer: Answer): void => {
    if (res.destroyed || res.socket?.destroyed) return;
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const call: ProxiedCall = { target: String(req.headers['x-amz-target'] ?? ''), body: parseBody(body) };
        targets.push(call.target);
        const index = rules.findIndex((rule) => rule.match(call));
        const rule = index >= 0 ? rules.splice(index, 1)[0] : undefined;
        const send = () => forward(req.method ?? 'POST', req.url ?? '/', req.headers, body);
        try {
          if (!rule) return reply(res, await send());
          active.add(rule);
          if (rule.reachesAws) {
            const answer = await send();
            rule.arrived();
            await rule.released;
            if (rule.abandoned) res.socket?.destroy();
            else reply(res, answer);
          } else {
            rule.arrived();
            await rule.released;
            if (rule.abandoned) res.socket?.destroy();
            else reply(res, await send());
          }
        } catch {
          res.socket?.destroy();
        } finally {
          if (rule) active.delete(rule);
        }
      })();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the proxy has no port');

  return {
    url: `http://127.0.0.1:${address.port}`,
    targets,
    hold(match, options) {
      let arrived: () => void = () => undefined;
      let release: () => void = () => undefined;
      const arrivedPromise = new Promise<void>((resolve) => (arrived = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      rules.push({ match, reachesAws: options.reachesAws, arrived, released, release, abandoned: false });
      return { arrived: arrivedPromise, release };
    },
    releaseAll() {
      for (const rule of [...rules, ...active]) rule.release();
      rules.length = 0;
    },
    abandonAll() {
      for (const rule of [...rules, ...active]) {
        rule.abandoned = true;
        rule.release();
      }
      rules.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const rule of [...rules, ...active]) rule.release();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function parseBody(body: Buffer): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body.toString('utf8') || '{}');
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
