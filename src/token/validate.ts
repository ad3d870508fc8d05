import { FIX_CORRECT_OR_LOGIN, TokenRecordError } from './errors.js';
import { MAX_EXPIRES_IN_S, type TokenRecord } from './record.js';
import { isRecordDate } from './time.js';

/** Printable ASCII without spaces: what an OAuth token (and an HTTP header value built from it) may contain. */
const TOKEN_CHARS = /^[\x21-\x7e]+$/;

/** The problem with a token string, or undefined when it is usable. Never includes the value. */
export function tokenProblem(value: unknown, field: string): string | undefined {
  if (typeof value !== 'string') return `has the wrong type for "${field}" (expected a string)`;
  if (value === '') return `has an empty "${field}"`;
  if (!TOKEN_CHARS.test(value))
    return `has an invalid "${field}" (it contains spaces, line breaks or other characters a token cannot contain)`;
  return undefined;
}

/** The problem with an access-token lifetime in seconds, or undefined when it is usable. */
export function expiresInProblem(value: unknown, field: string): string | undefined {
  if (typeof value !== 'number') return `has the wrong type for "${field}" (expected a number of seconds)`;
  if (!Number.isInteger(value) || value < 1 || value > MAX_EXPIRES_IN_S) {
    return `has an invalid "${field}" (expected a whole number of seconds from 1 to ${MAX_EXPIRES_IN_S})`;
  }
  return undefined;
}

/** The problem with a refresh count, or undefined when it is usable. */
export function countProblem(value: unknown, field: string): string | undefined {
  if (typeof value !== 'number') return `has the wrong type for "${field}" (expected a number)`;
  if (!Number.isSafeInteger(value) || value < 0)
    return `has an invalid "${field}" (expected a whole number of 0 or more)`;
  return undefined;
}

/**
 * Throws a TokenRecordError when a record is not fit to be written: unusable tokens, an empty token type, a bad
 * lifetime or count, invalid dates, or an access token that expires before the login. Call it before every write.
 * `what` names the record in the message, e.g. `the refreshed token`.
 */
export function validateRecord(record: TokenRecord, what: string): void {
  const problem = findProblem(record);
  if (problem) throw new TokenRecordError(what, problem.text, FIX_CORRECT_OR_LOGIN, problem.field);
}

interface Problem {
  field: string;
  text: string;
}

function findProblem(record: TokenRecord): Problem | undefined {
  return tokensProblem(record) ?? metaProblem(record);
}

function tokensProblem({ tokens }: TokenRecord): Problem | undefined {
  const checks: [string, string | undefined][] = [
    ['access_token', tokenProblem(tokens.accessToken, 'access_token')],
    ['refresh_token', tokenProblem(tokens.refreshToken, 'refresh_token')],
    ['id_token', tokens.idToken === undefined ? undefined : tokenProblem(tokens.idToken, 'id_token')],
    ['token_type', nonEmptyStringProblem(tokens.tokenType, 'token_type')],
    ['scope', typeof tokens.scope === 'string' ? undefined : 'has the wrong type for "scope" (expected a string)'],
    ['expires_in', expiresInProblem(tokens.expiresIn, 'expires_in')],
  ];
  return firstProblem(checks);
}

function metaProblem({ meta }: TokenRecord): Problem | undefined {
  const checks: [string, string | undefined][] = [
    ['created_at', dateProblem(meta.createdAt, 'created_at')],
    ['expires_at', dateProblem(meta.accessTokenExpiresAt, 'expires_at')],
    ['last_refresh', dateProblem(meta.lastRefresh, 'last_refresh')],
    ['refresh_count', countProblem(meta.refreshCount, 'refresh_count')],
  ];
  const first = firstProblem(checks);
  if (first) return first;
  if (meta.accessTokenExpiresAt.getTime() < meta.createdAt.getTime()) {
    return {
      field: 'expires_at',
      text: 'has "expires_at" (the access token\'s expiry) before "created_at" (the login)',
    };
  }
  return undefined;
}

function nonEmptyStringProblem(value: unknown, field: string): string | undefined {
  if (typeof value !== 'string') return `has the wrong type for "${field}" (expected a string)`;
  return value === '' ? `has an empty "${field}"` : undefined;
}

function dateProblem(value: unknown, field: string): string | undefined {
  return isRecordDate(value) ? undefined : `has an invalid date in "${field}" (expected a date from 1970 to 9998)`;
}

function firstProblem(checks: [string, string | undefined][]): Problem | undefined {
  const found = checks.find(([, text]) => text !== undefined);
  return found ? { field: found[0], text: found[1] as string } : undefined;
}
