/**
 * A loopback fake of the GitHub REST endpoints this product calls: Actions secrets (repository, environment and
 * organization stores, each with a real libsodium key pair so a test can decrypt exactly what GitHub would store),
 * issues / comments / labels (for the re-auth alert issue) and workflows (the keep-alive feature, and the dispatch the
 * login function sends after a login).
 *
 * It listens on 127.0.0.1 on a free port; point an Octokit at `fake.url` (the `baseUrl` option, or `GITHUB_API_URL`
 * in a child process). It answers with GitHub's real status codes and error bodies, checks `Authorization` against
 * configured tokens with per-token permissions, records every request, counts requests per route, and takes injected
 * faults per route (403, 404, 422, 5xx, primary and secondary rate limits with `retry-after`, delays, hangs, resets).
 *
 * This file is the server (HTTP, tokens and permissions, faults, the repositories it knows); each API it fakes is a
 * module of its own under ./github/: secrets.ts, issues.ts, users.ts, workflows.ts (their shared plumbing in
 * http.ts, the public shapes in types.ts).
 *
 * ```ts
 * const fake = await startGitHubFake();                       // acme/bot, acme/bot@production, org acme
 * const client = await createGitHubClient({ token: FAKE_SECRETS_TOKEN, baseUrl: fake.url, logger, waitScale: 0 });
 * fake.inject('repo-secret-put', { type: 'secondary-rate-limit', retryAfterSeconds: 1 });
 * ...
 * expect(fake.decryptedSecret('acme/bot', 'SCHWAB_TOKEN')).toBe(value);
 * await fake.close();
 * ```
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import sodium from 'libsodium-wrappers';
import type {
  FakeComment,
  FakeDispatch,
  FakeIssue,
  FakeLabel,
  FakeRequest,
  FakeToken,
  FakeWorkflow,
  FaultMatcher,
  GitHubFake,
  GitHubFakeOptions,
  GitHubFakeRoute,
  GitHubFault,
  GitHubFaultShorthand,
} from './github/types.js';
import { FAKE_SECRETS_TOKEN, FAKE_WORKFLOW_TOKEN } from './github/types.js';
import type { Context, FakeWorld, Reply, Route } from './github/http.js';
import { DOCS, HttpError, isObject, lower, route } from './github/http.js';
import { SecretsApi } from './github/secrets.js';
import { IssuesApi } from './github/issues.js';
import { userRoutes } from './github/users.js';
import { WorkflowsApi } from './github/workflows.js';

export type * from './github/types.js';
export { FAKE_SECRETS_TOKEN, FAKE_WORKFLOW_TOKEN } from './github/types.js';

/** Starts a fake on 127.0.0.1 (free port). Always `await fake.close()` (e.g. in afterEach / afterAll). */
export async function startGitHubFake(options: GitHubFakeOptions = {}): Promise<GitHubFake> {
  await sodium.ready;
  const fake = new GitHubFakeServer(options);
  await fake.listen();
  return fake;
}

interface Fault {
  matcher: FaultMatcher;
  fault: GitHubFault;
  remaining: number;
}

function defaultTokens(): Record<string, FakeToken> {
  return {
    [FAKE_SECRETS_TOKEN]: { permissions: 'all', kind: 'personal-access-token', login: 'octo-admin' },
    [FAKE_WORKFLOW_TOKEN]: { permissions: ['issues', 'actions'], kind: 'integration' },
  };
}

class GitHubFakeServer implements GitHubFake, FakeWorld {
  url = '';
  readonly serverUrl: string;
  readonly requests: FakeRequest[] = [];
  readonly counts: Partial<Record<GitHubFakeRoute, number>> = {};
  readonly issues: FakeIssue[];
  readonly comments: FakeComment[];
  readonly labels: FakeLabel[];
  readonly workflows: FakeWorkflow[];
  readonly dispatches: FakeDispatch[];

  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly tokens: Map<string, FakeToken>;
  private readonly repositories = new Map<string, { fullName: string; id: number }>();
  private readonly environments = new Set<string>();
  private readonly organizations = new Set<string>();
  private readonly faults: Fault[] = [];
  private readonly clock: () => Date;
  private readonly secretsApi: SecretsApi;
  private readonly issuesApi: IssuesApi;
  private readonly workflowsApi: WorkflowsApi;
  private readonly routes: Route[];
  private nextRequestId = 1;

  constructor(options: GitHubFakeOptions) {
    this.tokens = new Map(Object.entries(options.tokens ?? defaultTokens()));
    this.serverUrl = (options.serverUrl ?? 'https://github.com').replace(/\/+$/, '');
    this.clock = options.now ?? (() => new Date());
    // The secrets API first: every repository, environment and organization is also a secrets store.
    this.secretsApi = new SecretsApi(this);
    for (const repo of options.repositories ?? ['acme/bot']) this.addRepository(repo);
    for (const env of options.environments ?? ['acme/bot@production']) this.addEnvironment(env);
    for (const org of options.organizations ?? ['acme']) this.addOrganization(org);
    this.issuesApi = new IssuesApi(this, options.assignableUsers);
    this.workflowsApi = new WorkflowsApi(this, options.workflows ?? [], options.branches ?? ['main']);
    ({ issues: this.issues, comments: this.comments, labels: this.labels } = this.issuesApi);
    ({ workflows: this.workflows, dispatches: this.dispatches } = this.workflowsApi);
    const R = '/repos/{owner}/{repo}';
    this.routes = [
      route('repo-get', 'GET', R, [], 'repo', (ctx) => this.getRepository(ctx)),
      ...this.secretsApi.routes(),
      ...this.issuesApi.routes(),
      ...userRoutes(),
      ...this.workflowsApi.routes(),
    ];
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ----- the world the API modules share ------------------------------------------------------------------------

  now(): Date {
    return this.clock();
  }

  repo(fullName: string): { fullName: string; id: number } {
    const repo = this.repositories.get(lower(fullName));
    if (!repo) throw new Error(`unknown repository ${fullName}; add it with repositories: [...] or addRepository()`);
    return repo;
  }

  repositoryList(): { fullName: string; id: number }[] {
    return [...this.repositories.values()];
  }

  // ----- inspection ---------------------------------------------------------------------------------------------------

  count(name: GitHubFakeRoute): number {
    return this.counts[name] ?? 0;
  }

  requestsTo(name: GitHubFakeRoute, store?: string): FakeRequest[] {
    return this.requests.filter(
      (r) => r.route === name && (store === undefined || (r.store !== undefined && lower(r.store) === lower(store))),
    );
  }

  clearRequests(): void {
    this.requests.length = 0;
    for (const key of Object.keys(this.counts)) delete this.counts[key as GitHubFakeRoute];
  }

  inject(where: GitHubFakeRoute | FaultMatcher, fault: GitHubFault | GitHubFaultShorthand, times = 1): void {
    const matcher = typeof where === 'string' ? { route: where } : where;
    const full = typeof fault === 'string' ? ({ type: fault } as GitHubFault) : fault;
    this.faults.push({ matcher, fault: full, remaining: times });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  // ----- secrets (./github/secrets.ts) --------------------------------------------------------------------------

  readonly decryptedSecret: GitHubFake['decryptedSecret'] = (...args) => this.secretsApi.decryptedSecret(...args);
  readonly secret: GitHubFake['secret'] = (...args) => this.secretsApi.secret(...args);
  readonly secretNames: GitHubFake['secretNames'] = (...args) => this.secretsApi.secretNames(...args);
  readonly seedSecret: GitHubFake['seedSecret'] = (...args) => this.secretsApi.seedSecret(...args);
  readonly publicKey: GitHubFake['publicKey'] = (...args) => this.secretsApi.publicKey(...args);
  readonly rotateKey: GitHubFake['rotateKey'] = (...args) => this.secretsApi.rotateKey(...args);

  // ----- repositories, environments, organizations --------------------------------------------------------------

  addRepository(fullName: string): void {
    if (!/^[^/\s]+\/[^/\s]+$/.test(fullName)) throw new Error(`not owner/repo: ${fullName}`);
    if (!this.repositories.has(lower(fullName))) {
      this.repositories.set(lower(fullName), { fullName, id: 100_000 + this.repositories.size * 7 + 1 });
    }
    this.secretsApi.addStore(fullName);
  }

  addEnvironment(label: string): void {
    const at = label.indexOf('@');
    if (at < 0) throw new Error(`not owner/repo@environment: ${label}`);
    this.addRepository(label.slice(0, at));
    this.environments.add(lower(label));
    this.secretsApi.addStore(label);
  }

  addOrganization(org: string): void {
    this.organizations.add(lower(org));
    this.secretsApi.addStore(`org/${org}`);
  }

  repositoryId(fullName: string): number {
    return this.repo(fullName).id;
  }

  // ----- issues (./github/issues.ts) and workflows (./github/workflows.ts) --------------------------------------

  readonly addIssue: GitHubFake['addIssue'] = (...args) => this.issuesApi.addIssue(...args);
  readonly addComment: GitHubFake['addComment'] = (...args) => this.issuesApi.addComment(...args);
  readonly addLabel: GitHubFake['addLabel'] = (...args) => this.issuesApi.addLabel(...args);
  readonly commentsOf: GitHubFake['commentsOf'] = (...args) => this.issuesApi.commentsOf(...args);
  readonly setWorkflowState: GitHubFake['setWorkflowState'] = (...args) => this.workflowsApi.setWorkflowState(...args);

  // ----- request handling ---------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const raw = await readBody(req);
    let body: unknown = undefined;
    let badJson = false;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
        badJson = true;
      }
    }
    const record: FakeRequest = {
      id: this.nextRequestId++,
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
      startedAt: started,
    };
    this.requests.push(record);

    const found = this.match(record.method, url.pathname);
    if (found) {
      record.route = found.route.name;
      record.store = this.storeOfRequest(found.route, found.params);
      this.counts[found.route.name] = (this.counts[found.route.name] ?? 0) + 1;
    }

    const fault = this.takeFault(record);
    if (fault) {
      record.fault = fault.type;
      if (fault.type === 'hang') return; // never answers; close() destroys the socket
      if (fault.type === 'reset') {
        req.socket.destroy();
        return;
      }
      if (fault.type === 'delay') {
        await new Promise((resolve) => setTimeout(resolve, fault.ms));
      } else {
        this.send(res, record, this.faultReply(fault, record));
        return;
      }
    }

    let reply: Reply;
    try {
      if (!found) throw new HttpError(404, 'Not Found');
      if (badJson) throw new HttpError(400, 'Problems parsing JSON');
      const token = this.authenticate(req.headers.authorization);
      const ctx: Context = {
        req,
        res,
        record,
        params: found.params,
        query: url.searchParams,
        body: isObject(body) ? body : {},
        token,
        headers: {},
      };
      this.authorize(found.route, ctx);
      reply = found.route.handler(ctx);
      reply = { ...reply, headers: { ...ctx.headers, ...reply.headers } };
    } catch (caught) {
      // A bug in the fake itself answers 500 with its message, so a test shows it instead of hanging.
      const error =
        caught instanceof HttpError
          ? caught
          : new HttpError(500, `fake error: ${String((caught as Error)?.message ?? caught)}`);
      reply = {
        status: error.status,
        body: { message: error.message, ...error.extra, documentation_url: DOCS, status: String(error.status) },
        headers: error.headers,
      };
    }
    this.send(res, record, reply);
  }

  private match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    for (const r of this.routes) {
      if (r.method !== method) continue;
      const m = r.pattern.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      for (const [key, value] of Object.entries(m.groups ?? {})) params[key] = decodeURIComponent(value);
      return { route: r, params };
    }
    return undefined;
  }

  private storeOfRequest(r: Route, params: Record<string, string>): string | undefined {
    if (!r.name.includes('secret') && !r.name.includes('public-key')) return undefined;
    if (r.scope === 'org') return `org/${params.org}`;
    if (r.scope === 'env') return `${params.owner}/${params.repo}@${params.env}`;
    return `${params.owner}/${params.repo}`;
  }

  private takeFault(record: FakeRequest): GitHubFault | undefined {
    for (const f of this.faults) {
      if (f.remaining <= 0) continue;
      const m = f.matcher;
      if (m.route !== undefined && m.route !== record.route) continue;
      if (m.method !== undefined && m.method.toUpperCase() !== record.method) continue;
      if (typeof m.path === 'string' && m.path !== record.path) continue;
      if (m.path instanceof RegExp && !m.path.test(record.path)) continue;
      f.remaining--;
      return f.fault;
    }
    return undefined;
  }

  private faultReply(fault: GitHubFault, record: FakeRequest): Reply {
    const error = (status: number, message: string, headers: Record<string, string> = {}): Reply => ({
      status,
      body: { message, documentation_url: DOCS, status: String(status) },
      headers,
    });
    switch (fault.type) {
      case 'forbidden':
        return error(403, fault.message ?? 'Resource not accessible by integration', {
          'x-accepted-github-permissions': acceptedPermissions(record.route),
        });
      case 'not-found':
        return error(404, 'Not Found');
      case 'unprocessable':
        return error(422, fault.message ?? 'Validation Failed');
      case 'server-error':
        return error(fault.status ?? 500, 'Server Error');
      case 'secondary-rate-limit':
        return error(
          fault.status ?? 403,
          'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. ' +
            `If you reach out to GitHub Support for help, please include the request ID ${randomUUID().toUpperCase()}.`,
          { 'retry-after': String(fault.retryAfterSeconds ?? 1) },
        );
      case 'rate-limit': {
        const reset = Math.floor(Date.now() / 1000) + (fault.resetInSeconds ?? 0);
        return error(403, 'API rate limit exceeded for installation ID 12345678.', {
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(reset),
        });
      }
      case 'status':
        return error(fault.status, fault.message ?? 'Injected error', fault.headers);
      default:
        return error(500, `unhandled fault ${fault.type}`);
    }
  }

  private send(res: ServerResponse, record: FakeRequest, reply: Reply): void {
    const headers: Record<string, string> = {
      'x-github-request-id': `FAKE:${record.id}`,
      'x-github-api-version-selected': '2022-11-28',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-used': '1',
      'x-ratelimit-resource': 'core',
      ...reply.headers,
    };
    record.status = reply.status;
    record.finishedAt = performance.now();
    if (reply.body === undefined || reply.status === 204) {
      res.writeHead(reply.status, headers);
      res.end();
      return;
    }
    res.writeHead(reply.status, { ...headers, 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(reply.body));
  }

  private authenticate(header: string | undefined): FakeToken {
    if (!header) throw new HttpError(401, 'Requires authentication');
    const m = /^(?:token|bearer)\s+(\S+)$/i.exec(header.trim());
    const token = m?.[1] ? this.tokens.get(m[1]) : undefined;
    if (!token) throw new HttpError(401, 'Bad credentials');
    return token;
  }

  private authorize(r: Route, ctx: Context): void {
    const { token, params } = ctx;
    if (r.scope === 'user') return; // the handler answers for the token itself
    if (r.scope === 'org') {
      const org = params.org ?? '';
      const visible = !token.organizations || token.organizations.some((o) => lower(o) === lower(org));
      if (!this.organizations.has(lower(org)) || !visible) throw new HttpError(404, 'Not Found');
    } else {
      const full = `${params.owner}/${params.repo}`;
      const visible = !token.repositories || token.repositories.some((x) => lower(x) === lower(full));
      if (!this.repositories.has(lower(full)) || !visible) throw new HttpError(404, 'Not Found');
    }
    const granted = token.permissions;
    const missing = granted === 'all' ? [] : r.needs.filter((p) => !granted.includes(p));
    if (missing.length > 0) {
      const by = token.kind === 'personal-access-token' ? 'personal access token' : 'integration';
      throw new HttpError(
        403,
        `Resource not accessible by ${by}`,
        {},
        {
          'x-accepted-github-permissions': acceptedPermissions(r.name),
        },
      );
    }
    if (r.scope === 'env') {
      const label = `${params.owner}/${params.repo}@${params.env}`;
      if (!this.environments.has(lower(label))) throw new HttpError(404, 'Not Found');
    }
  }

  private getRepository(ctx: Context): Reply {
    const repo = this.repo(`${ctx.params.owner}/${ctx.params.repo}`);
    const [owner, name] = repo.fullName.split('/') as [string, string];
    return {
      status: 200,
      body: {
        id: repo.id,
        name,
        full_name: repo.fullName,
        owner: { login: owner },
        private: true,
        html_url: `${this.serverUrl}/${repo.fullName}`,
      },
    };
  }
}

function acceptedPermissions(name: GitHubFakeRoute | undefined): string {
  if (!name) return '';
  if (name.startsWith('org-')) return 'organization_secrets=write';
  if (name.startsWith('env-')) return 'secrets=write; environments=write';
  if (name.startsWith('repo-secret') || name === 'repo-public-key') return 'secrets=write';
  if (name.startsWith('workflow')) return 'actions=write';
  return 'issues=write';
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
