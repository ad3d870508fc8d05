import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { INPUT_DEFAULTS, readSettings } from '../../src/settings/inputs.js';
import type { InputName } from '../../src/settings/inputs.js';
import { createMemoryLogger } from '../../src/util/logger.js';

interface ActionYml {
  runs: { using: string; main: string };
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
}
const actionYml = parse(readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')) as ActionYml;

function reader(values: Partial<Record<InputName, string>>) {
  return (name: InputName) => values[name] ?? '';
}

const REQUIRED = { 'app-key': 'key-1234', 'app-secret': 'secret-5678', token: '{"x":1}' } as const;

describe('action.yml', () => {
  it('runs on node24 from dist/index.js', () => {
    expect(actionYml.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  it('declares exactly the inputs the code reads, with the same defaults', () => {
    // Absent from the environment or filled in by the runner: the same value either way.
    const declared = Object.fromEntries(
      Object.entries(actionYml.inputs).map(([name, input]) => [name, String(input.default ?? '')]),
    );
    const coded = Object.fromEntries(
      Object.entries(INPUT_DEFAULTS).map(([name, value]) => [name, value.startsWith('${{') ? value : value]),
    );
    expect(declared).toEqual(coded);
    for (const [name, input] of Object.entries(actionYml.inputs)) expect(input.description, name).toBeTruthy();
  });

  it('declares every output the action sets', () => {
    expect(Object.keys(actionYml.outputs).sort()).toEqual(
      ['access-token', 'expires-at', 'refresh-token-expires-at', 'refreshed', 'status', 'issue-number'].sort(),
    );
  });
});

describe('readSettings', () => {
  it('applies the defaults when inputs are absent', () => {
    const settings = readSettings(reader(REQUIRED), createMemoryLogger());
    expect(settings).toMatchObject({
      refreshBeforeMs: 25 * 60_000,
      force: false,
      dryRun: false,
      tokenFormat: 'rotator',
      verify: 'none',
      schwabBaseUrl: 'https://api.schwabapi.com',
      awsSecretId: undefined,
    });
  });

  it('behaves the same with the runner-filled defaults as with absent inputs', () => {
    const filled = readSettings(reader({ ...INPUT_DEFAULTS, ...REQUIRED }), createMemoryLogger());
    const absent = readSettings(reader(REQUIRED), createMemoryLogger());
    expect(filled).toEqual(absent);
  });

  it('masks the app secret and the token input before anything else', () => {
    const logger = createMemoryLogger();
    readSettings(reader(REQUIRED), logger);
    expect(logger.masked).toEqual(expect.arrayContaining(['secret-5678', '{"x":1}']));
    expect(logger.lines).toEqual([]);
  });

  it.each([
    [{ 'app-key': '' }, /Input "app-key" is required/],
    [{ 'app-secret': '' }, /Input "app-secret" is required/],
    [{ token: '', 'aws-secret-id': '' }, /No token source is configured/],
    [{ 'refresh-before': 'soon' }, /"refresh-before" is not a duration/],
    [{ force: 'yes' }, /Input "force" must be true or false/],
    [{ 'token-format': 'json' }, /Input "token-format" must be one of rotator, schwab-py/],
    [{ verify: 'all' }, /Input "verify" must be one of none, accounts, quotes/],
    [{ 'aws-region': 'Virginia' }, /"aws-region" is not an AWS region/],
    [{ 'schwab-base-url': 'api.schwabapi.com' }, /"schwab-base-url" is not a URL/],
    [{ 'refresh-before': '2d' }, /"refresh-before" is longer than a day/],
    [{ 'reauth-warning': '7d' }, /"reauth-warning" must be shorter than the refresh token's 7 days/],
    [{ 'reauth-warning': '9'.repeat(400) + 'd' }, /"reauth-warning" is longer than a year/],
    [{ 'issue-assignees': 'octocat, @ x' }, /"issue-assignees" must list GitHub user names/],
    [{ 'issue-labels': ' , ' }, /"issue-labels" needs at least one label/],
    [
      { 'callback-url': 'https://localhost:8182' },
      /^Input "callback-url" uses localhost, which Schwab does not accept: register and use https:\/\/127\.0\.0\.1:8182 instead\.$/,
    ],
    [
      { 'github-secrets': 'acme/bot:SCHWAB_TOKEN', 'secrets-token': '' },
      /"secrets-token" is required when "github-secrets" is set/,
    ],
  ] as const)('rejects %o with a sentence naming the input', (override, message) => {
    const logger = createMemoryLogger();
    expect(() => readSettings(reader({ ...REQUIRED, ...override }), logger)).toThrow(message);
  });

  it('never echoes the app secret in an error', () => {
    try {
      readSettings(reader({ ...REQUIRED, 'app-key': '', 'app-secret': 'very-secret-value' }), createMemoryLogger());
      expect.unreachable();
    } catch (error) {
      expect(String(error)).not.toContain('very-secret-value');
    }
  });

  it('reads durations, booleans and choices', () => {
    const settings = readSettings(
      reader({
        ...REQUIRED,
        'refresh-before': '1h30m',
        force: 'TRUE',
        'token-format': 'schwab-py',
        verify: 'quotes',
        'aws-region': 'eu-west-2',
      }),
      createMemoryLogger(),
    );
    expect(settings).toMatchObject({
      refreshBeforeMs: 90 * 60_000,
      force: true,
      tokenFormat: 'schwab-py',
      verify: 'quotes',
      awsRegion: 'eu-west-2',
    });
  });
});

describe('login-url', () => {
  const read = (value: string) =>
    readSettings(reader({ ...REQUIRED, 'login-url': value }), createMemoryLogger()).loginUrl;

  it('is off by default, and reads the function URL without a trailing slash', () => {
    expect(readSettings(reader(REQUIRED), createMemoryLogger()).loginUrl).toBeUndefined();
    expect(read('https://abc123.lambda-url.us-east-1.on.aws/')).toBe('https://abc123.lambda-url.us-east-1.on.aws');
    expect(read('  https://login.example.com/schwab  ')).toBe('https://login.example.com/schwab');
  });

  it.each([
    ['abc123.lambda-url.us-east-1.on.aws', /"login-url" is not a URL: set it to the LoginUrl output/],
    ['http://abc123.lambda-url.us-east-1.on.aws', /"login-url" must use https/],
    ['https://abc123.lambda-url.us-east-1.on.aws/?x=1', /must not carry a user, query or fragment/],
    ['https://abc123.lambda-url.us-east-1.on.aws/login', /ends in \/login: give the function's URL without it/],
    ['https://abc123.lambda-url.us-east-1.on.aws/callback/', /ends in \/callback/],
  ])('refuses %s with one sentence naming the input', (value, message) => {
    expect(() => read(value)).toThrow(message);
  });
});
