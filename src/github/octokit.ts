import type { getOctokit } from '@actions/github';
import type { Logger } from '../util/logger.js';

/** An Octokit with the REST endpoint methods, the retry plugin and the throttling plugin. */
export type GitHubClient = ReturnType<typeof getOctokit>;

export interface GitHubClientOptions {
  token: string;
  /** Defaults to GITHUB_API_URL (the runner's own variable), then https://api.github.com. */
  baseUrl?: string;
  logger: Logger;
  /** Retries of one request after a 5xx / network error (the retry plugin). */
  retries?: number;
  /** Times one request is retried after a primary or secondary rate limit (the throttling plugin). */
  rateLimitRetries?: number;
  /** Per-request timeout in milliseconds. */
  timeoutMs?: number;
}

/**
 * Builds the one Octokit the run uses. Octokit, its plugins and @actions/github are loaded here, on demand,
 * so runs that never call GitHub do not pay for them.
 */
export async function createGitHubClient(options: GitHubClientOptions): Promise<GitHubClient> {
  const [{ getOctokit }, { retry }, { throttling }] = await Promise.all([
    import('@actions/github'),
    import('@octokit/plugin-retry'),
    import('@octokit/plugin-throttling'),
  ]);
  const { logger } = options;
  const rateLimitRetries = options.rateLimitRetries ?? 2;
  const baseUrl = options.baseUrl ?? process.env.GITHUB_API_URL ?? 'https://api.github.com';
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
  return getOctokit(
    options.token,
    {
      baseUrl: baseUrl.replace(/\/+$/, ''),
      request: {
        retries: options.retries ?? 2,
        fetch: fetchWithTimeout(options.timeoutMs ?? 30_000),
      },
      throttle: {
        onRateLimit: onLimit('primary'),
        onSecondaryRateLimit: onLimit('secondary'),
      },
    },
    retry,
    throttling,
  );
}

/** Node's global fetch with a timeout on every request. */
function fetchWithTimeout(timeoutMs: number): typeof fetch {
  return (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return fetch(input, { ...init, signal });
  };
}
