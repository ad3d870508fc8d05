import { describe, expect, it } from 'vitest';
import {
  buildAuthorizeUrl,
  DEFAULT_CALLBACK_URL,
  parseRedirectUrl,
  validateCallbackUrl,
} from '../../src/schwab/oauth-client.js';
import { UserError } from '../../src/util/errors.js';

describe('buildAuthorizeUrl', () => {
  it("builds Schwab's authorize URL with everything encoded", () => {
    expect(
      buildAuthorizeUrl({ baseUrl: 'https://api.schwabapi.com/', appKey: 'AbC123', callbackUrl: DEFAULT_CALLBACK_URL }),
    ).toBe(
      'https://api.schwabapi.com/v1/oauth/authorize?response_type=code&client_id=AbC123&redirect_uri=https%3A%2F%2F127.0.0.1%3A8182',
    );
    expect(
      buildAuthorizeUrl({
        baseUrl: 'http://127.0.0.1:9',
        appKey: 'k',
        callbackUrl: 'https://x.test/cb',
        state: 'a b&c',
      }),
    ).toBe(
      'http://127.0.0.1:9/v1/oauth/authorize?response_type=code&client_id=k&redirect_uri=https%3A%2F%2Fx.test%2Fcb&state=a%20b%26c',
    );
  });
});

describe('parseRedirectUrl', () => {
  const code = 'C0.b2F1dGgyLmJkYy5zY2h3YWIuY29t.abc+def_ghi-JKL@';

  it('decodes the code (ending in @) and reads session and state', () => {
    const url = `https://127.0.0.1:8182/?code=${encodeURIComponent(code)}&session=0b8f5c1e-9d7a-4c2b-8e3f-1a2b3c4d5e6f&state=s1`;
    expect(parseRedirectUrl(url)).toEqual({ code, session: '0b8f5c1e-9d7a-4c2b-8e3f-1a2b3c4d5e6f', state: 's1' });
  });

  it('keeps a literal + and accepts a code already decoded, surrounding spaces, a bare query', () => {
    expect(parseRedirectUrl(`  https://127.0.0.1/?code=${code}&session=x \n`).code).toBe(code);
    expect(parseRedirectUrl(`?code=${encodeURIComponent(code)}`).code).toBe(code);
    expect(parseRedirectUrl(`code=${encodeURIComponent(code)}&session=y`)).toEqual({ code, session: 'y' });
  });

  it('refuses a URL without a code, with one clear sentence', () => {
    for (const bad of [
      'https://127.0.0.1:8182/',
      'https://127.0.0.1:8182/?session=abc',
      'https://127.0.0.1/?code=',
      '',
      'hello',
    ]) {
      expect(() => parseRedirectUrl(bad)).toThrow(UserError);
    }
    expect(() => parseRedirectUrl('https://127.0.0.1:8182/?session=abc')).toThrow(
      /no code parameter: paste the whole address/,
    );
  });

  it('refuses an error redirect and names the error code only', () => {
    expect(() =>
      parseRedirectUrl('https://127.0.0.1:8182/?error=access_denied&error_description=User%20said%20no'),
    ).toThrow(/^Schwab redirected with an error \(access_denied\) instead of an authorization code: /);
  });

  it('refuses a code that is not validly encoded', () => {
    expect(() => parseRedirectUrl('https://127.0.0.1/?code=C0.%E0%A4%A@')).toThrow(/not validly URL-encoded/);
  });
});

describe('validateCallbackUrl', () => {
  it('normalises to what Schwab compares: no trailing slash', () => {
    expect(validateCallbackUrl('https://127.0.0.1:8182')).toBe('https://127.0.0.1:8182');
    expect(validateCallbackUrl(' https://127.0.0.1:8182/ ')).toBe('https://127.0.0.1:8182');
    expect(validateCallbackUrl('https://127.0.0.1')).toBe('https://127.0.0.1');
    expect(validateCallbackUrl('https://example.com/schwab/callback/')).toBe('https://example.com/schwab/callback');
  });

  it('refuses http, localhost, queries and garbage with a fix', () => {
    expect(() => validateCallbackUrl('http://127.0.0.1:8182')).toThrow(/must use https .*https:\/\/127\.0\.0\.1:8182/);
    expect(() => validateCallbackUrl('https://localhost:8182/')).toThrow(
      'The callback URL uses localhost, which Schwab does not accept: register and use https://127.0.0.1:8182 instead.',
    );
    expect(() => validateCallbackUrl('https://127.0.0.1:8182/?x=1')).toThrow(/query/);
    expect(() => validateCallbackUrl('https://user:pw@127.0.0.1')).toThrow(/user name or password/);
    expect(() => validateCallbackUrl('127.0.0.1:8182')).toThrow(UserError);
    expect(() => validateCallbackUrl('not a url')).toThrow(/not a URL/);
  });
});
