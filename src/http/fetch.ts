import type { HttpResponse, Transport } from './transport.js';

/**
 * A `fetch` for libraries that take one (Octokit's `request.fetch`) on top of the transport, without the platform's
 * fetch, Headers or Response (each of them loads undici). It implements what such a client uses of fetch: the method,
 * plain-object or array headers, a string or byte body and a signal in; status, statusText, url, ok, iterable
 * headers with get/has, text(), json() and arrayBuffer() out. Every request has the timeout given here; redirects
 * are never followed (the 3xx answer is returned as it is, `redirected` false).
 */
export function fetchOver(transport: Transport, options: { timeoutMs: number }): typeof fetch {
  const fetchLike = async (input: unknown, init: FetchInit = {}): Promise<TransportResponse> => {
    const url = typeof input === 'string' || input instanceof URL ? String(input) : undefined;
    if (url === undefined) throw new TypeError('This fetch takes a URL string or a URL object.');
    const body = toBody(init.body);
    const answer = await transport(url, {
      method: (init.method ?? 'GET').toUpperCase(),
      headers: toHeaders(init.headers),
      body,
      timeoutMs: options.timeoutMs,
      signal: init.signal ?? undefined,
    });
    return new TransportResponse(answer);
  };
  return fetchLike as unknown as typeof fetch;
}

interface FetchInit {
  method?: string;
  /** A plain object, or anything iterable as [name, value] pairs (an array, a Headers). */
  headers?: Record<string, string> | Iterable<[string, string]>;
  body?: unknown;
  signal?: AbortSignal | null;
}

function toHeaders(headers: FetchInit['headers']): Record<string, string> {
  if (!headers) return {};
  const pairs: Iterable<[string, string]> =
    Symbol.iterator in Object(headers) ? (headers as Iterable<[string, string]>) : Object.entries(headers);
  const out: Record<string, string> = {};
  for (const [name, value] of pairs) out[name] = String(value);
  return out;
}

function toBody(body: unknown): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new TypeError('This fetch takes a string or bytes as the request body.');
}

/** The read-only part of a fetch Headers object, over the transport's lower-case header record. */
export class TransportHeaders implements Iterable<[string, string]> {
  constructor(private readonly record: Readonly<Record<string, string>>) {}

  get(name: string): string | null {
    return this.record[name.toLowerCase()] ?? null;
  }

  has(name: string): boolean {
    return name.toLowerCase() in this.record;
  }

  forEach(callback: (value: string, name: string, headers: TransportHeaders) => void): void {
    for (const [name, value] of this) callback(value, name, this);
  }

  *entries(): IterableIterator<[string, string]> {
    yield* Object.entries(this.record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

/** The read-only part of a fetch Response over a complete answer. The body can be read once, as with fetch. */
export class TransportResponse {
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  readonly ok: boolean;
  readonly redirected = false;
  readonly type = 'basic';
  readonly headers: TransportHeaders;
  readonly body = null;
  private used = false;

  constructor(private readonly answer: HttpResponse) {
    this.status = answer.status;
    this.statusText = answer.statusText;
    this.url = answer.url;
    this.ok = answer.status >= 200 && answer.status < 300;
    this.headers = new TransportHeaders(answer.headers);
  }

  get bodyUsed(): boolean {
    return this.used;
  }

  async text(): Promise<string> {
    return this.take().toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = this.take();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  private take(): Buffer {
    if (this.used) throw new TypeError('The body of this response was already read.');
    this.used = true;
    return this.answer.body;
  }
}
