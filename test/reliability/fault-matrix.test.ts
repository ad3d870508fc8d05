/**
 * The fault matrix (issue #6, item 1): every external call of a run × every fault it can meet, each run in-process
 * through runActionOnce against fresh fakes, in both Schwab modes (same refresh token back, and rotate-on-refresh,
 * where losing the new refresh token would be fatal).
 *
 * Every row asserts the invariants of world.ts (checkInvariants): each store holds the old record or the new one and
 * reports it truthfully; a refresh token Schwab accepts is never lost silently; no secret in any text; the exit
 * status; one-sentence failures naming the call or store; no false re-auth alarm. After a failure past the refresh,
 * a clean follow-up run must refresh and write everything (nothing the next run needs was lost); after a rotated
 * refresh token that no store could take (the AWS secret as the only store), the failure must say so.
 *
 * Schwab modes: every row runs against a rotating Schwab; rows that fail after the refresh also run against the
 * usual same-token Schwab (modesOf). AWS and GitHub faults land on one call each (the other calls keep working).
 *
 * Calls: Schwab refresh and probe; Secrets Manager GetSecretValue / PutSecretValue / UpdateSecretVersionStage; GitHub
 * public key / secret PUT / issue calls. A few rows run `node dist/index.js` to prove the exit status of the binary.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SchwabFault } from '../fakes/schwab-fake.js';
import { STUB_ERRORS, unusedLocalUrl } from '../fakes/aws-stub.js';
import type { StubAnswer } from '../fakes/aws-stub.js';
import type { GitHubFakeRoute, GitHubFault, GitHubFaultShorthand } from '../fakes/github-fake.js';
import { immediateZeroDelayTimers } from '../alerts/helpers.js';
import { awsEnv, describeMoto, getMotoUrl } from '../support/moto.js';
import { runAction, startAction } from '../support/action-runner.js';
import { startHoldProxy } from '../fakes/hold-proxy.js';
import type { HoldProxy, ProxiedCall } from '../fakes/hold-proxy.js';
import { expectNoLeaks, outputsWithoutAccessToken } from '../support/leaks.js';
import { parseStored } from '../e2e/support.js';
import { secretValues } from '../../src/token/record.js';
import {
  AWS_429,
  AWS_ATTEMPTS,
  AWS_EMPTY_200,
  AWS_HTML_403,
  AWS_HTML_503,
  SHORT_TIMEOUT_MS,
  STORE_WRITE_FAULTS,
  awsGoneBeforeTheMove,
  moveDown,
} from './store-write-faults.js';
import type { StoreFaultTarget } from './store-write-faults.js';
import {
  checkInvariants,
  expectNextRunHeals,
  mirrorText,
  primaryState,
  readPrimary,
  refreshTokenWorks,
  REPO,
  runOnce,
  startWorld,
  storesHoldAWorkingToken,
} from './world.js';
import type { Expectation, Layout, RunOutcome, Scenario, SchwabMode, World } from './world.js';

type Call =
  | 'Schwab refresh'
  | 'Schwab probe'
  | 'SM GetSecretValue'
  | 'SM PutSecretValue'
  | 'SM UpdateSecretVersionStage'
  | 'GitHub public key'
  | 'GitHub secret PUT'
  | 'GitHub API (all calls)'
  | 'GitHub issues list'
  | 'GitHub label'
  | 'GitHub issue create'
  | 'GitHub issue close'
  | 'GitHub issue comment';

interface Row extends Expectation {
  call: Call;
  fault: string;
  inject: (world: World) => void | Promise<void>;
  scenario?: Scenario;
  layout?: Layout;
  verify?: 'accounts';
  /** The Schwab modes to run it in (default: see modesOf). */
  modes?: SchwabMode[];
  check?: (world: World, outcome: RunOutcome) => void | Promise<void>;
}

// --- fault helpers ---------------------------------------------------------------------------------------------------

/** Attempts each client makes: Schwab 4, the AWS SDK 5 (AWS_ATTEMPTS), Octokit 3 (2 retries, and 2 rate-limit retries). */
const SCHWAB_ATTEMPTS = 4;

const schwabFault =
  (fault: SchwabFault, times: number, endpoint: 'token' | 'accounts' = 'token') =>
  (world: World) =>
    world.schwab.fail(endpoint, fault, times);
/** Scripted answers for the next `times` calls of `operation`; the default (a working Secrets Manager) after. */
const awsFault = (operation: string, answer: StubAnswer, times: number) => (world: World) =>
  world.aws.script(operation, ...Array.from({ length: times }, () => answer));
/**
 * Every call of `operation` answered this way for the rest of the run (a fault that outlasts the retries). Reads use
 * it: every read of the secret is two GetSecretValue calls (AWSCURRENT and AWSPENDING) in parallel.
 */
const awsDown = (operation: string, answer: StubAnswer) => (world: World) => world.aws.always(operation, answer);
const githubFault =
  (route: GitHubFakeRoute, fault: GitHubFault | GitHubFaultShorthand, times: number) => (world: World) =>
    world.github.inject(route, fault, times);

/**
 * A hang costs a whole timeout per attempt: a case where a call hangs shortens the timeout of that service (a spurious
 * timeout of another call of that service in the same run would only be retried: AWS and GitHub writes are idempotent
 * or not retried). Schwab keeps its long timeout unless every refresh attempt hangs (see the "hang, once" row).
 */
const hangs = (service: 'schwab' | 'aws' | 'github', inject: (world: World) => void) => (world: World) => {
  world.tuning = {
    schwab: { schwabTimeoutMs: SHORT_TIMEOUT_MS },
    aws: { awsRequestTimeoutMs: SHORT_TIMEOUT_MS },
    github: { githubTimeoutMs: SHORT_TIMEOUT_MS },
  }[service];
  inject(world);
};
/** GitHub processes the request, but only after the client gave up waiting (the answer is lost). */
const GITHUB_SLOW = { type: 'delay', ms: 3 * SHORT_TIMEOUT_MS } as const;
/** Waits until the fake has processed every request of `route` (the slow one included); no fixed sleep. */
async function processed(world: World, route: GitHubFakeRoute): Promise<void> {
  for (let waited = 0; world.github.requestsTo(route).some((r) => r.finishedAt === undefined); waited += 10) {
    if (waited > 5000) throw new Error(`the fake never processed ${route}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The shared store-fault rows, aimed at this world. */
const storeTarget = (w: World): StoreFaultTarget => ({
  aws: w.aws,
  awsGate: w.awsGate,
  secretId: w.secretId,
  beforeSchwabToken: (hook) => w.schwab.beforeNext('token', hook),
  shortenAwsTimeout: () => void (w.tuning = { awsRequestTimeoutMs: SHORT_TIMEOUT_MS }),
});
/** A store fault of the shared table's helpers (store-write-faults.ts), injected into this world. */
const onStore = (inject: (target: StoreFaultTarget) => void) => (w: World) => inject(storeTarget(w));

const SCHWAB = /token refresh|Schwab/;
const AWS = /AWS|Secrets Manager/;
const GITHUB_SECRET = /secret SCHWAB_TOKEN/;

// --- the table -------------------------------------------------------------------------------------------------------

const ROWS: Row[] = [
  // Schwab token endpoint (refresh): transient faults are retried (4 attempts), Retry-After honoured.
  {
    call: 'Schwab refresh',
    fault: 'connection refused',
    expect: 'fails',
    mentions: SCHWAB,
    inject: async (w) => void (w.inputs['schwab-base-url'] = await unusedLocalUrl()),
  },
  { call: 'Schwab refresh', fault: 'reset, once', expect: 'recovers', inject: schwabFault('reset', 1) },
  {
    call: 'Schwab refresh',
    fault: 'reset, every attempt',
    expect: 'fails',
    mentions: SCHWAB,
    inject: schwabFault('reset', SCHWAB_ATTEMPTS),
  },
  // Same-token mode only: with a short timeout a loaded machine could time out the retry after Schwab processed it,
  // which in rotating mode retires the token for real (the fault this row is not about).
  {
    call: 'Schwab refresh',
    fault: 'hang past the timeout, once',
    modes: ['same-token'],
    expect: 'recovers',
    inject: hangs('schwab', schwabFault('hang', 1)),
  },
  {
    call: 'Schwab refresh',
    fault: 'hang past the timeout, every attempt',
    expect: 'fails',
    mentions: SCHWAB,
    inject: hangs('schwab', schwabFault('hang', SCHWAB_ATTEMPTS)),
  },
  {
    call: 'Schwab refresh',
    fault: '429 with Retry-After: 7, once',
    expect: 'recovers',
    inject: schwabFault({ status: 429, retryAfter: 7 }, 1),
    check: (w) => expect(w.sleeps).toContain(7000),
  },
  {
    call: 'Schwab refresh',
    fault: '429 with Retry-After, every attempt',
    expect: 'fails',
    mentions: /Schwab.*429/,
    inject: schwabFault({ status: 429, retryAfter: 2 }, SCHWAB_ATTEMPTS),
  },
  { call: 'Schwab refresh', fault: '500, once', expect: 'recovers', inject: schwabFault(500, 1) },
  {
    call: 'Schwab refresh',
    fault: '503, every attempt',
    expect: 'fails',
    mentions: /Schwab.*503/,
    inject: schwabFault(503, SCHWAB_ATTEMPTS),
  },
  {
    call: 'Schwab refresh',
    fault: 'HTML Access Denied page, once',
    expect: 'recovers',
    inject: schwabFault('access-denied', 1),
  },
  {
    call: 'Schwab refresh',
    fault: 'HTML Access Denied page, every attempt',
    expect: 'fails',
    mentions: SCHWAB,
    inject: schwabFault('access-denied', SCHWAB_ATTEMPTS),
  },
  { call: 'Schwab refresh', fault: 'empty body, once', expect: 'recovers', inject: schwabFault('empty', 1) },
  {
    call: 'Schwab refresh',
    fault: 'empty body, every attempt',
    expect: 'fails',
    mentions: SCHWAB,
    inject: schwabFault('empty', SCHWAB_ATTEMPTS),
  },
  { call: 'Schwab refresh', fault: 'non-JSON body, once', expect: 'recovers', inject: schwabFault('non-json', 1) },

  // Schwab probe (verify: accounts), after the refresh: a refresh that worked must be kept even when the probe fails.
  {
    call: 'Schwab probe',
    fault: '503, once',
    verify: 'accounts',
    expect: 'recovers',
    inject: schwabFault(503, 1, 'accounts'),
  },
  {
    call: 'Schwab probe',
    fault: 'hang past the timeout, once',
    modes: ['same-token'],
    verify: 'accounts',
    expect: 'recovers',
    inject: hangs('schwab', schwabFault('hang', 1, 'accounts')),
  },
  {
    call: 'Schwab probe',
    fault: '503, every attempt',
    verify: 'accounts',
    expect: 'fails',
    mentions: /Schwab.*probe/i,
    inject: schwabFault(503, SCHWAB_ATTEMPTS, 'accounts'),
  },
  {
    call: 'Schwab probe',
    fault: '401 (product not enabled)',
    verify: 'accounts',
    expect: 'fails',
    mentions: /Schwab/,
    inject: schwabFault(401, 1, 'accounts'),
  },

  // Secrets Manager read: nothing is refreshed or written when the primary store cannot be read.
  {
    call: 'SM GetSecretValue',
    fault: 'connection refused',
    expect: 'fails',
    mentions: /AWS Secrets Manager/,
    inject: async (w) => void Object.assign(w.env, awsEnv(await unusedLocalUrl())),
  },
  {
    call: 'SM GetSecretValue',
    fault: 'reset, once',
    expect: 'recovers',
    inject: awsFault('GetSecretValue', STUB_ERRORS.reset, 1),
  },
  {
    call: 'SM GetSecretValue',
    fault: 'reset, every attempt',
    expect: 'fails',
    mentions: AWS,
    inject: awsDown('GetSecretValue', STUB_ERRORS.reset),
  },
  {
    call: 'SM GetSecretValue',
    fault: 'hang past the timeout, once',
    expect: 'recovers',
    inject: hangs('aws', awsFault('GetSecretValue', STUB_ERRORS.hang, 1)),
  },
  {
    call: 'SM GetSecretValue',
    fault: 'hang past the timeout, every attempt',
    expect: 'fails',
    mentions: AWS,
    inject: hangs('aws', awsDown('GetSecretValue', STUB_ERRORS.hang)),
  },
  { call: 'SM GetSecretValue', fault: '429, once', expect: 'recovers', inject: awsFault('GetSecretValue', AWS_429, 1) },
  {
    call: 'SM GetSecretValue',
    fault: '500, once',
    expect: 'recovers',
    inject: awsFault('GetSecretValue', STUB_ERRORS.internal, 1),
  },
  {
    call: 'SM GetSecretValue',
    fault: '500, every attempt',
    expect: 'fails',
    mentions: /GetSecretValue/,
    inject: awsDown('GetSecretValue', STUB_ERRORS.internal),
  },
  {
    call: 'SM GetSecretValue',
    fault: 'HTML 503 page, once',
    expect: 'recovers',
    inject: awsFault('GetSecretValue', AWS_HTML_503, 1),
  },
  {
    call: 'SM GetSecretValue',
    fault: 'HTML 403 page',
    expect: 'fails',
    mentions: /GetSecretValue/,
    inject: awsFault('GetSecretValue', AWS_HTML_403, 1),
  },
  {
    call: 'SM GetSecretValue',
    fault: 'empty 200 body',
    expect: 'fails',
    mentions: /answered GetSecretValue .* malformed/,
    inject: awsFault('GetSecretValue', AWS_EMPTY_200, 1),
  },
  {
    call: 'SM GetSecretValue',
    fault: 'ThrottlingException, twice',
    expect: 'recovers',
    inject: awsFault('GetSecretValue', STUB_ERRORS.throttling, 2),
  },
  {
    call: 'SM GetSecretValue',
    fault: 'ThrottlingException, every attempt',
    expect: 'fails',
    mentions: /throttled GetSecretValue/,
    inject: awsDown('GetSecretValue', STUB_ERRORS.throttling),
  },
  {
    call: 'SM GetSecretValue',
    fault: 'AccessDeniedException',
    expect: 'fails',
    mentions: /denied secretsmanager:GetSecretValue/,
    inject: awsFault('GetSecretValue', STUB_ERRORS.accessDenied, 1),
  },
  {
    call: 'SM GetSecretValue',
    fault: 'KMS DecryptionFailure',
    expect: 'fails',
    mentions: /KMS key/,
    inject: awsFault('GetSecretValue', STUB_ERRORS.decryptionFailure, 1),
  },

  // Secrets Manager put (AWSPENDING) and stage move (AWSCURRENT → ours, the compare of compare-and-set): the table the
  // login function shares (store-write-faults.ts). The mirror still gets the refreshed record when the primary cannot
  // take it.
  ...STORE_WRITE_FAULTS.map((fault): Row => ({
    ...fault,
    inject: onStore(fault.inject),
    ...(fault.checkLog ? { check: (_w: World, outcome: RunOutcome) => fault.checkLog?.(outcome.texts.log ?? '') } : {}),
  })),

  // GitHub: the whole API unreachable (secret mirror and issue calls).
  {
    call: 'GitHub API (all calls)',
    fault: 'connection refused',
    expect: 'fails',
    mentions: GITHUB_SECRET,
    inject: async (w) => void (w.env.GITHUB_API_URL = await unusedLocalUrl()),
  },

  // GitHub public key of the secrets store.
  {
    call: 'GitHub public key',
    fault: 'reset, once',
    expect: 'recovers',
    inject: githubFault('repo-public-key', 'reset', 1),
  },
  {
    call: 'GitHub public key',
    fault: 'reset, every attempt',
    expect: 'fails',
    mentions: GITHUB_SECRET,
    inject: githubFault('repo-public-key', 'reset', Infinity),
  },
  {
    call: 'GitHub public key',
    fault: 'hang past the timeout, once',
    expect: 'recovers',
    inject: hangs('github', githubFault('repo-public-key', 'hang', 1)),
  },
  {
    call: 'GitHub public key',
    fault: 'hang past the timeout, every attempt',
    expect: 'fails',
    mentions: GITHUB_SECRET,
    inject: hangs('github', githubFault('repo-public-key', 'hang', Infinity)),
  },
  {
    call: 'GitHub public key',
    fault: '502, once',
    expect: 'recovers',
    inject: githubFault('repo-public-key', { type: 'server-error', status: 502 }, 1),
  },
  {
    call: 'GitHub public key',
    fault: '500, every attempt',
    expect: 'fails',
    mentions: GITHUB_SECRET,
    inject: githubFault('repo-public-key', 'server-error', Infinity),
  },
  {
    call: 'GitHub public key',
    fault: '403 (token lacks Secrets permission)',
    expect: 'fails',
    mentions: /SCHWAB_TOKEN.*Secrets: read and write/,
    inject: githubFault('repo-public-key', 'forbidden', 1),
  },
  {
    call: 'GitHub public key',
    fault: '404',
    expect: 'fails',
    mentions: /SCHWAB_TOKEN.*404/,
    inject: githubFault('repo-public-key', 'not-found', 1),
  },
  {
    call: 'GitHub public key',
    fault: 'secondary rate limit, once',
    expect: 'recovers',
    inject: githubFault('repo-public-key', 'secondary-rate-limit', 1),
  },
  {
    call: 'GitHub public key',
    fault: 'secondary rate limit, every attempt',
    expect: 'fails',
    mentions: /SCHWAB_TOKEN.*secondary rate limit/,
    inject: githubFault('repo-public-key', 'secondary-rate-limit', Infinity),
  },

  // GitHub secret PUT.
  {
    call: 'GitHub secret PUT',
    fault: 'reset, once',
    expect: 'recovers',
    inject: githubFault('repo-secret-put', 'reset', 1),
  },
  {
    call: 'GitHub secret PUT',
    fault: 'reset, every attempt',
    expect: 'fails',
    mentions: GITHUB_SECRET,
    inject: githubFault('repo-secret-put', 'reset', Infinity),
  },
  {
    call: 'GitHub secret PUT',
    fault: 'hang past the timeout, once',
    expect: 'recovers',
    inject: hangs('github', githubFault('repo-secret-put', 'hang', 1)),
  },
  {
    call: 'GitHub secret PUT',
    fault: 'hang past the timeout, every attempt',
    expect: 'fails',
    mentions: GITHUB_SECRET,
    inject: hangs('github', githubFault('repo-secret-put', 'hang', Infinity)),
  },
  {
    call: 'GitHub secret PUT',
    fault: '503, once',
    expect: 'recovers',
    inject: githubFault('repo-secret-put', { type: 'server-error', status: 503 }, 1),
  },
  {
    call: 'GitHub secret PUT',
    fault: '500, every attempt',
    expect: 'fails',
    mentions: GITHUB_SECRET,
    inject: githubFault('repo-secret-put', 'server-error', Infinity),
  },
  {
    call: 'GitHub secret PUT',
    fault: '403 (token lacks Secrets permission)',
    expect: 'fails',
    mentions: /SCHWAB_TOKEN.*Secrets: read and write/,
    inject: githubFault('repo-secret-put', 'forbidden', 1),
  },
  {
    call: 'GitHub secret PUT',
    fault: '404',
    expect: 'fails',
    mentions: /SCHWAB_TOKEN.*404/,
    inject: githubFault('repo-secret-put', 'not-found', 1),
  },
  {
    call: 'GitHub secret PUT',
    fault: '422',
    expect: 'fails',
    mentions: /SCHWAB_TOKEN.*422/,
    inject: githubFault('repo-secret-put', 'unprocessable', 1),
  },
  {
    call: 'GitHub secret PUT',
    fault: 'secondary rate limit (429 + Retry-After), once',
    expect: 'recovers',
    inject: githubFault('repo-secret-put', { type: 'secondary-rate-limit', status: 429, retryAfterSeconds: 3 }, 1),
  },
  {
    call: 'GitHub secret PUT',
    fault: 'secondary rate limit, every attempt',
    expect: 'fails',
    mentions: /SCHWAB_TOKEN.*secondary rate limit/,
    inject: githubFault('repo-secret-put', 'secondary-rate-limit', Infinity),
  },

  // GitHub issue calls: never fail the run (the token was written); a warning names the issue call.
  {
    call: 'GitHub issues list',
    fault: '403 (no issues permission)',
    expect: 'warns',
    mentions: /listing the open alert issues/,
    inject: githubFault('issues-list', 'forbidden', 1),
  },
  {
    call: 'GitHub issues list',
    fault: '404',
    expect: 'warns',
    mentions: /listing the open alert issues/,
    inject: githubFault('issues-list', 'not-found', 1),
  },
  {
    call: 'GitHub issues list',
    fault: '500, every attempt',
    expect: 'warns',
    mentions: /listing the open alert issues/,
    inject: githubFault('issues-list', 'server-error', Infinity),
  },
  {
    call: 'GitHub issues list',
    fault: 'hang past the timeout, every attempt',
    expect: 'warns',
    mentions: /listing the open alert issues/,
    inject: hangs('github', githubFault('issues-list', 'hang', Infinity)),
  },
  {
    call: 'GitHub issues list',
    fault: 'reset, once',
    expect: 'recovers',
    inject: githubFault('issues-list', 'reset', 1),
  },
  {
    call: 'GitHub issues list',
    fault: 'secondary rate limit, every attempt',
    expect: 'warns',
    mentions: /listing the open alert issues/,
    inject: githubFault('issues-list', 'secondary-rate-limit', Infinity),
  },
  {
    call: 'GitHub label',
    fault: '403',
    scenario: 'expiring',
    expect: 'warns',
    mentions: /label/,
    inject: githubFault('label-get', 'forbidden', 1),
  },
  {
    call: 'GitHub issue create',
    fault: '403',
    scenario: 'expiring',
    expect: 'warns',
    mentions: /opening the alert issue/,
    inject: githubFault('issue-create', 'forbidden', 1),
  },
  {
    call: 'GitHub issue create',
    fault: '422 (assignee refused), once',
    scenario: 'expiring',
    expect: 'warns',
    mentions: /assignees/,
    inject: githubFault('issue-create', 'unprocessable', 1),
    check: (w) => expect(w.github.issues.filter((i) => i.state === 'open')).toHaveLength(1),
  },
  {
    // Not retried: GitHub may have created it anyway (see the next row); the next run opens it if it is missing.
    call: 'GitHub issue create',
    fault: '500, once',
    scenario: 'expiring',
    expect: 'warns',
    mentions: /opening the alert issue/,
    inject: githubFault('issue-create', 'server-error', 1),
    check: async (w) => {
      expect(w.github.issues).toEqual([]);
      const next = await runOnce(w);
      expect(next.run.alert?.action).toBe('opened');
      expect(w.github.issues).toHaveLength(1);
    },
  },
  {
    call: 'GitHub issue create',
    fault: 'answer lost: created after the client timed out',
    scenario: 'expiring',
    expect: 'warns',
    mentions: /opening the alert issue/,
    inject: hangs('github', githubFault('issue-create', GITHUB_SLOW, 1)),
    check: async (w) => {
      await processed(w, 'issue-create');
      expect(w.github.issues, 'never two alert issues').toHaveLength(1);
      w.tuning = {};
      const next = await runOnce(w);
      expect(next.run.alert?.action).toBe('none');
      expect(w.github.issues).toHaveLength(1);
    },
  },
  {
    call: 'GitHub issue create',
    fault: 'secondary rate limit, every attempt',
    scenario: 'expiring',
    expect: 'warns',
    mentions: /opening the alert issue/,
    inject: githubFault('issue-create', 'secondary-rate-limit', Infinity),
  },
  {
    call: 'GitHub issue close',
    fault: '403',
    scenario: 'close-issue',
    expect: 'warns',
    mentions: /closing issue #1/,
    inject: githubFault('issue-update', 'forbidden', 1),
    check: (w) => expect(w.github.issues[0]?.state).toBe('open'),
  },
  {
    call: 'GitHub issue close',
    fault: 'hang past the timeout, once',
    scenario: 'close-issue',
    expect: 'recovers',
    inject: hangs('github', githubFault('issue-update', 'hang', 1)),
    check: (w) => expect(w.github.issues[0]?.state).toBe('closed'),
  },
  {
    call: 'GitHub issue comment',
    fault: '404',
    scenario: 'close-issue',
    expect: 'warns',
    mentions: /commenting on the closed issue #1/,
    inject: githubFault('comment-create', 'not-found', 1),
  },
  {
    call: 'GitHub issue comment',
    fault: 'answer lost: posted after the client timed out',
    scenario: 'close-issue',
    expect: 'warns',
    mentions: /commenting on the closed issue #1/,
    inject: hangs('github', githubFault('comment-create', GITHUB_SLOW, 1)),
    check: async (w) => {
      await processed(w, 'comment-create');
      expect(w.github.comments, 'never the same comment twice').toHaveLength(1);
    },
  },
  {
    call: 'GitHub issue comment',
    fault: '500 (not retried: not idempotent)',
    scenario: 'close-issue',
    expect: 'warns',
    mentions: /commenting on the closed issue #1/,
    inject: githubFault('comment-create', 'server-error', Infinity),
  },

  // The fatal case: the AWS secret is the only store and it cannot take the record after Schwab rotated the refresh
  // token. Nothing can keep it; the failure must say so (and in the same-token mode, nothing is lost).
  {
    call: 'SM GetSecretValue',
    fault: 'AccessDeniedException, no other source',
    layout: 'aws-only',
    expect: 'fails',
    mentions: /denied secretsmanager:GetSecretValue/,
    inject: awsFault('GetSecretValue', STUB_ERRORS.accessDenied, 1),
    check: (w, outcome) => {
      expect(outcome.run.rotation.healthKnown).toBe(false);
      // The open-issue list may be read (it runs alongside the store read); nothing is written.
      const writes = w.github.requests.filter((request) => request.method !== 'GET');
      expect(writes, 'the alert issue is left alone when the health is unknown').toEqual([]);
    },
  },
  {
    call: 'SM GetSecretValue',
    fault: 'empty 200 body, no other source',
    layout: 'aws-only',
    expect: 'fails',
    mentions: /answered GetSecretValue .* malformed/,
    inject: awsFault('GetSecretValue', AWS_EMPTY_200, 1),
  },
  {
    call: 'SM PutSecretValue',
    fault: 'AccessDeniedException, no mirror',
    layout: 'aws-only',
    expect: 'fails',
    mentions: /denied secretsmanager:PutSecretValue/,
    inject: awsFault('PutSecretValue', STUB_ERRORS.accessDenied, 1),
  },
  {
    call: 'SM PutSecretValue',
    fault: 'ThrottlingException every attempt, no mirror',
    layout: 'aws-only',
    expect: 'fails',
    mentions: /throttled PutSecretValue/,
    inject: awsFault('PutSecretValue', STUB_ERRORS.throttling, AWS_ATTEMPTS),
  },
  // The AWS secret as the only store, and its stage move fails after the put: the rotated refresh token is not lost,
  // it waits as AWSPENDING and the next run (which reads AWSPENDING too) finishes the write with it.
  {
    call: 'SM UpdateSecretVersionStage',
    fault: '500 every attempt, no mirror',
    layout: 'aws-only',
    expect: 'fails',
    mentions: /UpdateSecretVersionStage.*AWSPENDING/,
    inject: onStore(moveDown(STUB_ERRORS.internal)),
  },
  {
    call: 'SM UpdateSecretVersionStage',
    fault: 'ThrottlingException every attempt, no mirror',
    layout: 'aws-only',
    expect: 'fails',
    mentions: /throttled UpdateSecretVersionStage.*AWSPENDING/,
    inject: onStore(moveDown(STUB_ERRORS.throttling)),
  },
  {
    call: 'SM UpdateSecretVersionStage',
    fault: 'AccessDeniedException, no mirror',
    layout: 'aws-only',
    expect: 'fails',
    mentions: /denied secretsmanager:UpdateSecretVersionStage.*AWSPENDING/,
    inject: onStore(moveDown(STUB_ERRORS.accessDenied)),
  },
  {
    call: 'SM UpdateSecretVersionStage',
    fault: 'reset every attempt, no mirror',
    layout: 'aws-only',
    expect: 'fails',
    mentions: /AWSPENDING/,
    inject: onStore(moveDown(STUB_ERRORS.reset)),
  },
  {
    call: 'SM UpdateSecretVersionStage',
    fault: 'connection refused (AWS gone before the move), no mirror',
    layout: 'aws-only',
    expect: 'fails',
    mentions: /Could not reach AWS Secrets Manager.*AWSPENDING/,
    inject: onStore(awsGoneBeforeTheMove),
  },
];

/** Calls made after Schwab answered the refresh: only there can a rotated refresh token be lost. */
const AFTER_REFRESH = new Set<Call>([
  'Schwab probe',
  'SM PutSecretValue',
  'SM UpdateSecretVersionStage',
  'GitHub public key',
  'GitHub secret PUT',
  'GitHub API (all calls)',
]);

/**
 * Every row runs with a rotating Schwab (the stricter mode: the old refresh token dies on every refresh). Rows that
 * fail after the refresh also run with Schwab's usual same-token answer, where the old record must stay usable.
 */
function modesOf(row: Row): SchwabMode[] {
  if (row.modes) return row.modes;
  return AFTER_REFRESH.has(row.call) && row.expect === 'fails' && !/hang/.test(row.fault)
    ? ['same-token', 'rotating']
    : ['rotating'];
}

const CASES = ROWS.flatMap((row) => modesOf(row).map((mode) => ({ ...row, mode, name: `${row.call} × ${row.fault}` })));

describe('fault matrix', () => {
  let restoreTimers: () => void;
  beforeAll(() => {
    restoreTimers = immediateZeroDelayTimers();
  });
  afterAll(() => {
    restoreTimers();
  });

  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it('holds the whole table', () => {
    const calls = new Set(ROWS.map((row) => row.call));
    const count = (outcome: Row['expect']) => CASES.filter((c) => c.expect === outcome).length;
    console.log(
      `fault matrix: ${ROWS.length} rows over ${calls.size} calls, ${CASES.length} cases ` +
        `(${CASES.filter((c) => c.mode === 'rotating').length} rotating, ${CASES.filter((c) => c.mode === 'same-token').length} same-token): ` +
        `${count('recovers')} recover, ${count('fails')} fail, ${count('warns')} warn; ` +
        `${CANCEL_CASES.length} cancel points killed by SIGKILL, ${SPAWNED.length} more through node dist/index.js`,
    );
    // The floor: the table as the rotation's and the login function's store faults left it (146 cases, 11 cancel points).
    expect(CASES.length).toBeGreaterThanOrEqual(146);
    expect(CANCEL_CASES.length).toBeGreaterThanOrEqual(11);
  });

  it.each(CASES)('[$mode] $name → $expect', async (row) => {
    world = await startWorld({ mode: row.mode, scenario: row.scenario ?? 'due', layout: row.layout ?? 'full' });
    if (row.verify) world.inputs.verify = row.verify;
    await row.inject(world);

    const outcome = await runOnce(world);

    await checkInvariants(world, outcome, row);
    await row.check?.(world, outcome);
    if (row.expect !== 'fails') {
      expect(primaryState(world).text).not.toBe(world.old.text);
    } else if (await storesHoldAWorkingToken(world)) {
      // A failure after Schwab answered may have left the stores apart: the next run must bring them together. (Before
      // that, checkInvariants already proved the stores untouched.)
      if (AFTER_REFRESH.has(row.call)) await expectNextRunHeals(world);
    } else {
      // Only the no-mirror rows whose write never reached AWS, in rotating mode, get here (checkInvariants made sure
      // the failure said so): the next run asks for a login, and says it plainly.
      expect(row.layout).toBe('aws-only');
      expect(row.call).not.toBe('SM UpdateSecretVersionStage');
      world.aws.reset();
      const next = await runOnce(world, { env: { ...awsEnv(world.aws.url) } });
      expect(next.run.rotation.status).toBe('reauth-required');
    }
  });
});

/**
 * A few rows through the real binary (`node dist/index.js`, production timeouts and waits), to prove the exit status
 * main.ts derives from the run. Faults that need no real waiting, or one short Schwab backoff.
 */
const SPAWNED: {
  name: string;
  inject: (world: World) => void;
  exitCode: number;
  annotation?: RegExp;
  written: boolean;
}[] = [
  {
    name: 'Schwab refresh × 429 with Retry-After: 0, once: retried at once, exit 0',
    inject: schwabFault({ status: 429, retryAfter: 0 }, 1),
    exitCode: 0,
    written: true,
  },
  {
    name: 'SM PutSecretValue × AccessDeniedException: exit 1 naming PutSecretValue, GitHub secret still written',
    inject: awsFault('PutSecretValue', STUB_ERRORS.accessDenied, 1),
    exitCode: 1,
    annotation: /^::error::.*denied secretsmanager:PutSecretValue/m,
    written: false,
  },
  {
    name: 'GitHub secret PUT × 403: exit 1 naming the secret and the permission',
    inject: githubFault('repo-secret-put', 'forbidden', 1),
    exitCode: 1,
    annotation: /^::error::.*SCHWAB_TOKEN.*Secrets: read and write/m,
    written: true,
  },
  {
    name: 'GitHub issues list × 403: exit 0 with a warning naming the issue call',
    inject: githubFault('issues-list', 'forbidden', 1),
    exitCode: 0,
    annotation: /^::warning::.*listing the open alert issues/m,
    written: true,
  },
];

describe('fault matrix through node dist/index.js', () => {
  it.each(SPAWNED)('[rotating] $name', async (row) => {
    const w = await startWorld({ mode: 'rotating' });
    try {
      row.inject(w);
      const env = Object.fromEntries(
        Object.entries({ ...w.env, GITHUB_REPOSITORY: REPO }).filter(([, value]) => value !== ''),
      );
      const run = await runAction({ inputs: w.inputs as Record<string, string>, env, timeoutMs: 30_000 });

      expect(run.exitCode, run.stdout + run.stderr).toBe(row.exitCode);
      if (row.annotation) expect(run.stdout).toMatch(row.annotation);
      if (row.exitCode === 0) expect(run.stdout).not.toMatch(/^::error::/m);
      else expect(run.stdout.match(/^::error::.*$/gm), 'one failure line per failed call').toHaveLength(1);
      const stored = primaryState(w);
      expect(stored.pending).toBe(false);
      expect(stored.text === w.old.text, 'the AWS secret holds the old record or the new one').toBe(!row.written);
      const newest = row.written ? stored.text : mirrorText(w);
      expect(newest).not.toBe(w.old.text);
      for (const value of secretValues(parseStored(newest).tokens)) w.secrets.add(value);
      expect(
        w.schwab.refreshTokenInfo(parseStored(newest).tokens.refreshToken)?.active,
        'the rotated refresh token is kept',
      ).toBe(true);
      expect(run.outputs.refreshed).toBe('true');
      expectNoLeaks(
        {
          stdout: run.stdout,
          stderr: run.stderr,
          summary: run.summary,
          outputs: outputsWithoutAccessToken(run.outputs),
          issues: w.github.issues.map((i) => i.body ?? '').join('\n'),
        },
        [...w.secrets],
      );
    } finally {
      await w.close();
    }
  });
});

/**
 * Cancel points: the runner cancels a workflow (or its timeout-minutes hits) with SIGINT, then SIGTERM, then SIGKILL.
 * `node dist/index.js` runs against moto_server through a proxy that holds one AWS call of the write by its
 * X-Amz-Target: the put (AWSPENDING), the AWSCURRENT move, or the AWSPENDING removal. The call either reached AWS (its
 * answer never comes back) or never did. At that point the process gets SIGINT, then SIGTERM, then SIGKILL. Whatever
 * it managed to do, some store must hold a refresh token Schwab accepts where the next run looks (AWSCURRENT, the
 * unfinished AWSPENDING, the GitHub secret), and the next run must refresh and write everything with it.
 *
 * Left out: a put that never reached AWS with the AWS secret as the only store. The new refresh token then exists
 * only in the killed process (no store was ever sent it), which no program can help.
 */
type CancelPoint = 'PutSecretValue' | 'AWSCURRENT move' | 'AWSPENDING removal';
const CANCEL_MATCH: Record<CancelPoint, (call: ProxiedCall) => boolean> = {
  PutSecretValue: (call) => call.target === 'secretsmanager.PutSecretValue',
  'AWSCURRENT move': (call) =>
    call.target === 'secretsmanager.UpdateSecretVersionStage' && call.body.VersionStage === 'AWSCURRENT',
  'AWSPENDING removal': (call) =>
    call.target === 'secretsmanager.UpdateSecretVersionStage' &&
    call.body.VersionStage === 'AWSPENDING' &&
    call.body.MoveToVersionId === undefined,
};
const CANCEL_CASES = (['PutSecretValue', 'AWSCURRENT move', 'AWSPENDING removal'] as const).flatMap((point) =>
  (['full', 'aws-only'] as const).flatMap((layout) =>
    [true, false]
      .filter((reachesAws) => reachesAws || point !== 'PutSecretValue' || layout === 'full')
      .map((reachesAws) => ({
        point,
        layout,
        reachesAws,
        name: `${point} ${reachesAws ? 'reached AWS' : 'never reached AWS'}, ${layout}`,
      })),
  ),
);

/** A world on moto behind the hold proxy, and the action started on it. */
async function startCancelWorld(layout: Layout): Promise<{ w: World; proxy: HoldProxy }> {
  const w = await startWorld({ mode: 'rotating', primary: 'moto', layout });
  const proxy = await startHoldProxy(getMotoUrl());
  w.env = { ...w.env, ...awsEnv(proxy.url) };
  const close = w.close.bind(w);
  w.close = async () => {
    await proxy.close();
    await close();
  };
  return { w, proxy };
}

function actionEnv(w: World): Record<string, string> {
  return Object.fromEntries(Object.entries({ ...w.env, GITHUB_REPOSITORY: REPO }).filter(([, value]) => value !== ''));
}

/** Waits (bounded) until the GitHub secret holds something else than the old record; no fixed sleep. */
async function mirrorChanged(w: World): Promise<void> {
  for (let waited = 0; mirrorText(w) === w.old.text; waited += 10) {
    if (waited > 10_000) throw new Error('the GitHub secret was never written');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describeMoto('fault matrix: cancelled at each write point (node dist/index.js, SIGINT → SIGTERM → SIGKILL)', () => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it.each(CANCEL_CASES)(
    '[rotating] killed at $name: the next run finds a working refresh token',
    async ({ point, layout, reachesAws }) => {
      const { w, proxy } = await startCancelWorld(layout);
      world = w;
      const held = proxy.hold(CANCEL_MATCH[point], { reachesAws });
      const running = await startAction({
        inputs: w.inputs as Record<string, string>,
        env: actionEnv(w),
        timeoutMs: 30_000,
      });

      await held.arrived;
      running.kill('SIGINT');
      await running.waitForStdout(/Received SIGINT: finishing the step in progress/);
      // What the process does in the seconds the runner gives it: with a mirror, it is written (at once, beside a primary
      // write that is stuck).
      if (layout === 'full') await mirrorChanged(w);
      running.kill('SIGTERM');
      running.kill('SIGKILL');
      const killed = await running.done;
      proxy.abandonAll();

      expect([1, 137], killed.stdout + killed.stderr).toContain(killed.exitCode);
      expectNoLeaks({ stdout: killed.stdout, stderr: killed.stderr, summary: killed.summary }, [...w.secrets]);
      const primary = await readPrimary(w);
      for (const text of [primary.text, primary.pendingText, layout === 'full' ? mirrorText(w) : undefined]) {
        if (text) for (const value of secretValues(parseStored(text).tokens)) w.secrets.add(value);
      }
      expect(await storesHoldAWorkingToken(w), 'a working refresh token is left where the next run looks').toBe(true);
      const next = await expectNextRunHeals(w);
      expect(next.run.rotation.record?.meta.refreshCount).toBeGreaterThanOrEqual(2);
    },
  );

  it('[rotating] SIGINT during the AWSCURRENT move that then answers: the write finishes, the run fails saying so', async () => {
    const { w, proxy } = await startCancelWorld('full');
    world = w;
    const held = proxy.hold(CANCEL_MATCH['AWSCURRENT move'], { reachesAws: false });
    const running = await startAction({
      inputs: w.inputs as Record<string, string>,
      env: actionEnv(w),
      timeoutMs: 30_000,
    });

    await held.arrived;
    running.kill('SIGINT');
    await running.waitForStdout(/Received SIGINT/);
    held.release();
    const run = await running.done;

    expect(run.exitCode, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(
      /^::error::The run was cancelled \(SIGINT\); it finished the step in progress and stopped/m,
    );
    const primary = await readPrimary(w);
    expect(primary.pending, 'AWSPENDING taken off once AWSCURRENT was confirmed').toBe(false);
    expect(primary.text).not.toBe(w.old.text);
    expect(mirrorText(w)).toBe(primary.text);
    expect(refreshTokenWorks(w, primary.text)).toBe(true);
    expect(run.outputs.refreshed).toBe('true');
    expect(run.summary).toMatch(/The run was cancelled \(SIGINT\)/);
    expect(w.github.issues, 'the alert issue is left alone by a cancelled run').toEqual([]);
    for (const value of secretValues(parseStored(primary.text).tokens)) w.secrets.add(value);
    expectNoLeaks(
      { stdout: run.stdout, stderr: run.stderr, summary: run.summary, outputs: outputsWithoutAccessToken(run.outputs) },
      [...w.secrets],
    );
  });

  it('[rotating] SIGINT then SIGTERM while the put never answers: it stops by itself before SIGKILL, saying where', async () => {
    const { w, proxy } = await startCancelWorld('aws-only');
    world = w;
    const held = proxy.hold(CANCEL_MATCH.PutSecretValue, { reachesAws: true });
    const running = await startAction({
      inputs: w.inputs as Record<string, string>,
      env: actionEnv(w),
      timeoutMs: 30_000,
    });

    await held.arrived;
    running.kill('SIGINT');
    await running.waitForStdout(/Received SIGINT/);
    running.kill('SIGTERM');
    const run = await running.done;
    proxy.abandonAll();

    expect(run.exitCode, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(
      /^::error::The run was cancelled \(SIGINT\) and stopped before the write to AWS secret .* was confirmed; if it got there, the new record waits in it as AWSPENDING/m,
    );
    expect(run.summary).toMatch(/stopped before the write to AWS secret/);
    expect((await readPrimary(w)).pendingText).toBeDefined();
    await expectNextRunHeals(w);
  });
});
