/** The command line itself: help for every command, usage errors (exit 64) with one clear line. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { makeIo, run } from './helpers.js';

function io() {
  return makeIo(undefined, process.cwd());
}

describe('command line', () => {
  it('prints help for every command, even next to a wrong option', async () => {
    for (const argv of [
      ['help', 'login'],
      ['login', '--help', '--bogus'],
      ['status', '-h'],
      ['refresh', '--help'],
    ]) {
      const out = io();
      expect(await run(argv, out)).toBe(0);
      expect(out.stdout.text).toMatch(/^Usage: schwab-token-rotator (login|status|refresh) \[options\]/);
      expect(out.stderr.text).toBe('');
    }
    const main = io();
    expect(await run(['help'], main)).toBe(0);
    expect(main.stdout.text).toContain('Commands:');
    const none = io();
    expect(await run([], none)).toBe(64);
    expect(none.stderr.text).toContain('Usage: schwab-token-rotator <command>');
  });

  it("prints package.json's version for --version and -V", async () => {
    const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const out = io();
      expect(await run([flag], out)).toBe(0);
      expect(out.stdout.text).toBe(`${version}\n`);
    }
  });

  it('documents every option of each command in its help', async () => {
    const expected: Record<string, string[]> = {
      login: [
        '--callback-url URL',
        '--out PATH',
        '--aws-secret-id ID',
        '--github-repo OWNER/REPO',
        '--github-secret-name NAME',
        '--timeout DURATION',
        '--no-browser',
        '--schwab-base-url URL',
      ],
      status: ['--file PATH', '--aws-secret-id ID', '--reauth-warning DURATION', '--json'],
      refresh: [
        '--file PATH',
        '--aws-secret-id ID',
        '--every DURATION',
        '--notify-socket PATH',
        '--refresh-before DURATION',
        '--token-format FORMAT',
      ],
    };
    for (const [command, options] of Object.entries(expected)) {
      const out = io();
      await run([command, '--help'], out);
      for (const option of options) expect(out.stdout.text).toContain(option);
      // status never calls Schwab: no Schwab address, no app credentials in its help.
      const callsSchwab = command !== 'status';
      expect(out.stdout.text.includes('--schwab-base-url URL')).toBe(callsSchwab);
      expect(out.stdout.text.includes('SCHWAB_APP_KEY, SCHWAB_APP_SECRET')).toBe(callsSchwab);
      expect(out.stdout.text.includes('SCHWAB_BASE_URL')).toBe(callsSchwab);
    }
    const status = io();
    expect(await run(['status', '--schwab-base-url', 'https://x.test'], status)).toBe(64);
    expect(status.stderr.text).toContain('--schwab-base-url is not an option of status');
  });

  it('answers a wrong command line with one line and exit 64', async () => {
    const cases: [string[], string][] = [
      [['refresh', '--every'], '--every needs a value: see `schwab-token-rotator refresh --help`.'],
      [
        ['refresh', 'now'],
        'refresh takes no argument "now" (options start with --): see `schwab-token-rotator refresh --help`.',
      ],
      [['status', '--json=yes'], '--json does not take a value: see `schwab-token-rotator status --help`.'],
      [
        ['login', '--timeout', 'soon'],
        '--timeout is not a duration: write a number followed by s, m, h or d, for example 25m, 48h or 7d.',
      ],
      [['refresh', '--token-format', 'xml'], '--token-format must be one of rotator, schwab-py.'],
      [
        ['status', '--aws-region', 'Mars'],
        '--aws-region is not an AWS region name: use one like us-east-1 or eu-west-2.',
      ],
      [
        ['--bogus'],
        '--bogus is not a command or option: use login, status or refresh (see `schwab-token-rotator --help`).',
      ],
    ];
    for (const [argv, message] of cases) {
      const out = makeIo(undefined, process.cwd(), { env: { SCHWAB_APP_KEY: 'k', SCHWAB_APP_SECRET: 'secret-value' } });
      expect(await run(argv, out), argv.join(' ')).toBe(64);
      expect(out.stderr.text).toBe(`schwab-token-rotator: ${message}\n`);
    }
  });

  it('refuses a --schwab-base-url that is not http(s)', async () => {
    const out = makeIo(undefined, process.cwd(), {
      env: { SCHWAB_APP_KEY: 'k', SCHWAB_APP_SECRET: 'secret-value', SCHWAB_BASE_URL: 'ftp://x' },
    });
    expect(await run(['refresh'], out)).toBe(64);
    expect(out.stderr.text).toContain('--schwab-base-url (or SCHWAB_BASE_URL) must be an http(s) URL');
  });

  it('never echoes a stray argument that is not a plain word (a pasted redirect URL carries the code)', async () => {
    const pasted = io();
    expect(await run(['login', 'https://127.0.0.1:8182/?code=C0.SECRETCODE%40&session=abc'], pasted)).toBe(64);
    expect(pasted.stderr.text).toContain('login takes no argument (options start with --)');
    expect(pasted.stderr.text).not.toContain('SECRETCODE');
    const word = io();
    expect(await run(['status', 'now'], word)).toBe(64);
    expect(word.stderr.text).toContain('status takes no argument "now"');
  });
});
