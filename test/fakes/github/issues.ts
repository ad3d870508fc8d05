/**
 * The issues API of the GitHub fake: issues (and pull requests, which the issues list returns too), comments and
 * labels, for the re-auth alert issue.
 */
import type { FakeComment, FakeIssue, FakeLabel } from './types.js';
import type { Context, FakeWorld, Reply, Route } from './http.js';
import { HttpError, hashId, isObject, lower, paginate, repositoryOf, route } from './http.js';

export class IssuesApi {
  /** Issues and pull requests of every repository, in order of creation. */
  readonly issues: FakeIssue[] = [];
  readonly comments: FakeComment[] = [];
  readonly labels: FakeLabel[] = [];
  private readonly assignable?: Set<string>;
  private readonly issueNumbers = new Map<string, number>();
  private nextId = 1000;

  /** `assignableUsers`: when given, an unknown assignee answers 422, as on GitHub. */
  constructor(
    private readonly world: FakeWorld,
    assignableUsers?: string[],
  ) {
    if (assignableUsers) this.assignable = new Set(assignableUsers.map(lower));
  }

  routes(): Route[] {
    const R = '/repos/{owner}/{repo}';
    return [
      route('issues-list', 'GET', `${R}/issues`, ['issues'], 'repo', (ctx) => this.listIssues(ctx)),
      route('issue-create', 'POST', `${R}/issues`, ['issues'], 'repo', (ctx) => this.createIssue(ctx)),
      route('issue-get', 'GET', `${R}/issues/{number}`, ['issues'], 'repo', (ctx) => this.getIssue(ctx)),
      route('issue-update', 'PATCH', `${R}/issues/{number}`, ['issues'], 'repo', (ctx) => this.updateIssue(ctx)),
      route('issue-labels-add', 'POST', `${R}/issues/{number}/labels`, ['issues'], 'repo', (ctx) =>
        this.addIssueLabels(ctx),
      ),
      route('comments-list', 'GET', `${R}/issues/{number}/comments`, ['issues'], 'repo', (ctx) =>
        this.listComments(ctx),
      ),
      route('comment-create', 'POST', `${R}/issues/{number}/comments`, ['issues'], 'repo', (ctx) =>
        this.createComment(ctx),
      ),
      route('label-get', 'GET', `${R}/labels/{name}`, ['issues'], 'repo', (ctx) => this.getLabel(ctx)),
      route('label-create', 'POST', `${R}/labels`, ['issues'], 'repo', (ctx) => this.createLabel(ctx)),
    ];
  }

  // ----- state a test sets up or reads ----------------------------------------------------------------------------

  addIssue(
    repository: string,
    issue: Partial<Omit<FakeIssue, 'repository' | 'id' | 'number'>> & { title: string },
  ): FakeIssue {
    const repo = this.world.repo(repository);
    const at = this.world.now().toISOString();
    const created: FakeIssue = {
      repository: repo.fullName,
      id: this.nextId++,
      number: this.nextIssueNumber(repo.fullName),
      body: null,
      state: 'open',
      state_reason: null,
      labels: [],
      assignees: [],
      user: 'octocat',
      pull_request: false,
      comments: 0,
      created_at: at,
      updated_at: at,
      closed_at: null,
      ...issue,
    };
    for (const name of created.labels) this.ensureLabel(repo.fullName, name);
    this.issues.push(created);
    return created;
  }

  addComment(repository: string, issueNumber: number, body: string, user = 'octocat'): FakeComment {
    const issue = this.findIssue(this.world.repo(repository).fullName, issueNumber);
    if (!issue) throw new Error(`no issue #${issueNumber} in ${repository}`);
    const at = this.world.now().toISOString();
    const comment: FakeComment = {
      repository: issue.repository,
      issue_number: issueNumber,
      id: this.nextId++,
      body,
      user,
      created_at: at,
      updated_at: at,
    };
    this.comments.push(comment);
    issue.comments++;
    issue.updated_at = at;
    return comment;
  }

  addLabel(repository: string, name: string, color = 'ededed', description: string | null = null): FakeLabel {
    const label: FakeLabel = {
      repository: this.world.repo(repository).fullName,
      id: this.nextId++,
      name,
      color,
      description,
    };
    this.labels.push(label);
    return label;
  }

  commentsOf(repository: string, issueNumber: number): FakeComment[] {
    return this.comments.filter((c) => lower(c.repository) === lower(repository) && c.issue_number === issueNumber);
  }

  // ----- handlers ---------------------------------------------------------------------------------------------------

  private listIssues(ctx: Context): Reply {
    const repo = repositoryOf(this.world, ctx);
    const state = ctx.query.get('state') ?? 'open';
    if (!['open', 'closed', 'all'].includes(state)) throw new HttpError(422, 'Validation Failed');
    const wanted = (ctx.query.get('labels') ?? '')
      .split(',')
      .map((l) => l.trim())
      .filter(Boolean)
      .map(lower);
    const creator = ctx.query.get('creator');
    const sort = ctx.query.get('sort') ?? 'created';
    const direction = ctx.query.get('direction') ?? 'desc';
    const items = this.issues
      .filter((i) => lower(i.repository) === lower(repo))
      .filter((i) => state === 'all' || i.state === state)
      .filter((i) => wanted.every((w) => i.labels.some((l) => lower(l) === w)))
      .filter((i) => !creator || lower(i.user) === lower(creator))
      .sort((a, b) => {
        const key = sort === 'updated' ? 'updated_at' : 'created_at';
        const cmp = a[key].localeCompare(b[key]) || a.number - b.number;
        return direction === 'asc' ? cmp : -cmp;
      });
    return { status: 200, body: paginate(this.world, ctx, items).map((i) => this.issueJson(i)) };
  }

  private getIssue(ctx: Context): Reply {
    return { status: 200, body: this.issueJson(this.issueOf(ctx)) };
  }

  private createIssue(ctx: Context): Reply {
    const repo = repositoryOf(this.world, ctx);
    const { title, body, labels, assignees } = ctx.body;
    if (typeof title !== 'string' || title.trim() === '') {
      throw new HttpError(422, 'Validation Failed', {
        errors: [{ resource: 'Issue', code: 'missing_field', field: 'title' }],
      });
    }
    const issue = this.addIssue(repo, {
      title,
      body: typeof body === 'string' ? body : null,
      labels: this.labelNames(repo, labels),
      assignees: this.checkAssignees(assignees),
      user: ctx.token.login ?? 'github-actions[bot]',
    });
    return { status: 201, body: this.issueJson(issue) };
  }

  private updateIssue(ctx: Context): Reply {
    const issue = this.issueOf(ctx);
    const { title, body, state, state_reason: reason, labels, assignees } = ctx.body;
    if (state !== undefined && state !== 'open' && state !== 'closed') {
      throw new HttpError(422, 'Validation Failed', {
        errors: [{ resource: 'Issue', code: 'invalid', field: 'state', value: state }],
      });
    }
    const reasons = ['completed', 'not_planned', 'reopened', 'duplicate', null];
    if (reason !== undefined && !reasons.includes(reason as string | null)) {
      throw new HttpError(422, 'Validation Failed', {
        errors: [{ resource: 'Issue', code: 'invalid', field: 'state_reason', value: reason }],
      });
    }
    const at = this.world.now().toISOString();
    if (typeof title === 'string') issue.title = title;
    if (typeof body === 'string' || body === null) issue.body = body;
    if (labels !== undefined) issue.labels = this.labelNames(issue.repository, labels);
    if (assignees !== undefined) issue.assignees = this.checkAssignees(assignees);
    if (state === 'closed' && issue.state !== 'closed') {
      issue.state = 'closed';
      issue.closed_at = at;
      issue.state_reason = (reason as FakeIssue['state_reason'] | undefined) ?? 'completed';
    } else if (state === 'open' && issue.state !== 'open') {
      issue.state = 'open';
      issue.closed_at = null;
      issue.state_reason = 'reopened';
    } else if (reason !== undefined) {
      issue.state_reason = reason as FakeIssue['state_reason'];
    }
    issue.updated_at = at;
    return { status: 200, body: this.issueJson(issue) };
  }

  private addIssueLabels(ctx: Context): Reply {
    const issue = this.issueOf(ctx);
    const raw = Array.isArray(ctx.body.labels) ? ctx.body.labels : ctx.body;
    for (const name of this.labelNames(issue.repository, raw)) {
      if (!issue.labels.some((l) => lower(l) === lower(name))) issue.labels.push(name);
    }
    issue.updated_at = this.world.now().toISOString();
    return { status: 200, body: issue.labels.map((n) => this.labelJson(this.ensureLabel(issue.repository, n))) };
  }

  private listComments(ctx: Context): Reply {
    const issue = this.issueOf(ctx);
    const since = ctx.query.get('since');
    const items = this.commentsOf(issue.repository, issue.number).filter((c) => !since || c.updated_at >= since);
    return { status: 200, body: paginate(this.world, ctx, items).map((c) => this.commentJson(c)) };
  }

  private createComment(ctx: Context): Reply {
    const issue = this.issueOf(ctx);
    const { body } = ctx.body;
    if (typeof body !== 'string' || body === '') {
      throw new HttpError(422, 'Validation Failed', {
        errors: [{ resource: 'IssueComment', code: 'missing_field', field: 'body' }],
      });
    }
    const comment = this.addComment(issue.repository, issue.number, body, ctx.token.login ?? 'github-actions[bot]');
    return { status: 201, body: this.commentJson(comment) };
  }

  private getLabel(ctx: Context): Reply {
    const repo = repositoryOf(this.world, ctx);
    const label = this.findLabel(repo, ctx.params.name ?? '');
    if (!label) throw new HttpError(404, 'Not Found');
    return { status: 200, body: this.labelJson(label) };
  }

  private createLabel(ctx: Context): Reply {
    const repo = repositoryOf(this.world, ctx);
    const { name, color, description } = ctx.body;
    if (typeof name !== 'string' || name === '') {
      throw new HttpError(422, 'Validation Failed', {
        errors: [{ resource: 'Label', code: 'missing_field', field: 'name' }],
      });
    }
    if (this.findLabel(repo, name)) {
      throw new HttpError(422, 'Validation Failed', {
        errors: [{ resource: 'Label', code: 'already_exists', field: 'name' }],
      });
    }
    if (color !== undefined && (typeof color !== 'string' || !/^#?[0-9a-fA-F]{6}$/.test(color))) {
      throw new HttpError(422, 'Validation Failed', {
        errors: [{ resource: 'Label', code: 'invalid', field: 'color' }],
      });
    }
    const label = this.addLabel(
      repo,
      name,
      typeof color === 'string' ? color.replace(/^#/, '') : 'ededed',
      typeof description === 'string' ? description : null,
    );
    return { status: 201, body: this.labelJson(label) };
  }

  private issueOf(ctx: Context): FakeIssue {
    const issue = this.findIssue(repositoryOf(this.world, ctx), Number(ctx.params.number));
    if (!issue) throw new HttpError(404, 'Not Found');
    return issue;
  }

  private findIssue(repository: string, number: number): FakeIssue | undefined {
    return this.issues.find((i) => lower(i.repository) === lower(repository) && i.number === number);
  }

  private findLabel(repository: string, name: string): FakeLabel | undefined {
    return this.labels.find((l) => lower(l.repository) === lower(repository) && lower(l.name) === lower(name));
  }

  /** Like GitHub, an unknown label on an issue is created (color ededed). */
  private ensureLabel(repository: string, name: string): FakeLabel {
    return this.findLabel(repository, name) ?? this.addLabel(repository, name);
  }

  private labelNames(repository: string, raw: unknown): string[] {
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw)) throw new HttpError(422, 'Invalid request.\n\n"labels" must be an array.');
    const names = raw.map((item: unknown) => (isObject(item) ? item.name : item));
    if (!names.every((n): n is string => typeof n === 'string' && n !== '')) {
      throw new HttpError(422, 'Invalid request.\n\n"labels" must contain names.');
    }
    // Keep the existing label's spelling, as GitHub does.
    return names.map((n) => this.ensureLabel(repository, n).name);
  }

  private checkAssignees(raw: unknown): string[] {
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw) || !raw.every((a): a is string => typeof a === 'string')) {
      throw new HttpError(422, 'Invalid request.\n\n"assignees" must be an array of logins.');
    }
    for (const login of raw) {
      if (this.assignable && !this.assignable.has(lower(login))) {
        throw new HttpError(422, 'Validation Failed', {
          errors: [{ value: login, resource: 'Issue', field: 'assignees', code: 'invalid' }],
        });
      }
    }
    return [...raw];
  }

  private nextIssueNumber(repository: string): number {
    const next = (this.issueNumbers.get(lower(repository)) ?? 0) + 1;
    this.issueNumbers.set(lower(repository), next);
    return next;
  }

  private issueJson(i: FakeIssue): Record<string, unknown> {
    const api = `${this.world.url}/repos/${i.repository}`;
    const html = `${this.world.serverUrl}/${i.repository}/${i.pull_request ? 'pull' : 'issues'}/${i.number}`;
    const user = (login: string) => ({ login, id: hashId(login), type: login.endsWith('[bot]') ? 'Bot' : 'User' });
    return {
      id: i.id,
      node_id: `I_fake${i.id}`,
      url: `${api}/issues/${i.number}`,
      repository_url: api,
      comments_url: `${api}/issues/${i.number}/comments`,
      html_url: html,
      number: i.number,
      title: i.title,
      body: i.body,
      state: i.state,
      state_reason: i.state_reason,
      locked: false,
      labels: i.labels.map((n) => this.labelJson(this.ensureLabel(i.repository, n))),
      assignee: i.assignees[0] ? user(i.assignees[0]) : null,
      assignees: i.assignees.map(user),
      user: user(i.user),
      comments: i.comments,
      created_at: i.created_at,
      updated_at: i.updated_at,
      closed_at: i.closed_at,
      author_association: 'OWNER',
      ...(i.pull_request
        ? {
            pull_request: {
              url: `${api}/pulls/${i.number}`,
              html_url: html,
              diff_url: `${html}.diff`,
              patch_url: `${html}.patch`,
              merged_at: null,
            },
          }
        : {}),
    };
  }

  private commentJson(c: FakeComment): Record<string, unknown> {
    const api = `${this.world.url}/repos/${c.repository}`;
    return {
      id: c.id,
      node_id: `IC_fake${c.id}`,
      url: `${api}/issues/comments/${c.id}`,
      html_url: `${this.world.serverUrl}/${c.repository}/issues/${c.issue_number}#issuecomment-${c.id}`,
      issue_url: `${api}/issues/${c.issue_number}`,
      body: c.body,
      user: { login: c.user, id: hashId(c.user), type: c.user.endsWith('[bot]') ? 'Bot' : 'User' },
      created_at: c.created_at,
      updated_at: c.updated_at,
      author_association: 'OWNER',
    };
  }

  private labelJson(l: FakeLabel): Record<string, unknown> {
    return {
      id: l.id,
      node_id: `LA_fake${l.id}`,
      url: `${this.world.url}/repos/${l.repository}/labels/${encodeURIComponent(l.name)}`,
      name: l.name,
      color: l.color,
      description: l.description,
      default: false,
    };
  }
}
