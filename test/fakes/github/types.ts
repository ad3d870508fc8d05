/** The GitHub fake's public shapes: its options, tokens, routes, faults, the state a test inspects, and its API. */
import type { IncomingHttpHeaders } from 'node:http';
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
