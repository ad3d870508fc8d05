import { describe, expect, it } from 'vitest';
import { assertSecretValueFits, parseSecretTargets } from '../../src/github/secret-targets.js';
import { UserError } from '../../src/util/errors.js';

function parseError(text: string, ...current: [string | undefined] | []): UserError {
  try {
    parseSecretTargets(text, current.length === 0 ? 'acme/bot' : current[0]);
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected a UserError');
}

describe('parseSecretTargets', () => {
  it('parses every syntax of the issue, with comments and blank lines', () => {
    const text = [
      '# where the rotated token goes',
      '',
      'SCHWAB_TOKEN                        # this repository',
      'acme/bot-2:SCHWAB_TOKEN             # another repository',
      '   acme/bot@production:SCHWAB_TOKEN    # an environment secret of acme/bot',
      'org/acme:SCHWAB_TOKEN               # an organization secret',
      'org/acme:OTHER_TOKEN:selected',
      'org/acme-2:SCHWAB_TOKEN:ALL',
      'org/acme-3:SCHWAB_TOKEN:private',
      '@staging:_TOKEN_2   ',
      '\t',
    ].join('\r\n');
    expect(parseSecretTargets(text, 'acme/bot')).toEqual([
      {
        kind: 'repository',
        owner: 'acme',
        repo: 'bot',
        name: 'SCHWAB_TOKEN',
        store: 'acme/bot',
        label: 'acme/bot:SCHWAB_TOKEN',
      },
      {
        kind: 'repository',
        owner: 'acme',
        repo: 'bot-2',
        name: 'SCHWAB_TOKEN',
        store: 'acme/bot-2',
        label: 'acme/bot-2:SCHWAB_TOKEN',
      },
      {
        kind: 'environment',
        owner: 'acme',
        repo: 'bot',
        environment: 'production',
        name: 'SCHWAB_TOKEN',
        store: 'acme/bot@production',
        label: 'acme/bot@production:SCHWAB_TOKEN',
      },
      { kind: 'organization', org: 'acme', name: 'SCHWAB_TOKEN', store: 'org/acme', label: 'org/acme:SCHWAB_TOKEN' },
      {
        kind: 'organization',
        org: 'acme',
        name: 'OTHER_TOKEN',
        visibility: 'selected',
        store: 'org/acme',
        label: 'org/acme:OTHER_TOKEN:selected',
      },
      {
        kind: 'organization',
        org: 'acme-2',
        name: 'SCHWAB_TOKEN',
        visibility: 'all',
        store: 'org/acme-2',
        label: 'org/acme-2:SCHWAB_TOKEN:all',
      },
      {
        kind: 'organization',
        org: 'acme-3',
        name: 'SCHWAB_TOKEN',
        visibility: 'private',
        store: 'org/acme-3',
        label: 'org/acme-3:SCHWAB_TOKEN:private',
      },
      {
        kind: 'environment',
        owner: 'acme',
        repo: 'bot',
        environment: 'staging',
        name: '_TOKEN_2',
        store: 'acme/bot@staging',
        label: 'acme/bot@staging:_TOKEN_2',
      },
    ]);
  });

  it('returns no targets for an empty or comment-only input', () => {
    expect(parseSecretTargets('', undefined)).toEqual([]);
    expect(parseSecretTargets('  \n# nothing yet\n', undefined)).toEqual([]);
  });

  it('accepts environment names with spaces and slashes, and repository names with dots', () => {
    const [env, repo] = parseSecretTargets('acme/bot@review/pr 1:TOKEN\nacme/my.repo_x:TOKEN', undefined);
    expect(env).toMatchObject({ kind: 'environment', environment: 'review/pr 1', store: 'acme/bot@review/pr 1' });
    expect(repo).toMatchObject({ kind: 'repository', repo: 'my.repo_x' });
  });

  it('does not need a current repository when every target names one', () => {
    expect(parseSecretTargets('acme/bot:A\norg/acme:B', undefined)).toHaveLength(2);
  });

  it.each([
    ['acme/bot', /line 1 \("acme\/bot"\) is not a secret target: write one target a line as NAME, owner\/repo:NAME/],
    ['acme/bot:', /is not a secret target/],
    ['acme/bot@:TOKEN', /is not a secret target/],
    ['https://github.com/acme/bot:TOKEN', /is not a secret target/],
    ['a/b/c:TOKEN', /is not a secret target/],
    ['acme/bot:TOKEN extra', /contains spaces/],
    ['acme/bot: TOKEN', /contains spaces/],
    ['acme/bot:1TOKEN', /invalid secret name "1TOKEN": use only letters, digits and underscores/],
    ['SCHWAB-TOKEN', /invalid secret name "SCHWAB-TOKEN"/],
    ['acme/bot@prod:TOKEN.X', /invalid secret name "TOKEN\.X"/],
    ['org/acme:TOKEN:public', /unknown organization secret visibility "public": write :private, :all or :selected/],
    ['org/acme:TOKEN:', /unknown organization secret visibility ""/],
    ['GITHUB_TOKEN', /names starting with GITHUB_ are reserved by GitHub: choose another name/],
    ['acme/bot:github_pat', /reserved by GitHub/],
    ['org/acme:Github_X', /reserved by GitHub/],
  ])('rejects %j with one sentence naming the line', (line, message) => {
    const error = parseError(line);
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/^github-secrets line \d+ \(/);
    expect(error.message.trim().endsWith('.')).toBe(true);
  });

  it('names the line number of the bad target', () => {
    const error = parseError('SCHWAB_TOKEN\n\n# comment\nacme/bot:BAD-NAME');
    expect(error.message).toMatch(/^github-secrets line 4 \("acme\/bot:BAD-NAME"\)/);
  });

  it('rejects the same name twice in one store, case-insensitively, the bare name resolved', () => {
    expect(parseError('SCHWAB_TOKEN\nACME/Bot:schwab_token').message).toBe(
      'github-secrets line 2 ("ACME/Bot:schwab_token") names the secret schwab_token in ACME/Bot again (line 1 ' +
        'already writes acme/bot:SCHWAB_TOKEN; GitHub secret names are case-insensitive): remove one of the two lines.',
    );
    expect(parseError('acme/bot@Production:T\nacme/bot@production:t').message).toMatch(/line 2 .* again \(line 1/);
    expect(parseError('org/acme:T:all\norg/ACME:T:private').message).toMatch(/again/);
  });

  it('allows one name in different stores', () => {
    const targets = parseSecretTargets('T\nacme/bot@production:T\norg/acme:T\nacme/other:T', 'acme/bot');
    expect(targets.map((t) => t.store)).toEqual(['acme/bot', 'acme/bot@production', 'org/acme', 'acme/other']);
  });

  it('rejects a bare name (or @environment) when the current repository is unknown', () => {
    expect(parseError('SCHWAB_TOKEN', undefined).message).toBe(
      'github-secrets line 1 ("SCHWAB_TOKEN") names no repository and the current repository is unknown ' +
        '(GITHUB_REPOSITORY is not set): write owner/repo:SCHWAB_TOKEN instead.',
    );
    expect(parseError('@production:T', '').message).toMatch(/current repository is unknown/);
    expect(parseError('T', 'not a repo').message).toMatch(/current repository is unknown/);
  });

  it('names another input when asked (the CLI)', () => {
    expect(() => parseSecretTargets('bad-name', 'acme/bot', '--github-secret-name')).toThrow(
      /^--github-secret-name line 1/,
    );
  });
});

describe('assertSecretValueFits', () => {
  it('accepts a value whose encrypted, base64 form fits 48 KB', () => {
    expect(() => assertSecretValueFits('x'.repeat(36_816))).not.toThrow();
    expect(() => assertSecretValueFits('{"access_token":"abc"}')).not.toThrow();
  });

  it('rejects a larger value without showing it', () => {
    const value = 'SECRETVALUE'.repeat(4_000);
    expect(() => assertSecretValueFits('x'.repeat(36_817))).toThrow(UserError);
    try {
      assertSecretValueFits(value);
    } catch (error) {
      expect((error as Error).message).toBe(
        "The value to store in GitHub secrets is 44000 bytes, more than the 36816 bytes that fit GitHub's 48 KB " +
          'secret limit once encrypted: store a smaller record (the default record format, without extra fields).',
      );
      expect((error as Error).message).not.toContain('SECRETVALUE');
    }
  });

  it('counts UTF-8 bytes, not characters', () => {
    expect(() => assertSecretValueFits('é'.repeat(18_408))).not.toThrow();
    expect(() => assertSecretValueFits('é'.repeat(18_409))).toThrow(UserError);
  });
});
