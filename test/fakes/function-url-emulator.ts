/**
 * A small loopback emulator of a Lambda Function URL (auth type NONE, payload format 2.0, BUFFERED): an HTTP or HTTPS
 * server that turns each request into the event AWS would pass the function and the function's answer into the HTTP
 * response, as AWS documents it:
 *
 * - in: `version` "2.0", `rawPath`, `rawQueryString` (no `?`), `queryStringParameters` (decoded; repeated names joined
 *   by `,`), `cookies[]` (from the Cookie header, which is then left out of `headers`), `headers` (lower-case names,
 *   repeated values joined by `,`), `requestContext.http.{method,path,protocol,sourceIp,userAgent}`,
 *   `requestContext.domainName` (the Host header: on AWS `<url-id>.lambda-url.<region>.on.aws`, here with its `:port`,
 *   so a callback URL built from it leads back here), `body` (base64 when not text) and `isBase64Encoded`.
 * - out: `statusCode`, `headers`, `cookies[]` (each one `Set-Cookie` header), `body` (decoded when `isBase64Encoded`).
 *   The result goes through JSON as it does on AWS. A result without `statusCode` is AWS's shorthand: 200, the value as
 *   JSON. A function that throws answers 502, like AWS.
 *
 * Every exchange is recorded (`exchanges`), so a test can scan each response body, header and cookie.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

/** What a Function URL hands the function (the fields this product and AWS's documentation name). */
export interface EmulatedEvent {
  version: '2.0';
  routeKey: '$default';
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  requestContext: {
    accountId: 'anonymous';
    apiId: string;
    domainName: string;
    domainPrefix: string;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    requestId: string;
    routeKey: '$default';
    stage: '$default';
    time: string;
    timeEpoch: number;
  };
  body?: string;
  isBase64Encoded: boolean;
}

export interface EmulatedResult {
  statusCode?: number;
  headers?: Record<string, string>;
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
}

export interface EmulatedContext {
  awsRequestId: string;
  functionName: string;
  getRemainingTimeInMillis(): number;
}

/** Anything with the shape of a Lambda handler for Function URL events. */
export type FunctionUrlHandler = (event: EmulatedEvent, context: EmulatedContext) => Promise<unknown>;

export interface FunctionUrlExchange {
  event: EmulatedEvent;
  status: number;
  /** Response headers as sent (Set-Cookie as a list). */
  headers: Record<string, string | string[]>;
  body: string;
  /** Milliseconds the function took. */
  ms: number;
}

export interface FunctionUrlEmulatorOptions {
  handler: FunctionUrlHandler;
  /** Serve HTTPS with this key and certificate (a browser needs it for `__Host-` cookies); default plain HTTP. */
  tls?: { key: string; cert: string };
  /** The name in `url` (e.g. `localhost`, so a browser sees another site than a fake on 127.0.0.1). Default 127.0.0.1. */
  hostname?: string;
  /** Default 0 (a free port). */
  port?: number;
  functionName?: string;
}

export interface FunctionUrlEmulator {
  /** `https://localhost:PORT` (no trailing slash). */
  readonly url: string;
  readonly exchanges: FunctionUrlExchange[];
  close(): Promise<void>;
}

export async function startFunctionUrlEmulator(options: FunctionUrlEmulatorOptions): Promise<FunctionUrlEmulator> {
  const exchanges: FunctionUrlExchange[] = [];
  const sockets = new Set<Socket>();
  const functionName = options.functionName ?? 'schwab-token-rotator-login';
  const listener = (req: IncomingMessage, res: ServerResponse) => void serve(req, res);
  const server = options.tls
    ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, listener)
    : createHttpServer(listener);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', () => undefined);

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const event = toEvent(req, Buffer.concat(chunks));
    const started = performance.now();
    const context: EmulatedContext = {
      awsRequestId: event.requestContext.requestId,
      functionName,
      getRemainingTimeInMillis: () => Math.max(0, 60_000 - (performance.now() - started)),
    };
    let status = 502;
    const headers: Record<string, string | string[]> = {};
    let body = '';
    try {
      // The result travels as JSON, as it does from the Lambda runtime to the Function URL.
      const raw: unknown = await options.handler(structuredClone(event), context);
      const result = JSON.parse(JSON.stringify(raw ?? null)) as unknown;
      if (result !== null && typeof result === 'object' && 'statusCode' in result) {
        const r = result as EmulatedResult;
        status = Number(r.statusCode);
        for (const [name, value] of Object.entries(r.headers ?? {})) headers[name.toLowerCase()] = String(value);
        if (r.cookies?.length) headers['set-cookie'] = r.cookies.map(String);
        body = r.isBase64Encoded ? Buffer.from(r.body ?? '', 'base64').toString('utf8') : (r.body ?? '');
      } else {
        status = 200;
        headers['content-type'] = 'application/json';
        body = typeof result === 'string' ? result : JSON.stringify(result);
      }
    } catch {
      status = 502;
      headers['content-type'] = 'application/json';
      body = JSON.stringify({ Message: 'Internal Server Error' });
    }
    exchanges.push({ event, status, headers, body, ms: performance.now() - started });
    res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://${options.hostname ?? '127.0.0.1'}:${port}`,
    exchanges,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The payload 2.0 event of one HTTP request. */
export function toEvent(req: IncomingMessage, body: Buffer): EmulatedEvent {
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  const rawQueryString = q < 0 ? '' : target.slice(q + 1);
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] ?? '').toLowerCase();
    const value = req.rawHeaders[i + 1] ?? '';
    if (name === 'cookie') {
      cookies = [...(cookies ?? []), ...value.split(/;\s*/).filter((c) => c !== '')];
      continue;
    }
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  let queryStringParameters: Record<string, string> | undefined;
  if (rawQueryString) {
    queryStringParameters = {};
    for (const [name, value] of new URLSearchParams(rawQueryString)) {
      queryStringParameters[name] =
        queryStringParameters[name] === undefined ? value : `${queryStringParameters[name]},${value}`;
    }
  }
  const host = headers.host ?? '127.0.0.1';
  const now = new Date();
  const text = body.length === 0 ? undefined : body.toString('utf8');
  const isText = text !== undefined && Buffer.from(text, 'utf8').equals(body);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'emulated0url0id',
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      http: {
        method: req.method ?? 'GET',
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(text === undefined ? {} : { body: isText ? text : body.toString('base64') }),
    isBase64Encoded: text !== undefined && !isText,
  };
}
