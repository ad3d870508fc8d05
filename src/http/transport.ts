import type * as HttpNamespace from 'node:http';
import type { ClientRequest, IncomingHttpHeaders, IncomingMessage, RequestOptions } from 'node:http';
import type { Socket } from 'node:net';
import type * as TlsNamespace from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { describeProxy, proxyAuthorization, proxyFor } from './proxy.js';
import type { ProxyEnv } from './proxy.js';

/**
 * The HTTP client of the Schwab token calls and of GitHub's REST API: one request, one complete answer, on Node's own
 * `node:http` / `node:https` (the platform's `fetch` loads undici, which on Node 24 costs more than the rest of a
 * run's HTTP put together; see docs/decisions/0004-http-on-node-https.md).
 *
 * - One deadline per request covers everything: the proxy tunnel, connecting, TLS, sending, the headers and the whole
 *   body. When it passes, the request is destroyed and the promise rejects with a `TimeoutError`.
 * - Redirects are never followed: a 3xx is returned as it is, for the caller to refuse.
 * - Proxies: `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` as on a GitHub runner (see ./proxy.ts), through a CONNECT
 *   tunnel (TLS to the target inside it), with the proxy's credentials from its URL; never for loopback hosts.
 * - Error answers come back like any other (status, headers, body); only a failure to get an answer rejects, with
 *   Node's error (its `code`, e.g. ECONNREFUSED, kept) or a TimeoutError / AbortError.
 * - The whole body is read into memory, up to `maxBodyBytes`; gzip / deflate / br bodies are decoded.
 * - Direct requests go through Node's global agents (keep-alive; idle sockets never hold the process open).
 */
export interface HttpRequest {
  method?: string;
  /** Header names as given; a body's Content-Length is added. */
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Deadline of the whole exchange, in milliseconds. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Largest body accepted (default 16 MiB): a larger one rejects. */
  maxBodyBytes?: number;
}

export interface HttpResponse {
  /** The URL asked for (no redirect is ever followed). */
  url: string;
  status: number;
  statusText: string;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
}

export type Transport = (url: string | URL, request: HttpRequest) => Promise<HttpResponse>;

export interface TransportOptions {
  /** Where the proxy variables are read, at each request. Default process.env. */
  env?: ProxyEnv;
  /** Extra certificate authorities to trust (for TLS to the target and to an https:// proxy); tests use it. */
  ca?: string | Buffer | Array<string | Buffer>;
}

/** A request that did not complete within its deadline. `name` is "TimeoutError", as for AbortSignal.timeout(). */
export class HttpTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/** A proxy that did not open the tunnel (a non-2xx answer to CONNECT). */
export class ProxyTunnelError extends Error {
  override readonly name = 'ProxyTunnelError';
  readonly code = 'ERR_PROXY_TUNNEL';
  constructor(
    message: string,
    readonly status: number | undefined,
    /** The proxy, as it may be shown (no credentials). */
    readonly proxy?: string,
  ) {
    super(message);
  }
}

const DEFAULT_MAX_BODY = 16 * 1024 * 1024;

/** A transport reading the proxy settings from `options.env` (default process.env) at each request. */
export function createTransport(options: TransportOptions = {}): Transport {
  return (url, request) => send(typeof url === 'string' ? new URL(url) : url, request, options);
}

/** The transport of production code: proxy settings from process.env. */
export const httpRequest: Transport = createTransport();

/** What the transport uses of node:http and node:https (their `request` functions take the same options). */
type HttpModule = Pick<typeof HttpNamespace, 'request'>;

// Loaded on first use, per protocol: a run that only talks plain HTTP never loads TLS.
let httpModule: Promise<HttpModule> | undefined;
let httpsModule: Promise<HttpModule> | undefined;
let tlsModule: Promise<typeof TlsNamespace> | undefined;
function clientModule(protocol: string): Promise<HttpModule> {
  if (protocol === 'https:') return (httpsModule ??= import('node:https') as unknown as Promise<HttpModule>);
  return (httpModule ??= import('node:http'));
}

function send(url: URL, request: HttpRequest, options: TransportOptions): Promise<HttpResponse> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.reject(new TypeError(`Only http and https URLs can be requested, not ${url.protocol}`));
  }
  const maxBody = request.maxBodyBytes ?? DEFAULT_MAX_BODY;
  return new Promise<HttpResponse>((resolve, reject) => {
    let done = false;
    let clientRequest: ClientRequest | undefined;
    let tunnel: Socket | undefined;
    const cleanUp = () => {
      done = true;
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
    };
    const fail = (error: unknown) => {
      if (done) return;
      cleanUp();
      clientRequest?.destroy();
      tunnel?.destroy();
      reject(error);
    };
    const timer = setTimeout(
      () =>
        fail(
          new HttpTimeoutError(`No complete answer from ${url.host} within the ${formatMs(request.timeoutMs)} timeout`),
        ),
      request.timeoutMs,
    );
    const onAbort = () => fail(abortError(request.signal));
    if (request.signal?.aborted) return fail(abortError(request.signal));
    request.signal?.addEventListener('abort', onAbort, { once: true });

    const start = async () => {
      const proxy = proxyFor(url, options.env ?? process.env);
      const client = await clientModule(url.protocol);
      let connection: Socket | undefined;
      if (proxy) {
        tunnel = await openTunnel(proxy, url, options, (req) => (clientRequest = req));
        if (done) return;
        connection = url.protocol === 'https:' ? await startTls(tunnel, url, options) : tunnel;
        if (done) return;
      }
      const body = typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : request.body;
      const headers: Record<string, string> = { ...request.headers };
      if (body !== undefined && !hasHeader(headers, 'content-length')) headers['content-length'] = String(body.length);
      // Node's option bags: a key that is there counts even when undefined, so the optional ones are spread in.
      const requestOptions: RequestOptions & { ca?: TransportOptions['ca'] } = {
        method: request.method ?? 'GET',
        headers,
        ...(options.ca && !proxy ? { ca: options.ca } : {}),
        ...(connection ? { createConnection: () => connection } : {}),
      };
      const req = client.request(url, requestOptions);
      clientRequest = req;
      req.on('error', fail);
      req.on('response', (res) =>
        readAnswer(url, res, maxBody, fail, (answer) => {
          if (done) return;
          cleanUp();
          resolve(answer);
        }),
      );
      req.end(body);
    };
    start().catch(fail);
  });
}

function readAnswer(
  url: URL,
  res: IncomingMessage,
  maxBody: number,
  fail: (error: unknown) => void,
  succeed: (answer: HttpResponse) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBody) {
      fail(new Error(`The answer from ${url.host} is larger than ${maxBody} bytes`));
      return;
    }
    chunks.push(chunk);
  });
  res.on('error', fail);
  res.on('close', () => {
    if (!res.complete)
      fail(
        Object.assign(new Error(`${url.host} closed the connection before its answer was complete`), {
          code: 'ECONNRESET',
        }),
      );
  });
  res.on('end', () => {
    const encoded = Buffer.concat(chunks);
    decode(encoded, res.headers['content-encoding'])
      .then((body) =>
        succeed({
          url: url.href,
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          headers: flattenHeaders(res.headers),
          body,
        }),
      )
      .catch(fail);
  });
}

/**
 * Opens a CONNECT tunnel through `proxy` to the target's host and port; resolves to the raw socket. `track` gets the
 * CONNECT request, for the caller's deadline to destroy. Its errors carry `proxy` (the proxy as it may be shown).
 */
export async function openTunnel(
  proxy: URL,
  target: URL,
  options: TransportOptions,
  track: (request: ClientRequest) => void,
): Promise<Socket> {
  const client = await clientModule(proxy.protocol);
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  const authority = `${target.hostname}:${port}`;
  const auth = proxyAuthorization(proxy);
  const where = describeProxy(proxy);
  return new Promise<Socket>((resolve, reject) => {
    const req = client.request({
      protocol: proxy.protocol,
      hostname: proxy.hostname.replace(/^\[|\]$/g, ''),
      port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80),
      method: 'CONNECT',
      path: authority,
      headers: { host: authority, ...(auth ? { 'proxy-authorization': auth } : {}) },
      agent: false,
      ...(options.ca && proxy.protocol === 'https:' ? { ca: options.ca } : {}),
    } as RequestOptions);
    track(req);
    req.once('connect', (res: IncomingMessage, socket: Socket) => {
      if (res.statusCode === 200) {
        resolve(socket);
        return;
      }
      socket.destroy();
      reject(
        new ProxyTunnelError(
          `The proxy ${where} refused the tunnel to ${authority} (HTTP ` +
            `${res.statusCode ?? '?'}${res.statusCode === 407 ? ': check the credentials in the proxy URL' : ''})`,
          res.statusCode,
          where,
        ),
      );
    });
    req.once('error', (error: Error & { code?: string }) => {
      reject(
        Object.assign(new Error(`Could not reach the proxy ${where}: ${error.message}`, { cause: error }), {
          code: error.code,
          proxy: where,
        }),
      );
    });
    req.end();
  });
}

async function startTls(socket: Socket, target: URL, options: TransportOptions): Promise<TLSSocket> {
  const tls = await (tlsModule ??= import('node:tls'));
  const host = target.hostname.replace(/^\[|\]$/g, '');
  return tls.connect({
    socket,
    ...(isIpAddress(host) ? {} : { servername: host }),
    ALPNProtocols: ['http/1.1'],
    ...(options.ca ? { ca: options.ca } : {}),
  });
}

async function decode(body: Buffer, encoding: string | undefined): Promise<Buffer> {
  const kind = encoding?.trim().toLowerCase();
  if (!kind || kind === 'identity' || body.length === 0) return body;
  const zlib = await import('node:zlib');
  if (kind === 'gzip' || kind === 'x-gzip') return zlib.gunzipSync(body);
  if (kind === 'deflate') return zlib.inflateSync(body);
  if (kind === 'br') return zlib.brotliDecompressSync(body);
  return body;
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason;
  const error = new Error('The request was aborted');
  error.name = 'AbortError';
  return error;
}

function isIpAddress(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
