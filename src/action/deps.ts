import type { Settings } from '../settings/inputs.js';
import type { Logger } from '../util/logger.js';
import type { Clock, Sleep } from '../util/clock.js';
import type { Tuning } from '../util/tuning.js';
import { SchwabOAuthClient } from '../schwab/oauth-client.js';
import type { RotationDeps, RotationStep } from '../run/rotation.js';
import type { MirrorStore, RecordSource } from '../run/stores.js';
import { githubSecretsMirror } from '../stores/github-secrets.js';
import { secretsManagerPrimary } from '../stores/secrets-manager.js';

export interface Platform {
  clock: Clock;
  sleep: Sleep;
  logger: Logger;
  /** Timeouts and waits of the I/O clients; production leaves it empty (their defaults), tests shorten them. */
  tuning?: Tuning | undefined;
  /** Aborts when the run is cancelled (SIGINT / SIGTERM): the write in progress finishes, nothing new starts. */
  signal?: AbortSignal | undefined;
  /** Told each step of the rotation as it starts. */
  onStep?: ((step: RotationStep) => void) | undefined;
}

/**
 * The action's composition root: turns settings into the stores and clients a rotation talks to.
 * Heavy SDKs are imported here, on demand, only when the settings need them.
 */
export async function buildActionDeps(settings: Settings, platform: Platform): Promise<RotationDeps> {
  const { logger, clock, sleep, tuning } = platform;
  const schwab = new SchwabOAuthClient({
    baseUrl: settings.schwabBaseUrl,
    appKey: settings.appKey,
    appSecret: settings.appSecret,
    logger,
    clock,
    sleep,
    timeoutMs: tuning?.schwabTimeoutMs,
  });
  const sources: RecordSource[] = [];
  if (settings.tokenInput !== undefined) {
    const text = settings.tokenInput;
    sources.push({ label: 'the "token" input', load: async () => ({ text }) });
  }
  const primary = settings.awsSecretId
    ? await secretsManagerPrimary(settings.awsSecretId, settings.awsRegion, logger, tuning)
    : undefined;
  const mirrors: MirrorStore[] = [];
  if (settings.githubSecrets.length > 0 && settings.secretsToken) {
    mirrors.push(githubSecretsMirror(settings.githubSecrets, settings.secretsToken, logger, tuning));
  }
  return { clock, sleep, logger, schwab, sources, primary, mirrors, signal: platform.signal, onStep: platform.onStep };
}
