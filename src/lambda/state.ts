/**
 * The login function's CSRF defence (RFC 9700: a one-time value in `state`, bound to the user agent): `GET /login`
 * sets a `__Host-` cookie holding a random nonce and sends Schwab a `state` that carries a digest of that nonce, an
 * expiry and a version, MAC'd with HMAC-SHA256 under the function's random state key. `GET /callback` accepts only a
 * state whose MAC is right, which has not expired, and whose nonce digest matches the cookie of the same browser.
 *
 * `state` = `v1.<expires>.<digest>.<mac>`, where `<expires>` is seconds since 1970, `<digest>` the SHA-256 of the nonce
 * and `<mac>` the HMAC-SHA256 under the state key of `v1.<expires>.<digest>`, both in base64url.
 *
 * The state travels through Schwab and the address bar, so it holds only the nonce's digest; the nonce itself stays in
 * the HttpOnly cookie. MACs are compared in constant time on their encoded text: comparing decoded bytes would accept
 * other spellings of the same bytes (base64url decoding ignores the spare bits of the last character).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const STATE_VERSION = 'v1';
/** How long a login link works: from `/login` to Schwab's redirect back (Schwab's own login takes a minute or two). */
export const STATE_LIFETIME_S = 600;
/** `__Host-`: only ever set by this exact origin, over HTTPS, for the whole path; never shared with subdomains. */
export const COOKIE_NAME = '__Host-schwab-login';
/** The shortest state key accepted from the configuration secret (a generated one has 43 characters). */
export const MIN_STATE_KEY_LENGTH = 32;

export interface IssuedState {
  /** The value for Schwab's `state` parameter. */
  state: string;
  /** The value of the cookie (a secret of this browser). */
  nonce: string;
  expiresAt: Date;
}

/** What a `state` parameter turned out to be (before the cookie is looked at). */
export type StateReading =
  | { kind: 'absent' }
  /** Not four dot-separated parts of the expected alphabet, or a MAC that does not match: not made by this function. */
  | { kind: 'forged' }
  /** Made for another version of the function (e.g. during an upgrade). */
  | { kind: 'other-version' }
  | { kind: 'valid'; expired: boolean; issuedAt: Date; expiresAt: Date; nonceDigest: string };

/** A new random state key, as stored in the configuration secret (`state_key`). */
export function newStateKey(): string {
  return randomBytes(32).toString('base64url');
}

/** A fresh nonce and the state bound to it, valid for STATE_LIFETIME_S from `now`. */
export function issueState(stateKey: string, now: Date): IssuedState {
  const nonce = randomBytes(32).toString('base64url');
  const expires = Math.floor(now.getTime() / 1000) + STATE_LIFETIME_S;
  const body = `${STATE_VERSION}.${expires}.${nonceDigest(nonce)}`;
  return { state: `${body}.${mac(stateKey, body)}`, nonce, expiresAt: new Date(expires * 1000) };
}

/** Reads a `state` parameter: forged, from another version, or valid (and then whether it has expired at `now`). */
export function readState(stateKey: string, state: string | undefined, now: Date): StateReading {
  if (state === undefined || state === '') return { kind: 'absent' };
  const parts = state.split('.');
  if (parts.length !== 4 || !parts.every((part) => /^[A-Za-z0-9_-]{1,64}$/.test(part))) return { kind: 'forged' };
  const [version, expires, digest, given] = parts as [string, string, string, string];
  if (version !== STATE_VERSION) return /^v\d{1,3}$/.test(version) ? { kind: 'other-version' } : { kind: 'forged' };
  if (!equalText(mac(stateKey, `${version}.${expires}.${digest}`), given)) return { kind: 'forged' };
  // Only this function writes these fields, and the MAC matched: they have the shape it writes.
  const expiresAt = new Date(Number(expires) * 1000);
  return {
    kind: 'valid',
    expired: now.getTime() >= expiresAt.getTime(),
    issuedAt: new Date(expiresAt.getTime() - STATE_LIFETIME_S * 1000),
    expiresAt,
    nonceDigest: digest,
  };
}

/** Whether the cookie's nonce is the one the state was issued for (constant time). */
export function cookieMatches(nonceDigestInState: string, cookieNonce: string): boolean {
  return equalText(nonceDigest(cookieNonce), nonceDigestInState);
}

/** The `Set-Cookie` value that gives this browser its nonce for STATE_LIFETIME_S. */
export function setNonceCookie(nonce: string): string {
  return `${COOKIE_NAME}=${nonce}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=${STATE_LIFETIME_S}`;
}

/** The `Set-Cookie` value that removes the nonce (every callback answer carries it: a nonce is used once). */
export function clearNonceCookie(): string {
  return `${COOKIE_NAME}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0`;
}

function nonceDigest(nonce: string): string {
  return createHash('sha256').update(nonce, 'utf8').digest('base64url');
}

function mac(key: string, body: string): string {
  return createHmac('sha256', key).update(body, 'utf8').digest('base64url');
}

/** Constant-time equality of two strings (their length is not secret). */
function equalText(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
