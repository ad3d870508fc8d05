/**
 * Starts the rotation workflow after a login was stored
 * (`POST /repos/{owner}/{repo}/actions/workflows/{file}/dispatches`, needs `actions: write` on that one repository),
 * so the GitHub secrets and the alert issue catch up at once rather than at the next schedule. Best effort: the login
 * is already stored, so a failure is reported, never thrown. Octokit loads only here.
 */
import { errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import type { GitHubDispatchConfig } from './config.js';
import type { DispatchReport } from './pages.js';

export interface DispatchOptions {
  logger: Logger;
  /** GITHUB_API_URL; undefined: https://api.github.com. */
  baseUrl: string | undefined;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
  /** Scales the Octokit plugins' waits (tests: 0). */
  waitScale?: number;
}

export async function dispatchWorkflow(
  github: GitHubDispatchConfig,
  options: DispatchOptions,
): Promise<DispatchReport> {
  const { logger } = options;
  const [owner = '', repo = ''] = github.repository.split('/');
  const base = { workflow: github.workflow, repository: github.repository };
  try {
    const { createGitHubClient } = await import('../github/octokit.js');
    const client = await createGitHubClient({
      token: github.token,
      logger,
      baseUrl: options.baseUrl,
      timeoutMs: options.timeoutMs ?? 10_000,
      retries: 1,
      rateLimitRetries: 0,
      waitScale: options.waitScale,
    });
    await client.rest.actions.createWorkflowDispatch({ owner, repo, workflow_id: github.workflow, ref: github.ref });
    logger.info(`Started the workflow ${github.workflow} of ${github.repository} on ${github.ref}.`);
    return { kind: 'started', ...base, ref: github.ref };
  } catch (error) {
    const reason = logger.redact(describeDispatchError(error, github));
    logger.warning(`Could not start the workflow ${github.workflow} of ${github.repository}: ${reason}.`);
    return { kind: 'failed', ...base, reason };
  }
}

/** The reason in a few words, in the configuration secret's terms. */
export function describeDispatchError(error: unknown, github: GitHubDispatchConfig): string {
  const status = (error as { status?: unknown }).status;
  switch (status) {
    case 401:
      return 'GitHub rejected the github_token of the configuration secret (401): replace it with a valid token';
    case 403:
      return (
        `GitHub refused (403): the github_token needs the "Actions: read and write" permission on ` +
        `${github.repository}`
      );
    case 404:
      return (
        `GitHub answered 404: check that ${github.repository} has the workflow file ${github.workflow} and that ` +
        `the github_token can see the repository`
      );
    case 422:
      return (
        `GitHub answered 422: the workflow needs a workflow_dispatch trigger and the branch ${github.ref} must ` +
        `exist (github_ref)`
      );
    case undefined:
      return `GitHub could not be reached (${errorMessage(error).replace(/\s+/g, ' ').slice(0, 200)})`;
    default:
      return `GitHub answered ${String(status)}`;
  }
}
