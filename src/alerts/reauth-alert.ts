/**
 * The re-auth alert issue lifecycle against GitHub's REST API (see decide.ts for the rules, marker.ts for the marker).
 *
 * GitHub API calls per run (one page of open labelled issues, i.e. fewer than 100 open issues carry the first label):
 *
 * | situation                                                    | calls                                            |
 * | ------------------------------------------------------------ | ------------------------------------------------ |
 * | healthy, no alert issue open                                 | 1 (list)                                         |
 * | healthy / expiring with the issue already open               | 1 (list)                                         |
 * | reauth-required, already announced                           | 1 (list), 2 when the issue has comments and was  |
 * |                                                              | opened as `expiring` (list its comments), 3 when |
 * |                                                              | a marker comment is by someone other than the    |
 * |                                                              | issue's author (GET /user, see below)            |
 * | open the issue                                               | list + 1 GET per label (+ 1 POST per missing     |
 * |                                                              | label) + create (+ create again without assignees |
 * |                                                              | when GitHub rejects them) — 3 with one label     |
 * | comment-reauth                                               | list (+ list comments) + comment                 |
 * | close after a new login                                      | list + close + comment = 3                       |
 *
 * So a healthy run costs exactly one request; more pages add one request per 100 open labelled issues.
 *
 * Whose markers count: anyone who can comment on the issue can paste a marker, so a `reauth-required` marker in a
 * comment counts only when the comment was written by the identity that writes the alerts. That identity is the
 * issue's author (the token that opened it) and the token in use now: GET /user for a user's token, and
 * `github-actions[bot]` when GitHub refuses /user, as it does for GITHUB_TOKEN and every installation token (a
 * comment by `github-actions[bot]` can only come from a workflow of this repository). /user is asked only when a
 * marker comment by someone other than the issue's author exists. The issue body is trusted: only its author and the
 * repository's maintainers can edit it.
 * Every API failure becomes `outcome.warning` (one sentence) and is never thrown: the token is refreshed and
 * written whatever happens here. The caller emits the warning (annotation); this class logs only info/debug lines.
 */
import type { GitHubClient } from '../github/octokit.js';
import type { Logger } from '../util/logger.js';
import { errorMessage } from '../util/errors.js';
import type { AlertDecision, AlertHealth, OpenAlertIssue } from './decide.js';
import { decideAlert } from './decide.js';
import type { LoginCommandOptions } from './issue-content.js';
import { alertBody, alertTitle, closedComment, reauthComment } from './issue-content.js';
import { findMarker, parseMarkers } from './marker.js';

export interface ReauthAlertsOptions {
  client: GitHubClient;
  owner: string;
  repo: string;
  /** Labels put on the issue; the first one is used to find it again. At least one. */
  labels: string[];
  /** Users assigned (and so notified) when the issue is opened. */
  assignees: string[];
  /** Names this token in the issue and its marker. */
  tokenId: string;
  logger: Logger;
}

export interface AlertSyncInput {
  now: Date;
  /** Health from the deadline (assessHealth(...).status). */
  health: AlertHealth;
  /** Schwab rejected the refresh token on this run. */
  schwabRejected: boolean;
  /** The login (`created_at`) of the record now in use; undefined when no usable record exists. */
  loginAt?: Date;
  /** What the login command in the issue should look like. Never holds the app key or secret. */
  login: LoginCommandOptions;
  /** Human names of the stores the token is written to, for the issue text. */
  stores?: string[];
  /** Link to this workflow run, put under the texts. */
  runUrl?: string;
  /** Decide (one read-only list call) but change nothing; `outcome.decision` says what would have been done. */
  dryRun?: boolean;
}

export interface AlertOutcome {
  action: 'none' | 'opened' | 'commented' | 'closed';
  /** What was decided (also when a failure prevented it, or on a dry run). */
  decision?: AlertDecision;
  /** The alert issue open now, or the one just closed. */
  issueNumber?: number;
  issueUrl?: string;
  /** One or more sentences about what failed; the run goes on. */
  warning?: string;
}

/**
 * GitHub requests a healthy run costs (no open alert issue, or one that stays open): the one list call, as long as
 * fewer than 100 open issues carry the first label. The run that closes the issue after a login costs 3.
 */
export const ALERT_REQUESTS_PER_HEALTHY_RUN = 1;

/**
 * Creating an issue or a comment is not idempotent: GitHub may have created it although the answer never came (a
 * timeout, a reset, a 5xx), and a blind retry would post it twice. These calls are not retried; a failure is a warning,
 * and the next run, which lists the issues first, opens or comments only if it is still missing.
 */
const NOT_RETRIED = { retries: 0 };

/** The author GitHub shows for everything written with a workflow's GITHUB_TOKEN. */
const WORKFLOW_TOKEN_IDENTITY = 'github-actions[bot]';

/** A label's look when this product creates it. */
const LABEL_COLOR = 'd93f0b';
const LABEL_DESCRIPTION = 'Schwab token re-authorization needed (schwab-token-rotator)';

interface FoundIssue extends OpenAlertIssue {
  url: string;
  /** Who opened the issue (the identity that wrote its alert marker); undefined when GitHub did not say. */
  author?: string;
  /** The issue's comment count as the list reported it; undefined when unknown. */
  commentCount?: number;
}

interface IssueListItem {
  number: number;
  html_url: string;
  user?: { login?: string } | null;
  body?: string | null;
  comments?: number;
  pull_request?: unknown;
  state?: string;
}

export class ReauthAlerts {
  private readonly client: GitHubClient;
  private readonly owner: string;
  private readonly repo: string;
  private readonly labels: string[];
  private readonly assignees: string[];
  private readonly tokenId: string;
  private readonly logger: Logger;

  constructor(options: ReauthAlertsOptions) {
    const labels = options.labels.map((l) => l.trim()).filter(Boolean);
    if (!labels.length) throw new Error('ReauthAlerts needs at least one label to find its issue.');
    this.client = options.client;
    this.owner = options.owner;
    this.repo = options.repo;
    this.labels = labels;
    this.assignees = options.assignees.map((a) => a.trim().replace(/^@/, '')).filter(Boolean);
    this.tokenId = options.tokenId;
    this.logger = options.logger;
  }

  private prefetched: Promise<FoundIssue | undefined> | undefined;

  /**
   * Starts the one read every run makes (the open alert issue), so it overlaps with the token's refresh; `sync` then
   * uses its answer. The issue cannot change meanwhile except by this run.
   */
  prefetch(): void {
    this.prefetched ??= this.findOpenIssue();
    this.prefetched.catch(() => undefined); // a failure surfaces in sync()
  }

  /** Brings the alert issue in line with the token's health. Never throws. */
  async sync(input: AlertSyncInput): Promise<AlertOutcome> {
    try {
      return await this.syncUnsafe(input);
    } catch (error) {
      // Programming errors only: every API call below is already guarded.
      return { action: 'none', warning: this.redact(`The alert issue could not be updated: ${errorMessage(error)}.`) };
    }
  }

  private async syncUnsafe(input: AlertSyncInput): Promise<AlertOutcome> {
    let found: FoundIssue | undefined;
    try {
      found = await (this.prefetched ?? this.findOpenIssue());
    } catch (error) {
      return { action: 'none', warning: this.describe(error, 'listing the open alert issues') };
    }

    const base = { health: input.health, schwabRejected: input.schwabRejected, loginAt: input.loginAt };
    let decision = decideAlert({ ...base, openIssue: found });
    if (decision.action === 'comment-reauth' && found && found.commentCount !== 0) {
      // Was the transition already announced in a comment? Only read when it matters (and the issue has comments).
      try {
        found.reauthCommentLogins = await this.reauthCommentLogins(found);
      } catch (error) {
        return this.notDone(decision, found, error, `reading the comments of issue #${found.number}`);
      }
      decision = decideAlert({ ...base, openIssue: found });
    }
    this.logger.debug(`Alert issue: ${decision.reason}`);

    if (input.dryRun || decision.action === 'none') {
      if (input.dryRun && decision.action !== 'none')
        this.logger.info(`Dry run: would ${decision.action.replace('-', ' ')} the alert issue.`);
      return { action: 'none', decision, ...this.ref(found) };
    }

    switch (decision.action) {
      case 'open':
        return this.open(input, decision);
      case 'comment-reauth':
        return this.commentReauth(input, decision, found as FoundIssue);
      case 'close':
        return this.close(input, decision, found as FoundIssue);
    }
  }

  /** The oldest open issue (not pull request) with the first label and this token's alert marker. */
  private async findOpenIssue(): Promise<FoundIssue | undefined> {
    const items = (await this.client.paginate(this.client.rest.issues.listForRepo, {
      owner: this.owner,
      repo: this.repo,
      state: 'open',
      labels: this.labels[0],
      per_page: 100,
    })) as IssueListItem[];
    let best: FoundIssue | undefined;
    for (const item of items) {
      if (item.pull_request || (item.state && item.state !== 'open')) continue;
      const marker = findMarker(item.body, 'alert', this.tokenId);
      if (!marker) continue;
      if (best && best.number < item.number) continue;
      best = {
        number: item.number,
        url: item.html_url,
        author: item.user?.login || undefined,
        login: marker.login,
        state: marker.state ?? 'expiring',
        reauthCommentLogins: [],
        commentCount: typeof item.comments === 'number' ? item.comments : undefined,
      };
    }
    return best;
  }

  /** The logins of the `reauth-required` markers for this token in comments written by the alerts' identity. */
  private async reauthCommentLogins(issue: FoundIssue): Promise<Array<Date | undefined>> {
    const comments = await this.client.paginate(this.client.rest.issues.listComments, {
      owner: this.owner,
      repo: this.repo,
      issue_number: issue.number,
      per_page: 100,
    });
    const trusted = new Set<string>(issue.author ? [issue.author.toLowerCase()] : []);
    let askedWhoAmI = false;
    const logins: Array<Date | undefined> = [];
    for (const comment of comments) {
      const markers = parseMarkers(comment.body).filter(
        (m) => m.kind === 'reauth-required' && m.tokenId === this.tokenId,
      );
      if (markers.length === 0) continue;
      const author = comment.user?.login?.toLowerCase();
      if (author && !trusted.has(author) && !askedWhoAmI) {
        askedWhoAmI = true;
        const me = await this.whoAmI();
        if (me) trusted.add(me.toLowerCase());
      }
      if (!author || !trusted.has(author)) {
        this.logger.debug(
          `Alert issue #${issue.number}: ignored a marker in a comment by ` +
            `${comment.user?.login ?? 'an unknown user'}, who does not write the alerts.`,
        );
        continue;
      }
      for (const marker of markers) logins.push(marker.login);
    }
    return logins;
  }

  /**
   * The login of the identity this run writes as: GET /user for a user's token; `github-actions[bot]` when GitHub
   * refuses /user (401/403/404: GITHUB_TOKEN and other installation tokens); undefined when GitHub cannot be asked.
   */
  private async whoAmI(): Promise<string | undefined> {
    try {
      return (await this.client.rest.users.getAuthenticated()).data.login;
    } catch (error) {
      const status = statusOf(error);
      if (status === 401 || status === 403 || status === 404) return WORKFLOW_TOKEN_IDENTITY;
      this.logger.debug(`Could not ask GitHub who writes the alerts: ${errorMessage(error)}`);
      return undefined;
    }
  }

  private async open(input: AlertSyncInput, decision: AlertDecision): Promise<AlertOutcome> {
    const warnings: string[] = [];
    const labelWarning = await this.ensureLabels(warnings);
    if (labelWarning) return { action: 'none', decision, warning: labelWarning };

    const status = decision.status === 'expiring' ? 'expiring' : 'reauth-required';
    const content = { ...this.contentInput(input), status } as const;
    const title = alertTitle(content);
    const body = alertBody(content);
    const create = (assignees: string[]) =>
      this.client.rest.issues.create({
        owner: this.owner,
        repo: this.repo,
        title,
        body,
        labels: this.labels,
        ...(assignees.length ? { assignees } : {}),
        request: NOT_RETRIED,
      });

    let created: { number: number; html_url: string; labels?: unknown[] };
    try {
      created = (await create(this.assignees)).data;
    } catch (error) {
      if (statusOf(error) !== 422 || !this.assignees.length) {
        return {
          action: 'none',
          decision,
          warning: this.join([...warnings, this.describe(error, 'opening the alert issue')]),
        };
      }
      warnings.push(
        this.redact(
          `GitHub refused the issue assignees ${this.assignees.join(', ')} (422); the issue was opened without them: ` +
            'check that each one is a collaborator of the repository.',
        ),
      );
      try {
        created = (await create([])).data;
      } catch (retryError) {
        return {
          action: 'none',
          decision,
          warning: this.join([...warnings, this.describe(retryError, 'opening the alert issue')]),
        };
      }
    }
    const searchLabel = this.labels[0] as string;
    if (Array.isArray(created.labels) && !created.labels.some((l) => labelName(l) === searchLabel)) {
      warnings.push(
        `Issue #${created.number} was opened without the label "${searchLabel}", so later runs cannot find it: ` +
          'give the github-token the "issues: write" permission.',
      );
    }
    this.logger.info(`Opened alert issue #${created.number}: ${created.html_url}`);
    return {
      action: 'opened',
      decision,
      issueNumber: created.number,
      issueUrl: created.html_url,
      ...this.warn(warnings),
    };
  }

  /** Creates missing labels. Returns a warning when the search label cannot be ensured (opening would then repeat). */
  private async ensureLabels(warnings: string[]): Promise<string | undefined> {
    for (const [index, name] of this.labels.entries()) {
      try {
        await this.client.rest.issues.getLabel({ owner: this.owner, repo: this.repo, name });
        continue;
      } catch (error) {
        if (statusOf(error) !== 404) {
          const warning = this.describe(error, `reading the label "${name}"`);
          if (index === 0) return warning;
          warnings.push(warning);
          continue;
        }
      }
      try {
        await this.client.rest.issues.createLabel({
          owner: this.owner,
          repo: this.repo,
          name,
          color: LABEL_COLOR,
          description: LABEL_DESCRIPTION,
        });
        this.logger.info(`Created the label "${name}".`);
      } catch (error) {
        if (statusOf(error) === 422) continue; // created meanwhile
        const warning = this.describe(error, `creating the label "${name}"`);
        if (index === 0) return warning;
        warnings.push(warning);
      }
    }
    return undefined;
  }

  private async commentReauth(
    input: AlertSyncInput,
    decision: AlertDecision,
    issue: FoundIssue,
  ): Promise<AlertOutcome> {
    const status = 'reauth-required' as const;
    const body = reauthComment({ ...this.contentInput(input), status });
    try {
      await this.comment(issue, body);
    } catch (error) {
      return this.notDone(decision, issue, error, `commenting on issue #${issue.number}`);
    }
    this.logger.info(`Commented on alert issue #${issue.number}: a login is required now.`);
    return { action: 'commented', decision, ...this.ref(issue) };
  }

  /**
   * Closes first, then comments: if the comment fails the issue is closed without it (a warning), and a failed
   * close leaves nothing behind, so the next run retries both without ever repeating the comment.
   */
  private async close(input: AlertSyncInput, decision: AlertDecision, issue: FoundIssue): Promise<AlertOutcome> {
    try {
      await this.client.rest.issues.update({
        owner: this.owner,
        repo: this.repo,
        issue_number: issue.number,
        state: 'closed',
        state_reason: 'completed',
      });
    } catch (error) {
      return this.notDone(decision, issue, error, `closing issue #${issue.number}`);
    }
    this.logger.info(`Closed alert issue #${issue.number}: a new login is in use.`);
    const outcome: AlertOutcome = { action: 'closed', decision, ...this.ref(issue) };
    if (input.loginAt) {
      const body = closedComment({
        tokenId: this.tokenId,
        now: input.now,
        loginAt: input.loginAt,
        runUrl: input.runUrl,
        redact: this.redact,
      });
      try {
        await this.comment(issue, body);
      } catch (error) {
        outcome.warning = this.describe(error, `commenting on the closed issue #${issue.number}`);
      }
    }
    return outcome;
  }

  /** One comment on the issue, never retried: a retry after a lost answer could post it twice. */
  private async comment(issue: FoundIssue, body: string): Promise<void> {
    await this.client.rest.issues.createComment({
      owner: this.owner,
      repo: this.repo,
      issue_number: issue.number,
      body,
      request: NOT_RETRIED,
    });
  }

  private contentInput(input: AlertSyncInput) {
    return {
      tokenId: this.tokenId,
      schwabRejected: input.schwabRejected,
      now: input.now,
      loginAt: input.loginAt,
      login: input.login,
      stores: input.stores,
      runUrl: input.runUrl,
      redact: this.redact,
    };
  }

  private readonly redact = (text: string): string => this.logger.redact(text);

  /** The outcome of a call that failed: nothing changed on the issue, and the run says why in a warning. */
  private notDone(decision: AlertDecision, issue: FoundIssue, error: unknown, doing: string): AlertOutcome {
    return { action: 'none', decision, ...this.ref(issue), warning: this.describe(error, doing) };
  }

  private ref(issue: FoundIssue | undefined): Pick<AlertOutcome, 'issueNumber' | 'issueUrl'> {
    return issue ? { issueNumber: issue.number, issueUrl: issue.url } : {};
  }

  private join(warnings: string[]): string {
    return warnings.join(' ');
  }

  private warn(warnings: string[]): Pick<AlertOutcome, 'warning'> {
    return warnings.length ? { warning: this.join(warnings) } : {};
  }

  /** One sentence naming what failed and how to fix it. */
  private describe(error: unknown, doing: string): string {
    return this.redact(describeGitHubError(error, doing, `${this.owner}/${this.repo}`, 'issues: write'));
  }
}

/** HTTP status of an Octokit RequestError (or anything shaped like one). */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

function labelName(label: unknown): string | undefined {
  if (typeof label === 'string') return label;
  const name = (label as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : undefined;
}

/** One sentence for a failed GitHub call: what was being done, what GitHub said, and the fix. Not yet redacted. */
export function describeGitHubError(error: unknown, doing: string, repository: string, permission: string): string {
  const status = statusOf(error);
  const message = errorMessage(error)
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.\s]+$/, '');
  if (/rate limit/i.test(message) && (status === 403 || status === 429)) {
    return `GitHub's rate limit stopped ${doing} (${status}); the next run tries again.`;
  }
  switch (status) {
    case 401:
      return `GitHub rejected the github-token while ${doing} (401): check that the token is valid.`;
    case 403:
      return (
        `GitHub refused ${doing} (403): the github-token needs the "${permission}" permission (add "permissions: ` +
        `${permission}" to the workflow job).`
      );
    case 404:
      return (
        `GitHub answered 404 while ${doing}: check that ${repository} exists and the github-token can access it ` +
        `with "${permission}".`
      );
    case 410:
      return (
        `GitHub answered 410 while ${doing}: the feature is disabled in ${repository}; enable it in the repository ` +
        `settings.`
      );
    case undefined:
      return `Could not reach GitHub while ${doing}: ${message}.`;
    default:
      return `GitHub answered ${status} while ${doing}: ${message}.`;
  }
}
