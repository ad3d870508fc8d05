import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decideAlert, type DecideInput, type OpenAlertIssue } from '../../src/alerts/decide.js';
import { findMarker, formatMarker, parseMarkers } from '../../src/alerts/marker.js';

const L1 = new Date('2026-11-18T09:00:00Z');
const L2 = new Date('2026-11-25T12:00:00Z');

function issue(overrides: Partial<OpenAlertIssue> = {}): OpenAlertIssue {
  return { number: 7, login: L1, state: 'expiring', reauthCommentLogins: [], ...overrides };
}

function decide(input: Partial<DecideInput> & Pick<DecideInput, 'health'>) {
  return decideAlert({ schwabRejected: false, loginAt: L1, ...input });
}

describe('decideAlert without an open issue', () => {
  it('does nothing for a healthy token', () => {
    expect(decide({ health: 'healthy' }).action).toBe('none');
  });
  it('opens when the token enters the warning window', () => {
    expect(decide({ health: 'expiring' })).toMatchObject({ action: 'open', status: 'expiring' });
  });
  it('opens when a login is required (deadline passed, or no record)', () => {
    expect(decide({ health: 'reauth-required' }).action).toBe('open');
    expect(decide({ health: 'reauth-required', loginAt: undefined }).action).toBe('open');
  });
  it('treats a refresh token Schwab rejected as reauth-required whatever its deadline says', () => {
    const d = decide({ health: 'healthy', schwabRejected: true });
    expect(d).toMatchObject({ action: 'open', status: 'reauth-required' });
    expect(d.reason).toMatch(/rejected/);
  });
});

describe('decideAlert with an open issue', () => {
  it('closes it once a newer login is healthy', () => {
    expect(decide({ health: 'healthy', loginAt: L2, openIssue: issue() }).action).toBe('close');
    expect(decide({ health: 'healthy', loginAt: L2, openIssue: issue({ state: 'reauth-required' }) }).action).toBe(
      'close',
    );
    expect(decide({ health: 'healthy', loginAt: L2, openIssue: issue({ login: undefined }) }).action).toBe('close');
  });
  it('keeps it open, untouched, when healthy with the SAME login (e.g. reauth-warning was shortened)', () => {
    const d = decide({ health: 'healthy', loginAt: L1, openIssue: issue() });
    expect(d.action).toBe('none');
    expect(d.reason).toMatch(/stays open until the next login/);
  });
  it('never acts on an older login than the issue was opened for', () => {
    expect(decide({ health: 'healthy', loginAt: L1, openIssue: issue({ login: L2 }) }).action).toBe('none');
  });
  it('does nothing while expiring (no comment per run), even after a newer but still expiring login', () => {
    expect(decide({ health: 'expiring', openIssue: issue() }).action).toBe('none');
    expect(decide({ health: 'expiring', loginAt: L2, openIssue: issue() }).action).toBe('none');
  });
  it('comments once on the transition from expiring to reauth-required', () => {
    expect(decide({ health: 'reauth-required', openIssue: issue() }).action).toBe('comment-reauth');
    expect(decide({ health: 'reauth-required', openIssue: issue({ reauthCommentLogins: [L1] }) }).action).toBe('none');
  });
  it('does not comment when the issue was opened as reauth-required for this login', () => {
    expect(decide({ health: 'reauth-required', openIssue: issue({ state: 'reauth-required' }) }).action).toBe('none');
    expect(
      decide({ health: 'reauth-required', loginAt: undefined, openIssue: issue({ state: 'reauth-required' }) }).action,
    ).toBe('none');
  });
  it('announces again when a NEWER login is rejected too (once)', () => {
    const open = issue({ state: 'reauth-required' });
    expect(decide({ health: 'healthy', schwabRejected: true, loginAt: L2, openIssue: open }).action).toBe(
      'comment-reauth',
    );
    expect(
      decide({
        health: 'healthy',
        schwabRejected: true,
        loginAt: L2,
        openIssue: { ...open, reauthCommentLogins: [L1, L2] },
      }).action,
    ).toBe('none');
  });
  it('a comment written when no record existed covers "no record" but not a later record', () => {
    const open = issue({ reauthCommentLogins: [undefined] });
    expect(decide({ health: 'reauth-required', loginAt: undefined, openIssue: open }).action).toBe('none');
    expect(decide({ health: 'reauth-required', loginAt: L1, openIssue: open }).action).toBe('comment-reauth');
  });
  it('never opens a second issue', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('healthy' as const, 'expiring' as const, 'reauth-required' as const),
        fc.boolean(),
        fc.option(fc.date({ min: new Date('2026-01-01'), max: new Date('2027-01-01'), noInvalidDate: true }), {
          nil: undefined,
        }),
        fc.constantFrom('expiring' as const, 'reauth-required' as const),
        (health, schwabRejected, loginAt, state) => {
          const d = decideAlert({ health, schwabRejected, loginAt, openIssue: issue({ state }) });
          expect(d.action).not.toBe('open');
        },
      ),
    );
  });
});

describe('markers', () => {
  it('round-trip, with any token id', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.option(fc.date({ noInvalidDate: true, min: new Date(0), max: new Date('2100-01-01') }), { nil: undefined }),
        (tokenId, login) => {
          const text = `before ${formatMarker({ kind: 'alert', tokenId, login, state: 'reauth-required' })} after`;
          expect(parseMarkers(text)).toEqual([
            { kind: 'alert', tokenId, ...(login ? { login } : {}), state: 'reauth-required' },
          ]);
        },
      ),
    );
  });
  it('cannot be closed early or broken by the token id', () => {
    const marker = formatMarker({ kind: 'alert', tokenId: 'a" x="1 --> <b>', login: L1, state: 'expiring' });
    expect(marker.match(/-->/g)).toHaveLength(1);
    expect(marker).toBe(
      '<!-- schwab-token-rotator:alert token-id="a%22%20x=%221%20--%3E%20%3Cb%3E" login="2026-11-18T09:00:00.000Z" state="expiring" -->',
    );
  });
  it('finds the marker of one token among others and ignores malformed ones', () => {
    const body = [
      formatMarker({ kind: 'alert', tokenId: 'other', login: L1, state: 'expiring' }),
      '<!-- schwab-token-rotator:alert token-id="mine" login="not a date" -->',
      formatMarker({ kind: 'alert', tokenId: 'mine', login: L2, state: 'reauth-required' }),
    ].join('\n');
    expect(findMarker(body, 'alert', 'mine')).toEqual({
      kind: 'alert',
      tokenId: 'mine',
      login: L2,
      state: 'reauth-required',
    });
    expect(findMarker(body, 'reauth-required', 'mine')).toBeUndefined();
    expect(findMarker(null, 'alert', 'mine')).toBeUndefined();
  });
});

describe('defaultTokenId', () => {
  it('prefers the AWS secret name, then the first GitHub secret', async () => {
    const { defaultTokenId } = await import('../../src/alerts/token-id.js');
    expect(defaultTokenId('prod/schwab', 'SCHWAB_TOKEN')).toBe('prod/schwab');
    expect(defaultTokenId('arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/schwab-AbCdEf', undefined)).toBe(
      'prod/schwab-AbCdEf',
    );
    expect(defaultTokenId(undefined, 'SCHWAB_TOKEN')).toBe('SCHWAB_TOKEN');
    expect(defaultTokenId(' ', '')).toBe('schwab-token');
  });
});
