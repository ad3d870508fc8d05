import { describe, expect, it } from 'vitest';
import {
  classifyNetworkError,
  classifySchwabResponse,
  parseErrorLayers,
  SchwabError,
} from '../../src/schwab/errors.js';
import type { SchwabCallContext, SchwabErrorKind } from '../../src/schwab/errors.js';
import { UserError } from '../../src/util/errors.js';
import { actionAudience, cliAudience, withAudience } from '../../src/util/audience.js';
import { ACCESS_DENIED_HTML, SCHWAB_ERROR_BODIES, wrapSchwabError } from '../fakes/schwab-fake.js';

const NOW = new Date('2026-11-18T09:00:00Z');
const json = { 'content-type': 'application/json' };

/** A token value that must never show up in a message. */
const DIGEST = 'q0+1H1qD6sK0Xk3hVwE0nE2kR4Zq7fXyW9hY1r4y8Kc=';

/** Schwab's real raw body for a dead refresh token, byte for byte as it arrives. */
const RAW_REFRESH_ERROR =
  '{"error":"unsupported_token_type","error_description":"400 Bad Request: \\"{\\"error_description\\":\\"Exception while authenticating refresh token [tokenDigest=' +
  DIGEST +
  '], failed to validate\\",\\"error\\":\\"refresh_token_authentication_error\\"}\\""}';

const RAW_EXPIRED_CODE =
  '{"error":"unsupported_token_type","error_description":"400 Bad Request: \\"{\\"error_description\\":\\"Bad authorization code: AuthorizationCode has expired,expiration=1714765380000,now=1714765400373\\",\\"error\\":\\"invalid_request\\"}\\""}';

function classify(
  status: number,
  body: string,
  context: SchwabCallContext = 'refresh',
  headers: Record<string, string> = json,
) {
  return classifySchwabResponse(status, headers, body, { context, now: NOW });
}

describe('classifySchwabResponse', () => {
  const cases: [string, number, string, SchwabCallContext, SchwabErrorKind, string | undefined][] = [
    [
      'refresh_token_authentication_error (raw)',
      400,
      RAW_REFRESH_ERROR,
      'refresh',
      'reauth-required',
      'refresh_token_authentication_error',
    ],
    [
      'refresh_token_authentication_error (fake)',
      400,
      SCHWAB_ERROR_BODIES.refreshTokenAuthentication().body,
      'refresh',
      'reauth-required',
      'refresh_token_authentication_error',
    ],
    ['invalid_grant', 400, SCHWAB_ERROR_BODIES.invalidGrant().body, 'refresh', 'reauth-required', 'invalid_grant'],
    [
      'bare invalid_grant',
      400,
      '{"error":"invalid_grant","error_description":"Refresh token is invalid, expired or revoked"}',
      'token',
      'reauth-required',
      'invalid_grant',
    ],
    [
      'invalid_client refresh token invalid',
      400,
      SCHWAB_ERROR_BODIES.invalidClientRefreshToken().body,
      'refresh',
      'reauth-required',
      'invalid_client',
    ],
    [
      'invalid_client refresh token invalid, 401',
      401,
      SCHWAB_ERROR_BODIES.invalidClientRefreshToken().body,
      'refresh',
      'reauth-required',
      'invalid_client',
    ],
    ['expired code (raw)', 400, RAW_EXPIRED_CODE, 'exchange', 'bad-code', 'invalid_request'],
    ['unknown code', 400, SCHWAB_ERROR_BODIES.unknownCode().body, 'exchange', 'bad-code', 'invalid_request'],
    [
      'invalid_grant on a code exchange',
      400,
      '{"error":"invalid_grant","error_description":"code is invalid"}',
      'exchange',
      'bad-code',
      'invalid_grant',
    ],
    [
      '401 invalid_client Unauthorized',
      401,
      SCHWAB_ERROR_BODIES.unauthorized().body,
      'refresh',
      'bad-credentials',
      'invalid_client',
    ],
    [
      '401 invalid_client on an exchange',
      401,
      SCHWAB_ERROR_BODIES.unauthorized().body,
      'exchange',
      'bad-credentials',
      'invalid_client',
    ],
    ['401 with an empty body', 401, '', 'refresh', 'bad-credentials', undefined],
    [
      'wrapped invalid_client Unauthorized',
      400,
      wrapSchwabError('invalid_client', 'Unauthorized'),
      'refresh',
      'bad-credentials',
      'invalid_client',
    ],
    ['429', 429, '', 'refresh', 'transient', undefined],
    ['500', 500, '{"error":"server_error"}', 'refresh', 'transient', undefined],
    ['502 HTML', 502, '<html><body>Bad Gateway</body></html>', 'refresh', 'transient', undefined],
    ['503', 503, '', 'refresh', 'transient', undefined],
    ['empty 200', 200, '', 'refresh', 'transient', undefined],
    ['empty 400', 400, '', 'refresh', 'transient', undefined],
    ['non-JSON 200', 200, 'upstream connect error', 'refresh', 'transient', undefined],
    ['non-JSON 400', 400, 'Bad Request', 'refresh', 'transient', undefined],
    [
      'wrapped temporarily_unavailable',
      400,
      wrapSchwabError('temporarily_unavailable', 'try later'),
      'refresh',
      'transient',
      'temporarily_unavailable',
    ],
    [
      'wrapped unsupported_grant_type',
      400,
      SCHWAB_ERROR_BODIES.unsupportedGrant().body,
      'refresh',
      'rejected',
      'unsupported_grant_type',
    ],
    [
      'redirect_uri mismatch',
      400,
      SCHWAB_ERROR_BODIES.redirectMismatch().body,
      'exchange',
      'rejected',
      'invalid_request',
    ],
    ['403 JSON', 403, '{"error":"access_denied"}', 'refresh', 'rejected', 'access_denied'],
    ['404 JSON', 404, '{"error":"not_found"}', 'refresh', 'rejected', 'not_found'],
    [
      'outer only, no inner',
      400,
      '{"error":"unsupported_token_type","error_description":"400 Bad Request"}',
      'refresh',
      'rejected',
      'unsupported_token_type',
    ],
  ];

  it.each(cases)('%s', (_name, status, body, context, kind, code) => {
    const error = classify(status, body, context);
    expect(error).toBeInstanceOf(SchwabError);
    expect(error).toBeInstanceOf(UserError);
    expect(error.kind).toBe(kind);
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    // One sentence: "<problem>: <fix>." and nothing of Schwab's free text.
    expect(error.message).toMatch(/^[^\n]+: [^\n]+\.$/);
    expect(error.message).not.toContain(DIGEST);
    expect(error.message).not.toContain('tokenDigest');
    expect(error.message).not.toContain('expiration=');
  });

  it('an HTML Access Denied page is transient (and safe to repeat: the edge answered)', () => {
    const error = classify(403, ACCESS_DENIED_HTML, 'exchange', { 'content-type': 'text/html' });
    expect(error.kind).toBe('transient');
    expect(error.requestNotProcessed).toBe(true);
    expect(error.message).toContain('"Access Denied"');
  });

  it('an HTML page without a content type is still recognised', () => {
    expect(classify(403, ACCESS_DENIED_HTML, 'refresh', {}).kind).toBe('transient');
  });

  it('an HTML 404 means a wrong base URL: rejected', () => {
    const error = classify(404, '<html><body>Not Found</body></html>', 'refresh', { 'content-type': 'text/html' });
    expect(error.kind).toBe('rejected');
    expect(error.message).toContain('schwab-base-url');
  });

  it('keeps Retry-After in seconds and as an HTTP date', () => {
    expect(classify(429, '', 'refresh', { 'retry-after': '12' }).retryAfterMs).toBe(12_000);
    const date = new Date(NOW.getTime() + 30_000).toUTCString();
    expect(classifySchwabResponse(503, new Headers({ 'Retry-After': date }), '', { now: NOW }).retryAfterMs).toBe(
      30_000,
    );
  });

  it("the messages read as the product promises, in the action's words", () => {
    withAudience(
      actionAudience({ GITHUB_ACTION_REPOSITORY: 'acme/schwab-token-rotator', GITHUB_ACTION_REF: 'v1' }),
      () => {
        expect(classify(400, RAW_REFRESH_ERROR).message).toBe(
          'Schwab rejected the refresh token (it expired or was revoked by a newer login): log in again with `npx --yes github:acme/schwab-token-rotator#v1 login`.',
        );
        expect(classify(401, SCHWAB_ERROR_BODIES.unauthorized().body).message).toBe(
          'Schwab rejected the app key or secret (HTTP 401 invalid_client): check the app-key and app-secret inputs match your app at developer.schwab.com.',
        );
        expect(classify(400, RAW_EXPIRED_CODE, 'exchange').message).toMatch(
          /^Schwab rejected the authorization code \(.*\): run `npx --yes github:acme\/schwab-token-rotator#v1 login` again/,
        );
        expect(classify(503, '').message).toBe(
          "Schwab's server failed the token refresh (HTTP 503): this is usually temporary on Schwab's side, so wait and try again; scheduled runs retry on their own.",
        );
        expect(classify(404, '').message).toBe(
          'Schwab has no token endpoint at the configured address (HTTP 404): check the schwab-base-url input (it should be https://api.schwabapi.com).',
        );
      },
    );
  });

  it('the same messages in the CLI speak of flags, environment variables and the command as it was run', () => {
    withAudience(cliAudience('node dist/cli.js'), () => {
      expect(classify(400, RAW_REFRESH_ERROR).message).toBe(
        'Schwab rejected the refresh token (it expired or was revoked by a newer login): log in again with `node dist/cli.js login`.',
      );
      expect(classify(401, SCHWAB_ERROR_BODIES.unauthorized().body).message).toBe(
        'Schwab rejected the app key or secret (HTTP 401 invalid_client): check SCHWAB_APP_KEY and SCHWAB_APP_SECRET match your app at developer.schwab.com.',
      );
      expect(classify(503, '').message).toBe(
        "Schwab's server failed the token refresh (HTTP 503): this is usually temporary on Schwab's side, so wait and try again.",
      );
      expect(classify(404, '').message).toBe(
        'Schwab has no token endpoint at the configured address (HTTP 404): check --schwab-base-url (or SCHWAB_BASE_URL) (it should be https://api.schwabapi.com).',
      );
      const network = classifyNetworkError(
        Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }),
        {
          context: 'refresh',
          url: 'https://api.schwabapi.com/v1/oauth/token',
          timeoutMs: 15_000,
        },
      );
      expect(network.message).toBe(
        'Could not reach the token refresh at api.schwabapi.com (ECONNREFUSED): check the network connection and --schwab-base-url (or SCHWAB_BASE_URL), then try again.',
      );
      // Every kind of answer, in every call: no input, runner or schedule.
      const bodies = [
        RAW_REFRESH_ERROR,
        RAW_EXPIRED_CODE,
        ACCESS_DENIED_HTML,
        '',
        'not json',
        SCHWAB_ERROR_BODIES.unauthorized().body,
      ];
      for (const context of ['refresh', 'exchange', 'token', 'probe'] as const) {
        for (const status of [200, 302, 400, 401, 403, 404, 429, 500, 503]) {
          for (const body of bodies) {
            expect(classify(status, body, context).message).not.toMatch(/\binputs?\b|runner|scheduled runs/);
          }
        }
      }
    });
  });

  it('never echoes a free-text error code', () => {
    const error = classify(400, JSON.stringify({ error: 'secret token I0.abcdef@ leaked', error_description: 'x' }));
    expect(error.kind).toBe('rejected');
    expect(error.code).toBeUndefined();
    expect(error.message).not.toContain('I0.abcdef@');
  });

  it('probe: 401/403 are rejected with a product hint, 5xx transient', () => {
    const accounts = classifySchwabResponse(401, {}, '{"errors":[]}', { context: 'probe', probe: 'accounts' });
    expect(accounts.kind).toBe('rejected');
    expect(accounts.message).toContain('Accounts and Trading');
    const quotes = classifySchwabResponse(403, {}, '', { context: 'probe', probe: 'quotes' });
    expect(quotes.message).toContain('Market Data');
    expect(classifySchwabResponse(503, {}, '', { context: 'probe', probe: 'quotes' }).kind).toBe('transient');
    expect(classifySchwabResponse(404, {}, '', { context: 'probe', probe: 'quotes' }).kind).toBe('rejected');
  });
});

describe('parseErrorLayers', () => {
  it('reads the outer and the inner JSON of a wrapped error', () => {
    expect(parseErrorLayers(RAW_REFRESH_ERROR).map((l) => l.error)).toEqual([
      'unsupported_token_type',
      'refresh_token_authentication_error',
    ]);
  });

  it('reads an inner JSON whose escapes were kept', () => {
    const description =
      '400 Bad Request: "{\\"error_description\\":\\"Refresh token is invalid\\",\\"error\\":\\"invalid_grant\\"}"';
    const body = JSON.stringify({ error: 'unsupported_token_type', error_description: description });
    expect(parseErrorLayers(body).map((l) => l.error)).toEqual(['unsupported_token_type', 'invalid_grant']);
  });

  it('reads a doubly wrapped error', () => {
    const body = JSON.stringify({
      error: 'unsupported_token_type',
      error_description: `400 Bad Request: "${wrapSchwabError('invalid_grant', 'Refresh token is invalid, expired or revoked')}"`,
    });
    expect(parseErrorLayers(body).map((l) => l.error)).toEqual([
      'unsupported_token_type',
      'unsupported_token_type',
      'invalid_grant',
    ]);
    expect(classifySchwabResponse(400, json, body, { context: 'refresh' }).kind).toBe('reauth-required');
  });

  it('falls back to a pattern when the inner JSON is truncated', () => {
    const body = JSON.stringify({
      error: 'unsupported_token_type',
      error_description:
        '400 Bad Request: "{"error_description":"Exception while authenticating refresh token [tokenDig',
    });
    const truncated = JSON.stringify({
      error: 'unsupported_token_type',
      error_description:
        '400 Bad Request: "{"error":"refresh_token_authentication_error","error_description":"Exception wh',
    });
    expect(parseErrorLayers(truncated).map((l) => l.error)).toEqual([
      'unsupported_token_type',
      'refresh_token_authentication_error',
    ]);
    expect(classifySchwabResponse(400, json, truncated, { context: 'refresh' }).kind).toBe('reauth-required');
    // no code at all, but the text says "refresh token": still not a re-auth by guesswork
    expect(classifySchwabResponse(400, json, body, { context: 'refresh' }).kind).toBe('rejected');
  });

  it('returns nothing for non-JSON', () => {
    expect(parseErrorLayers('')).toEqual([]);
    expect(parseErrorLayers('<html>')).toEqual([]);
    expect(parseErrorLayers('[1,2]')).toEqual([]);
  });
});

describe('classifyNetworkError', () => {
  const url = 'https://api.schwabapi.com/v1/oauth/token';

  it('a timeout is transient', () => {
    const error = classifyNetworkError(new DOMException('The operation was aborted due to timeout', 'TimeoutError'), {
      context: 'refresh',
      url,
      timeoutMs: 15_000,
    });
    expect(error.kind).toBe('transient');
    expect(error.requestNotProcessed).toBe(false);
    expect(error.message).toMatch(/^Schwab did not answer the token refresh within 15 s: /);
  });

  it('a refused connection is transient and safe to repeat', () => {
    const fetchError = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
    });
    const error = classifyNetworkError(fetchError, { context: 'exchange', url, timeoutMs: 1000 });
    expect(error.kind).toBe('transient');
    expect(error.requestNotProcessed).toBe(true);
    expect(error.message).toContain('api.schwabapi.com (ECONNREFUSED)');
  });

  it('finds the code inside an AggregateError', () => {
    const inner = new AggregateError([Object.assign(new Error('x'), { code: 'ENETUNREACH' })]);
    const error = classifyNetworkError(new TypeError('fetch failed', { cause: inner }), { url, timeoutMs: 1000 });
    expect(error.requestNotProcessed).toBe(true);
    expect(error.code).toBe('ENETUNREACH');
  });

  it('a reset socket is transient but not safe to repeat', () => {
    const fetchError = new TypeError('fetch failed', {
      cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
    });
    const error = classifyNetworkError(fetchError, { context: 'exchange', url, timeoutMs: 1000 });
    expect(error.kind).toBe('transient');
    expect(error.requestNotProcessed).toBe(false);
  });

  it('an untrusted certificate is rejected with a proxy hint', () => {
    const fetchError = new TypeError('fetch failed', {
      cause: Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
    });
    const error = classifyNetworkError(fetchError, { url, timeoutMs: 1000 });
    expect(error.kind).toBe('rejected');
    expect(error.message).toContain('NODE_EXTRA_CA_CERTS');
  });
});
