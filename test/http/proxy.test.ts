import { describe, expect, it } from 'vitest';
import { bypassesProxy, describeProxy, proxyAuthorization, proxyFor } from '../../src/http/proxy.js';

const PROXY = 'http://proxy.corp:3128';

describe('proxyFor: the runner proxy rules (as @actions/http-client)', () => {
  // [target, environment, expected proxy or undefined]
  const cases: Array<[string, Record<string, string>, string | undefined]> = [
    ['https://api.schwabapi.com/v1/oauth/token', {}, undefined],
    ['https://api.schwabapi.com/v1/oauth/token', { HTTPS_PROXY: PROXY }, 'http://proxy.corp:3128/'],
    ['https://api.schwabapi.com/', { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' }, 'http://lower:1/'],
    ['https://api.github.com/', { HTTP_PROXY: PROXY }, undefined],
    ['http://plain.example/', { HTTP_PROXY: PROXY }, 'http://proxy.corp:3128/'],
    ['http://plain.example/', { HTTPS_PROXY: PROXY }, undefined],
    ['https://api.github.com/', { HTTPS_PROXY: 'proxy.corp:3128' }, 'http://proxy.corp:3128/'],
    ['https://api.github.com/', { HTTPS_PROXY: 'https://secure-proxy.corp' }, 'https://secure-proxy.corp/'],
    ['https://api.github.com/', { HTTPS_PROXY: PROXY, NO_PROXY: 'github.com' }, undefined],
    ['https://api.github.com/', { HTTPS_PROXY: PROXY, no_proxy: '.github.com' }, undefined],
    ['https://api.github.com/', { HTTPS_PROXY: PROXY, NO_PROXY: 'api.github.com:443' }, undefined],
    ['https://api.github.com/', { HTTPS_PROXY: PROXY, NO_PROXY: 'api.github.com:8443' }, 'http://proxy.corp:3128/'],
    ['https://api.github.com/', { HTTPS_PROXY: PROXY, NO_PROXY: 'API.GITHUB.COM' }, undefined],
    ['https://api.github.com/', { HTTPS_PROXY: PROXY, NO_PROXY: ' other.com , *' }, undefined],
    ['https://notgithub.com/', { HTTPS_PROXY: PROXY, NO_PROXY: 'github.com' }, 'http://proxy.corp:3128/'],
    ['http://127.0.0.1:8080/', { HTTP_PROXY: PROXY }, undefined],
    ['http://localhost:8080/', { HTTP_PROXY: PROXY }, undefined],
    ['http://[::1]:8080/', { HTTP_PROXY: PROXY }, undefined],
  ];
  it.each(cases)('%s with %j → %s', (target, env, expected) => {
    expect(proxyFor(new URL(target), env)?.href).toBe(expected);
  });

  it('bypassesProxy says the same as proxyFor for a NO_PROXY match', () => {
    expect(bypassesProxy(new URL('https://uploads.github.com/'), { NO_PROXY: 'github.com' })).toBe(true);
    expect(bypassesProxy(new URL('https://github.community/'), { NO_PROXY: 'github.com' })).toBe(false);
  });

  it("turns the proxy URL's credentials into a Basic header and never shows them", () => {
    const proxy = new URL('http://me:p%40ss@proxy.corp:3128');
    expect(proxyAuthorization(proxy)).toBe(`Basic ${Buffer.from('me:p@ss').toString('base64')}`);
    expect(proxyAuthorization(new URL(PROXY))).toBeUndefined();
    expect(describeProxy(proxy)).toBe('http://proxy.corp:3128');
  });
});
