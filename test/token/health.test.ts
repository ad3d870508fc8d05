import { describe, it, expect } from 'vitest';
import { assessHealth, isRefreshDue } from '../../src/token/health.js';
import { ACCESS_EXPIRES, DEADLINE, SECRETS, sampleRecord } from './samples.js';

const HOUR = 3_600_000;
const WARNING = 48 * HOUR;
const at = (msFromDeadline: number) => new Date(DEADLINE.getTime() + msFromDeadline);

describe('assessHealth', () => {
  it('needs a login when there is no record', () => {
    const report = assessHealth(undefined, at(-100 * HOUR), WARNING);
    expect(report).toEqual({ status: 'reauth-required', reason: expect.stringContaining('No usable token record') });
  });

  it('is healthy with more than the warning time left, and reports both deadlines', () => {
    const now = new Date('2026-11-21T12:10:00Z');
    const report = assessHealth(sampleRecord(), now, WARNING);
    expect(report).toEqual({
      status: 'healthy',
      refreshTokenExpiresAt: DEADLINE,
      refreshTokenTimeLeftMs: DEADLINE.getTime() - now.getTime(),
      accessTokenExpiresAt: ACCESS_EXPIRES,
      accessTokenTimeLeftMs: 20 * 60_000,
      reason: 'The refresh token has 3d 20h left (until 2026-11-25T09:00:00Z).',
    });
  });

  it.each([
    ['1 ms more than the warning', WARNING + 1, 'healthy'],
    ['exactly the warning', WARNING, 'expiring'],
    ['1 ms left', 1, 'expiring'],
    ['exactly at the deadline', 0, 'reauth-required'],
    ['after the deadline', -HOUR, 'reauth-required'],
  ])('boundary: %s left is %s', (_name, left, status) => {
    expect(assessHealth(sampleRecord(), at(-left), WARNING).status).toBe(status);
  });

  it('says how long is left when expiring, and how long ago it died', () => {
    expect(assessHealth(sampleRecord(), at(-5 * HOUR), WARNING).reason).toBe(
      'The refresh token expires in 5h (2026-11-25T09:00:00Z); run the login command before then.',
    );
    const dead = assessHealth(sampleRecord(), at(3 * HOUR), WARNING);
    expect(dead.reason).toBe('The refresh token expired 3h ago (2026-11-25T09:00:00Z); run the login command.');
    expect(dead.refreshTokenTimeLeftMs).toBe(-3 * HOUR);
  });

  it('never puts a token value in the reason', () => {
    for (const left of [WARNING * 2, HOUR, -HOUR]) {
      const { reason } = assessHealth(sampleRecord(), at(-left), WARNING);
      for (const secret of SECRETS) expect(reason).not.toContain(secret);
    }
  });
});

describe('isRefreshDue', () => {
  const before = 5 * 60_000;
  const atAccess = (ms: number) => new Date(ACCESS_EXPIRES.getTime() + ms);

  it.each([
    ['well before the window', -before - 1, false],
    ['at the start of the window', -before, true],
    ['inside the window', -1000, true],
    ['at expiry', 0, true],
    ['after expiry', HOUR, true],
  ])('%s: %s', (_name, offset, due) => {
    expect(isRefreshDue(sampleRecord(), atAccess(offset), before)).toBe(due);
  });

  it('with a zero window, only an expired token is due', () => {
    expect(isRefreshDue(sampleRecord(), atAccess(-1), 0)).toBe(false);
    expect(isRefreshDue(sampleRecord(), atAccess(0), 0)).toBe(true);
  });
});
