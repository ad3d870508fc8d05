import { describe, expect, it } from 'vitest';
import { fetchOver } from '../../src/http/fetch.js';
import type { HttpRequest, Transport } from '../../src/http/transport.js';

/** A transport that records what it was asked and answers from a table. */
function recordingTransport(answer: { status: number; headers?: Record<string, string>; body?: string }) {
  const calls: Array<{ url: string; request: HttpRequest }> = [];
  const transport: Transport = async (url, request) => {
    calls.push({ url: String(url), request });
    return {
      url: String(url),
      status: answer.status,
      statusText: answer.status === 200 ? 'OK' : 'Not Found',
      headers: answer.headers ?? {},
      body: Buffer.from(answer.body ?? ''),
    };
  };
  return { transport, calls };
}

describe('fetchOver: the part of fetch Octokit uses, over the transport', () => {
  it('passes method, headers, body, signal and the timeout; returns a Response-like answer', async () => {
    const { transport, calls } = recordingTransport({
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-ratelimit-remaining': '59' },
      body: '{"key_id":"1","key":"abc"}',
    });
    const signal = new AbortController().signal;
    const fetchLike = fetchOver(transport, { timeoutMs: 1234 });
    const response = await fetchLike('http://api.github.test/repos/a/b/actions/secrets/public-key', {
      method: 'put',
      headers: { accept: 'application/vnd.github+json', 'content-type': 'application/json' },
      body: '{"a":1}',
      signal,
    });
    expect(calls[0]).toEqual({
      url: 'http://api.github.test/repos/a/b/actions/secrets/public-key',
      request: {
        method: 'PUT',
        headers: { accept: 'application/vnd.github+json', 'content-type': 'application/json' },
        body: '{"a":1}',
        timeoutMs: 1234,
        signal,
      },
    });
    expect(response.status).toBe(200);
    expect(response.ok).toBe(true);
    expect(response.redirected).toBe(false);
    expect(response.url).toBe('http://api.github.test/repos/a/b/actions/secrets/public-key');
    expect(response.headers.get('Content-Type')).toBe('application/json; charset=utf-8');
    expect(response.headers.has('X-RateLimit-Remaining')).toBe(true);
    expect(response.headers.get('missing')).toBeNull();
    expect([...response.headers]).toEqual([
      ['content-type', 'application/json; charset=utf-8'],
      ['x-ratelimit-remaining', '59'],
    ]);
    expect(await response.json()).toEqual({ key_id: '1', key: 'abc' });
    await expect(response.text()).rejects.toThrow(/already read/);
  });

  it('reads bodies as text or bytes, and takes headers as pairs and bodies as bytes', async () => {
    const { transport, calls } = recordingTransport({ status: 404, body: 'héllo' });
    const fetchLike = fetchOver(transport, { timeoutMs: 10 });
    const response = await fetchLike(new URL('http://x.test/'), {
      headers: [['a', 'b']],
      body: new Uint8Array([1, 2]),
    });
    expect(response.ok).toBe(false);
    expect(Buffer.from(await response.arrayBuffer()).toString()).toBe('héllo');
    expect(calls[0]?.request).toMatchObject({ method: 'GET', headers: { a: 'b' }, body: new Uint8Array([1, 2]) });
  });

  it('refuses inputs it cannot send faithfully', async () => {
    const fetchLike = fetchOver(recordingTransport({ status: 200 }).transport, { timeoutMs: 10 });
    await expect(fetchLike({ url: 'http://x.test' } as unknown as string)).rejects.toThrow(
      /URL string or a URL object/,
    );
    await expect(fetchLike('http://x.test', { method: 'POST', body: { a: 1 } as unknown as string })).rejects.toThrow(
      /string or bytes/,
    );
  });
});
