/**
 * Keeps the schedule alive. GitHub disables scheduled workflows of a public repository after 60 days without
 * repository activity, which would silently stop the rotation. Re-enabling the workflow through the REST API
 * (`PUT /repos/{owner}/{repo}/actions/workflows/{file}/enable`, needs `actions: write`) resets that timer.
 *
 * "At most once a week", without any state of our own:
 *
 * 1. A fixed weekly window: only runs whose clock falls in Wednesday 12:00–15:00 UTC look at all. Every other run
 *    makes no API call. Three hours hold ~7 runs of a 25-minute schedule, so a few delayed or dropped scheduled
 *    runs do not make a week miss; and 60 days hold 8 such windows, any one of which is enough.
 * 2. Inside the window, one cheap read of the state GitHub already keeps: `GET .../actions/workflows/{file}`.
 *    Enabling a workflow moves its `updated_at`; when `updated_at` is already inside this week's window, this
 *    week's enable happened (or the workflow file itself changed, which is activity too) and the run does nothing.
 *    The first run of the window enables; the ~6 after it only read. So: at most one enable per week, at most
 *    one GET per run during 3 hours a week, zero calls the rest of the week. (Should GitHub ever stop moving
 *    `updated_at` on enable, the bound degrades to one enable per run inside the window, ~7 a week, never more.)
 *
 * A workflow a person disabled (`disabled_manually`) is left alone. Failures are warnings (403: the job needs
 * `actions: write`); they never fail the run.
 */
import type { GitHubClient } from '../github/octokit.js';
import type { Logger } from '../util/logger.js';
import { describeGitHubError } from './reauth-alert.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The weekly window: Wednesday (UTC day 3) from 12:00 for 3 hours. Away from the midnight-UTC schedule rush. */
export const KEEP_ALIVE_WINDOW = { weekday: 3, startHour: 12, hours: 3 } as const;

export interface KeepAliveOptions {
  client: GitHubClient;
  owner: string;
  repo: string;
  /** GITHUB_WORKFLOW_REF, e.g. "octo/repo/.github/workflows/rotate.yml@refs/heads/main". */
  workflowRef: string | undefined;
  now: Date;
  logger: Logger;
  /** Decide and read, but do not enable. */
  dryRun?: boolean;
}

export interface KeepAliveOutcome {
  action: 'enabled' | 'skipped';
  /** One sentence for the log / summary. */
  reason: string;
  /** What failed; the run goes on. */
  warning?: string;
  /** GitHub API requests made. */
  requests: number;
}

export interface WorkflowRef {
  owner: string;
  repo: string;
  /** The workflow's file name (what the API accepts as workflow_id). */
  file: string;
  ref: string;
}

/** Parses GITHUB_WORKFLOW_REF ("owner/repo/.github/workflows/file.yml@ref"). */
export function parseWorkflowRef(value: string | undefined): WorkflowRef | undefined {
  const match = /^([^/\s]+)\/([^/\s]+)\/\.github\/workflows\/([^/@]+\.ya?ml)@(.+)$/.exec(value?.trim() ?? '');
  if (!match) return undefined;
  return { owner: match[1] as string, repo: match[2] as string, file: match[3] as string, ref: match[4] as string };
}

/** The latest window that opened at or before `now`: [start, end). A "week" runs from one window start to the next. */
export function keepAliveWindow(now: Date): { start: Date; end: Date } {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const daysSince = (now.getUTCDay() - KEEP_ALIVE_WINDOW.weekday + 7) % 7;
  let start = midnight - daysSince * DAY_MS + KEEP_ALIVE_WINDOW.startHour * HOUR_MS;
  if (start > now.getTime()) start -= 7 * DAY_MS; // the window day, before the window opens: last week's
  return { start: new Date(start), end: new Date(start + KEEP_ALIVE_WINDOW.hours * HOUR_MS) };
}

export function inKeepAliveWindow(now: Date): boolean {
  const { start, end } = keepAliveWindow(now);
  return now.getTime() >= start.getTime() && now.getTime() < end.getTime();
}

export async function keepScheduleAlive(options: KeepAliveOptions): Promise<KeepAliveOutcome> {
  const { client, logger, now } = options;
  const parsed = parseWorkflowRef(options.workflowRef);
  if (!parsed) {
    return {
      action: 'skipped',
      reason: 'The workflow file is unknown.',
      warning:
        'keep-schedule-alive needs GITHUB_WORKFLOW_REF (set by the runner) to name the workflow file; nothing ' +
        'was re-enabled.',
      requests: 0,
    };
  }
  const { start, end } = keepAliveWindow(now);
  if (now < start || now >= end) {
    return { action: 'skipped', reason: `Outside the weekly keep-alive window (${describeWindow()}).`, requests: 0 };
  }
  // The workflow file lives in the repository its ref names (the same as GITHUB_REPOSITORY for a normal run).
  const { owner, repo } = parsed.owner && parsed.repo ? parsed : options;
  const params = { owner, repo, workflow_id: parsed.file };
  const describe = (error: unknown, doing: string) =>
    logger.redact(describeGitHubError(error, doing, `${owner}/${repo}`, 'actions: write'));

  let workflow: { state?: string; updated_at?: string };
  try {
    workflow = (await client.rest.actions.getWorkflow(params)).data;
  } catch (error) {
    return {
      action: 'skipped',
      reason: 'The workflow could not be read.',
      warning: describe(error, `reading the workflow ${parsed.file}`),
      requests: 1,
    };
  }
  if (workflow.state === 'disabled_manually') {
    return {
      action: 'skipped',
      reason: `The workflow ${parsed.file} was disabled by a person; it is left alone.`,
      requests: 1,
    };
  }
  const updatedAt = workflow.updated_at ? Date.parse(workflow.updated_at) : Number.NaN;
  if (workflow.state === 'active' && updatedAt >= start.getTime()) {
    return {
      action: 'skipped',
      reason: `The workflow ${parsed.file} was already re-enabled this week (${new Date(updatedAt).toISOString()}).`,
      requests: 1,
    };
  }
  if (options.dryRun) {
    return { action: 'skipped', reason: `Dry run: would re-enable the workflow ${parsed.file}.`, requests: 1 };
  }
  try {
    await client.rest.actions.enableWorkflow(params);
  } catch (error) {
    return {
      action: 'skipped',
      reason: 'The workflow could not be re-enabled.',
      warning: describe(error, `re-enabling the workflow ${parsed.file}`),
      requests: 2,
    };
  }
  logger.info(
    `Re-enabled the workflow ${parsed.file}, which resets GitHub's 60-day inactivity timer for its schedule.`,
  );
  return { action: 'enabled', reason: `Re-enabled the workflow ${parsed.file} (weekly keep-alive).`, requests: 2 };
}

function describeWindow(): string {
  const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
  const from = String(KEEP_ALIVE_WINDOW.startHour).padStart(2, '0');
  const to = String(KEEP_ALIVE_WINDOW.startHour + KEEP_ALIVE_WINDOW.hours).padStart(2, '0');
  return `${days[KEEP_ALIVE_WINDOW.weekday]} ${from}:00–${to}:00 UTC`;
}
