import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  COOKIE_NAME,
  STATE_LIFETIME_S,
  clearNonceCookie,
  cookieMatches,
  issueState,
  newStateKey,
  readState,
  setNonceCookie,
} from '../../src/lambda/state.js';

const KEY = newStateKey();
const NOW = new Date('2026-12-01T09:00:00.250Z');
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

/** The same bytes, spelled differently: the last base64url character of a 32-byte MAC carries 2 spare bits. */
function respellLastCharacter(encoded: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(encoded.slice(-1));
  return encoded.slice(0, -1) + alphabet[last ^ 1];
}

describe('state', () => {
  it('is v1.<expiry>.<nonce digest>.<MAC>, valid until its expiry, bound to its own nonce only', () => {
    const issued = issueState(KEY, NOW);
    expect(issued.state).toMatch(/^v1\.\d{10}\.[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
    expect(issued.state).not.toContain(issued.nonce);
    expect(issued.expiresAt.getTime()).toBe(Math.floor(NOW.getTime() / 1000) * 1000 + STATE_LIFETIME_S * 1000);

    const reading = readState(KEY, issued.state, NOW);
    expect(reading).toMatchObject({ kind: 'valid', expired: false });
    if (reading.kind !== 'valid') throw new Error('not valid');
    expect(reading.issuedAt.getTime()).toBe(Math.floor(NOW.getTime() / 1000) * 1000);
    expect(cookieMatches(reading.nonceDigest, issued.nonce)).toBe(true);
    expect(cookieMatches(reading.nonceDigest, issueState(KEY, NOW).nonce)).toBe(false);
    expect(cookieMatches(reading.nonceDigest, '')).toBe(false);
  });

  it('expires after STATE_LIFETIME_S (10 minutes), to the second', () => {
    const { state } = issueState(KEY, NOW);
    expect(readState(KEY, state, at(STATE_LIFETIME_S - 1))).toMatchObject({ kind: 'valid', expired: false });
    expect(readState(KEY, state, at(STATE_LIFETIME_S))).toMatchObject({ kind: 'valid', expired: true });
    expect(STATE_LIFETIME_S).toBe(600);
  });

  it('is forged when made with another key, or when any part is changed', () => {
    const { state } = issueState(KEY, NOW);
    expect(readState(newStateKey(), state, NOW)).toEqual({ kind: 'forged' });
    const [version, expires, digest, mac] = state.split('.') as [string, string, string, string];
    const later = String(Number(expires) + 3600);
    for (const changed of [
      `${version}.${later}.${digest}.${mac}`, // a longer life
      `${version}.${expires}.${issueState(KEY, NOW).state.split('.')[2]}.${mac}`, // another browser's nonce
      `${version}.${expires}.${digest}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`,
      `${version}.${expires}.${digest}`,
      `${state}.extra`,
      `${version}.${expires}.${digest}.${mac}=`,
      `${version}.${expires}.${digest}.${mac.toUpperCase()}`,
      '',
    ]) {
      expect(readState(KEY, changed, NOW).kind, changed).toMatch(/^(forged|absent)$/);
    }
  });

  it('compares the MAC on its encoded text: another spelling of the same bytes is refused', () => {
    const { state } = issueState(KEY, NOW);
    const parts = state.split('.');
    const respelled = respellLastCharacter(parts[3] ?? '');
    // Both spellings decode to the same 32 bytes …
    expect(Buffer.from(respelled, 'base64url').equals(Buffer.from(parts[3] ?? '', 'base64url'))).toBe(true);
    expect(respelled).not.toBe(parts[3]);
    // … and only the one this function wrote is accepted.
    expect(readState(KEY, [...parts.slice(0, 3), respelled].join('.'), NOW)).toEqual({ kind: 'forged' });
  });

  it('tells a state of another version from a forged one (same MAC scheme, other version tag)', () => {
    const body = `v2.${Math.floor(NOW.getTime() / 1000) + 600}.${'a'.repeat(43)}`;
    const mac = createHmac('sha256', KEY).update(body).digest('base64url');
    expect(readState(KEY, `${body}.${mac}`, NOW)).toEqual({ kind: 'other-version' });
    expect(readState(KEY, `x1.${body.slice(3)}.${mac}`, NOW)).toEqual({ kind: 'forged' });
    expect(readState(KEY, undefined, NOW)).toEqual({ kind: 'absent' });
  });

  it('never accepts a random string (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        expect(readState(KEY, text, NOW).kind).not.toBe('valid');
      }),
      { numRuns: 300 },
    );
  });

  it('sets a __Host- cookie: Secure, HttpOnly, SameSite=Lax, Path=/, no Domain, 10 minutes; and clears it', () => {
    const { nonce } = issueState(KEY, NOW);
    const set = setNonceCookie(nonce);
    expect(set.startsWith(`${COOKIE_NAME}=${nonce};`)).toBe(true);
    expect(COOKIE_NAME.startsWith('__Host-')).toBe(true);
    expect(set.split('; ').slice(1).sort()).toEqual(['HttpOnly', 'Max-Age=600', 'Path=/', 'SameSite=Lax', 'Secure']);
    expect(clearNonceCookie()).toBe(`${COOKIE_NAME}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0`);
    expect(newStateKey()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
