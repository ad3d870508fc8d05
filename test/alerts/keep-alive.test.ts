import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  inKeepAliveWindow,
  keepAliveWindow,
  keepScheduleAlive,
  parseWorkflowRef,
} from '../../src/alerts/keep-alive.js';
import { immediateZeroDelayTimers, startHarness, type Harness } from './helpers.js';

const REF = 'acme/bot/.github/workflows/rotate.yml@refs/heads/main';
const WED_13 = new Date('2026-11-18T13:00:00Z'); // a Wednesday, inside the window
const LONG_AGO = new Date('2026-01-01T00:00:00Z');

let h: Harness | undefined;
let restoreTimers: (() => void) | undefined;
beforeEach(() => {
  restoreTimers = immediateZeroDelayTimers();
});
afterEach(async () => {
  restoreTimers?.();
  await h?.fake.close();
  h = undefined;
});

describe('keep-alive pure parts', () => {
  it('parses GITHUB_WORKFLOW_REF', () => {
    expect(parseWorkflowRef(REF)).toEqual({ owner: 'acme', repo: 'bot', file: 'rotate.yml', ref: 'refs/heads/main' });
    expect(parseWorkflowRef('o/r/.github/workflows/a.yaml@refs/tags/v1')?.file).toBe('a.yaml');
    expect(parseWorkflowRef(undefined)).toBeUndefined();
    expect(parseWorkflowRef('o/r/.github/workflows/sub/a.yml@x')).toBeUndefined();
    expect(parseWorkflowRef('rotate.yml')).toBeUndefined();
  });

  it('the window is Wednesday 12:00–15:00 UTC', () => {
    expect(keepAliveWindow(WED_13)).toEqual({
      start: new Date('2026-11-18T12:00:00Z'),
      end: new Date('2026-11-18T15:00:00Z'),
    });
    // From any day of the week, the window of that week (Wednesday to Tuesday).
    expect(keepAliveWindow(new Date('2026-11-24T23:59:00Z')).start).toEqual(new Date('2026-11-18T12:00:00Z'));
    expect(keepAliveWindow(new Date('2026-11-18T11:59:00Z')).start).toEqual(new Date('2026-11-11T12:00:00Z'));
    expect(inKeepAliveWindow(new Date('2026-11-18T12:00:00Z'))).toBe(true);
    expect(inKeepAliveWindow(new Date('2026-11-18T14:59:59Z'))).toBe(true);
    expect(inKeepAliveWindow(new Date('2026-11-18T15:00:00Z'))).toBe(false);
    expect(inKeepAliveWindow(new Date('2026-11-19T13:00:00Z'))).toBe(false);
  });
});

describe('keepScheduleAlive against the GitHub fake', () => {
  async function run(now: Date, overrides: Partial<Parameters<typeof keepScheduleAlive>[0]> = {}) {
    const { client, logger } = h!;
    return keepScheduleAlive({ client, owner: 'acme', repo: 'bot', workflowRef: REF, now, logger, ...overrides });
  }

  it('outside the window it makes no request', async () => {
    h = await startHarness();
    expect(await run(new Date('2026-11-19T13:00:00Z'))).toMatchObject({ action: 'skipped', requests: 0 });
    expect(h.fake.requests).toHaveLength(0);
  });

  it('inside the window it re-enables a workflow not touched this week', async () => {
    h = await startHarness({ fake: { now: () => LONG_AGO } });
    const outcome = await run(WED_13);
    expect(outcome).toMatchObject({ action: 'enabled', requests: 2 });
    expect(outcome.warning).toBeUndefined();
    expect(h.fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /repos/acme/bot/actions/workflows/rotate.yml',
      'PUT /repos/acme/bot/actions/workflows/rotate.yml/enable',
    ]);
    expect(h.fake.workflows[0]?.enableCalls).toBe(1);
  });

  it('re-enables a workflow GitHub disabled for inactivity even if it changed this week', async () => {
    h = await startHarness({ fake: { now: () => WED_13 } });
    h.fake.setWorkflowState('acme/bot', 42, 'disabled_inactivity');
    expect(await run(WED_13)).toMatchObject({ action: 'enabled' });
    // Active and updated inside this week's window: already done.
    expect(await run(new Date(WED_13.getTime() + 25 * 60_000))).toMatchObject({ action: 'skipped', requests: 1 });
    expect(h.fake.workflows[0]).toMatchObject({ state: 'active', enableCalls: 1 });
  });

  it('should GitHub not move updated_at, the bound degrades to the runs inside one window', async () => {
    h = await startHarness({ fake: { now: () => LONG_AGO } });
    const windowStart = new Date('2026-11-18T12:00:00Z').getTime();
    for (let t = windowStart - 86_400_000; t < windowStart + 86_400_000; t += 25 * 60_000) await run(new Date(t));
    expect(h.fake.workflows[0]?.enableCalls).toBeLessThanOrEqual(8);
    expect(h.fake.workflows[0]?.enableCalls).toBeGreaterThanOrEqual(7);
  });

  it('a dry run reads but does not enable', async () => {
    h = await startHarness({ fake: { now: () => LONG_AGO } });
    expect(await run(WED_13, { dryRun: true })).toMatchObject({ action: 'skipped', requests: 1 });
    expect(h.fake.workflows[0]?.enableCalls).toBe(0);
  });

  it('leaves a workflow a person disabled alone', async () => {
    h = await startHarness({ fake: { now: () => LONG_AGO } });
    h.fake.setWorkflowState('acme/bot', 42, 'disabled_manually');
    expect(await run(WED_13)).toMatchObject({
      action: 'skipped',
      reason: expect.stringMatching(/disabled by a person/),
    });
    expect(h.fake.workflows[0]?.enableCalls).toBe(0);
  });

  it('failures are warnings: 403 names actions: write, 404 the workflow, no ref says so', async () => {
    h = await startHarness({
      fake: { now: () => LONG_AGO, tokens: { ghs_issues_only: { permissions: ['issues'] } } },
      token: 'ghs_issues_only',
    });
    const forbidden = await run(WED_13);
    expect(forbidden.action).toBe('skipped');
    expect(forbidden.warning).toBe(
      'GitHub refused reading the workflow rotate.yml (403): the github-token needs the "actions: write" permission ' +
        '(add "permissions: actions: write" to the workflow job).',
    );
    await h.fake.close();
    h = await startHarness({ fake: { now: () => LONG_AGO } });
    const missing = await run(WED_13, { workflowRef: 'acme/bot/.github/workflows/nope.yml@refs/heads/main' });
    expect(missing.warning).toMatch(/404 while reading the workflow nope.yml/);
    expect((await run(WED_13, { workflowRef: undefined })).warning).toMatch(/GITHUB_WORKFLOW_REF/);
  });

  it('a failed enable is a warning', async () => {
    h = await startHarness({ fake: { now: () => LONG_AGO } });
    h.fake.inject('workflow-enable', 'forbidden');
    const outcome = await run(WED_13);
    expect(outcome).toMatchObject({ action: 'skipped', requests: 2 });
    expect(outcome.warning).toMatch(/re-enabling the workflow rotate.yml \(403\).*actions: write/);
  });

  it('re-enables at most once a week, and every week, over 9 weeks of a run every 25 minutes', async () => {
    // GitHub moves a workflow's updated_at when it is enabled; the fake answers updated_at = its clock, so the
    // test hands it a clock that reads "the last enable" (or long ago).
    let lastEnable = LONG_AGO;
    h = await startHarness({ fake: { now: () => lastEnable } });
    const start = new Date('2026-11-16T00:07:00Z').getTime();
    const perWindow = new Map<string, { enables: number; requests: number }>();
    let requestsOutside = 0;
    for (let t = start; t < start + 63 * 86_400_000; t += 25 * 60_000) {
      const now = new Date(t);
      const before = h.fake.requests.length;
      const outcome = await run(now);
      const made = h.fake.requests.length - before;
      expect(made).toBe(outcome.requests);
      if (outcome.action === 'enabled') lastEnable = now;
      if (!inKeepAliveWindow(now)) {
        requestsOutside += made;
        continue;
      }
      const key = keepAliveWindow(now).start.toISOString();
      const week = perWindow.get(key) ?? { enables: 0, requests: 0 };
      week.enables += outcome.action === 'enabled' ? 1 : 0;
      week.requests += made;
      perWindow.set(key, week);
    }
    expect(requestsOutside).toBe(0);
    expect(perWindow.size).toBe(9);
    for (const week of perWindow.values()) {
      expect(week.enables).toBe(1);
      expect(week.requests).toBeLessThanOrEqual(9); // ~7-8 runs in the window: one GET each, plus the one PUT
    }
    expect(h.fake.workflows[0]?.enableCalls).toBe(9);
  });
});
