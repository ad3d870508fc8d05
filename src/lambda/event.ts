/**
 * A Lambda Function URL request and response (payload format 2.0), and the little this function reads of them:
 * the method (`requestContext.http.method`), the path (`rawPath`), the query (`rawQueryString`, without `?`), the
 * cookies (`cookies[]`, not a header) and the host (`requestContext.domainName`). Cookies are set only through the
 * response's `cookies[]`; a redirect is `{ statusCode: 302, headers: { location } }`.
 */
import { readQuery } from '../schwab/urls.js';

export interface FunctionUrlEvent {
  version?: string;
  rawPath: string;
  rawQueryString?: string;
  cookies?: string[];
  headers?: Record<string, string | undefined>;
  queryStringParameters?: Record<string, string | undefined>;
  requestContext: {
    domainName: string;
    requestId?: string;
    timeEpoch?: number;
    http: { method: string; path?: string; protocol?: string; sourceIp?: string; userAgent?: string };
  };
  body?: string;
  isBase64Encoded?: boolean;
}

export interface FunctionUrlResult {
  statusCode: number;
  headers?: Record<string, string>;
  /** `Set-Cookie` values, one per cookie. */
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
}

/** What the function reads of a request. */
export interface LoginRequest {
  method: string;
  path: string;
  /** Decoded names → decoded values (the first of repeated names); values that do not decode are kept as sent. */
  query: Map<string, string>;
  /** Decoded names → values of the request's cookies (the first of repeated names). */
  cookies: Map<string, string>;
  /** The host the browser used: `<url-id>.lambda-url.<region>.on.aws` (with `:port` behind the test emulator). */
  host: string;
}

/** Reads a payload 2.0 event; anything missing reads as empty (the router then answers 404). */
export function readRequest(event: FunctionUrlEvent): LoginRequest {
  const query = new Map<string, string>();
  for (const [name, value] of readQuery(event.rawQueryString ?? '')) query.set(name, safeDecode(value));
  const cookies = new Map<string, string>();
  for (const cookie of event.cookies ?? []) {
    const eq = cookie.indexOf('=');
    if (eq <= 0) continue;
    const name = cookie.slice(0, eq).trim();
    if (!cookies.has(name)) cookies.set(name, cookie.slice(eq + 1).trim());
  }
  return {
    method: String(event.requestContext?.http?.method ?? '').toUpperCase(),
    path: String(event.rawPath ?? ''),
    query,
    cookies,
    host: String(event.requestContext?.domainName ?? ''),
  };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
