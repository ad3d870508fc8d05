/** The rotation's plan as a table, without I/O: what a run does for what it read (src/run/plan.ts). */
import { describe, expect, it } from 'vitest';
import { planRotation, planWrites } from '../../src/run/plan.js';
import type { PlanInput, RotationPlan } from '../../src/run/plan.js';
import type { TokenRecord } from '../../src/token/record.js';
import { sampleRecord } from '../token/samples.js';

const NOW = new Date('2026-11-21T12:10:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A record of a login `loginAgo` before NOW whose access token expires `expiresIn` after NOW. */
function record(loginAgo: number, expiresIn: number, refreshedAgo = 5 * MINUTE): TokenRecord {
  return sampleRecord({
    createdAt: new Date(NOW.getTime() - loginAgo),
    accessTokenExpiresAt: new Date(NOW.getTime() + expiresIn),
    lastRefresh: new Date(NOW.getTime() - refreshedAgo),
  });
}

const FRESH = record(DAY, 25 * MINUTE); // not due (expires in more than refresh-before 20m)
const DUE = record(DAY, 10 * MINUTE);
const OLDER_LOGIN = record(3 * DAY, 25 * MINUTE);
const EXPIRED = record(7 * DAY + MINUTE, -HOUR);

function plan(input: Partial<PlanInput>): RotationPlan {
  return planRotation({
    now: NOW,
    force: false,
    dryRun: false,
    refreshBeforeMs: 20 * MINUTE,
    reauthWarningMs: 2 * DAY,
    primary: 'read',
    chosen: FRESH,
    primaryRecord: FRESH,
    sourceRecords: [],
    ...input,
  });
}

describe('planRotation', () => {
  it.each<[string, Partial<PlanInput>, RotationPlan]>([
    [
      'the primary store could not be read: stop',
      { primary: 'unreadable' },
      { kind: 'stop', reason: 'primary-unreadable' },
    ],
    [
      'no usable record anywhere: stop, a login is needed',
      { chosen: undefined, primaryRecord: undefined },
      { kind: 'stop', reason: 'no-record' },
    ],
    [
      'the 7-day deadline has passed: stop, even when forced',
      { chosen: EXPIRED, primaryRecord: EXPIRED, force: true },
      { kind: 'stop', reason: 'deadline-passed' },
    ],
    ['nothing due, nothing behind: idle', {}, { kind: 'idle' }],
    [
      'the access token expires within refresh-before: refresh',
      { chosen: DUE, primaryRecord: DUE },
      { kind: 'refresh', reason: 'due', drift: { primary: false, mirrors: false } },
    ],
    [
      'forced: refresh',
      { force: true },
      { kind: 'refresh', reason: 'forced', drift: { primary: false, mirrors: false } },
    ],
    [
      'a newer login in the "token" input (manual deploy): copy it to the primary',
      { primaryRecord: OLDER_LOGIN, sourceRecords: [FRESH] },
      { kind: 'copy', drift: { primary: true, mirrors: false } },
    ],
    [
      'a stale "token" input: copy the primary\'s record to the mirrors',
      { sourceRecords: [OLDER_LOGIN] },
      { kind: 'copy', drift: { primary: false, mirrors: true } },
    ],
    [
      'an empty primary store: copy to it',
      { primaryRecord: undefined, sourceRecords: [FRESH] },
      { kind: 'copy', drift: { primary: true, mirrors: false } },
    ],
    [
      'no primary store: never behind',
      { primary: 'none', primaryRecord: undefined, sourceRecords: [FRESH] },
      { kind: 'idle' },
    ],
    [
      'due, with drift: refresh and heal',
      { chosen: DUE, primaryRecord: OLDER_LOGIN, sourceRecords: [DUE] },
      { kind: 'refresh', reason: 'due', drift: { primary: true, mirrors: false } },
    ],
    [
      'dry-run: what would happen',
      { dryRun: true, chosen: DUE, primaryRecord: DUE },
      { kind: 'dry-run', refresh: 'due', writes: { primary: true, mirrors: true } },
    ],
    [
      'dry-run, only the mirrors behind',
      { dryRun: true, sourceRecords: [OLDER_LOGIN] },
      { kind: 'dry-run', refresh: undefined, writes: { primary: false, mirrors: true } },
    ],
    [
      'dry-run, nothing to do',
      { dryRun: true },
      { kind: 'dry-run', refresh: undefined, writes: { primary: false, mirrors: false } },
    ],
  ])('%s', (_, input, expected) => {
    expect(plan(input)).toEqual(expected);
  });
});

describe('planWrites', () => {
  const refresh = (primary: boolean, mirrors: boolean): RotationPlan => ({
    kind: 'refresh',
    reason: 'due',
    drift: { primary, mirrors },
  });

  it.each<[string, RotationPlan, Parameters<typeof planWrites>[1], ReturnType<typeof planWrites>]>([
    ['refreshed: every store', refresh(false, false), { kind: 'refreshed' }, { primary: true, mirrors: true }],
    [
      'adopted: the primary already holds it, the mirrors get it',
      refresh(false, false),
      { kind: 'adopted' },
      { primary: false, mirrors: true },
    ],
    ['rejected: nothing is written', refresh(true, true), { kind: 'rejected' }, undefined],
    ['failed, no drift: nothing is written', refresh(false, false), { kind: 'failed', healDrift: true }, undefined],
    [
      'failed, drift, the chosen record sound: heal it',
      refresh(true, false),
      { kind: 'failed', healDrift: true },
      { primary: true, mirrors: true },
    ],
    [
      'failed, drift in the mirrors only',
      refresh(false, true),
      { kind: 'failed', healDrift: true },
      { primary: false, mirrors: true },
    ],
    [
      'failed verification (the record is not sound): nothing is written',
      refresh(true, true),
      { kind: 'failed', healDrift: false },
      undefined,
    ],
    [
      'copy to a primary behind',
      { kind: 'copy', drift: { primary: true, mirrors: false } },
      undefined,
      { primary: true, mirrors: true },
    ],
    [
      'copy to the mirrors',
      { kind: 'copy', drift: { primary: false, mirrors: true } },
      undefined,
      { primary: false, mirrors: true },
    ],
    ['idle: every store is left', { kind: 'idle' }, undefined, { primary: false, mirrors: false }],
    ['stop: nothing', { kind: 'stop', reason: 'no-record' }, undefined, undefined],
  ])('%s', (_, planned, outcome, expected) => {
    expect(planWrites(planned, outcome)).toEqual(expected);
  });
});
