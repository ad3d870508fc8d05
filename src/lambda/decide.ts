/**
 * What the login function does with a request: pure decisions, no I/O, no clock (see login-function.ts for the I/O).
 *
 * Routes: `GET /login` and `GET /callback` (one trailing `/` tolerated); every other method or path is 404.
 *
 * A callback is refused, in this order, before anything is read, exchanged or written:
 *
 * | what the request shows                                   | refusal           | status |
 * | -------------------------------------------------------- | ----------------- | ------ |
 * | Schwab sent `error=…` instead of a code                  | schwab-error      | 400    |
 * | no `state`                                               | no-state          | 400    |
 * | a state this function did not make (bad MAC or shape)    | forged-state      | 403    |
 * | a state of another version of the function               | other-version     | 400    |
 * | a state past its expiry                                  | stale-state       | 400    |
 * | no nonce cookie (another browser, cookies blocked, used) | no-cookie         | 400    |
 * | a cookie holding another nonce than the state's          | cookie-mismatch   | 403    |
 * | a nonce this container already saw on a callback         | replayed          | 409    |
 * | no `code`                                                | no-code           | 400    |
 *
 * and after reading the token secret and talking to Schwab, still before anything is written:
 *
 * | what was found                                           | refusal             | status |
 * | -------------------------------------------------------- | ------------------- | ------ |
 * | a login was stored after this state was issued           | already-used        | 409    |
 * | the login's accounts are not the owner's                 | other-account       | 403    |
 */
import type { StateReading } from './state.js';

export type Route = 'login' | 'callback' | 'not-found';

export function routeOf(method: string, path: string): Route {
  if (method !== 'GET') return 'not-found';
  const trimmed = path.length > 1 ? path.replace(/\/$/, '') : path;
  if (trimmed === '/login') return 'login';
  if (trimmed === '/callback') return 'callback';
  return 'not-found';
}

export type Refusal =
  | 'schwab-error'
  | 'no-state'
  | 'forged-state'
  | 'other-version'
  | 'stale-state'
  | 'no-cookie'
  | 'cookie-mismatch'
  | 'replayed'
  | 'no-code'
  | 'already-used'
  | 'other-account';

export const REFUSAL_STATUS: Record<Refusal, number> = {
  'schwab-error': 400,
  'no-state': 400,
  'forged-state': 403,
  'other-version': 400,
  'stale-state': 400,
  'no-cookie': 400,
  'cookie-mismatch': 403,
  replayed: 409,
  'no-code': 400,
  'already-used': 409,
  'other-account': 403,
};

/** What a callback request shows, read without I/O. */
export interface CallbackFacts {
  /** Schwab's `error` parameter, when present. */
  schwabError: string | undefined;
  hasCode: boolean;
  state: StateReading;
  /** The nonce cookie: absent, the state's own, or another one. */
  cookie: 'absent' | 'matches' | 'differs';
  /** This container already handled a callback with this state. */
  seenBefore: boolean;
}

export type CallbackDecision = { action: 'refuse'; refusal: Refusal } | { action: 'exchange' };

const CALLBACK_RULES: ReadonlyArray<{ refusal: Refusal; when: (facts: CallbackFacts) => boolean }> = [
  { refusal: 'schwab-error', when: (f) => f.schwabError !== undefined },
  { refusal: 'no-state', when: (f) => f.state.kind === 'absent' },
  { refusal: 'forged-state', when: (f) => f.state.kind === 'forged' },
  { refusal: 'other-version', when: (f) => f.state.kind === 'other-version' },
  { refusal: 'stale-state', when: (f) => f.state.kind === 'valid' && f.state.expired },
  { refusal: 'no-cookie', when: (f) => f.cookie === 'absent' },
  { refusal: 'cookie-mismatch', when: (f) => f.cookie === 'differs' },
  { refusal: 'replayed', when: (f) => f.seenBefore },
  { refusal: 'no-code', when: (f) => !f.hasCode },
];

/** The first rule that matches refuses the callback; a request no rule refuses goes on to the code exchange. */
export function decideCallback(facts: CallbackFacts): CallbackDecision {
  const rule = CALLBACK_RULES.find((candidate) => candidate.when(facts));
  return rule ? { action: 'refuse', refusal: rule.refusal } : { action: 'exchange' };
}

/**
 * Whether a login stored in the token secret already used this state: its login time lies after the second the state
 * was issued in, and not after now. Login times are whole seconds, so a login in the state's own second cannot be
 * placed before or after it and does not count (a person takes longer than that at Schwab's login page). A login time
 * in the future (a skewed clock elsewhere) does not count either, so it cannot lock the function out.
 */
export function loginStoredSince(storedLoginAt: Date | undefined, stateIssuedAt: Date, now: Date): boolean {
  if (!storedLoginAt) return false;
  const issuedSecond = Math.floor(stateIssuedAt.getTime() / 1000) * 1000;
  return storedLoginAt.getTime() >= issuedSecond + 1000 && storedLoginAt.getTime() <= now.getTime();
}

/**
 * Whose login this is, from the accounts it can see (`hashValue`s):
 * - `match`: the same accounts as the owner's (recorded in the configuration, else those of the token already stored);
 * - `first`: nothing known about the owner yet: this login's accounts become the owner's (trust on first use);
 * - `other-account`: anything else, including a login that sees no account at all.
 */
export type AccountsVerdict = 'match' | 'first' | 'other-account';

export function judgeAccounts(owner: readonly string[] | undefined, seen: readonly string[]): AccountsVerdict {
  if (seen.length === 0) return 'other-account';
  if (owner === undefined) return 'first';
  const mine = new Set(owner);
  const theirs = new Set(seen);
  return mine.size === theirs.size && [...theirs].every((hash) => mine.has(hash)) ? 'match' : 'other-account';
}
