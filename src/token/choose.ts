/** Picks the newest of several copies of a token record (one per store). */
import type { TokenRecord } from './record.js';

/**
 * Orders two records by how new they are: > 0 when `a` is newer, < 0 when `b` is, 0 when neither. Newer means a later
 * login (`createdAt`, since a new login invalidates older refresh tokens), then a later `lastRefresh`, then a higher
 * `refreshCount`. A record whose login time was only assumed (a bare token response, re-read as "now" on every run)
 * is older than any record whose login time is known.
 */
export function compareRecords(a: TokenRecord, b: TokenRecord): number {
  const assumed = Number(!!b.meta.loginAssumed) - Number(!!a.meta.loginAssumed);
  return (
    assumed ||
    Math.sign(a.meta.createdAt.getTime() - b.meta.createdAt.getTime()) ||
    Math.sign(a.meta.lastRefresh.getTime() - b.meta.lastRefresh.getTime()) ||
    Math.sign(a.meta.refreshCount - b.meta.refreshCount)
  );
}

/** The candidate holding the newest record (the first of equals wins); undefined for an empty list. */
export function chooseNewest<T extends { record: TokenRecord }>(candidates: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const candidate of candidates) {
    if (!best || compareRecords(candidate.record, best.record) > 0) best = candidate;
  }
  return best;
}
