import { describe, expect, it } from 'vitest';
import { configSecrets, parseLoginConfig, readLoginEnvironment } from '../../src/lambda/config.js';

const LABEL = '"login/config"';
const SECRET = 'app-secret-value-0123456789';
const GOOD = { app_key: 'key', app_secret: SECRET };

function parse(object: unknown): ReturnType<typeof parseLoginConfig> {
  return parseLoginConfig(JSON.stringify(object), LABEL);
}

describe('parseLoginConfig', () => {
  it('reads the fields, defaults github_ref to main, and keeps the whole object for writing back', () => {
    const { config, raw } = parse({
      ...GOOD,
      state_key: 's'.repeat(43),
      account_hashes: ['B', 'A', 'A'],
      github_token: 'ghp_token_value',
      github_repository: 'acme/bot',
      github_workflow: 'rotate-schwab-token.yml',
      note: 'kept',
    });
    expect(config).toEqual({
      appKey: 'key',
      appSecret: SECRET,
      stateKey: 's'.repeat(43),
      accountHashes: ['A', 'B'],
      github: { token: 'ghp_token_value', repository: 'acme/bot', workflow: 'rotate-schwab-token.yml', ref: 'main' },
    });
    expect(raw.note).toBe('kept');
    expect(configSecrets(config).sort()).toEqual([SECRET, 'ghp_token_value', 's'.repeat(43)].sort());
  });

  it('treats absent, null and empty optional fields as not set', () => {
    const { config } = parse({ ...GOOD, state_key: '', account_hashes: [], github_token: null });
    expect(config.stateKey).toBeUndefined();
    expect(config.accountHashes).toBeUndefined();
    expect(config.github).toBeUndefined();
  });

  it.each([
    ['empty', undefined, /is empty/],
    ['not JSON', `{"app_secret":"${SECRET}"`, /is not JSON/],
    ['an array', '[1]', /not a JSON object/],
    ['no app_key', JSON.stringify({ app_secret: SECRET }), /"app_key"/],
    ['no app_secret', JSON.stringify({ app_key: 'k' }), /"app_secret"/],
    ['app_secret not a string', JSON.stringify({ app_key: 'k', app_secret: 42 }), /"app_secret" that is not a string/],
    ['a short state_key', JSON.stringify({ ...GOOD, state_key: SECRET.slice(0, 10) }), /"state_key" shorter than 32/],
    ['account_hashes not a list', JSON.stringify({ ...GOOD, account_hashes: 'A' }), /"account_hashes"/],
    [
      'a workflow without a token',
      JSON.stringify({ ...GOOD, github_repository: 'acme/bot', github_workflow: 'r.yml' }),
      /"github_token"/,
    ],
    [
      'a bad repository',
      JSON.stringify({ ...GOOD, github_token: 't', github_repository: 'acme', github_workflow: 'r.yml' }),
      /"github_repository" written owner\/repo/,
    ],
    [
      'a workflow that is not a file name',
      JSON.stringify({ ...GOOD, github_token: 't', github_repository: 'acme/bot', github_workflow: '../x' }),
      /"github_workflow"/,
    ],
  ])('refuses a secret that is %s, naming the secret and the field, never a value', (_name, text, message) => {
    let error: Error | undefined;
    try {
      parseLoginConfig(text, LABEL);
    } catch (caught) {
      error = caught as Error;
    }
    expect(error?.message).toMatch(message);
    expect(error?.message).toContain(LABEL);
    expect(error?.message).not.toContain(SECRET);
    expect(error?.message).not.toContain(SECRET.slice(0, 10));
    expect(error?.message).toMatch(/^[A-Z].*\.$/);
  });
});

describe('readLoginEnvironment', () => {
  it('reads the two secret ids, the Schwab base URL (default the real one) and GITHUB_API_URL', () => {
    expect(readLoginEnvironment({ TOKEN_SECRET_ID: 't', CONFIG_SECRET_ID: 'c' })).toEqual({
      tokenSecretId: 't',
      configSecretId: 'c',
      schwabBaseUrl: 'https://api.schwabapi.com',
      githubApiUrl: undefined,
    });
    expect(
      readLoginEnvironment({
        TOKEN_SECRET_ID: 't',
        CONFIG_SECRET_ID: 'c',
        SCHWAB_BASE_URL: 'http://127.0.0.1:9/',
        GITHUB_API_URL: 'http://127.0.0.1:8',
      }),
    ).toMatchObject({ schwabBaseUrl: 'http://127.0.0.1:9', githubApiUrl: 'http://127.0.0.1:8' });
  });

  it.each([
    [{ CONFIG_SECRET_ID: 'c' }, /TOKEN_SECRET_ID is not set/],
    [{ TOKEN_SECRET_ID: 't' }, /CONFIG_SECRET_ID is not set/],
    [
      { TOKEN_SECRET_ID: 't', CONFIG_SECRET_ID: 'c', SCHWAB_BASE_URL: 'ftp://x' },
      /SCHWAB_BASE_URL is not an http\(s\) URL/,
    ],
  ])('names what is missing or wrong: %o', (env, message) => {
    expect(() => readLoginEnvironment(env)).toThrow(message);
  });
});
