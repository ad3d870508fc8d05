import * as core from '@actions/core';
import { readSettings } from './settings/inputs.js';
import { createLogger } from './util/logger.js';
import type { Logger } from './util/logger.js';
import { errorMessage } from './util/errors.js';
import { realSleep, systemClock } from './util/clock.js';
import { runActionOnce } from './action/run.js';
import type { ActionRunResult } from './action/run.js';
import { renderSummary } from './action/summary.js';
import { formatIsoSeconds } from './token/time.js';
import { describeFinishedAfterCancel, describeStop, watchCancellation } from './run/cancel.js';
import { withFailure } from './run/rotation.js';
import type { RotationStep } from './run/rotation.js';

/**
 * The action: inputs → settings → rotation → outputs, summary and exit status.
 * The only place an error becomes `core.setFailed`.
 */
export async function run(): Promise<void> {
  const logger = createLogger({
    registerSecret: (secret) => core.setSecret(secret),
    write: (level, message) => core[level](message),
  });
  // A cancelled workflow (SIGINT, then SIGTERM, then SIGKILL) lets the write in progress finish, bounded.
  let step: RotationStep | undefined;
  const cancel = watchCancellation({
    onSignal: (name, graceMs) =>
      logger.warning(`Received ${name}: finishing the step in progress (at most ${graceMs / 1000} s), then stopping.`),
    onExpired: (name) => void stopNow(logger, describeStop(name, step)),
  });
  try {
    const settings = readSettings((name) => core.getInput(name), logger);
    const platform = {
      clock: systemClock,
      sleep: realSleep,
      logger,
      signal: cancel.signal,
      onStep: (next: RotationStep) => (step = next),
    };
    const done = await runActionOnce(settings, platform, runContext());
    const cancelled = cancel.received && {
      kind: 'cancelled' as const,
      message: describeFinishedAfterCancel(cancel.received),
    };
    const run = cancelled ? { ...done, rotation: withFailure(done.rotation, cancelled) } : done;
    const result = run.rotation;
    setOutputs(run);
    await writeSummary(
      logger,
      renderSummary(result, systemClock.now(), { issue: issueLink(run), warnings: run.warnings }),
    );
    logger.info(result.action);
    if (result.failures.length) {
      core.setFailed(result.failures.map((failure) => failure.message).join('\n'));
    } else if (result.status === 'expiring') {
      logger.warning(result.health.reason);
    }
  } catch (error) {
    const message = logger.redact(errorMessage(error));
    core.setOutput('status', 'error');
    core.setFailed(message);
    await writeSummary(logger, `## Schwab token\n\n❌ The run stopped before touching any store: ${message}\n`);
  } finally {
    cancel.dispose();
  }
}

/** The grace after a cancel ran out: say where the run stopped, then end the process before the runner kills it. */
async function stopNow(logger: Logger, sentence: string): Promise<void> {
  core.setOutput('status', 'error');
  core.setFailed(logger.redact(sentence));
  await writeSummary(logger, `## Schwab token\n\n❌ ${sentence}\n`);
  process.exit(1);
}

function setOutputs(run: ActionRunResult): void {
  const result = run.rotation;
  const { record, health } = result;
  if (record) {
    core.setSecret(record.tokens.accessToken);
    core.setOutput('access-token', record.tokens.accessToken);
    core.setOutput('expires-at', formatIsoSeconds(record.meta.accessTokenExpiresAt));
  }
  if (health.refreshTokenExpiresAt)
    core.setOutput('refresh-token-expires-at', formatIsoSeconds(health.refreshTokenExpiresAt));
  core.setOutput('refreshed', String(result.refreshed));
  core.setOutput('status', result.status);
  if (run.alert?.issueNumber !== undefined) core.setOutput('issue-number', String(run.alert.issueNumber));
}

function issueLink(run: ActionRunResult): { number: number; url: string; action: string } | undefined {
  const { alert } = run;
  if (alert?.issueNumber === undefined || !alert.issueUrl) return undefined;
  const action = alert.action === 'none' ? (alert.decision?.reason ?? 'open') : alert.action;
  return { number: alert.issueNumber, url: alert.issueUrl, action };
}

function runContext(): { workflowRef?: string; runUrl?: string } {
  const { GITHUB_WORKFLOW_REF, GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID } = process.env;
  return {
    workflowRef: GITHUB_WORKFLOW_REF || undefined,
    runUrl:
      GITHUB_SERVER_URL && GITHUB_REPOSITORY && GITHUB_RUN_ID
        ? `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}`
        : undefined,
  };
}

async function writeSummary(logger: Logger, markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary.addRaw(logger.redact(markdown)).write();
  } catch (error) {
    logger.warning(`Could not write the job summary: ${errorMessage(error)}`);
  }
}
