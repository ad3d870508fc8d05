/**
 * Property-based tests of the input parser (issue #6 item 3, the input half): whatever values reach `readSettings`
 * (every input of INPUT_DEFAULTS; `github-secrets` goes through parseSecretTargets), each call either returns Settings
 * that a run can use, or throws a UserError whose message names the input and does not contain the given value.
 * Never another exception type.
 *
 * "Does not contain the value": the trimmed value and each of its lines / comma-separated items, when at least 8
 * characters long and not also part of the fixed message vocabulary (the messages the parser writes for canonical bad
 * values, the input names and defaults), must not appear in the message. Shorter strings are ignored: a 3-character
 * value can occur in any sentence by chance.
 *
 * One designed exception: a `github-secrets` error quotes the offending line (`github-secrets line 2 ("acme/bot:X")
 * …`, see test/github/secret-targets.test.ts), which helps when the line is a mistyped target. A line that cannot be a
 * target at all, such as a token record pasted into the wrong input, is named by its line number only (the last test).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SECRET_NAME_PATTERN } from '../../src/github/secret-targets.js';
import { INPUT_DEFAULTS, readSettings } from '../../src/settings/inputs.js';
import type { InputName, Settings } from '../../src/settings/inputs.js';
import { UserError } from '../../src/util/errors.js';
import { createMemoryLogger } from '../../src/util/logger.js';

/** PROPERTY_SCALE=20 for a long hunt; the default keeps the file around 2 s. */
const SCALE = Math.max(1, Number(process.env.PROPERTY_SCALE) || 1);
const RUNS_PER_INPUT = 250 * SCALE;
const RUNS_COMBINED = 1000 * SCALE;
const INPUTS = Object.keys(INPUT_DEFAULTS) as InputName[];
const ENV = { GITHUB_REPOSITORY: 'acme/bot' };

/** Valid values for every input, chosen so that each input, made bad, is the one that fails. */
const BASELINE: Record<InputName, string> = {
  ...INPUT_DEFAULTS,
  'app-key': 'baseline-app-key',
  'app-secret': 'baseline-app-secret',
  token: '{"baseline":"token input"}',
  'github-secrets': 'SCHWAB_TOKEN',
  'secrets-token': 'baseline-secrets-token',
  'github-token': 'baseline-github-token',
};

/** What one call did. */
type Outcome = { settings: Settings } | { error: UserError };

let calls = 0;

function call(values: Partial<Record<InputName, string>>): Outcome {
  calls++;
  const inputs = { ...BASELINE, ...values };
  try {
    return { settings: readSettings((name) => inputs[name], createMemoryLogger(), ENV) };
  } catch (error) {
    if (!(error instanceof UserError)) {
      throw new Error(
        `readSettings threw ${error instanceof Error ? error.constructor.name : typeof error}, not a UserError: ${String(error)}`,
      );
    }
    return { error };
  }
}

/** The fixed words of the parser's messages: messages for canonical bad values, the input names and defaults. */
const VOCABULARY = (() => {
  const bad: Partial<Record<InputName, string>>[] = [
    { 'app-key': ' ' },
    { 'app-secret': ' ' },
    { token: ' ' },
    { 'aws-region': '?' },
    { 'refresh-before': '?' },
    { 'reauth-warning': '?' },
    { force: '?' },
    { 'dry-run': '?' },
    { 'keep-schedule-alive': '?' },
    { 'token-format': '?' },
    { verify: '?' },
    { 'schwab-base-url': '?' },
    { 'schwab-base-url': 'ftp://x' },
    { 'callback-url': '?' },
    { 'callback-url': 'http://x' },
    { 'callback-url': 'https://localhost' },
    { 'callback-url': 'https://u:p@x' },
    { 'callback-url': 'https://x/?q' },
    { 'issue-labels': ',' },
    { 'secrets-token': ' ' },
    { 'github-secrets': '?' },
    { 'github-secrets': 'a b' },
    { 'github-secrets': 'a-b' },
    { 'github-secrets': 'GITHUB_X' },
    { 'github-secrets': 'A\nA' },
    { 'github-secrets': 'org/a:A:?' },
    { 'github-secrets': 'a/b@ :A' },
  ];
  const messages = bad.map((values) => {
    const outcome = call(values);
    if (!('error' in outcome)) throw new Error(`expected ${JSON.stringify(values)} to be rejected`);
    return outcome.error.message;
  });
  return [...messages, ...INPUTS, ...Object.values(INPUT_DEFAULTS), ...Object.values(BASELINE)].join('\n');
})();

/**
 * The parts of a value that must not be echoed: the value, its lines and items, and its lines without comments.
 * For `github-secrets` (`quotedLines`: the designed exception above), only a value of several lines as a whole.
 */
function echoCandidates(value: string, quotedLines = false): string[] {
  const lines = value.split(/\r?\n/);
  const parts = quotedLines
    ? lines.filter((line) => line.trim()).length > 1
      ? [value.trim()]
      : []
    : [
        value.trim(),
        ...lines.map((line) => line.trim()),
        ...lines.map((line) => line.replace(/(^|\s)#.*$/, '').trim()),
        ...value.split(/[,\n]/).map((item) => item.trim()),
      ];
  return [...new Set(parts)].filter((part) => part.length >= 8 && !VOCABULARY.includes(part));
}

/** How a message names an input: `"name"` (Input "x" …), or `github-secrets line N` from the target parser. */
function namesInput(message: string, name: InputName): boolean {
  return message.includes(`"${name}"`) || (name === 'github-secrets' && /^github-secrets line \d+ /.test(message));
}

/** Settings a run can use: every field in range, nothing half-parsed. */
function expectUsable(settings: Settings): void {
  expect(settings.appKey).not.toBe('');
  expect(settings.appSecret).not.toBe('');
  expect(settings.tokenInput !== undefined || settings.awsSecretId !== undefined).toBe(true);
  // Only compared with time differences, so any non-negative number works (a huge one means "always").
  for (const ms of [settings.refreshBeforeMs, settings.reauthWarningMs]) expect(ms >= 0, `duration ${ms}`).toBe(true);
  expect(['rotator', 'schwab-py']).toContain(settings.tokenFormat);
  expect(['none', 'accounts', 'quotes']).toContain(settings.verify);
  for (const flag of [settings.force, settings.dryRun, settings.keepScheduleAlive]) expect(typeof flag).toBe('boolean');
  expect(['http:', 'https:']).toContain(new URL(settings.schwabBaseUrl).protocol);
  expect(new URL(settings.callbackUrl).protocol).toBe('https:');
  if (settings.awsRegion !== undefined) expect(settings.awsRegion).toMatch(/^[a-z]{2}(-[a-z]+)+-\d+$/);
  expect(settings.issueLabels.length).toBeGreaterThan(0);
  for (const label of settings.issueLabels) expect(label.trim() === label && label !== '').toBe(true);
  // Assignees are not validated as GitHub logins ("@ x" gives " x", "@@a" gives "@a"): GitHub rejects unknown ones
  // and the alert then opens the issue without them.
  expect(settings.issueAssignees.every((assignee) => typeof assignee === 'string')).toBe(true);
  expect(settings.tokenId).not.toBe('');
  for (const target of settings.githubSecrets) {
    expect(target.name).toMatch(SECRET_NAME_PATTERN);
    expect(target.name).not.toMatch(/^GITHUB_/i);
  }
  if (settings.githubSecrets.length > 0) expect(settings.secretsToken).toBeDefined();
}

/** The contract for one call with the `changed` inputs set to arbitrary values (others from BASELINE). */
function checkContract(changed: Partial<Record<InputName, string>>, strict = false): void {
  const outcome = call(changed);
  if ('settings' in outcome) {
    expectUsable(outcome.settings);
    return;
  }
  const { message } = outcome.error;
  expect(message.trim()).not.toBe('');
  const names = Object.keys(changed) as InputName[];
  // A missing token source is also a matter of "aws-secret-id", and a missing secrets-token of "github-secrets".
  expect(
    names.some((name) => namesInput(message, name)),
    `"${message}" names none of ${names.join(', ')}`,
  ).toBe(true);
  // Text the github-secrets error quotes by design is not an echo of another input that holds the same text.
  const quoted = strict ? '' : (changed['github-secrets'] ?? '');
  for (const [name, value] of Object.entries(changed)) {
    const echoed = echoCandidates(value, name === 'github-secrets' && !strict).find(
      (part) => message.includes(part) && !quoted.includes(part),
    );
    expect(echoed, `the error for ${name} echoes ${JSON.stringify(echoed)}: ${message}`).toBeUndefined();
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Arbitrary values: anything, and near misses of what each input accepts.
// ---------------------------------------------------------------------------------------------------------------------

const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 60,
});
const word = fc.string({
  unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./@:#'),
  minLength: 1,
  maxLength: 40,
});
const whitespace = fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\r\n'), maxLength: 6 });
const anything = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  printable,
  whitespace,
  fc.json(),
  fc.webUrl(),
  fc.constantFrom('', ' ', 'null', 'undefined', '{}', '[]', '${{ secrets.SCHWAB_TOKEN }}', '${{ github.token }}'),
  // Something secret pasted into the wrong input.
  fc.constantFrom(
    '{"access_token":"I0.b2F1dGgyLmNkYy5zY2h3YWIuY29t.pastedAccessTokenValue@","refresh_token":"pastedRefreshTokenValue0123@"}',
    'github_pat_11PASTEDSECRETVALUE0123456789abcdef',
  ),
  // Fragments of the messages themselves (the echo check must not mistake them for echoes).
  fc
    .nat({ max: VOCABULARY.length - 1 })
    .chain((start) => fc.nat({ max: 40 }).map((len) => VOCABULARY.slice(start, start + 8 + len))),
);
const padded = (arb: fc.Arbitrary<string>) => fc.tuple(whitespace, arb, whitespace).map(([a, v, b]) => `${a}${v}${b}`);

const duration = fc.oneof(
  fc
    .tuple(
      fc.oneof(
        fc.nat({ max: 100_000 }).map(String),
        fc.double({ noNaN: true }).map(String),
        fc.stringMatching(/^\d{10,400}$/),
      ),
      fc.constantFrom('s', 'm', 'h', 'd', 'S', 'ms', 'w', 'y', '', ' m', 'min', 'hours'),
    )
    .map(([n, unit]) => `${n}${unit}`),
  fc
    .array(fc.tuple(fc.nat({ max: 999 }), fc.constantFrom('s', 'm', 'h', 'd')), { minLength: 1, maxLength: 4 })
    .map((parts) => parts.map(([n, u]) => `${n}${u}`).join(' ')),
  fc.constantFrom('25', '-5m', '1.5h', '.5h', '1e3s', 'PT25M', '25 minutes', '0s', 'Infinity', '∞'),
);
const boolean = fc.constantFrom(
  'true',
  'false',
  'True',
  'FALSE',
  'tRuE',
  'yes',
  'no',
  'on',
  '1',
  '0',
  'y',
  'true false',
);
const choice = fc.constantFrom(
  'rotator',
  'schwab-py',
  'ROTATOR',
  'Schwab-Py',
  'schwab_py',
  'schwabdev',
  'none',
  'accounts',
  'quotes',
  'Quotes',
  'all',
  'account',
);
const region = fc.oneof(
  fc.constantFrom(
    'us-east-1',
    'eu-west-2',
    'US-EAST-1',
    'us-east',
    'us-east-1a',
    'useast1',
    'us-gov-west-1',
    'cn-north-1',
    'local',
  ),
  fc
    .tuple(fc.stringMatching(/^[a-z]{1,3}$/), fc.stringMatching(/^[a-z]{0,12}$/), fc.integer({ min: -1, max: 99 }))
    .map(([a, b, n]) => `${a}-${b}-${n}`),
);
const url = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc
    .tuple(
      fc.constantFrom('https', 'http', 'ftp', 'file', 'javascript', 'HTTPS', 'myprotocolxyz'),
      fc.constantFrom('://', ':/', ':', '//'),
      fc.constantFrom(
        '127.0.0.1:8182',
        'localhost:8182',
        'api.schwabapi.com',
        'user:pw@host',
        '[::1]:443',
        'host/path/',
        '',
        ' host',
      ),
      fc.constantFrom('', '/', '/cb', '?q=1', '#frag', '/a b'),
    )
    .map(([scheme, sep, host, rest]) => `${scheme}${sep}${host}${rest}`),
);
const list = fc
  .array(fc.oneof(word, printable, fc.constant('')), { maxLength: 5 })
  .chain((items) => fc.constantFrom(',', '\n', ', ', ' ,\n').map((sep) => items.join(sep)));
const targetLine = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(
        '',
        'acme/bot:',
        'Acme/Bot.js:',
        'acme/bot@production:',
        '@production:',
        '@ :',
        'org/acme:',
        'org/:',
        'acme/:',
        '-acme/bot:',
        'a/b@c:d:',
      ),
      fc.oneof(
        fc.constantFrom(
          'SCHWAB_TOKEN',
          'schwab_token',
          'GITHUB_TOKEN',
          'github_x',
          '1TOKEN',
          'BAD-NAME',
          'TOKEN ',
          'A',
        ),
        word,
      ),
      fc.constantFrom('', ':private', ':ALL', ':selected', ':public', ':', '  # comment', '#not-a-comment', ' x'),
    )
    .map(([prefix, name, suffix]) => `${prefix}${name}${suffix}`),
  word,
  printable,
);
const targets = fc
  .array(fc.oneof(targetLine, fc.constant(''), fc.constant('# only a comment')), { minLength: 1, maxLength: 5 })
  .chain((lines) => fc.constantFrom('\n', '\r\n').map((eol) => lines.join(eol)));

/** Near misses per input (besides `anything`). */
const NEAR_MISSES: Partial<Record<InputName, fc.Arbitrary<string>>> = {
  'aws-region': region,
  'refresh-before': duration,
  'reauth-warning': duration,
  force: boolean,
  'dry-run': boolean,
  'keep-schedule-alive': boolean,
  'token-format': choice,
  verify: choice,
  'schwab-base-url': url,
  'callback-url': url,
  'github-secrets': targets,
  'issue-labels': list,
  'issue-assignees': list,
};

function valuesFor(name: InputName): fc.Arbitrary<string> {
  const nearMisses = NEAR_MISSES[name];
  return nearMisses ? fc.oneof(padded(nearMisses), anything) : anything;
}

// ---------------------------------------------------------------------------------------------------------------------

describe('readSettings with arbitrary and malformed inputs', () => {
  it('has a message vocabulary to tell echoes from its own words', () => {
    expect(VOCABULARY).toContain('must be true or false');
    expect(echoCandidates('must be true or false')).toEqual([]);
    expect(echoCandidates('  a-long-secret-value  ')).toEqual(['a-long-secret-value']);
  });

  it.each(INPUTS)('"%s": Settings a run can use, or a UserError naming the input without echoing the value', (name) => {
    fc.assert(
      fc.property(valuesFor(name), (value) => {
        checkContract({ [name]: value });
      }),
      { numRuns: RUNS_PER_INPUT },
    );
  });

  it('several inputs at once: the error names one of them and echoes none', () => {
    const entries = fc
      .uniqueArray(fc.constantFrom(...INPUTS), { minLength: 2, maxLength: 6 })
      .chain((names) => fc.tuple(...names.map((name) => valuesFor(name).map((value) => [name, value] as const))));
    fc.assert(
      fc.property(entries, (pairs) => {
        checkContract(Object.fromEntries(pairs));
      }),
      { numRuns: RUNS_COMBINED },
    );
    console.log(`readSettings property tests: ${calls} calls so far`);
  });

  it('github-secrets: a pasted token record is not echoed in the error', () => {
    const tokenValue = fc.string({
      unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789._-@'),
      minLength: 20,
      maxLength: 60,
    });
    const pasted = fc
      .tuple(tokenValue, tokenValue)
      .map(([access, refresh]) => JSON.stringify({ access_token: access, refresh_token: refresh, expires_in: 1800 }));
    fc.assert(
      fc.property(pasted, (value) => {
        checkContract({ 'github-secrets': value }, true);
      }),
      { numRuns: 50 },
    );
  });
});
