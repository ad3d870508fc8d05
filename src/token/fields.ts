import { FIX_CORRECT_OR_LOGIN, FIX_PASTE_WHOLE, TokenRecordError } from './errors.js';
import { countProblem, expiresInProblem, tokenProblem } from './validate.js';
import { fromEpochSeconds, parseIsoDate } from './time.js';

const ISO_HINT = 'expected an ISO 8601 date-time such as 2025-01-31T14:30:00Z';
const EPOCH_HINT = 'expected whole seconds since 1970';

/**
 * Reads typed fields out of one JSON object of a token document. Every failure is a TokenRecordError that names the
 * subject and the field (with its path, e.g. `token.refresh_token`), never the value. `null` counts as absent.
 */
export class FieldReader {
  constructor(
    private readonly fields: Record<string, unknown>,
    /** e.g. `the token from the "token" input` */
    readonly subject: string,
    private readonly prefix = '',
  ) {}

  /** A reader for a JSON object, or a TokenRecordError saying it is not one. */
  static of(value: unknown, subject: string): FieldReader {
    if (!isPlainObject(value)) {
      throw new TokenRecordError(subject, 'is not a JSON object', FIX_PASTE_WHOLE);
    }
    return new FieldReader(value, subject);
  }

  /** True when the field is present and not null. */
  has(key: string): boolean {
    return this.raw(key) !== undefined;
  }

  /** The field's value, undefined when absent or null. Only own properties are read. */
  raw(key: string): unknown {
    if (!Object.hasOwn(this.fields, key)) return undefined;
    const value = this.fields[key];
    return value === null ? undefined : value;
  }

  /** The full name of a field for messages, e.g. `token.refresh_token`. */
  path(key: string): string {
    return `${this.prefix}${key}`;
  }

  /** A nested object, required. */
  object(key: string): FieldReader {
    const value = this.required(key);
    if (!isPlainObject(value)) throw this.wrongType(key, 'a JSON object');
    return new FieldReader(value, this.subject, `${this.path(key)}.`);
  }

  /** A token string: required, non-empty, printable characters only. */
  token(key: string): string {
    const value = this.required(key);
    this.check(key, tokenProblem(value, this.path(key)), FIX_PASTE_WHOLE);
    return value as string;
  }

  /** An optional token string; absent, null or empty gives undefined. */
  optionalToken(key: string): string | undefined {
    const value = this.raw(key);
    if (value === undefined || value === '') return undefined;
    this.check(key, tokenProblem(value, this.path(key)), FIX_PASTE_WHOLE);
    return value as string;
  }

  /** An optional string; `allowEmpty` false rejects "". */
  optionalString(key: string, allowEmpty: boolean): string | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw this.wrongType(key, 'a string');
    if (!allowEmpty && value === '') this.fail(key, `has an empty "${this.path(key)}"`, FIX_CORRECT_OR_LOGIN);
    return value;
  }

  /** An optional access-token lifetime in whole seconds. */
  optionalExpiresIn(key: string): number | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    this.check(key, expiresInProblem(value, this.path(key)), FIX_CORRECT_OR_LOGIN);
    return value as number;
  }

  /** An optional count of 0 or more. */
  optionalCount(key: string): number | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    this.check(key, countProblem(value, this.path(key)), FIX_CORRECT_OR_LOGIN);
    return value as number;
  }

  /** A required ISO 8601 date-time. */
  isoDate(key: string): Date {
    return this.parseIso(key, this.required(key));
  }

  /** An optional ISO 8601 date-time. */
  optionalIsoDate(key: string): Date | undefined {
    const value = this.raw(key);
    return value === undefined ? undefined : this.parseIso(key, value);
  }

  /** A required date in seconds since 1970; `missingFix` overrides the fix text when it is absent. */
  epochDate(key: string, missingFix?: string): Date {
    return this.parseEpoch(key, this.required(key, missingFix));
  }

  /** An optional date in seconds since 1970. */
  optionalEpochDate(key: string): Date | undefined {
    const value = this.raw(key);
    return value === undefined ? undefined : this.parseEpoch(key, value);
  }

  private parseIso(key: string, value: unknown): Date {
    if (typeof value !== 'string') throw this.wrongType(key, `a date string; ${ISO_HINT}`);
    const date = parseIsoDate(value);
    if (!date) this.fail(key, `has an invalid date in "${this.path(key)}" (${ISO_HINT})`, FIX_CORRECT_OR_LOGIN);
    return date;
  }

  private parseEpoch(key: string, value: unknown): Date {
    if (typeof value !== 'number') throw this.wrongType(key, `a number; ${EPOCH_HINT}`);
    const date = fromEpochSeconds(value);
    if (!date) this.fail(key, `has an invalid date in "${this.path(key)}" (${EPOCH_HINT})`, FIX_CORRECT_OR_LOGIN);
    return date;
  }

  private required(key: string, missingFix: string = FIX_PASTE_WHOLE): unknown {
    const value = this.raw(key);
    if (value === undefined) this.fail(key, `is missing "${this.path(key)}"`, missingFix);
    return value;
  }

  private check(key: string, problem: string | undefined, fix: string): void {
    if (problem !== undefined) this.fail(key, problem, fix);
  }

  private wrongType(key: string, expected: string): TokenRecordError {
    const path = this.path(key);
    return new TokenRecordError(
      this.subject,
      `has the wrong type for "${path}" (expected ${expected})`,
      FIX_PASTE_WHOLE,
      path,
    );
  }

  private fail(key: string, problem: string, fix: string): never {
    throw new TokenRecordError(this.subject, problem, fix, this.path(key));
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
