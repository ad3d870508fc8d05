/**
 * What the alert issue should do on this run: a pure function of the token's health and what the open issue's
 * markers recorded (see marker.ts). No API, no clock.
 *
 * | health (effective)  | no open issue | open issue                                                               |
 * | ------------------- | ------------- | ------------------------------------------------------------------------ |
 * | healthy             | none          | close when the login is newer than the issue's; otherwise none (*)       |
 * | expiring            | open          | none (the issue already asks for the login)                              |
 * | reauth-required     | open          | none when the issue or one of its comments already announced it for the  |
 * |                     |               | current login; otherwise comment-reauth (once per transition)            |
 *
 * "Effective" health: a refresh token Schwab rejected is `reauth-required` whatever its deadline says.
 *
 * (*) Healthy with the SAME login as the open issue (e.g. `reauth-warning` was shortened, or a clock moved): the
 * deadline has not moved, so the issue's call to action is still true. It stays open, untouched, and closes after
 * the next login. Closing it would be wrong (nothing was fixed) and re-announcing it would be noise.
 *
 * Expiring with a NEWER login than the issue's (only possible when the warning window is longer than the time a fresh
 * login has, or an old login was deployed): none as well; the open issue still asks for a login, and every run
 * commenting is exactly what must not happen.
 */
import type { Health } from '../token/health.js';
import type { AlertState } from './marker.js';

/** The token's health (src/token/health.ts). */
export type AlertHealth = Health;

export type AlertAction = 'none' | 'open' | 'comment-reauth' | 'close';

/** The open alert issue for this token, as its markers describe it. */
export interface OpenAlertIssue {
  number: number;
  /** The login the issue was opened for (its marker's `login`); undefined when no record existed then. */
  login?: Date;
  /** The health the issue was opened for. */
  state: AlertState;
  /**
   * The logins recorded by this product's `reauth-required` comments on the issue (undefined entries: written
   * when no record existed). Empty when the issue has no such comment or the comments were not read.
   */
  reauthCommentLogins: Array<Date | undefined>;
}

export interface DecideInput {
  /** The health computed from the record's deadline (assessHealth). */
  health: AlertHealth;
  /** Schwab rejected the refresh token on this run (dead before its deadline, e.g. revoked by another login). */
  schwabRejected: boolean;
  /** The login (`created_at`) of the record now in use; undefined when no usable record exists anywhere. */
  loginAt?: Date;
  openIssue?: OpenAlertIssue;
}

export interface AlertDecision {
  action: AlertAction;
  /** The effective health the decision was made for. */
  status: AlertHealth;
  /** One sentence, for logs and the job summary. */
  reason: string;
}

/** The health that counts for alerts: a rejected refresh token needs a login whatever its deadline says. */
export function effectiveHealth(health: AlertHealth, schwabRejected: boolean): AlertHealth {
  return schwabRejected ? 'reauth-required' : health;
}

function newer(candidate: Date | undefined, than: Date | undefined): boolean {
  if (!candidate) return false;
  if (!than) return true;
  return candidate.getTime() > than.getTime();
}

/** A notice written for `noticeLogin` covers the current login when it is not older (no record now: any notice). */
function covers(noticeLogin: Date | undefined, loginAt: Date | undefined): boolean {
  if (!loginAt) return true;
  return !!noticeLogin && noticeLogin.getTime() >= loginAt.getTime();
}

export function decideAlert(input: DecideInput): AlertDecision {
  const status = effectiveHealth(input.health, input.schwabRejected);
  const issue = input.openIssue;

  if (!issue) {
    if (status === 'healthy')
      return { action: 'none', status, reason: 'The token is healthy and no alert issue is open.' };
    if (status === 'expiring') {
      return {
        action: 'open',
        status,
        reason: 'The refresh token entered the warning window: opening the alert issue.',
      };
    }
    return {
      action: 'open',
      status,
      reason: input.schwabRejected
        ? 'Schwab rejected the refresh token: opening the alert issue.'
        : 'The refresh token is expired or missing: opening the alert issue.',
    };
  }

  const ref = `issue #${issue.number}`;
  if (status === 'healthy') {
    if (newer(input.loginAt, issue.login)) {
      return { action: 'close', status, reason: `A newer login is in use and the token is healthy: closing ${ref}.` };
    }
    return {
      action: 'none',
      status,
      reason:
        `The token is healthy but still from the login ${ref} was opened for; ` + 'it stays open until the next login.',
    };
  }

  if (status === 'expiring') {
    return { action: 'none', status, reason: `The refresh token is expiring and ${ref} is already open.` };
  }

  // reauth-required
  const announced =
    (issue.state === 'reauth-required' && covers(issue.login, input.loginAt)) ||
    issue.reauthCommentLogins.some((login) => covers(login, input.loginAt));
  if (announced) {
    return { action: 'none', status, reason: `A login is required and ${ref} already says so.` };
  }
  return {
    action: 'comment-reauth',
    status,
    reason: input.schwabRejected
      ? `Schwab rejected the refresh token: announcing it once on ${ref}.`
      : `The refresh token is now expired or missing: announcing it once on ${ref}.`,
  };
}
