/** How long the I/O clients wait: their timeouts and retry waits. Production leaves them to the clients' defaults. */
export interface Tuning {
  /** Per-request timeout of Schwab calls (default 15 s). */
  schwabTimeoutMs?: number;
  /** Delay before AWS SDK retry `attempt` (default: the SDK's exponential backoff). */
  awsRetryDelayMs?: (attempt: number) => number;
  /** Per-request timeout of AWS calls (default 15 s). */
  awsRequestTimeoutMs?: number;
  /** Scales the Octokit plugins' waits (default 1; 0 in tests). */
  githubWaitScale?: number;
  /** Per-request timeout of GitHub calls (default 30 s). */
  githubTimeoutMs?: number;
}

/** The GitHub client options a Tuning implies. */
export function githubTuning(tuning: Tuning | undefined): { waitScale?: number; timeoutMs?: number } {
  return { waitScale: tuning?.githubWaitScale, timeoutMs: tuning?.githubTimeoutMs };
}
