import type { Octokit } from '@octokit/core';
import type { Api } from '@octokit/plugin-rest-endpoint-methods';
import type { PaginateInterface } from '@octokit/plugin-paginate-rest';
import type { ThrottlingOptions } from '@octokit/plugin-throttling';
import { fetchOver } from '../http/fetch.js';
import { httpRequest } from '../http/transport.js';
import type { HttpResponse, Transport } from '../http/transport.js';
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

/** An Octokit with the REST methods above and pagination; retries and rate limits as described at createGitHubClient. */
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

/** The statuses the retry plugin never retries (429 is the throttling plugin's, as are rate-limit 403s). */
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451];

/**
 * The REST_ROUTES that make GitHub notify people: the throttling plugin spaces them 3 s apart, on top of the 1 s between
 * all writes. A test checks this list against the plugin's own (`throttling.triggersNotification`).
 */
export const NOTIFYING_ROUTES: readonly string[] = [REST_ROUTES.issues.create, REST_ROUTES.issues.createComment];

/**
 * Builds the one Octokit the run uses: @octokit/core with the REST methods above and pagination (what @actions/github's
 * getOctokit adds, for the endpoints used), plus retry and throttling. They are loaded here, on demand, so runs that
 * never call GitHub do not pay for them. Requests go through the project's own transport (src/http): node:https with a
 * timeout on every request, the runner's HTTPS_PROXY / NO_PROXY honoured, and redirects refused (a 3xx fails the
 * request, naming where GitHub pointed, instead of being followed or taken for success).
 *
 * Retries and rate limits are @octokit/plugin-retry's and plugin-throttling's, loaded with their Bottleneck
 * schedulers only when a request fails in a way they act on (most runs never see one): the failed answer is then
 * replayed to them as their own first attempt, so they retry, wait and give up exactly as if they had sent it, and
 * every later request goes through them. What the throttling plugin does to every request, spacing writes (1 s
 * apart; 3 s for those that notify people, GitHub's advice against secondary rate limits), is done below the
 * plugins, for each attempt sent, with the same process-wide spacing.
 */
export async function createGitHubClient(options: GitHubClientOptions): Promise<GitHubClient> {
  const [{ Octokit }, { paginateRest }] = await Promise.all([
    import('@octokit/core'),
    import('@octokit/plugin-paginate-rest'),
  ]);
  const { logger } = options;
  const rateLimitRetries = options.rateLimitRetries ?? 2;
  const waitScale = Math.max(0, options.waitScale ?? 1);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const baseUrl = (options.baseUrl ?? process.env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, '');
  const transport = spacedWrites(options.transport ?? httpRequest, baseUrl, waitScale);
  const common = {
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
  };
  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      if (retryCount < rateLimitRetries) {
        logger.warning(`GitHub ${kind} rate limit on ${request.method} ${request.url}; retrying in ${retryAfter}s.`);
        return true;
      }
      logger.warning(
        `GitHub ${kind} rate limit on ${request.method} ${request.url}; giving up after ${retryCount} retries.`,
      );
      return false;
    };

  let plugged: Promise<Octokit> | undefined;
  const withPlugins = (): Promise<Octokit> =>
    (plugged ??= (async () => {
      const [{ retry }, { throttling }] = await Promise.all([
        import('@octokit/plugin-retry'),
        import('@octokit/plugin-throttling'),
      ]);
      return new (Octokit.plugin(retry, throttling))({
        ...common,
        request: { fetch: fetchOver(transport, { timeoutMs }) },
        // Not `request.retries`: the retry plugin would then retry every failure, 401/403/404/422 included.
        // 429 is left to the throttling plugin, which honours Retry-After and rateLimitRetries.
        retry: { retries: options.retries ?? 2, retryAfterBaseValue: 1000 * waitScale, doNotRetry: DO_NOT_RETRY },
        throttle: {
          onRateLimit: onLimit('primary'),
          onSecondaryRateLimit: onLimit('secondary'),
          retryAfterBaseValue: 1000 * waitScale,
          // Writes are spaced below the plugins (spacedWrites), for every attempt: nothing more to wait for here.
          write: unspaced,
          notifications: unspaced,
        },
      });
    })());

  const GitHub = Octokit.plugin(restMethods, paginateRest);
  const client = new GitHub({ ...common, request: { fetch: fetchOver(transport, { timeoutMs }) } });
  client.hook.wrap('request', async (request, endpoint) => {
    // The client's own hook must not run again inside the plugged one.
    const { hook: _hook, ...requestOptions } = endpoint.request ?? {};
    if (plugged) return (await plugged).request({ ...endpoint, request: requestOptions });
    let first: { answer: HttpResponse } | { error: unknown } | undefined;
    const recording: Transport = (url, attempt) =>
      transport(url, attempt).then(
        (answer) => ((first = { answer }), answer),
        (error: unknown) => {
          first = { error };
          throw error;
        },
      );
    // The hooks inside this one were bound to `endpoint` (before-after-hook's way): the first attempt's fetch is set
    // on it (this request's own copy of the options), not passed as new options.
    endpoint.request = { ...endpoint.request, fetch: fetchOver(recording, { timeoutMs }) };
    try {
      return await request(endpoint);
    } catch (error) {
      const sent = first;
      if (!sent || !pluginsAct(error)) throw error;
      let replayed = false;
      const replay: Transport = (url, attempt) => {
        if (replayed) return transport(url, attempt);
        replayed = true;
        return 'answer' in sent ? Promise.resolve(sent.answer) : Promise.reject(sent.error);
      };
      return (await withPlugins()).request({
        ...endpoint,
        request: { ...requestOptions, fetch: fetchOver(replay, { timeoutMs }) },
      });
    }
  });
  // Registered last, so it sees each request's final answer, after the plugins' retries: a redirect is an error.
  client.hook.after('request', (response, request) => {
    if (response.status >= 300 && response.status < 400 && response.status !== 304) {
      throw redirectRefused(response, request);
    }
  });
  return client;
}

/** Whether the retry or the throttling plugin would do anything with this failure (else it stands as it is). */
function pluginsAct(error: unknown): boolean {
  const { status, request } = (error ?? {}) as { status?: unknown; request?: unknown };
  if (request === undefined || typeof status !== 'number' || status < 400) return false;
  return !DO_NOT_RETRY.includes(status) || status === 403 || status === 429;
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
 * The transport with writes spaced as @octokit/plugin-throttling spaces them: a request that is not a GET or HEAD
 * starts at least 1 s after the previous one, and one of NOTIFYING_ROUTES at least 3 s after the previous such one
 * (both scaled by waitScale). Process-wide, as the plugin's own schedulers are, so two clients (the secrets token's
 * and the workflow token's) share them.
 */
function spacedWrites(transport: Transport, baseUrl: string, waitScale: number): Transport {
  const basePath = new URL(baseUrl).pathname.replace(/\/+$/, '');
  const spacing = spacingFor(waitScale);
  return async (url, request) => {
    const method = (request.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') {
      const { pathname } = new URL(url);
      const path = basePath && pathname.startsWith(basePath) ? pathname.slice(basePath.length) : pathname;
      await spacing.writes.next();
      if (NOTIFYING.some(([route, pattern]) => route === method && pattern.test(path)))
        await spacing.notifications.next();
    }
    return transport(url, request);
  };
}

/** NOTIFYING_ROUTES as [method, path pattern], each {parameter} one path segment. */
const NOTIFYING: Array<[string, RegExp]> = NOTIFYING_ROUTES.map((route) => {
  const [method = '', path = ''] = route.split(' ');
  return [method, new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`)];
});

interface Spacing {
  writes: { next(): Promise<void> };
  notifications: { next(): Promise<void> };
}

const spacings = new Map<number, Spacing>();

function spacingFor(waitScale: number): Spacing {
  let spacing = spacings.get(waitScale);
  if (!spacing) {
    spacing = { writes: spacer(1000 * waitScale), notifications: spacer(3000 * waitScale) };
    spacings.set(waitScale, spacing);
  }
  return spacing;
}

/** Resolves each `next()` at least `minTimeMs` after the previous one resolved, in call order. */
function spacer(minTimeMs: number): { next(): Promise<void> } {
  let next = 0;
  return {
    async next() {
      const now = Date.now();
      const wait = Math.max(0, next - now);
      next = Math.max(now, next) + minTimeMs;
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    },
  };
}

/** A Bottleneck group (as the throttling plugin uses one: `group.key(id).schedule(options, job)`) that never waits. */
const unspaced = {
  key: () => ({ schedule: <T>(_options: unknown, job: () => T | Promise<T>) => Promise.resolve().then(job) }),
} as unknown as BottleneckGroup;

type BottleneckGroup = NonNullable<Extract<ThrottlingOptions, { onRateLimit: unknown }>['write']>;
