/**
 * Reads a token record from any of the documents users already keep (docs/design.md#record): the rotator record,
 * schwab-py's token file, Schwabdev v2's tokens.json, or a bare Schwab token response.
 */
import { FIX_PASTE_WHOLE, TokenRecordError } from './errors.js';
import { upperFirst } from '../util/text.js';
import { FieldReader } from './fields.js';
import {
  DEFAULT_EXPIRES_IN_S,
  DEFAULT_SCOPE,
  DEFAULT_TOKEN_TYPE,
  refreshTokenExpiresAt,
  type InputFormat,
  type OAuthTokens,
  type TokenRecord,
} from './record.js';
import { SCHWAB_PY_EXTRA_KEYS } from './serialize.js';
import { addSeconds, floorToSecond } from './time.js';
import { validateRecord } from './validate.js';

export { TokenRecordError } from './errors.js';

export interface ParsedRecord {
  record: TokenRecord;
  /** The format the input was in. */
  format: InputFormat;
  /** Things the user should know (never token values), e.g. that the login time was assumed. */
  warnings: string[];
}

/** How many times a JSON string holding JSON is unwrapped (secrets pasted as a JSON string). */
const MAX_STRING_NESTING = 3;

/** Fields only the rotator record has (a bare Schwab response has none of them). */
const ROTATOR_MARKERS = ['created_at', 'refresh_token_expires_at', 'last_refresh', 'refresh_count'];

/** Fields of a Schwab token response. */
const RESPONSE_MARKERS = ['access_token', 'refresh_token', 'id_token', 'expires_in', 'token_type', 'scope'];

/**
 * Parses a token document. `source` names where it came from in messages, as a phrase that reads after "The token
 * from": `the "token" input`, `AWS secret "prod/schwab"`, `file schwab_token.json`. `now` is the assumed login time
 * of a bare Schwab response. Tolerates surrounding whitespace, a UTF-8 BOM and a document double-encoded as a JSON
 * string; ignores unknown fields. The result has passed validateRecord. Throws TokenRecordError naming the source
 * and the field (never a value) for anything else.
 */
export function parseTokenRecord(text: string, source: string, now: Date): ParsedRecord {
  return parseTokenValue(decodeJson(text, subjectOf(source)), source, now);
}

/** parseTokenRecord for a value that is already parsed JSON. */
export function parseTokenValue(value: unknown, source: string, now: Date): ParsedRecord {
  const subject = subjectOf(source);
  const fields = FieldReader.of(value, subject);
  const format = detectFormat(fields);
  const parsed = PARSERS[format](fields, now);
  validateRecord(parsed.record, subject);
  return { ...parsed, format };
}

function subjectOf(source: string): string {
  return `the token from ${source}`;
}

/** JSON.parse without ever echoing the text (its messages quote the input), unwrapping JSON strings holding JSON. */
function decodeJson(text: string, subject: string): unknown {
  let value: unknown = text;
  for (let depth = 0; typeof value === 'string' && depth <= MAX_STRING_NESTING; depth++) {
    const trimmed = value.trim(); // trim() also drops a UTF-8 BOM (U+FEFF)
    if (trimmed === '') throw new TokenRecordError(subject, 'is empty', FIX_PASTE_WHOLE);
    try {
      value = JSON.parse(trimmed);
    } catch {
      throw new TokenRecordError(subject, 'is not valid JSON', `${FIX_PASTE_WHOLE}, unchanged`);
    }
  }
  return value;
}

function detectFormat(fields: FieldReader): InputFormat {
  if (fields.has('token_dictionary')) return 'schwabdev';
  if (fields.has('creation_timestamp') || fields.has('token')) return 'schwab-py';
  if (ROTATOR_MARKERS.some((key) => fields.has(key)) || typeof fields.raw('expires_at') === 'string') return 'rotator';
  if (RESPONSE_MARKERS.some((key) => fields.has(key))) return 'schwab-response';
  throw new TokenRecordError(
    fields.subject,
    'is not a token document this tool knows (the rotator record, a schwab-py token file, a Schwabdev ' +
      'tokens.json or a Schwab token response)',
    FIX_PASTE_WHOLE,
  );
}

type Parsed = Omit<ParsedRecord, 'format'>;

const PARSERS: Record<InputFormat, (fields: FieldReader, now: Date) => Parsed> = {
  rotator: parseRotator,
  'schwab-py': parseSchwabPy,
  schwabdev: parseSchwabdev,
  'schwab-response': parseSchwabResponse,
};

/** The tokens of a Schwab response (or a document embedding one); refresh_token is checked first. */
function readTokens(fields: FieldReader): OAuthTokens {
  const refreshToken = fields.token('refresh_token');
  const accessToken = fields.token('access_token');
  const idToken = fields.optionalToken('id_token');
  return {
    accessToken,
    refreshToken,
    ...(idToken === undefined ? {} : { idToken }),
    tokenType: fields.optionalString('token_type', false) ?? DEFAULT_TOKEN_TYPE,
    scope: fields.optionalString('scope', true) ?? DEFAULT_SCOPE,
    expiresIn: fields.optionalExpiresIn('expires_in') ?? DEFAULT_EXPIRES_IN_S,
  };
}

/**
 * When the access token was issued, for inputs that do not say: its expiry minus its lifetime, but not before the
 * login.
 */
function impliedLastRefresh(expiresAt: Date, expiresIn: number, createdAt: Date): Date {
  const issued = addSeconds(expiresAt, -expiresIn);
  return issued.getTime() > createdAt.getTime() ? issued : createdAt;
}

function parseRotator(fields: FieldReader): Parsed {
  const tokens = readTokens(fields);
  const createdAt = fields.isoDate('created_at');
  const accessTokenExpiresAt = fields.isoDate('expires_at');
  const lastRefresh =
    fields.optionalIsoDate('last_refresh') ?? impliedLastRefresh(accessTokenExpiresAt, tokens.expiresIn, createdAt);
  const refreshCount = fields.optionalCount('refresh_count') ?? 0;
  const statedDeadline = fields.optionalIsoDate('refresh_token_expires_at');
  const warnings: string[] = [];
  if (statedDeadline && statedDeadline.getTime() !== refreshTokenExpiresAt({ createdAt }).getTime()) {
    warnings.push(
      `${upperFirst(fields.subject)} has a "refresh_token_expires_at" that is not "created_at" + 7 days; ` +
        'the deadline was taken from "created_at" (the login).',
    );
  }
  return { record: { tokens, meta: { createdAt, accessTokenExpiresAt, lastRefresh, refreshCount } }, warnings };
}

/**
 * schwab-py's file: `{"creation_timestamp": s, "token": {…, "expires_at": s}}` plus, when this tool wrote it, the
 * extra keys `last_refresh_timestamp` and `refresh_count` (schwab-py ignores them and drops them when it rewrites the
 * file: the last refresh is then implied by expires_at and the count restarts at 0).
 */
function parseSchwabPy(fields: FieldReader): Parsed {
  const createdAt = fields.epochDate(
    'creation_timestamp',
    'this is an old-format token file without the login time; run the login command to create a fresh token',
  );
  const token = fields.object('token');
  const tokens = readTokens(token);
  const warnings: string[] = [];
  const stored = fields.optionalEpochDate(SCHWAB_PY_EXTRA_KEYS.lastRefresh);
  let expiresAt = token.optionalEpochDate('expires_at');
  if (!expiresAt) {
    expiresAt = addSeconds(stored ?? createdAt, tokens.expiresIn);
    warnings.push(
      `${upperFirst(fields.subject)} has no "token.expires_at"; the access token was assumed to be issued at ` +
        'its last refresh, so it may already have expired (it is refreshed when due).',
    );
  }
  const lastRefresh = stored ?? impliedLastRefresh(expiresAt, tokens.expiresIn, createdAt);
  const refreshCount = fields.optionalCount(SCHWAB_PY_EXTRA_KEYS.refreshCount) ?? 0;
  return {
    record: { tokens, meta: { createdAt, accessTokenExpiresAt: expiresAt, lastRefresh, refreshCount } },
    warnings,
  };
}

/**
 * Schwabdev v2's tokens.json: `{"access_token_issued": ISO, "refresh_token_issued": ISO, "token_dictionary": {…}}`.
 * Schwabdev writes Python isoformat in UTC (`2025-01-31T14:30:00.123456+00:00`) and reads a string without an offset
 * as UTC; so does this.
 */
function parseSchwabdev(fields: FieldReader): Parsed {
  const tokens = readTokens(fields.object('token_dictionary'));
  const createdAt = fields.isoDate('refresh_token_issued');
  const lastRefresh = fields.isoDate('access_token_issued');
  const accessTokenExpiresAt = addSeconds(lastRefresh, tokens.expiresIn);
  return { record: { tokens, meta: { createdAt, accessTokenExpiresAt, lastRefresh, refreshCount: 0 } }, warnings: [] };
}

/** A bare Schwab response: the login time is unknown, so it is assumed to be now (and a warning says so). */
function parseSchwabResponse(fields: FieldReader, now: Date): Parsed {
  const tokens = readTokens(fields);
  const createdAt = floorToSecond(now);
  // When the access token was issued is unknown too: it counts as expiring now, so the first run refreshes it and
  // stores a record whose login time is then fixed.
  const accessTokenExpiresAt = createdAt;
  const warning =
    `${upperFirst(fields.subject)} is a bare Schwab token response without its login time: the login was assumed ` +
    'to be now, so the refresh token may expire earlier than the deadline shown; run the login command to be sure.';
  return {
    record: {
      tokens,
      meta: { createdAt, accessTokenExpiresAt, lastRefresh: createdAt, refreshCount: 0, loginAssumed: true },
    },
    warnings: [warning],
  };
}
