import { describe, expect, it } from 'vitest';
import type { CallbackFacts, Refusal } from '../../src/lambda/decide.js';
import { REFUSAL_STATUS, decideCallback, judgeAccounts, loginStoredSince, routeOf } from '../../src/lambda/decide.js';
import type { StateReading } from '../../src/lambda/state.js';
import { refusalPage } from '../../src/lambda/pages.js';

const ISSUED = new Date('2026-12-01T09:00:00Z');
const VALID: StateReading = {
  kind: 'valid',
  expired: false,
  issuedAt: ISSUED,
  expiresAt: new Date(ISSUED.getTime() + 600_000),
  nonceDigest: 'd',
};
const EXPIRED: StateReading = { ...VALID, expired: true };
/** A callback every rule lets through. */
const GOOD: CallbackFacts = {
  schwabError: undefined,
  hasCode: true,
  state: VALID,
  cookie: 'matches',
  seenBefore: false,
};

describe('routeOf', () => {
  it.each([
    ['GET', '/login', 'login'],
    ['GET', '/login/', 'login'],
    ['GET', '/callback', 'callback'],
    ['GET', '/callback/', 'callback'],
    ['POST', '/login', 'not-found'],
    ['HEAD', '/login', 'not-found'],
    ['PUT', '/callback', 'not-found'],
    ['GET', '/', 'not-found'],
    ['GET', '', 'not-found'],
    ['GET', '/Login', 'not-found'],
    ['GET', '/login//', 'not-found'],
    ['GET', '/callback/x', 'not-found'],
    ['GET', '/favicon.ico', 'not-found'],
  ] as const)('%s %s → %s', (method, path, route) => {
    expect(routeOf(method, path)).toBe(route);
  });
});

describe('decideCallback: the refusal table, first match wins', () => {
  const cases: [string, Partial<CallbackFacts>, Refusal | 'exchange'][] = [
    ['a sound callback', {}, 'exchange'],
    ['Schwab sent error=', { schwabError: 'access_denied' }, 'schwab-error'],
    [
      'error= wins over everything else',
      { schwabError: 'x', state: { kind: 'forged' }, cookie: 'absent', hasCode: false },
      'schwab-error',
    ],
    ['no state', { state: { kind: 'absent' } }, 'no-state'],
    ['a forged state', { state: { kind: 'forged' } }, 'forged-state'],
    ['a forged state, no cookie either', { state: { kind: 'forged' }, cookie: 'absent' }, 'forged-state'],
    ['a state of another version', { state: { kind: 'other-version' } }, 'other-version'],
    ['an expired state', { state: EXPIRED }, 'stale-state'],
    ['an expired state whose cookie is gone (it lives as long)', { state: EXPIRED, cookie: 'absent' }, 'stale-state'],
    ['no cookie', { cookie: 'absent' }, 'no-cookie'],
    ['the cookie of another login', { cookie: 'differs' }, 'cookie-mismatch'],
    ['a state this container already saw', { seenBefore: true }, 'replayed'],
    ['a replay without the cookie (the first answer cleared it)', { seenBefore: true, cookie: 'absent' }, 'no-cookie'],
    ['no code', { hasCode: false }, 'no-code'],
  ];
  it.each(cases)('%s → %s', (_name, facts, expected) => {
    const decision = decideCallback({ ...GOOD, ...facts });
    expect(decision.action === 'exchange' ? 'exchange' : decision.refusal).toBe(expected);
  });

  it('gives every refusal a 4xx and a page of its own', () => {
    const titles = new Set<string>();
    for (const [refusal, status] of Object.entries(REFUSAL_STATUS) as [Refusal, number][]) {
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
      const page = refusalPage(refusal, 'access_denied');
      expect(page.status).toBe(status);
      expect(page.paragraphs.join(' ')).toMatch(/Nothing was stored\./);
      titles.add(page.title);
    }
    expect(titles.size).toBe(Object.keys(REFUSAL_STATUS).length);
  });

  it("shows Schwab's error code only when it is a plain word", () => {
    expect(refusalPage('schwab-error', 'access_denied').paragraphs[0]).toContain('(access_denied)');
    expect(refusalPage('schwab-error', '<script>alert(1)</script>').paragraphs[0]).not.toContain('script');
  });
});

describe('loginStoredSince: a login stored after the state was issued used it up', () => {
  const now = new Date(ISSUED.getTime() + 120_000);
  it.each([
    ['nothing stored', undefined, false],
    ['a login from before the state', new Date(ISSUED.getTime() - 1000), false],
    ['a login in the same second as the state: cannot tell which came first', ISSUED, false],
    ['a login in the next second', new Date(ISSUED.getTime() + 1000), true],
    ['a login after the state', new Date(ISSUED.getTime() + 30_000), true],
    [
      'a login dated in the future (a skewed clock elsewhere) does not lock the function out',
      new Date(now.getTime() + 60_000),
      false,
    ],
  ] as const)('%s → %s', (_name, stored, expected) => {
    expect(loginStoredSince(stored, new Date(ISSUED.getTime() + 400), now)).toBe(expected);
  });
});

describe('judgeAccounts', () => {
  it.each([
    ["the owner's accounts, in any order", ['a', 'b'], ['b', 'a'], 'match'],
    ['first login: nothing known', undefined, ['a'], 'first'],
    ['other accounts', ['a'], ['z'], 'other-account'],
    ["a subset of the owner's", ['a', 'b'], ['a'], 'other-account'],
    ["a superset of the owner's", ['a'], ['a', 'b'], 'other-account'],
    ['a login that sees no account', ['a'], [], 'other-account'],
    ['a first login that sees no account', undefined, [], 'other-account'],
  ] as const)('%s → %s', (_name, owner, seen, verdict) => {
    expect(judgeAccounts(owner, seen)).toBe(verdict);
  });
});
