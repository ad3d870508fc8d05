/** The emulator itself: the login function's suites rely on it passing requests and answers as AWS documents them. */
import { afterEach, describe, expect, it } from 'vitest';
import { startFunctionUrlEmulator } from '../fakes/function-url-emulator.js';
import type { EmulatedEvent, FunctionUrlEmulator } from '../fakes/function-url-emulator.js';

let emulator: FunctionUrlEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

describe('Function URL emulator (payload format 2.0)', () => {
  it('passes method, raw path, raw query, cookies apart from headers, and the host as domainName', async () => {
    let seen: EmulatedEvent | undefined;
    emulator = await startFunctionUrlEmulator({
      handler: async (event) => {
        seen = event;
        return { statusCode: 200, body: 'ok' };
      },
    });
    const response = await fetch(`${emulator.url}/callback?code=C0.x%40&state=a.b&x=1&x=2`, {
      headers: { cookie: 'a=1; __Host-n=v', 'x-custom': 'yes' },
    });
    expect(await response.text()).toBe('ok');
    expect(seen).toMatchObject({
      version: '2.0',
      rawPath: '/callback',
      rawQueryString: 'code=C0.x%40&state=a.b&x=1&x=2',
      queryStringParameters: { code: 'C0.x@', state: 'a.b', x: '1,2' },
      cookies: ['a=1', '__Host-n=v'],
      requestContext: { domainName: new URL(emulator.url).host, http: { method: 'GET', path: '/callback' } },
      isBase64Encoded: false,
    });
    expect(seen?.headers.cookie).toBeUndefined();
    expect(seen?.headers['x-custom']).toBe('yes');
  });

  it('answers the status, headers, one Set-Cookie per cookie and the (decoded) body; JSON shorthand; 502 on a throw', async () => {
    const answers: unknown[] = [
      { statusCode: 302, headers: { Location: '/x' }, cookies: ['a=1; Secure', 'b=2'], body: '' },
      { statusCode: 200, body: Buffer.from('<p>hi</p>').toString('base64'), isBase64Encoded: true },
      { ok: true },
    ];
    emulator = await startFunctionUrlEmulator({
      handler: async () => {
        const next = answers.shift();
        if (!next) throw new Error('boom');
        return next;
      },
    });
    const redirect = await fetch(`${emulator.url}/`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/x');
    expect(redirect.headers.getSetCookie()).toEqual(['a=1; Secure', 'b=2']);
    expect(await (await fetch(`${emulator.url}/`)).text()).toBe('<p>hi</p>');
    const shorthand = await fetch(`${emulator.url}/`);
    expect(shorthand.headers.get('content-type')).toBe('application/json');
    expect(await shorthand.json()).toEqual({ ok: true });
    const failed = await fetch(`${emulator.url}/`);
    expect(failed.status).toBe(502);
    expect(emulator.exchanges.map((e) => e.status)).toEqual([302, 200, 200, 502]);
  });
});
