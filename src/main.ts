import * as core from '@actions/core';
import { readSettings } from './settings/inputs.js';
import { createLogger } from './util/logger.js';
import type { Logger } from './util/logger.js';
import { errorMessage } from './util/errors.js';
import { realSleep, systemClock } from './util/clock.js';
import { rotate } from './run/rotation.js';
import type { RotationResult } from './run/rotation.js';
import { buildActionDeps } from './run/action-deps.js';
import { renderSummary } from './run/summary.js';

const REAUTH_WARNING_MS = 48 * 3_600_000;

/**
 * The action: inputs → settings → rotation → outputs, summary and exit status.
 * The only place an error becomes `core.setFailed`.
 */
export async function run(): Promise<void> {
  const logger = createLogger({
    registerSecret: (secret) => core.setSecret(secret),
    write: (level, message) => core[level](message),
  });
  try {
    const settings = readSettings((name) => core.getInput(name), logger);
    const deps = await buildActionDeps(settings, { clock: systemClock, sleep: realSleep, logger });
    const result = await rotate(
      {
        force: settings.force,
        dryRun: settings.dryRun,
        refreshBeforeMs: settings.refreshBeforeMs,
        reauthWarningMs: REAUTH_WARNING_MS,
        tokenFormat: settings.tokenFormat,
        verify: settings.verify,
      },
      deps,
    );
    setOutputs(result);
    await writeSummary(logger, renderSummary(result, systemClock.now()));
    logger.info(result.action);
    if (result.failures.length) {
      core.setFailed(result.failures.join('\n'));
    } else if (result.status === 'expiring') {
      logger.warning(`${result.health.reason}`);
    }
  } catch (error) {
    core.setFailed(logger.redact(errorMessage(error)));
  }
}

function setOutputs(result: RotationResult): void {
  const { record, health } = result;
  if (record) {
    core.setSecret(record.tokens.accessToken);
    core.setOutput('access-token', record.tokens.accessToken);
    core.setOutput('expires-at', isoSeconds(record.meta.accessTokenExpiresAt));
  }
  if (health.refreshTokenExpiresAt) core.setOutput('refresh-token-expires-at', isoSeconds(health.refreshTokenExpiresAt));
  core.setOutput('refreshed', String(result.refreshed));
  core.setOutput('status', result.status);
}

async function writeSummary(logger: Logger, markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary.addRaw(logger.redact(markdown)).write();
  } catch (error) {
    logger.warning(`Could not write the job summary: ${errorMessage(error)}`);
  }
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
