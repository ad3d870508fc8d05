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
 * ```ts
 * const fake = await startGitHubFake();                       // acme/bot, acme/bot@production, org acme
 * const client = await createGitHubClient({ token: FAKE_SECRETS_TOKEN, baseUrl: fake.url, logger, waitScale: 0 });
 * fake.inject('repo-secret-put', { type: 'secondary-rate-limit', retryAfterSeconds: 1 });
 * ...
 * expect(fake.decryptedSecret('acme/bot', 'SCHWAB_TOKEN')).toBe(value);
 * await fake.close();
 * ```
 */
import { randomInt, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import sodium from 'libsodium-wrappers';

// ---------------------------------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------------------------------

/** What a token may do. Environment secrets need both `secrets` and `environments`, as on GitHub. */
export type FakePermission = 'secrets' | 'environments' | 'organization-secrets' | 'issues' | 'actions';

export interface FakeToken {
  /** `'all'` or the permissions granted. A missing permission answers 403 "Resource not accessible by …". */
  permissions: FakePermission[] | 'all';
  /** Repositories ("owner/repo") the token can see; any other answers 404, as GitHub hides them. Default: all. */
  repositories?: string[];
  /** Organizations whose secrets the token can see; others answer 404. Default: all. */
  organizations?: string[];
  /** Wording of the 403 message: "Resource not accessible by integration" or "… by personal access token". */
  kind?: 'integration' | 'personal-access-token';
  /** The login shown as the author of issues and comments it creates. Default `github-actions[bot]`. */
  login?: string;
}

/** A fine-grained PAT with every permission (the `secrets-token` of the tests). */
export const FAKE_SECRETS_TOKEN = 'github_pat_11FAKE0secrets0token0with0every0permission';
/** Like the workflow's GITHUB_TOKEN: issues and actions, but it cannot touch secrets (403). */
export const FAKE_WORKFLOW_TOKEN = 'ghs_FAKE0workflow0token0issues0and0actions';

export interface FakeWorkflowSeed {
  /** "owner/repo" */
  repository: string;
  id: number;
  /** e.g. `.github/workflows/rotate.yml`; the file name also works as `workflow_id`. */
  path: string;
  name?: string;
  state?: FakeWorkflow['state'];
  /** Whether the workflow file has a `workflow_dispatch` trigger (default true). */
  dispatchable?: boolean;
}

export interface GitHubFakeOptions {
  /** Accepted tokens. Default: FAKE_SECRETS_TOKEN (everything) and FAKE_WORKFLOW_TOKEN (issues, actions). */
  tokens?: Record<string, FakeToken>;
  /** Known repositories, "owner/repo". Default `['acme/bot']`. Each is also a secrets store. */
  repositories?: string[];
  /** Known environments, "owner/repo@env". Default `['acme/bot@production']`. Each is a secrets store. */
  environments?: string[];
  /** Known organizations. Default `['acme']`. Each is a secrets store (label `org/NAME`). */
  organizations?: string[];
  /** Users that can be assigned to issues; when set, an unknown assignee answers 422 as on GitHub. Default: anyone. */
  assignableUsers?: string[];
  workflows?: FakeWorkflowSeed[];
  /** Branches a workflow can be dispatched on (every repository has them). Default `['main']`. */
  branches?: string[];
  /** The web host used in `html_url`s. Default `https://github.com`. */
  serverUrl?: string;
  /** The clock for timestamps (created_at …). Default: the system clock. */
  now?: () => Date;
}

/** Every route the fake implements; the names are used for counters and fault injection. */
export type GitHubFakeRoute =
  | 'repo-get'
  | 'repo-public-key'
  | 'repo-secret-get'
  | 'repo-secret-put'
  | 'env-public-key'
  | 'env-secret-get'
  | 'env-secret-put'
  | 'org-public-key'
  | 'org-secret-get'
  | 'org-secret-put'
  | 'org-secret-repos'
  | 'issues-list'
  | 'issue-get'
  | 'issue-create'
  | 'issue-update'
  | 'issue-labels-add'
  | 'comments-list'
  | 'comment-create'
  | 'label-get'
  | 'label-create'
  | 'workflow-get'
  | 'workflow-enable'
  | 'user-get'
  | 'workflow-dispatch';

/**
 * A fault answered instead of the real response.
 * - `forbidden`: 403 "Resource not accessible by integration" (a missing permission).
 * - `not-found`: 404 "Not Found".
 * - `unprocessable`: 422 "Validation Failed" (or `message`).
 * - `server-error`: 500 (or `status`, e.g. 502/503).
 * - `secondary-rate-limit`: 403 (or 429) "You have exceeded a secondary rate limit…" with `retry-after`
 *   (default 1 s; note @octokit/plugin-throttling treats `retry-after: 0` as absent and waits its 60 s fallback).
 * - `rate-limit`: the primary limit: 403 "API rate limit exceeded…" with `x-ratelimit-remaining: 0`.
 * - `status`: any status with GitHub's error body shape.
 * - `delay`: the normal answer, `ms` later.
 * - `hang`: never answers (until the client gives up or the fake closes).
 * - `reset`: destroys the connection without an answer.
 */
export type GitHubFault =
  | { type: 'forbidden'; message?: string }
  | { type: 'not-found' }
  | { type: 'unprocessable'; message?: string }
  | { type: 'server-error'; status?: number }
  | { type: 'secondary-rate-limit'; retryAfterSeconds?: number; status?: 403 | 429 }
  | { type: 'rate-limit'; resetInSeconds?: number }
  | { type: 'status'; status: number; message?: string; headers?: Record<string, string> }
  | { type: 'delay'; ms: number }
  | { type: 'hang' }
  | { type: 'reset' };

export type GitHubFaultShorthand =
  | 'forbidden'
  | 'not-found'
  | 'unprocessable'
  | 'server-error'
  | 'secondary-rate-limit'
  | 'rate-limit'
  | 'hang'
  | 'reset';

/** Which requests a fault applies to: all given fields must match. A string `path` must equal the request's path. */
export interface FaultMatcher {
  route?: GitHubFakeRoute;
  method?: string;
  path?: string | RegExp;
}

/** One request as the fake received it. */
export interface FakeRequest {
  id: number;
  method: string;
  /** The raw (still percent-encoded) path, without the query. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, or the raw text when it is not JSON, or undefined when empty. */
  body: unknown;
  route?: GitHubFakeRoute;
  /** The secrets store the request addressed ("acme/bot", "acme/bot@production", "org/acme"), if any. */
  store?: string;
  /** The status answered (undefined while in flight, or for a hang / reset). */
  status?: number;
  fault?: GitHubFault['type'];
  /** performance.now() when the request arrived and when its answer was sent. */
  startedAt: number;
  finishedAt?: number;
}

export interface FakeSecretInfo {
  store: string;
  name: string;
  encrypted_value: string;
  key_id: string;
  created_at: string;
  updated_at: string;
  /** Number of PUTs that wrote this secret. */
  writes: number;
  /** Organization secrets only. */
  visibility?: 'all' | 'private' | 'selected';
  selected_repository_ids?: number[];
}

export interface FakeIssue {
  /** "owner/repo" */
  repository: string;
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  state_reason: 'completed' | 'not_planned' | 'reopened' | 'duplicate' | null;
  /** Label names. */
  labels: string[];
  assignees: string[];
  user: string;
  /** True for a pull request: GitHub's issues list returns those too, with a `pull_request` key. */
  pull_request: boolean;
  comments: number;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
}

export interface FakeComment {
  repository: string;
  issue_number: number;
  id: number;
  body: string;
  user: string;
  created_at: string;
  updated_at: string;
}

export interface FakeLabel {
  repository: string;
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export interface FakeWorkflow {
  repository: string;
  id: number;
  name: string;
  path: string;
  state: 'active' | 'disabled_inactivity' | 'disabled_manually' | 'disabled_fork' | 'deleted';
  /** Number of PUT …/enable calls received. */
  enableCalls: number;
  dispatchable: boolean;
}

/** A `workflow_dispatch` the fake accepted (POST …/actions/workflows/{workflow}/dispatches). */
export interface FakeDispatch {
  repository: string;
  workflowId: number;
  path: string;
  ref: string;
  inputs: Record<string, unknown>;
  at: Date;
}

export interface GitHubFake {
  /** `http://127.0.0.1:PORT`, the API base URL (no trailing slash). */
  readonly url: string;
  /** Every request received, in order of arrival. */
  readonly requests: FakeRequest[];
  /** Issues and pull requests of every repository, in order of creation. */
  readonly issues: FakeIssue[];
  readonly comments: FakeComment[];
  readonly labels: FakeLabel[];
  readonly workflows: FakeWorkflow[];
  /** Workflow dispatches accepted, in order. */
  readonly dispatches: FakeDispatch[];
  /** Requests received per route (faulted ones included). */
  readonly counts: Readonly<Partial<Record<GitHubFakeRoute, number>>>;
  count(route: GitHubFakeRoute): number;
  /** Requests of one route (optionally one store). */
  requestsTo(route: GitHubFakeRoute, store?: string): FakeRequest[];

  /** Answers the next `times` (default 1; `Infinity` for all) matching requests with `fault`. */
  inject(where: GitHubFakeRoute | FaultMatcher, fault: GitHubFault | GitHubFaultShorthand, times?: number): void;
  clearFaults(): void;

  /** The plaintext of a secret as GitHub would hold it: what was received, decrypted with the store's private key. */
  decryptedSecret(store: string, name: string): string | undefined;
  /** A secret's metadata and ciphertext. */
  secret(store: string, name: string): FakeSecretInfo | undefined;
  /** Names of the secrets in a store. */
  secretNames(store: string): string[];
  /** Stores a secret as if it had been written before (so the next PUT is an update: 204). */
  seedSecret(
    store: string,
    name: string,
    value: string,
    org?: { visibility: 'all' | 'private' | 'selected'; selected_repository_ids?: number[] },
  ): void;
  /** The store's public key as the public-key endpoint returns it. */
  publicKey(store: string): { key_id: string; key: string };
  /** Replaces a store's key pair (a PUT with the old key_id then answers 422). */
  rotateKey(store: string): void;
  /** Adds a repository, environment ("owner/repo@env") or organization at run time. */
  addRepository(fullName: string): void;
  addEnvironment(label: string): void;
  addOrganization(org: string): void;
  /** The numeric id of a known repository. */
  repositoryId(fullName: string): number;

  /** Adds an issue (or a pull request) as if it existed before; returns it. */
  addIssue(
    repository: string,
    issue: Partial<Omit<FakeIssue, 'repository' | 'id' | 'number'>> & { title: string },
  ): FakeIssue;
  addComment(repository: string, issueNumber: number, body: string, user?: string): FakeComment;
  addLabel(repository: string, name: string, color?: string, description?: string | null): FakeLabel;
  /** Comments of one issue, in order. */
  commentsOf(repository: string, issueNumber: number): FakeComment[];
  /** Sets a workflow's state (e.g. `disabled_inactivity` for the keep-alive tests). */
  setWorkflowState(repository: string, id: number, state: FakeWorkflow['state']): void;

  /** Forgets recorded requests and counters (state and faults stay). */
  clearRequests(): void;
  close(): Promise<void>;
}

/** Starts a fake on 127.0.0.1 (free port). Always `await fake.close()` (e.g. in afterEach / afterAll). */
export async function startGitHubFake(options: GitHubFakeOptions = {}): Promise<GitHubFake> {
  await sodium.ready;
  const fake = new GitHubFakeServer(options);
  await fake.listen();
  return fake;
}

// ---------------------------------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------------------------------

const DOCS = 'https://docs.github.com/rest';
const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface Store {
  label: string;
  keyId: string;
  publicKey: Uint8Array;
  privateKey: Uint8Array;
  secrets: Map<string, FakeSecretInfo>;
}

interface Fault {
  matcher: FaultMatcher;
  fault: GitHubFault;
  remaining: number;
}

interface Context {
  req: IncomingMessage;
  res: ServerResponse;
  record: FakeRequest;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  token: FakeToken;
  /** Extra response headers (Link …). */
  headers: Record<string, string>;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Handler = (ctx: Context) => Reply;

interface Route {
  name: GitHubFakeRoute;
  method: string;
  pattern: RegExp;
  /** What the token needs; checked after the repository / organization is found. */
  needs: FakePermission[];
  /** `user`: the token's own account (GET /user), no repository or organization to find. */
  scope: 'repo' | 'env' | 'org' | 'user';
  handler: Handler;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const lower = (text: string) => text.toLowerCase();

function segment(name: string): string {
  return `(?<${name}>[^/]+)`;
}

function route(
  name: GitHubFakeRoute,
  method: string,
  path: string,
  needs: FakePermission[],
  scope: Route['scope'],
  handler: Handler,
): Route {
  const source = path.replace(/\{(\w+)\}/g, (_m, param: string) => segment(param));
  return { name, method, pattern: new RegExp(`^${source}$`), needs, scope, handler };
}

function defaultTokens(): Record<string, FakeToken> {
  return {
    [FAKE_SECRETS_TOKEN]: { permissions: 'all', kind: 'personal-access-token', login: 'octo-admin' },
    [FAKE_WORKFLOW_TOKEN]: { permissions: ['issues', 'actions'], kind: 'integration' },
  };
}

class GitHubFakeServer implements GitHubFake {
  url = '';
  readonly requests: FakeRequest[] = [];
  readonly issues: FakeIssue[] = [];
  readonly comments: FakeComment[] = [];
  readonly labels: FakeLabel[] = [];
  readonly workflows: FakeWorkflow[] = [];
  readonly dispatches: FakeDispatch[] = [];
  readonly counts: Partial<Record<GitHubFakeRoute, number>> = {};

  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly tokens: Map<string, FakeToken>;
  private readonly repositories = new Map<string, { fullName: string; id: number }>();
  private readonly environments = new Set<string>();
  private readonly organizations = new Set<string>();
  private readonly stores = new Map<string, Store>();
  private readonly faults: Fault[] = [];
  private readonly assignable?: Set<string>;
  private readonly serverUrl: string;
  private readonly now: () => Date;
  private readonly routes: Route[];
  private nextRequestId = 1;
  private nextId = 1000;
  private readonly issueNumbers = new Map<string, number>();
  private readonly branches: Set<string>;

  constructor(options: GitHubFakeOptions) {
    this.tokens = new Map(Object.entries(options.tokens ?? defaultTokens()));
    this.serverUrl = (options.serverUrl ?? 'https://github.com').replace(/\/+$/, '');
    this.now = options.now ?? (() => new Date());
    if (options.assignableUsers) this.assignable = new Set(options.assignableUsers.map(lower));
    for (const repo of options.repositories ?? ['acme/bot']) this.addRepository(repo);
    for (const env of options.environments ?? ['acme/bot@production']) this.addEnvironment(env);
    for (const org of options.organizations ?? ['acme']) this.addOrganization(org);
    for (const wf of options.workflows ?? []) {
      this.workflows.push({
        repository: this.repo(wf.repository).fullName,
        id: wf.id,
        name: wf.name ?? wf.path.replace(/^.*\//, ''),
        path: wf.path,
        state: wf.state ?? 'active',
        enableCalls: 0,
        dispatchable: wf.dispatchable ?? true,
      });
    }
    this.branches = new Set(options.branches ?? ['main']);
    this.routes = this.buildRoutes();
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

  decryptedSecret(store: string, name: string): string | undefined {
    const s = this.stores.get(lower(store));
    const secret = s?.secrets.get(name.toUpperCase());
    if (!s || !secret) return undefined;
    return this.decrypt(s, secret.encrypted_value);
  }

  secret(store: string, name: string): FakeSecretInfo | undefined {
    const secret = this.stores.get(lower(store))?.secrets.get(name.toUpperCase());
    return secret ? { ...secret } : undefined;
  }

  secretNames(store: string): string[] {
    return [...(this.stores.get(lower(store))?.secrets.keys() ?? [])];
  }

  seedSecret(
    store: string,
    name: string,
    value: string,
    org?: { visibility: 'all' | 'private' | 'selected'; selected_repository_ids?: number[] },
  ): void {
    const s = this.storeOrThrow(store);
    const at = this.now().toISOString();
    s.secrets.set(name.toUpperCase(), {
      store: s.label,
      name: name.toUpperCase(),
      encrypted_value: sodium.to_base64(sodium.crypto_box_seal(value, s.publicKey), sodium.base64_variants.ORIGINAL),
      key_id: s.keyId,
      created_at: at,
      updated_at: at,
      writes: 0,
      ...(org ? { visibility: org.visibility, selected_repository_ids: org.selected_repository_ids ?? [] } : {}),
    });
  }

  publicKey(store: string): { key_id: string; key: string } {
    const s = this.storeOrThrow(store);
    return { key_id: s.keyId, key: sodium.to_base64(s.publicKey, sodium.base64_variants.ORIGINAL) };
  }

  rotateKey(store: string): void {
    const s = this.storeOrThrow(store);
    const pair = sodium.crypto_box_keypair();
    s.publicKey = pair.publicKey;
    s.privateKey = pair.privateKey;
    s.keyId = newKeyId();
  }

  addRepository(fullName: string): void {
    if (!/^[^/\s]+\/[^/\s]+$/.test(fullName)) throw new Error(`not owner/repo: ${fullName}`);
    if (!this.repositories.has(lower(fullName))) {
      this.repositories.set(lower(fullName), { fullName, id: 100_000 + this.repositories.size * 7 + 1 });
    }
    this.addStore(fullName);
  }

  addEnvironment(label: string): void {
    const at = label.indexOf('@');
    if (at < 0) throw new Error(`not owner/repo@environment: ${label}`);
    this.addRepository(label.slice(0, at));
    this.environments.add(lower(label));
    this.addStore(label);
  }

  addOrganization(org: string): void {
    this.organizations.add(lower(org));
    this.addStore(`org/${org}`);
  }

  repositoryId(fullName: string): number {
    return this.repo(fullName).id;
  }

  addIssue(
    repository: string,
    issue: Partial<Omit<FakeIssue, 'repository' | 'id' | 'number'>> & { title: string },
  ): FakeIssue {
    const repo = this.repo(repository);
    const at = this.now().toISOString();
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
    const issue = this.findIssue(this.repo(repository).fullName, issueNumber);
    if (!issue) throw new Error(`no issue #${issueNumber} in ${repository}`);
    const at = this.now().toISOString();
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
    const label: FakeLabel = { repository: this.repo(repository).fullName, id: this.nextId++, name, color, description };
    this.labels.push(label);
    return label;
  }

  commentsOf(repository: string, issueNumber: number): FakeComment[] {
    return this.comments.filter((c) => lower(c.repository) === lower(repository) && c.issue_number === issueNumber);
  }

  setWorkflowState(repository: string, id: number, state: FakeWorkflow['state']): void {
    const wf = this.workflows.find((w) => lower(w.repository) === lower(repository) && w.id === id);
    if (!wf) throw new Error(`no workflow ${id} in ${repository}`);
    wf.state = state;
  }

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
        caught instanceof HttpError ? caught : new HttpError(500, `fake error: ${String((caught as Error)?.message ?? caught)}`);
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
      throw new HttpError(403, `Resource not accessible by ${by}`, {}, {
        'x-accepted-github-permissions': acceptedPermissions(r.name),
      });
    }
    if (r.scope === 'env') {
      const label = `${params.owner}/${params.repo}@${params.env}`;
      if (!this.environments.has(lower(label))) throw new HttpError(404, 'Not Found');
    }
  }

  // ----- routes -------------------------------------------------------------------------------------------------------

  private buildRoutes(): Route[] {
    const R = '/repos/{owner}/{repo}';
    const ENV = `${R}/environments/{env}/secrets`;
    const ORG = '/orgs/{org}/actions/secrets';
    return [
      route('repo-get', 'GET', R, [], 'repo', (ctx) => this.getRepository(ctx)),
      // Secrets: public-key routes come before {name} routes, which would match "public-key" too.
      route('repo-public-key', 'GET', `${R}/actions/secrets/public-key`, ['secrets'], 'repo', (ctx) =>
        this.getPublicKey(ctx),
      ),
      route('repo-secret-get', 'GET', `${R}/actions/secrets/{name}`, ['secrets'], 'repo', (ctx) =>
        this.getSecret(ctx),
      ),
      route('repo-secret-put', 'PUT', `${R}/actions/secrets/{name}`, ['secrets'], 'repo', (ctx) =>
        this.putSecret(ctx),
      ),
      route('env-public-key', 'GET', `${ENV}/public-key`, ['secrets', 'environments'], 'env', (ctx) =>
        this.getPublicKey(ctx),
      ),
      route('env-secret-get', 'GET', `${ENV}/{name}`, ['secrets', 'environments'], 'env', (ctx) =>
        this.getSecret(ctx),
      ),
      route('env-secret-put', 'PUT', `${ENV}/{name}`, ['secrets', 'environments'], 'env', (ctx) =>
        this.putSecret(ctx),
      ),
      route('org-public-key', 'GET', `${ORG}/public-key`, ['organization-secrets'], 'org', (ctx) =>
        this.getPublicKey(ctx),
      ),
      route('org-secret-repos', 'GET', `${ORG}/{name}/repositories`, ['organization-secrets'], 'org', (ctx) =>
        this.listOrgSecretRepositories(ctx),
      ),
      route('org-secret-get', 'GET', `${ORG}/{name}`, ['organization-secrets'], 'org', (ctx) => this.getSecret(ctx)),
      route('org-secret-put', 'PUT', `${ORG}/{name}`, ['organization-secrets'], 'org', (ctx) => this.putSecret(ctx)),
      // Issues.
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
      // Workflows.
      // The authenticated account. A user's token (PAT) reads it; an installation token, GITHUB_TOKEN included,
      // is refused with 403 "Resource not accessible by integration", as on GitHub.
      route('user-get', 'GET', '/user', [], 'user', (ctx) => this.getAuthenticatedUser(ctx)),
      route('workflow-get', 'GET', `${R}/actions/workflows/{workflow}`, ['actions'], 'repo', (ctx) =>
        this.getWorkflow(ctx),
      ),
      route('workflow-enable', 'PUT', `${R}/actions/workflows/{workflow}/enable`, ['actions'], 'repo', (ctx) =>
        this.enableWorkflow(ctx),
      ),
      route('workflow-dispatch', 'POST', `${R}/actions/workflows/{workflow}/dispatches`, ['actions'], 'repo', (ctx) =>
        this.dispatchWorkflow(ctx),
      ),
    ];
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

  // ----- secrets ------------------------------------------------------------------------------------------------------

  private storeOf(ctx: Context): Store {
    const label = ctx.record.store ?? '';
    const s = this.stores.get(lower(label));
    if (!s) throw new HttpError(404, 'Not Found');
    return s;
  }

  private getPublicKey(ctx: Context): Reply {
    const s = this.storeOf(ctx);
    return { status: 200, body: this.publicKey(s.label) };
  }

  private getSecret(ctx: Context): Reply {
    const secret = this.storeOf(ctx).secrets.get((ctx.params.name ?? '').toUpperCase());
    if (!secret) throw new HttpError(404, 'Not Found');
    const body: Record<string, unknown> = {
      name: secret.name,
      created_at: secret.created_at,
      updated_at: secret.updated_at,
    };
    if (secret.visibility) {
      body.visibility = secret.visibility;
      if (secret.visibility === 'selected') {
        body.selected_repositories_url = `${this.url}${ctx.record.path}/repositories`;
      }
    }
    return { status: 200, body };
  }

  private putSecret(ctx: Context): Reply {
    const s = this.storeOf(ctx);
    const name = ctx.params.name ?? '';
    const { encrypted_value: encrypted, key_id: keyId } = ctx.body;
    if (!SECRET_NAME.test(name) || /^GITHUB_/i.test(name)) {
      throw new HttpError(
        422,
        'Secret names can only contain alphanumeric characters ([a-z], [A-Z], [0-9]) or underscores (_), ' +
          'must not start with a number, and must not start with the GITHUB_ prefix.',
      );
    }
    if (typeof encrypted !== 'string') throw new HttpError(422, 'Invalid request.\n\n"encrypted_value" wasn\'t supplied.');
    if (typeof keyId !== 'string') throw new HttpError(422, 'Invalid request.\n\n"key_id" wasn\'t supplied.');
    if (keyId !== s.keyId) throw new HttpError(422, 'Bad request - key_id does not match the current public key.');
    const plaintext = this.decrypt(s, encrypted);
    if (plaintext === undefined) {
      throw new HttpError(422, 'Bad request - encrypted_value could not be decrypted with the public key of key_id.');
    }
    if (Buffer.byteLength(plaintext) > 48 * 1024) {
      throw new HttpError(422, 'Secret value is too large (the maximum is 48 KB).');
    }
    const org: Pick<FakeSecretInfo, 'visibility' | 'selected_repository_ids'> = {};
    const existing = s.secrets.get(name.toUpperCase());
    if (s.label.startsWith('org/')) {
      const { visibility, selected_repository_ids: ids } = ctx.body;
      if (visibility !== 'all' && visibility !== 'private' && visibility !== 'selected') {
        throw new HttpError(422, 'Invalid request.\n\n"visibility" must be one of: all, private, selected.');
      }
      if (ids !== undefined && visibility !== 'selected') {
        throw new HttpError(
          422,
          'Invalid request.\n\nselected_repository_ids can only be provided when visibility is set to selected.',
        );
      }
      if (ids !== undefined && (!Array.isArray(ids) || !ids.every((id) => Number.isInteger(id)))) {
        throw new HttpError(422, 'Invalid request.\n\n"selected_repository_ids" must be an array of integers.');
      }
      org.visibility = visibility;
      if (visibility === 'selected') {
        // Omitted ids keep the current selection (this fake's choice; GitHub does not document it).
        org.selected_repository_ids = (ids as number[] | undefined) ?? existing?.selected_repository_ids ?? [];
      }
    }
    const at = this.now().toISOString();
    s.secrets.set(name.toUpperCase(), {
      store: s.label,
      name: name.toUpperCase(),
      encrypted_value: encrypted,
      key_id: keyId,
      created_at: existing?.created_at ?? at,
      updated_at: at,
      writes: (existing?.writes ?? 0) + 1,
      ...org,
    });
    return existing ? { status: 204 } : { status: 201, body: {} };
  }

  private listOrgSecretRepositories(ctx: Context): Reply {
    const secret = this.storeOf(ctx).secrets.get((ctx.params.name ?? '').toUpperCase());
    if (!secret) throw new HttpError(404, 'Not Found');
    if (secret.visibility !== 'selected') {
      throw new HttpError(409, 'The visibility of this secret is not set to selected.');
    }
    const byId = new Map([...this.repositories.values()].map((r) => [r.id, r.fullName]));
    const repos = (secret.selected_repository_ids ?? []).map((id) => {
      const fullName = byId.get(id) ?? `${ctx.params.org}/repository-${id}`;
      return { id, name: fullName.split('/')[1], full_name: fullName };
    });
    const page = this.paginate(ctx, repos);
    return { status: 200, body: { total_count: repos.length, repositories: page } };
  }

  private decrypt(s: Store, encrypted: string): string | undefined {
    try {
      const bytes = sodium.from_base64(encrypted, sodium.base64_variants.ORIGINAL);
      return sodium.to_string(sodium.crypto_box_seal_open(bytes, s.publicKey, s.privateKey));
    } catch {
      return undefined;
    }
  }

  // ----- issues -------------------------------------------------------------------------------------------------------

  private fullName(ctx: Context): string {
    return this.repo(`${ctx.params.owner}/${ctx.params.repo}`).fullName;
  }

  private listIssues(ctx: Context): Reply {
    const repo = this.fullName(ctx);
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
    return { status: 200, body: this.paginate(ctx, items).map((i) => this.issueJson(i)) };
  }

  private getAuthenticatedUser(ctx: Context): Reply {
    if (ctx.token.kind !== 'personal-access-token') throw new HttpError(403, 'Resource not accessible by integration');
    const login = ctx.token.login ?? 'octocat';
    return { status: 200, body: { login, id: hashId(login), type: 'User' } };
  }

  private getIssue(ctx: Context): Reply {
    return { status: 200, body: this.issueJson(this.issueOf(ctx)) };
  }

  private createIssue(ctx: Context): Reply {
    const repo = this.fullName(ctx);
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
    const at = this.now().toISOString();
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
    issue.updated_at = this.now().toISOString();
    return { status: 200, body: issue.labels.map((n) => this.labelJson(this.ensureLabel(issue.repository, n))) };
  }

  private listComments(ctx: Context): Reply {
    const issue = this.issueOf(ctx);
    const since = ctx.query.get('since');
    const items = this.commentsOf(issue.repository, issue.number).filter((c) => !since || c.updated_at >= since);
    return { status: 200, body: this.paginate(ctx, items).map((c) => this.commentJson(c)) };
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
    const repo = this.fullName(ctx);
    const label = this.findLabel(repo, ctx.params.name ?? '');
    if (!label) throw new HttpError(404, 'Not Found');
    return { status: 200, body: this.labelJson(label) };
  }

  private createLabel(ctx: Context): Reply {
    const repo = this.fullName(ctx);
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
    const issue = this.findIssue(this.fullName(ctx), Number(ctx.params.number));
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
    const api = `${this.url}/repos/${i.repository}`;
    const html = `${this.serverUrl}/${i.repository}/${i.pull_request ? 'pull' : 'issues'}/${i.number}`;
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
    const api = `${this.url}/repos/${c.repository}`;
    return {
      id: c.id,
      node_id: `IC_fake${c.id}`,
      url: `${api}/issues/comments/${c.id}`,
      html_url: `${this.serverUrl}/${c.repository}/issues/${c.issue_number}#issuecomment-${c.id}`,
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
      url: `${this.url}/repos/${l.repository}/labels/${encodeURIComponent(l.name)}`,
      name: l.name,
      color: l.color,
      description: l.description,
      default: false,
    };
  }

  // ----- workflows ----------------------------------------------------------------------------------------------------

  private workflowOf(ctx: Context): FakeWorkflow {
    const repo = this.fullName(ctx);
    const id = ctx.params.workflow ?? '';
    const wf = this.workflows.find(
      (w) => lower(w.repository) === lower(repo) && (String(w.id) === id || w.path.replace(/^.*\//, '') === id),
    );
    if (!wf) throw new HttpError(404, 'Not Found');
    return wf;
  }

  private getWorkflow(ctx: Context): Reply {
    const wf = this.workflowOf(ctx);
    const at = this.now().toISOString();
    return {
      status: 200,
      body: {
        id: wf.id,
        node_id: `W_fake${wf.id}`,
        name: wf.name,
        path: wf.path,
        state: wf.state,
        created_at: at,
        updated_at: at,
        url: `${this.url}/repos/${wf.repository}/actions/workflows/${wf.id}`,
        html_url: `${this.serverUrl}/${wf.repository}/blob/main/${wf.path}`,
        badge_url: `${this.serverUrl}/${wf.repository}/workflows/${encodeURIComponent(wf.name)}/badge.svg`,
      },
    };
  }

  private enableWorkflow(ctx: Context): Reply {
    const wf = this.workflowOf(ctx);
    wf.enableCalls++;
    wf.state = 'active';
    return { status: 204 };
  }

  // ----- workflow dispatch (the login function starts the rotation workflow) ---------------------------------------

  /** GitHub's answers: 204; 422 without a workflow_dispatch trigger, on a disabled workflow, or for a missing ref. */
  private dispatchWorkflow(ctx: Context): Reply {
    const wf = this.workflowOf(ctx);
    const { ref, inputs } = ctx.body;
    if (typeof ref !== 'string' || ref === '') throw new HttpError(422, 'Invalid request.\n\n"ref" wasn\'t supplied.');
    if (!wf.dispatchable) throw new HttpError(422, "Workflow does not have 'workflow_dispatch' trigger");
    if (wf.state !== 'active') throw new HttpError(422, "Cannot trigger a 'workflow_dispatch' on a disabled workflow");
    if (!this.branches.has(ref.replace(/^refs\/heads\//, ''))) throw new HttpError(422, `No ref found for: ${ref}`);
    this.dispatches.push({
      repository: wf.repository,
      workflowId: wf.id,
      path: wf.path,
      ref,
      inputs: isObject(inputs) ? inputs : {},
      at: this.now(),
    });
    return { status: 204 };
  }

  // ----- helpers ------------------------------------------------------------------------------------------------------

  /** Slices one page (per_page ≤ 100, default 30) and sets GitHub's `Link` header (first/prev/next/last). */
  private paginate<T>(ctx: Context, items: T[]): T[] {
    const perPage = Math.min(100, Math.max(1, Number(ctx.query.get('per_page')) || 30));
    const page = Math.max(1, Number(ctx.query.get('page')) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (p: number, rel: string) => {
      const q = new URLSearchParams(ctx.query);
      q.set('per_page', String(perPage));
      q.set('page', String(p));
      return `<${this.url}${ctx.record.path}?${q.toString()}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page > 1) links.push(link(page - 1, 'prev'), link(1, 'first'));
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    if (links.length > 0) ctx.headers.link = links.join(', ');
    return items.slice((page - 1) * perPage, page * perPage);
  }

  private repo(fullName: string): { fullName: string; id: number } {
    const repo = this.repositories.get(lower(fullName));
    if (!repo) throw new Error(`unknown repository ${fullName}; add it with repositories: [...] or addRepository()`);
    return repo;
  }

  private addStore(label: string): void {
    if (this.stores.has(lower(label))) return;
    const pair = sodium.crypto_box_keypair();
    this.stores.set(lower(label), {
      label,
      keyId: newKeyId(),
      publicKey: pair.publicKey,
      privateKey: pair.privateKey,
      secrets: new Map(),
    });
  }

  private storeOrThrow(label: string): Store {
    const s = this.stores.get(lower(label));
    if (!s) throw new Error(`unknown secrets store ${label} (use "owner/repo", "owner/repo@env" or "org/NAME")`);
    return s;
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

function newKeyId(): string {
  return `${randomInt(100_000_000, 999_999_999)}${randomInt(100_000_000, 999_999_999)}`;
}

function hashId(login: string): number {
  let h = 7;
  for (const ch of login) h = (h * 31 + ch.charCodeAt(0)) % 100_000_000;
  return h;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
