import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatMarker } from '../../src/alerts/marker.js';
import { ReauthAlerts } from '../../src/alerts/reauth-alert.js';
import { buildLoginCommand } from '../../src/alerts/issue-content.js';
import { createGitHubClient } from '../../src/github/octokit.js';
import { FAKE_SECRETS_TOKEN, FAKE_WORKFLOW_TOKEN } from '../fakes/github-fake.js';
import {
  ACCESS_TOKEN,
  APP_SECRET,
  APP_KEY,
  LABEL,
  REFRESH_TOKEN,
  REPO,
  TOKEN_ID,
  immediateZeroDelayTimers,
  publishedTexts,
  startHarness,
  writes,
  type Harness,
} from './helpers.js';

const LOGIN = new Date('2026-11-18T09:00:00Z'); // deadline 2026-11-25 09:00
const HEALTHY_AT = new Date('2026-11-20T09:00:00Z');
const EXPIRING_AT = new Date('2026-11-24T09:00:00Z');
const EXPIRED_AT = new Date('2026-11-25T09:30:00Z');
const NEW_LOGIN = new Date('2026-11-25T10:00:00Z');

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

async function harness(...args: Parameters<typeof startHarness>): Promise<Harness> {
  h = await startHarness(...args);
  return h;
}

function alertIssueBody(tokenId = TOKEN_ID, login = LOGIN, state: 'expiring' | 'reauth-required' = 'expiring'): string {
  return `${formatMarker({ kind: 'alert', tokenId, login, state })}\nplease log in`;
}

describe('ReauthAlerts.sync against the GitHub fake', () => {
  it('a healthy run with no open issue makes exactly one request (the list) and changes nothing', async () => {
    const { fake, alerts, input } = await harness();
    const outcome = await alerts.sync(input({ now: HEALTHY_AT, health: 'healthy', loginAt: LOGIN }));
    expect(outcome).toMatchObject({ action: 'none' });
    expect(outcome.warning).toBeUndefined();
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /repos/acme/bot/issues']);
    expect(fake.requests[0]?.query).toMatchObject({ state: 'open', labels: LABEL, per_page: '100' });
  });

  it('opens one issue when expiring (creating the missing label, assigning), then stays quiet', async () => {
    const { fake, alerts, input } = await harness();
    const opened = await alerts.sync(input({ now: EXPIRING_AT, health: 'expiring', loginAt: LOGIN }));
    expect(opened).toMatchObject({
      action: 'opened',
      issueNumber: 1,
      issueUrl: 'https://github.com/acme/bot/issues/1',
    });
    expect(opened.warning).toBeUndefined();
    expect(fake.requests.map((r) => r.route)).toEqual(['issues-list', 'label-get', 'label-create', 'issue-create']);
    const issue = fake.issues[0];
    expect(issue).toMatchObject({
      title: 'Schwab login needed by 2026-11-25 09:00 UTC for prod/schwab-token',
      labels: [LABEL],
      assignees: ['octocat'],
    });
    expect(issue?.body).not.toContain(APP_KEY);
    expect(issue?.body).toContain(buildLoginCommand(input({ now: EXPIRING_AT, health: 'expiring' }).login));
    expect(fake.labels.find((l) => l.name === LABEL)).toMatchObject({ color: 'd93f0b' });

    fake.clearRequests();
    const again = await alerts.sync(
      input({ now: new Date(EXPIRING_AT.getTime() + 25 * 60_000), health: 'expiring', loginAt: LOGIN }),
    );
    expect(again).toMatchObject({ action: 'none', issueNumber: 1 });
    expect(fake.requests.map((r) => r.route)).toEqual(['issues-list']);
  });

  it('does not create a label that exists', async () => {
    const { fake, alerts, input } = await harness();
    fake.addLabel(REPO, LABEL, '00ff00');
    await alerts.sync(input({ now: EXPIRING_AT, health: 'expiring', loginAt: LOGIN }));
    expect(fake.count('label-create')).toBe(0);
    expect(fake.labels.filter((l) => l.name === LABEL)).toHaveLength(1);
  });

  it('a dead refresh token before its deadline (Schwab rejected it) opens the issue', async () => {
    const { fake, alerts, input } = await harness();
    const outcome = await alerts.sync(
      input({ now: HEALTHY_AT, health: 'healthy', schwabRejected: true, loginAt: LOGIN }),
    );
    expect(outcome).toMatchObject({ action: 'opened', decision: { status: 'reauth-required' } });
    expect(fake.issues[0]?.title).toMatch(/rejected/);
    expect(fake.issues[0]?.body).toMatch(/state="reauth-required"/);
  });

  it('comments once on the transition to reauth-required, then never again', async () => {
    const { fake, alerts, input } = await harness();
    await alerts.sync(input({ now: EXPIRING_AT, health: 'expiring', loginAt: LOGIN }));
    const first = await alerts.sync(input({ now: EXPIRED_AT, health: 'reauth-required', loginAt: LOGIN }));
    expect(first).toMatchObject({ action: 'commented', issueNumber: 1 });
    fake.clearRequests();
    for (let i = 1; i <= 3; i++) {
      const later = await alerts.sync(
        input({ now: new Date(EXPIRED_AT.getTime() + i * 25 * 60_000), health: 'reauth-required', loginAt: LOGIN }),
      );
      expect(later.action).toBe('none');
    }
    expect(fake.comments).toHaveLength(1);
    // The list, plus the comments of the issue (it has one, so whether it is the announcement must be read).
    expect(fake.requests.map((r) => r.route)).toEqual(Array(3).fill(['issues-list', 'comments-list']).flat());
  });

  it('a human comment on the issue does not count as the announcement', async () => {
    const { fake, alerts, input } = await harness();
    await alerts.sync(input({ now: EXPIRING_AT, health: 'expiring', loginAt: LOGIN }));
    fake.addComment(REPO, 1, 'I will log in tonight');
    expect((await alerts.sync(input({ now: EXPIRED_AT, health: 'reauth-required', loginAt: LOGIN }))).action).toBe(
      'commented',
    );
    expect((await alerts.sync(input({ now: EXPIRED_AT, health: 'reauth-required', loginAt: LOGIN }))).action).toBe(
      'none',
    );
    expect(fake.comments).toHaveLength(2);
  });

  it('a marker pasted in a comment by someone else does not suppress the "dead now" comment', async () => {
    const { fake, alerts, input } = await harness();
    await alerts.sync(input({ now: EXPIRING_AT, health: 'expiring', loginAt: LOGIN }));
    expect(fake.issues[0]?.user).toBe('github-actions[bot]');
    const forged = `${formatMarker({ kind: 'reauth-required', tokenId: TOKEN_ID, login: LOGIN })}\nnothing to see here`;
    fake.addComment(REPO, 1, forged, 'mallory');
    fake.clearRequests();

    const first = await alerts.sync(input({ now: EXPIRED_AT, health: 'reauth-required', loginAt: LOGIN }));
    expect(first).toMatchObject({ action: 'commented', issueNumber: 1 });
    // GITHUB_TOKEN cannot read /user (403): its identity is github-actions[bot].
    expect(fake.requests.map((r) => `${r.route} ${r.status}`)).toEqual([
      'issues-list 200',
      'comments-list 200',
      'user-get 403',
      'comment-create 201',
    ]);
    expect(fake.comments.map((c) => c.user)).toEqual(['mallory', 'github-actions[bot]']);

    // Its own comment counts: announced once, never again.
    for (let i = 1; i <= 2; i++) {
      const later = await alerts.sync(
        input({ now: new Date(EXPIRED_AT.getTime() + i * 25 * 60_000), health: 'reauth-required', loginAt: LOGIN }),
      );
      expect(later.action).toBe('none');
    }
    expect(fake.comments).toHaveLength(2);
  });

  it.each([
    [
      'a personal access token',
      'GITHUB_TOKEN',
      FAKE_SECRETS_TOKEN,
      'octo-admin',
      FAKE_WORKFLOW_TOKEN,
      'github-actions[bot]',
      'user-get 403',
    ],
    [
      'GITHUB_TOKEN',
      'a personal access token',
      FAKE_WORKFLOW_TOKEN,
      'github-actions[bot]',
      FAKE_SECRETS_TOKEN,
      'octo-admin',
      'user-get 200',
    ],
  ])(
    'opened with %s, written with %s since: its own comment counts (asking GET /user)',
    async (_a, _b, openedWith, opener, nowWith, writer, userGet) => {
      const first = await harness({ token: openedWith });
      await first.alerts.sync(first.input({ now: EXPIRING_AT, health: 'expiring', loginAt: LOGIN }));
      expect(first.fake.issues[0]?.user).toBe(opener);
      const later = new ReauthAlerts({
        client: await createGitHubClient({
          token: nowWith,
          baseUrl: first.fake.url,
          logger: first.logger,
          retries: 0,
          waitScale: 0,
        }),
        owner: 'acme',
        repo: 'bot',
        labels: [LABEL],
        assignees: [],
        tokenId: TOKEN_ID,
        logger: first.logger,
      });
      const sync = () => later.sync(first.input({ now: EXPIRED_AT, health: 'reauth-required', loginAt: LOGIN }));
      expect((await sync()).action).toBe('commented');
      expect(first.fake.comments.map((c) => c.user)).toEqual([writer]);
      first.fake.clearRequests();
      expect((await sync()).action).toBe('none');
      expect(first.fake.requests.map((r) => `${r.route} ${r.status}`)).toEqual([
        'issues-list 200',
        'comments-list 200',
        userGet,
      ]);
      expect(first.fake.comments).toHaveLength(1);
    },
  );

  it('closes the issue with the new deadline after a new login, and only then', async () => {
    const { fake, alerts, input } = await harness();
    await alerts.sync(input({ now: EXPIRING_AT, health: 'expiring', loginAt: LOGIN }));
    // Healthy but the same login (reauth-warning shortened): stays open, untouched.
    expect((await alerts.sync(input({ now: EXPIRING_AT, health: 'healthy', loginAt: LOGIN }))).action).toBe('none');
    fake.clearRequests();
    const closed = await alerts.sync(
      input({ now: new Date('2026-11-25T10:20:00Z'), health: 'healthy', loginAt: NEW_LOGIN }),
    );
    expect(closed).toMatchObject({ action: 'closed', issueNumber: 1 });
    expect(fake.requests.map((r) => r.route)).toEqual(['issues-list', 'issue-update', 'comment-create']);
    expect(fake.issues[0]).toMatchObject({ state: 'closed', state_reason: 'completed' });
    expect(fake.comments[0]?.body).toContain('**2026-12-02 10:00 UTC**');
    fake.clearRequests();
    expect(
      (await alerts.sync(input({ now: new Date('2026-11-25T10:45:00Z'), health: 'healthy', loginAt: NEW_LOGIN })))
        .action,
    ).toBe('none');
    expect(fake.requests).toHaveLength(1);
  });

  it('ignores a pull request carrying the label and the marker, and issues of another token', async () => {
    const { fake, alerts, input } = await harness();
    fake.addIssue(REPO, { title: 'PR', body: alertIssueBody(), labels: [LABEL], pull_request: true });
    fake.addIssue(REPO, { title: 'other token', body: alertIssueBody('other/token'), labels: [LABEL] });
    fake.addIssue(REPO, { title: 'unlabelled', body: alertIssueBody(), labels: [] });
    const outcome = await alerts.sync(input({ now: EXPIRING_AT, health: 'expiring', loginAt: LOGIN }));
    expect(outcome).toMatchObject({ action: 'opened', issueNumber: 4 });
    // The PR is not closed by a later healthy run either.
    await alerts.sync(input({ now: NEW_LOGIN, health: 'healthy', loginAt: NEW_LOGIN }));
    expect(fake.issues.map((i) => i.state)).toEqual(['open', 'open', 'open', 'closed']);
  });

  it('finds its issue on a later page and picks the oldest of duplicates', async () => {
    const { fake, alerts, input } = await harness();
    const oldest = fake.addIssue(REPO, { title: 'alert', body: alertIssueBody(), labels: [LABEL] });
    for (let i = 0; i < 120; i++) fake.addIssue(REPO, { title: `noise ${i}`, body: 'no marker', labels: [LABEL] });
    const duplicate = fake.addIssue(REPO, { title: 'alert again', body: alertIssueBody(), labels: [LABEL] });
    const outcome = await alerts.sync(input({ now: EXPIRING_AT, health: 'expiring', loginAt: LOGIN }));
    expect(outcome).toMatchObject({ action: 'none', issueNumber: oldest.number });
    expect(fake.count('issues-list')).toBe(2);
    expect(duplicate.number).toBeGreaterThan(oldest.number);
  });

  it('a 403 on issues is a warning naming the permission, never an exception', async () => {
    const { fake, alerts, input } = await harness({
      fake: { tokens: { ghs_noissues: { permissions: ['actions'] } } },
      token: 'ghs_noissues',
    });
    const outcome = await alerts.sync(input({ now: EXPIRING_AT, health: 'expiring', loginAt: LOGIN }));
    expect(outcome.action).toBe('none');
    expect(outcome.warning).toBe(
      'GitHub refused listing the open alert issues (403): the github-token needs the "issues: write" permission ' +
        '(add "permissions: issues: write" to the workflow job).',
    );
    expect(fake.issues).toHaveLength(0);
  });

  it('failures while opening are warnings; a label that cannot be created stops the opening (no duplicates later)', async () => {
    const { fake, alerts, input } = await harness();
    fake.inject('label-create', 'forbidden');
    const outcome = await alerts.sync(input({ now: EXPIRING_AT, health: 'expiring', loginAt: LOGIN }));
    expect(outcome.action).toBe('none');
    expect(outcome.warning).toMatch(/creating the label "schwab-reauth" \(403\)/);
    expect(fake.count('issue-create')).toBe(0);

    fake.inject('issue-create', { type: 'server-error', status: 502 });
    const second = await alerts.sync(input({ now: EXPIRING_AT, health: 'expiring', loginAt: LOGIN }));
    expect(second).toMatchObject({ action: 'none' });
    expect(second.warning).toMatch(/^GitHub answered 502 while opening the alert issue/);
    expect((await alerts.sync(input({ now: EXPIRING_AT, health: 'expiring', loginAt: LOGIN }))).action).toBe('opened');
    expect(fake.issues).toHaveLength(1);
  });

  it('opens without assignees GitHub refuses, with a warning', async () => {
    const { fake, alerts, input } = await harness({ fake: { assignableUsers: ['someone-else'] } });
    const outcome = await alerts.sync(input({ now: EXPIRING_AT, health: 'expiring', loginAt: LOGIN }));
    expect(outcome.action).toBe('opened');
    expect(outcome.warning).toMatch(/assignees octocat \(422\)/);
    expect(fake.issues).toHaveLength(1);
    expect(fake.issues[0]?.assignees).toEqual([]);
  });

  it('a failed close is retried by the next run without a duplicate comment', async () => {
    const { fake, alerts, input } = await harness();
    await alerts.sync(input({ now: EXPIRING_AT, health: 'expiring', loginAt: LOGIN }));
    fake.inject('issue-update', 'server-error');
    const failed = await alerts.sync(input({ now: NEW_LOGIN, health: 'healthy', loginAt: NEW_LOGIN }));
    expect(failed).toMatchObject({ action: 'none', issueNumber: 1 });
    expect(failed.warning).toMatch(/closing issue #1/);
    expect((await alerts.sync(input({ now: NEW_LOGIN, health: 'healthy', loginAt: NEW_LOGIN }))).action).toBe('closed');
    expect(fake.comments).toHaveLength(1);
  });

  it('a dry run reads but writes nothing', async () => {
    const { fake, alerts, input } = await harness();
    const outcome = await alerts.sync(input({ now: EXPIRING_AT, health: 'expiring', loginAt: LOGIN, dryRun: true }));
    expect(outcome).toMatchObject({ action: 'none', decision: { action: 'open' } });
    expect(writes(fake)).toHaveLength(0);
  });

  it('keeps token values and the app secret out of everything it writes, even when they leak into the input', async () => {
    const { fake, alerts, input } = await harness();
    const leaky = input({
      now: EXPIRING_AT,
      health: 'expiring',
      loginAt: LOGIN,
      stores: [`a store named ${ACCESS_TOKEN}`],
      runUrl: `https://example.test/${encodeURIComponent(REFRESH_TOKEN)}`,
    });
    await alerts.sync(leaky);
    await alerts.sync({ ...leaky, now: EXPIRED_AT, health: 'reauth-required' });
    await alerts.sync({ ...leaky, now: NEW_LOGIN, health: 'healthy', loginAt: NEW_LOGIN });
    expect(fake.comments).toHaveLength(2);
    const sent = fake.requests.map((r) => JSON.stringify(r.body ?? '')).join('\n');
    for (const text of [...publishedTexts(fake), sent]) {
      for (const secret of [ACCESS_TOKEN, REFRESH_TOKEN, APP_SECRET, encodeURIComponent(REFRESH_TOKEN)]) {
        expect(text).not.toContain(secret);
      }
    }
  });

  it('needs a label', () => {
    expect(
      () =>
        new ReauthAlerts({
          client: {} as never,
          owner: 'a',
          repo: 'b',
          labels: [' '],
          assignees: [],
          tokenId: 'x',
          logger: {} as never,
        }),
    ).toThrow(/at least one label/);
  });
});
