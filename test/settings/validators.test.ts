/** The shared validators (src/settings/validators.ts): one rule each, the error in its reader's words. */
import { describe, expect, it } from 'vitest';
import { normalizeHttpUrl, readChoice, readDuration, readHttpUrl, readRegion } from '../../src/settings/validators.js';
import { VERIFY_MODES } from '../../src/schwab/probes.js';
import { cliAudience, withAudience } from '../../src/util/audience.js';

const inCli = <T>(fn: () => T): T => withAudience(cliAudience(), fn);

describe('the shared validators', () => {
  it('name the setting as an input in the action and as a flag in the CLI', () => {
    const cases: [() => unknown, string, string][] = [
      [
        () => readChoice('verify', 'all', VERIFY_MODES),
        'Input "verify" must be one of none, accounts, quotes.',
        '--verify must be one of none, accounts, quotes.',
      ],
      [
        () => readRegion('aws-region', 'Mars'),
        'Input "aws-region" is not an AWS region name',
        '--aws-region is not an AWS region name',
      ],
      [
        () => readDuration('refresh-before', '2d'),
        'Input "refresh-before" is longer than a day',
        '--refresh-before is longer than a day',
      ],
      [
        () => readHttpUrl({ name: 'schwab-base-url', env: 'SCHWAB_BASE_URL' }, 'ftp://x'),
        'Input "schwab-base-url" must be an http(s) URL, like https://api.schwabapi.com.',
        '--schwab-base-url (or SCHWAB_BASE_URL) must be an http(s) URL, like https://api.schwabapi.com.',
      ],
    ];
    for (const [check, action, cli] of cases) {
      expect(check).toThrow(action);
      expect(() => inCli(check)).toThrow(cli);
    }
  });

  it('return the value in its normal form', () => {
    expect(readChoice('verify', 'Quotes', VERIFY_MODES)).toBe('quotes');
    expect(readHttpUrl('schwab-base-url', 'http://127.0.0.1:9/')).toBe('http://127.0.0.1:9');
    expect(() => readHttpUrl('schwab-base-url', 'api.schwabapi.com')).toThrow('Input "schwab-base-url" is not a URL');
    expect(normalizeHttpUrl('file:///etc/passwd')).toBeUndefined();
    expect(readRegion('aws-region', 'us-gov-west-1')).toBe('us-gov-west-1');
    expect(readDuration('reauth-warning', '48h')).toBe(48 * 3_600_000);
  });
});
