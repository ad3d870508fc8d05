import type { Settings } from '../settings/inputs.js';
import type { AlertOutcome } from '../alerts/reauth-alert.js';
import type { KeepAliveOutcome } from '../alerts/keep-alive.js';
import { errorMessage } from '../util/errors.js';
import { rotate } from '../run/rotation.js';
import type { RotationResult } from '../run/rotation.js';
import { buildActionDeps } from './deps.js';
import type { Platform } from './deps.js';
import { githubTuning } from '../util/tuning.js';

/**
 * Loads Octokit and the alert module and starts the alert issue's one read while the rotation runs: both overlap
 * with the refresh and the Secrets Manager calls instead of following them.
 */
function startAlerts(settings: Settings, platform: Platform) {
  const started = (async () => {
    const [{ createGitHubClient }, { ReauthAlerts }] = await Promise.all([
      import('../github/octokit.js'),
      import('../alerts/reauth-alert.js'),
    ]);
    const [owner = '', repo = ''] = (settings.repository ?? '').split('/');
    const client = await createGitHubClient({
      token: settings.githubToken ?? '',
      logger: platform.logger,
      ...githubTuning(platform.tuning),
    });
    const reauthAlerts = new ReauthAlerts({
      client,
      owner,
      repo,
      labels: settings.issueLabels,
      assignees: settings.issueAssignees,
      tokenId: settings.tokenId,
      logger: platform.logger,
    });
    reauthAlerts.prefetch();
    return { client, reauthAlerts, owner, repo };
  })();
  started.catch(() => undefined); // a failure surfaces where it is awaited
  return started;
}

/** What the runner tells a step about itself. */
export interface RunContext {
  /** GITHUB_WORKFLOW_REF: which workflow file to keep alive. */
  workflowRef?: string | undefined;
  /** Link to this workflow run, for the issue texts. */
  runUrl?: string | undefined;
}

export interface ActionRunResult {
  rotation: RotationResult;
  /** The alert issue's fate; undefined when alerts are off (no github-token or repository). */
  alert?: AlertOutcome | undefined;
  keepAlive?: KeepAliveOutcome | undefined;
  /** Problems that do not fail the run (issue API failures and the like); already logged. */
  warnings: string[];
}

/**
 * One run of the action: rotate the token (docs/design.md#one-run, steps 2–7), then keep the alert issue in step with
 * its health (#alert-issue) and, when asked, keep the schedule alive. Issue and keep-alive failures are warnings: they
 * never stop the token from being refreshed and written.
 */
export async function runActionOnce(
  settings: Settings,
  platform: Platform,
  context: RunContext = {},
): Promise<ActionRunResult> {
  const { logger, clock } = platform;
  const alerts = settings.githubToken && settings.repository ? startAlerts(settings, platform) : undefined;
  const deps = await buildActionDeps(settings, platform);
  const rotation = await rotate(
    {
      force: settings.force,
      dryRun: settings.dryRun,
      refreshBeforeMs: settings.refreshBeforeMs,
      reauthWarningMs: settings.reauthWarningMs,
      tokenFormat: settings.tokenFormat,
      verify: settings.verify,
    },
    deps,
  );

  const warnings: string[] = [];
  const warn = (message: string | undefined): void => {
    if (!message) return;
    warnings.push(logger.redact(message));
    logger.warning(message);
  };

  if (platform.signal?.aborted) {
    logger.info('The alert issue was left as it is: the run was cancelled.');
    return { rotation, warnings };
  }
  if (!rotation.healthKnown) {
    logger.info('The alert issue was left as it is: the token record could not be read, so its health is unknown.');
    return { rotation, warnings };
  }
  if (!alerts) {
    logger.info(
      'The re-auth alert issue is off: it needs github-token and GITHUB_REPOSITORY (both set on GitHub runners).',
    );
    return { rotation, warnings };
  }

  let alert: AlertOutcome | undefined;
  let keepAlive: KeepAliveOutcome | undefined;
  try {
    const { client, reauthAlerts, owner, repo } = await alerts;
    // The GitHub secret `login --github-repo` can write: a repository secret, else an environment secret.
    const secretTarget =
      settings.githubSecrets.find((target) => target.kind === 'repository') ??
      settings.githubSecrets.find((target) => target.kind === 'environment');
    const loginSecret =
      secretTarget?.kind === 'repository'
        ? { repo: `${secretTarget.owner}/${secretTarget.repo}`, name: secretTarget.name }
        : secretTarget?.kind === 'environment'
          ? { repo: `${secretTarget.owner}/${secretTarget.repo}@${secretTarget.environment}`, name: secretTarget.name }
          : undefined;
    alert = await reauthAlerts.sync({
      now: clock.now(),
      health: rotation.health.status,
      schwabRejected: rotation.schwabRejected,
      loginAt: rotation.record?.meta.createdAt,
      login: {
        callbackUrl: settings.callbackUrl,
        schwabBaseUrl: settings.schwabBaseUrl,
        tokenFormat: settings.tokenFormat,
        awsSecretId: settings.awsSecretId,
        awsRegion: settings.awsRegion,
        githubSecret: loginSecret,
        loginUrl: settings.loginUrl,
      },
      stores: rotation.stores.map((store) => store.label),
      runUrl: context.runUrl,
      dryRun: settings.dryRun,
    });
    warn(alert.warning);
    if (settings.keepScheduleAlive) {
      const { keepScheduleAlive } = await import('../alerts/keep-alive.js');
      keepAlive = await keepScheduleAlive({
        client,
        owner,
        repo,
        workflowRef: context.workflowRef,
        now: clock.now(),
        logger,
        dryRun: settings.dryRun,
      });
      warn(keepAlive.warning);
    }
  } catch (error) {
    warn(`The alert issue could not be checked: ${errorMessage(error)}`);
  }
  return { rotation, alert, keepAlive, warnings };
}
