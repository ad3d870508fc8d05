/**
 * The simulated week (issue #4's "done when"): a run every 25 minutes over 8 days on an injected clock, against the
 * GitHub fake, with a login on day 7, either before the refresh token's deadline or after it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildLoginCommand } from '../../src/alerts/issue-content.js';
import { ALERT_REQUESTS_PER_HEALTHY_RUN, type AlertOutcome } from '../../src/alerts/reauth-alert.js';
import { assessHealth, type Health } from '../../src/token/health.js';
import { refreshTokenExpiresAt, type TokenRecord } from '../../src/token/record.js';
import type { Clock } from '../../src/util/clock.js';
import {
  ACCESS_TOKEN,
  APP_SECRET,
  APP_KEY,
  REFRESH_TOKEN,
  immediateZeroDelayTimers,
  publishedTexts,
  startHarness,
  writes,
  type Harness,
} from './helpers.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const RUN_EVERY = 25 * MINUTE;
const REAUTH_WARNING = 48 * HOUR;

const START = new Date('2026-11-16T06:00:00Z'); // day 1 begins
const FIRST_LOGIN = new Date(START.getTime() - 2 * HOUR); // deadline: day 7, 04:00
const DEADLINE = refreshTokenExpiresAt({ createdAt: FIRST_LOGIN }); // day 7, 04:00

function record(login: Date, now: Date, refreshCount: number): TokenRecord {
  return {
    tokens: {
      accessToken: ACCESS_TOKEN,
      refreshToken: REFRESH_TOKEN,
      tokenType: 'Bearer',
      scope: 'api',
      expiresIn: 1800,
    },
    meta: {
      createdAt: login,
      accessTokenExpiresAt: new Date(now.getTime() + 30 * MINUTE),
      lastRefresh: now,
      refreshCount,
    },
  };
}

interface Run {
  at: Date;
  health: Health;
  outcome: AlertOutcome;
  /** Routes of the GitHub requests this run made. */
  requests: string[];
}

let h: Harness | undefined;
let restoreTimers: (() => void) | undefined;
beforeEach(() => {
  restoreTimers = immediateZeroDelayTimers(); // 461 runs: see the helper
});
afterEach(async () => {
  restoreTimers?.();
  await h?.fake.close();
  h = undefined;
});

describe.each([
  { when: 'before the deadline', login: new Date(START.getTime() + 6 * DAY + 12 * HOUR), reauthComments: 0 },
  { when: 'after the deadline', login: new Date(START.getTime() + 6 * DAY + 23 * HOUR), reauthComments: 1 },
])('a simulated week with a login on day 7 $when', ({ login: secondLogin, reauthComments }) => {
  it('ends with exactly one issue: opened on entering the warning window, closed by the first run after the login', async () => {
    const clock: Clock & { set(t: Date): void } = (() => {
      let current = START;
      return { now: () => current, set: (t: Date) => (current = t) };
    })();
    h = await startHarness({ fake: { now: () => clock.now() } });
    const { fake, alerts, input } = h;

    const runs: Run[] = [];
    let refreshCount = 0;
    for (let t = START.getTime(); t < START.getTime() + 8 * DAY; t += RUN_EVERY) {
      const now = new Date(t);
      clock.set(now);
      const login = now >= secondLogin ? secondLogin : FIRST_LOGIN;
      const health = assessHealth(record(login, now, refreshCount++), now, REAUTH_WARNING).status;
      const before = fake.requests.length;
      const outcome = await alerts.sync(input({ now, health, loginAt: login }));
      runs.push({ at: now, health, outcome, requests: fake.requests.slice(before).map((r) => r.route ?? r.path) });
    }
    expect(runs).toHaveLength(461);

    // Exactly one issue, opened by the first run inside the warning window.
    expect(fake.issues).toHaveLength(1);
    const issue = fake.issues[0]!;
    const firstExpiring = runs.find((r) => r.health === 'expiring')!;
    expect(DEADLINE.getTime() - firstExpiring.at.getTime()).toBeLessThanOrEqual(REAUTH_WARNING);
    expect(DEADLINE.getTime() - (firstExpiring.at.getTime() - RUN_EVERY)).toBeGreaterThan(REAUTH_WARNING);
    expect(firstExpiring.outcome).toMatchObject({ action: 'opened', issueNumber: issue.number });
    expect(issue.created_at).toBe(firstExpiring.at.toISOString());
    expect(runs.filter((r) => r.outcome.action === 'opened')).toEqual([firstExpiring]);

    // At most one comment before the login (the reauth-required transition, only when the deadline passed first).
    const commentsBeforeLogin = fake.comments.filter((c) => Date.parse(c.created_at) < secondLogin.getTime());
    expect(commentsBeforeLogin).toHaveLength(reauthComments);
    expect(runs.filter((r) => r.outcome.action === 'commented')).toHaveLength(reauthComments);

    // Closed by the first run after the login, with one comment.
    const firstAfterLogin = runs.find((r) => r.at >= secondLogin)!;
    expect(firstAfterLogin.outcome).toMatchObject({ action: 'closed', issueNumber: issue.number });
    expect(issue).toMatchObject({
      state: 'closed',
      state_reason: 'completed',
      closed_at: firstAfterLogin.at.toISOString(),
    });
    expect(fake.comments).toHaveLength(reauthComments + 1);
    expect(fake.comments.at(-1)?.created_at).toBe(firstAfterLogin.at.toISOString());

    // No other issue, comment or edit: every write of the week, in order.
    expect(writes(fake).map((r) => r.route)).toEqual([
      'label-create',
      'issue-create',
      ...Array(reauthComments).fill('comment-create'),
      'issue-update',
      'comment-create',
    ]);
    expect(fake.requestsTo('issue-update')[0]?.body).toEqual({ state: 'closed', state_reason: 'completed' });
    expect(runs.every((r) => r.outcome.warning === undefined)).toBe(true);

    // The API-call bound: every healthy run makes ALERT_REQUESTS_PER_HEALTHY_RUN (1) request, except the one
    // closing run (list, close, comment); expiring runs with the issue open also 1; reauth-required runs at most 2.
    const healthy = runs.filter((r) => r.health === 'healthy' && r !== firstAfterLogin);
    expect(healthy.length).toBeGreaterThan(300);
    for (const run of healthy) expect(run.requests).toEqual(['issues-list']);
    expect(ALERT_REQUESTS_PER_HEALTHY_RUN).toBe(1);
    expect(firstAfterLogin.requests).toEqual(['issues-list', 'issue-update', 'comment-create']);
    for (const run of runs.filter((r) => r.health === 'expiring' && r !== firstExpiring))
      expect(run.requests).toEqual(['issues-list']);
    for (const run of runs.filter((r) => r.health === 'reauth-required'))
      expect(run.requests.length).toBeLessThanOrEqual(2);
    expect(firstExpiring.requests).toEqual(['issues-list', 'label-get', 'label-create', 'issue-create']);

    // The body tells how to log in, and leaks nothing.
    expect(issue.body).toContain(buildLoginCommand(input({ now: START, health: 'healthy' }).login));
    for (const text of publishedTexts(fake)) {
      for (const secret of [ACCESS_TOKEN, REFRESH_TOKEN, APP_SECRET, APP_KEY]) expect(text).not.toContain(secret);
    }
  });
});
