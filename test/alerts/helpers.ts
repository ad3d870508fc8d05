import { ReauthAlerts, type AlertSyncInput } from '../../src/alerts/reauth-alert.js';
import { createGitHubClient, type GitHubClient } from '../../src/github/octokit.js';
import { createMemoryLogger } from '../../src/util/logger.js';
import { FAKE_WORKFLOW_TOKEN, startGitHubFake, type GitHubFake, type GitHubFakeOptions } from '../fakes/github-fake.js';

export const REPO = 'acme/bot';
export const TOKEN_ID = 'prod/schwab-token';
export const LABEL = 'schwab-reauth';
export const APP_KEY = 'AppKey0123456789abcdefABCDEF0123';
export const APP_SECRET = 'AppSecret0fThe0App0123';
export const ACCESS_TOKEN = 'I0.b2F1dGgyLmNkYy5zY2h3YWIuY29t.accesstoken@';
export const REFRESH_TOKEN = 'refresh0token0value0xyz0123456789@';
export const CALLBACK = 'https://127.0.0.1:8182';

export interface Harness {
  fake: GitHubFake;
  client: GitHubClient;
  logger: ReturnType<typeof createMemoryLogger>;
  alerts: ReauthAlerts;
  /** The sync input every test starts from (expiring-independent parts). */
  input(overrides: Partial<AlertSyncInput> & Pick<AlertSyncInput, 'now' | 'health'>): AlertSyncInput;
}

export async function startHarness(
  options: { fake?: GitHubFakeOptions; token?: string; labels?: string[]; assignees?: string[]; tokenId?: string } = {},
): Promise<Harness> {
  const fake = await startGitHubFake({
    workflows: [{ repository: REPO, id: 42, path: '.github/workflows/rotate.yml' }],
    ...options.fake,
  });
  const logger = createMemoryLogger();
  for (const secret of [APP_SECRET, ACCESS_TOKEN, REFRESH_TOKEN]) logger.mask(secret);
  const client = await createGitHubClient({
    token: options.token ?? FAKE_WORKFLOW_TOKEN,
    baseUrl: fake.url,
    logger,
    retries: 0,
    waitScale: 0,
  });
  const alerts = new ReauthAlerts({
    client,
    owner: 'acme',
    repo: 'bot',
    labels: options.labels ?? [LABEL],
    assignees: options.assignees ?? ['octocat'],
    tokenId: options.tokenId ?? TOKEN_ID,
    logger,
  });
  return {
    fake,
    client,
    logger,
    alerts,
    input: (overrides) => ({
      schwabRejected: false,
      login: { callbackUrl: CALLBACK, awsSecretId: TOKEN_ID, awsRegion: 'us-east-1' },
      ...overrides,
    }),
  };
}

/** Every text the fake holds that a person can read: titles, bodies, comments. */
export function publishedTexts(fake: GitHubFake): string[] {
  return [...fake.issues.flatMap((i) => [i.title, i.body ?? '']), ...fake.comments.map((c) => c.body)];
}

/** Requests that changed something (anything but GET). */
export function writes(fake: GitHubFake) {
  return fake.requests.filter((r) => r.method !== 'GET');
}

/**
 * Octokit's retry and throttling plugins schedule every request through Bottleneck, which yields with about a dozen
 * `setTimeout(fn, 0)` per request: ~25 ms of idle clock per request over loopback. Real runs make a couple of requests
 * and do not care; a test that runs a week of schedules (hundreds of requests) does. This runs those zero-delay timers
 * as `setImmediate` instead (same macrotask ordering guarantees the plugins rely on; real delays untouched).
 * Returns the function that restores the real `setTimeout`.
 */
export function immediateZeroDelayTimers(): () => void {
  const original = globalThis.setTimeout;
  const patched = ((handler: (...args: unknown[]) => void, delay?: number, ...args: unknown[]) => {
    if (!delay && typeof handler === 'function') {
      return setImmediate(handler, ...args);
    }
    return original(handler, delay, ...args);
  }) as unknown as typeof setTimeout;
  const originalClear = globalThis.clearTimeout;
  globalThis.setTimeout = patched;
  globalThis.clearTimeout = ((handle: unknown) => {
    if (handle instanceof Object && handle.constructor?.name === 'Immediate')
      clearImmediate(handle as NodeJS.Immediate);
    else originalClear(handle as NodeJS.Timeout);
  }) as typeof clearTimeout;
  return () => {
    globalThis.setTimeout = original;
    globalThis.clearTimeout = originalClear;
  };
}
