import type { Octokit } from '@octokit/core';
import type { Api } from '@octokit/plugin-rest-endpoint-methods';
import type { PaginateInterface } from '@octokit/plugin-paginate-rest';
import type { ThrottlingOptions } from '@octokit/plugin-throttling';
import { fetchOver } from '../http/fetch.js';
import { httpRequest } from '../http/transport.js';
import type { Transport } from '../http/transport.js';
import type { Logger } from '../util/logger.js';

/**
 * The REST methods the project calls (19), named and typed as @octokit/plugin-rest-endpoint-methods names them, with
 * their routes. That plugin's table holds every GitHub endpoint (82 KiB of code, ~30 ms of CPU and 3.5 MiB on each
 * run that talks to GitHub); these are the ones used. A test checks each route against the plugin's own table.
 * Add a method here (route copied from the plugin) before calling it.
 */
export const REST_ROUTES = {
  actions: {
    createOrUpdateEnvironmentSecret: 'PUT /repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}',
    createOrUpdateOrgSecret: 'PUT /orgs/{org}/actions/secrets/{secret_name}',
    createOrUpdateRepoSecret: 'PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}',
    createWorkflowDispatch: 'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
    enableWorkflow: 'PUT /repos/{owner}/{repo}/actions/workflows/{workflow_id}/enable',
    getEnvironmentPublicKey: 'GET /repos/{owner}/{repo}/environments/{environment_name}/secrets/public-key',
    getOrgPublicKey: 'GET /orgs/{org}/actions/secrets/public-key',
    getOrgSecret: 'GET /orgs/{org}/actions/secrets/{secret_name}',
    getRepoPublicKey: 'GET /repos/{owner}/{repo}/actions/secrets/public-key',
    getWorkflow: 'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}',
    listSelectedReposForOrgSecret: 'GET /orgs/{org}/actions/secrets/{secret_name}/repositories',
  },
  issues: {
    create: 'POST /repos/{owner}/{repo}/issues',
    createComment: 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
    createLabel: 'POST /repos/{owner}/{repo}/labels',
    getLabel: 'GET /repos/{owner}/{repo}/labels/{name}',
    listComments: 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
    listForRepo: 'GET /repos/{owner}/{repo}/issues',
    update: 'PATCH /repos/{owner}/{repo}/issues/{issue_number}',
  },
  users: {
    getAuthenticated: 'GET /user',
  },
} as const;

type Routes = typeof REST_ROUTES;
type Rest = Api['rest'];
/** `client.rest`: the methods of REST_ROUTES, with plugin-rest-endpoint-methods' types. */
export type GitHubRest = { [Scope in keyof Routes]: Pick<Rest[Scope], keyof Routes[Scope] & keyof Rest[Scope]> };

/** An Octokit with the REST methods above, pagination, the retry plugin and the throttling plugin. */
export type GitHubClient = Octokit & { rest: GitHubRest; paginate: PaginateInterface };

/**
 * The Octokit plugin that adds `rest`: each method is `octokit.request` with its route as defaults, as in the plugin.
 */
function restMethods(octokit: Octokit): { rest: GitHubRest } {
  const rest: Record<string, Record<string, unknown>> = {};
  for (const [scope, methods] of Object.entries(REST_ROUTES)) {
    const scoped: Record<string, unknown> = {};
    for (const [name, route] of Object.entries(methods)) {
      const [method, url] = route.split(' ');
      scoped[name] = octokit.request.defaults({ method, url });
    }
    rest[scope] = scoped;
  }
  return { rest: rest as unknown as GitHubRest };
}

export interface GitHubClientOptions {
  token: string;
  /** Defaults to GITHUB_API_URL (the runner's own variable), then https://api.github.com. */
  baseUrl?: string;
  logger: Logger;
  /** Retries of one request after a 5xx / network error / timeout (the retry plugin). Default 2. */
  retries?: number;
  /** Times one request is retried after a primary or secondary rate limit (the throttling plugin). Default 2. */
  rateLimitRetries?: number;
  /** Per-request timeout in milliseconds. Default 30 s. */
  timeoutMs?: number;
  /**
   * Scales every wait the plugins make: the retry plugin's backoff (1 s, 4 s, …), the throttling plugin's
   * Retry-After / rate-limit-reset waits, and its pause between mutating requests (1 s, GitHub's advice against
   * secondary rate limits). Default 1 (real waits); tests pass 0 so nothing sleeps. Note that the throttling plugin
   * treats `retry-after: 0` as absent and falls back to 60 s, so only this option makes a rate-limit retry instant.
   */
  waitScale?: number;
  /** The HTTP transport (default: src/http's, proxy settings from process.env); tests pass their own. */
  transport?: Transport;
}

/**
 * Builds the one Octokit the run uses: @octokit/core with the REST methods above and pagination (what @actions/github's
 * getOctokit adds, for the endpoints used), plus retry and throttling. They are loaded here, on demand, so runs that
 * never call GitHub do not pay for them. Requests go through the project's own transport (src/http): node:https with a
 * timeout on every request, the runner's HTTPS_PROXY / NO_PROXY honoured, and redirects refused (a 3xx fails the
 * request, naming where GitHub pointed, instead of being followed or taken for success).
 */
export async function createGitHubClient(options: GitHubClientOptions): Promise<GitHubClient> {
  const [{ Octokit }, { paginateRest }, { retry }, { throttling }] = await Promise.all([
    import('@octokit/core'),
    import('@octokit/plugin-paginate-rest'),
    import('@octokit/plugin-retry'),
    import('@octokit/plugin-throttling'),
  ]);
  const { logger } = options;
  const rateLimitRetries = options.rateLimitRetries ?? 2;
  const waitScale = Math.max(0, options.waitScale ?? 1);
  const baseUrl = (options.baseUrl ?? process.env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, '');
  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      if (retryCount < rateLimitRetries) {
        logger.warning(`GitHub ${kind} rate limit on ${request.method} ${request.url}; retrying in ${retryAfter}s.`);
        return true;
      }
      logger.warning(`GitHub ${kind} rate limit on ${request.method} ${request.url}; giving up after ${retryCount} retries.`);
      return false;
    };

  const GitHub = Octokit.plugin(restMethods, paginateRest, retry, throttling);
  const client = new GitHub({
    auth: options.token,
    userAgent: 'schwab-token-rotator',
    baseUrl,
    // Octokit's own warnings (deprecations, plugin errors) go to the run's logger, never straight to the console.
    log: {
      debug: (message: string) => logger.debug(message),
      info: (message: string) => logger.debug(message),
      warn: (message: string) => logger.warning(message),
      error: (message: string) => logger.error(message),
    },
    request: { fetch: fetchOver(options.transport ?? httpRequest, { timeoutMs: options.timeoutMs ?? 30_000 }) },
    // Not `request.retries`: the retry plugin would then retry every failure, 401/403/404/422 included.
    // 429 is left to the throttling plugin, which honours Retry-After and rateLimitRetries.
    retry: {
      retries: options.retries ?? 2,
      retryAfterBaseValue: 1000 * waitScale,
      doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451],
    },
    throttle: {
      onRateLimit: onLimit('primary'),
      onSecondaryRateLimit: onLimit('secondary'),
      retryAfterBaseValue: 1000 * waitScale,
      // The plugin's default write limiter is process-wide and spaces mutating requests 1 s apart; keep it for
      // real runs, replace it by a scaled one otherwise.
      ...(waitScale === 1
        ? {}
        : { write: spacingLimiter(1000 * waitScale), notifications: spacingLimiter(3000 * waitScale) }),
    },
  });
  // Registered last, so it sees each request's final answer, after the plugins' retries: a redirect is an error.
  client.hook.after('request', (response, request) => {
    if (response.status >= 300 && response.status < 400 && response.status !== 304) {
      throw redirectRefused(response, request);
    }
  });
  return client;
}

interface RedirectRefused extends Error {
  status: number;
  request: unknown;
  response: { url: string; status: number; headers: Record<string, string | number | undefined>; data: unknown };
}

/** The error of a 3xx answer: shaped like Octokit's RequestError (status, request, response), never retried. */
function redirectRefused(
  response: { url: string; status: number; headers: Record<string, string | number | undefined>; data: unknown },
  request: { method?: string },
): RedirectRefused {
  const location = response.headers.location;
  const target = typeof location === 'string' ? ` to ${location.split('?')[0]}` : '';
  const error = new Error(
    `GitHub answered ${request.method ?? 'the request'} ${response.url.split('?')[0]} with a redirect${target} ` +
      `(HTTP ${response.status}), which is not followed: check GITHUB_API_URL and the repository or organization ` +
      'name (was it renamed or moved?)',
  ) as RedirectRefused;
  error.name = 'HttpError';
  error.status = response.status;
  error.request = request;
  error.response = response;
  return error;
}

/**
 * The small part of a Bottleneck group the throttling plugin uses (`group.key(id).schedule(options, fn)`):
 * starts one job at a time, at least `minTimeMs` apart.
 */
function spacingLimiter(minTimeMs: number): BottleneckGroup {
  let next = 0;
  const limiter = {
    async schedule<T>(_options: unknown, job: () => T | Promise<T>): Promise<T> {
      const now = Date.now();
      const wait = Math.max(0, next - now);
      next = Math.max(now, next) + minTimeMs;
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      return job();
    },
  };
  return { key: () => limiter } as unknown as BottleneckGroup;
}

type BottleneckGroup = NonNullable<Extract<ThrottlingOptions, { onRateLimit: unknown }>['write']>;
