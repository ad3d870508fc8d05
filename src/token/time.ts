/**
 * Date helpers for token records. Every date in a record has whole-second precision (fractions are dropped, which
 * only ever moves a deadline earlier), so a record survives serialization unchanged.
 */

/** The earliest date a record may hold: 1970-01-01T00:00:00Z. */
export const MIN_RECORD_TIME_MS = 0;

/**
 * The latest date a record may hold: 9999-01-01T00:00:00Z, so that every date of a record, and the deadline 7 days
 * after its login, keeps a 4-digit year in ISO 8601.
 */
export const MAX_RECORD_TIME_MS = Date.UTC(9999, 0, 1);

/** The latest date that parses (the end of year 9999); validateRecord then applies the record range. */
const MAX_PARSEABLE_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

const ISO_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

/** The date with its fraction of a second dropped. */
export function floorToSecond(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

/** True for a valid Date from 1970 to the start of 9999. */
export function isRecordDate(value: unknown): value is Date {
  return value instanceof Date && isBetween(value.getTime(), MAX_RECORD_TIME_MS);
}

function isBetween(ms: number, maxMs: number): boolean {
  return Number.isFinite(ms) && ms >= MIN_RECORD_TIME_MS && ms <= maxMs;
}

function parseable(date: Date): Date | undefined {
  return isBetween(date.getTime(), MAX_PARSEABLE_TIME_MS) ? date : undefined;
}

/**
 * Parses an ISO 8601 date-time as the token files write it: `2026-11-21T12:30:00Z`, `…12:30:00.123456+00:00`
 * (Python's isoformat), or without an offset (read as UTC, as Schwabdev does). Returns undefined when it does not parse
 * or lies outside 1970–9999. The fraction of a second is dropped.
 */
export function parseIsoDate(text: string): Date | undefined {
  const match = ISO_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(match[i] ?? '0')) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (!isValidCalendarTime(year, month, day, hour, minute, second)) return undefined;
  const offsetMs = parseOffsetMs(match[8], match[9], match[10]);
  if (offsetMs === undefined) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return parseable(new Date(date.getTime() - offsetMs));
}

/** A date from seconds since 1970 (fractions dropped); undefined when negative, not finite or after 9999. */
export function fromEpochSeconds(seconds: number): Date | undefined {
  if (!Number.isFinite(seconds) || seconds < 0) return undefined;
  return parseable(new Date(Math.floor(seconds) * 1000));
}

/** Whole seconds since 1970. */
export function toEpochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/** ISO 8601 in UTC without milliseconds: `2026-11-21T12:30:00Z`. */
export function formatIsoSeconds(date: Date): string {
  return `${floorToSecond(date).toISOString().slice(0, 19)}Z`;
}

/** `2026-11-21 12:30:00 UTC`, for tables and messages people read. */
export function formatStamp(date: Date): string {
  return `${formatIsoSeconds(date).replace('T', ' ').replace('Z', '')} UTC`;
}

/** `2026-11-25 09:00 UTC`: to the minute, for issue titles, issue bodies and pages. */
export function formatUtc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The date plus a number of seconds. */
export function addSeconds(date: Date, seconds: number): Date {
  return new Date(date.getTime() + seconds * 1000);
}

function isValidCalendarTime(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return false;
  const daysInMonth = new Date(Date.UTC(2000, mo, 0)).getUTCDate() - (mo === 2 && !isLeapYear(y) ? 1 : 0);
  return d <= daysInMonth;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function parseOffsetMs(sign?: string, hours?: string, minutes?: string): number | undefined {
  if (!sign) return 0;
  const h = Number(hours);
  const m = Number(minutes);
  if (h > 23 || m > 59) return undefined;
  return (sign === '-' ? -1 : 1) * (h * 60 + m) * 60_000;
}
