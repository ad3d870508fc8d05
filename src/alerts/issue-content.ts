/**
 * The words of the alert issue and its comments. Pure: every text is built from names and dates (never from a token
 * value, the app secret or the app key: the issue may be public) and then passed through `redact` anyway, as defence
 * in depth.
 */
import { refreshTokenExpiresAt } from '../token/record.js';
import type { TokenFormat } from '../token/record.js';
import { DEFAULT_SCHWAB_BASE_URL } from '../schwab/urls.js';
import { loginCommand } from '../util/audience.js';
import { shellQuote } from '../util/text.js';
import { formatDuration } from '../util/duration.js';
import { formatUtc } from '../token/time.js';
import type { AlertState } from './marker.js';
import { formatMarker } from './marker.js';

/**
 * What the `login` command needs to write the new record where this workflow reads it, and every setting of the run
 * that is not the CLI's default. Nothing here is secret, and the app key is deliberately absent: the issue may be
 * public, so the reader puts the key in the environment (see loginSteps).
 */
export interface LoginCommandOptions {
  callbackUrl: string;
  /** Schwab's address when the run used another than the default (a proxy): `--schwab-base-url`. */
  schwabBaseUrl?: string;
  /** AWS Secrets Manager secret the CLI should write (`--aws-secret-id`). */
  awsSecretId?: string;
  /** Region of that secret (`--aws-region`). */
  awsRegion?: string;
  /** GitHub secret the CLI should write (`--github-repo OWNER/REPO[@ENV]`, `--github-secret-name`). */
  githubSecret?: { repo: string; name: string };
  /** The record's format when it is not the default (`--token-format schwab-py`). */
  tokenFormat?: TokenFormat;
  /**
   * The login function's URL (the `login-url` input). The issue then starts with a one-tap link to its /login, the
   * command as the fallback, and shows neither the app key nor an authorize URL.
   */
  loginUrl?: string;
}

export type Redact = (text: string) => string;

export interface AlertContentInput {
  tokenId: string;
  /** The effective health the issue is opened for. */
  status: AlertState;
  /** Schwab rejected the refresh token on this run. */
  schwabRejected: boolean;
  now: Date;
  /** The login (`created_at`) of the record in use; undefined when no usable record exists. */
  loginAt?: Date;
  login: LoginCommandOptions;
  /**
   * Where the rotated token is kept, for "what stops working", e.g. ["AWS Secrets Manager secret `prod/schwab`",
   * "repository secret `SCHWAB_TOKEN`"]. Defaults to the stores named in `login`.
   */
  stores?: string[];
  /** Link to the workflow run that wrote the text. */
  runUrl?: string;
  redact: Redact;
}

export interface ClosedCommentInput {
  tokenId: string;
  now: Date;
  /** The login now in use (newer than the one the issue was opened for). */
  loginAt: Date;
  runUrl?: string;
  redact: Redact;
}

export { shellQuote };

/** Inline code that survives backticks in the value. */
function code(value: string): string {
  const clean = value.replace(/[\r\n]+/g, ' ');
  return clean.includes('`') ? `\`\` ${clean} \`\`` : `\`${clean}\``;
}

/**
 * The exact `login` command (one line), run the way this action's reader can (see loginCommand). The app key and
 * secret come from the environment (step 1 of the issue): neither is written here.
 */
export function buildLoginCommand(options: LoginCommandOptions): string {
  const args = ['--callback-url', shellQuote(options.callbackUrl)];
  if (options.schwabBaseUrl && options.schwabBaseUrl !== DEFAULT_SCHWAB_BASE_URL)
    args.push('--schwab-base-url', shellQuote(options.schwabBaseUrl));
  if (options.awsSecretId) {
    args.push('--aws-secret-id', shellQuote(options.awsSecretId));
    if (options.awsRegion) args.push('--aws-region', shellQuote(options.awsRegion));
  }
  if (options.githubSecret) {
    args.push('--github-repo', shellQuote(options.githubSecret.repo));
    args.push('--github-secret-name', shellQuote(options.githubSecret.name));
  }
  if (options.tokenFormat && options.tokenFormat !== 'rotator')
    args.push('--token-format', shellQuote(options.tokenFormat));
  return loginCommand(args);
}

function defaultStores(login: LoginCommandOptions): string[] {
  const stores: string[] = [];
  if (login.awsSecretId) stores.push(`the AWS Secrets Manager secret ${code(login.awsSecretId)}`);
  if (login.githubSecret) {
    stores.push(`the GitHub secret ${code(login.githubSecret.name)} of ${code(login.githubSecret.repo)}`);
  }
  return stores;
}

/** `a`, `a and b`, `a, b and c` */
function listText(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function deadlineOf(loginAt: Date | undefined): Date | undefined {
  return loginAt ? refreshTokenExpiresAt({ createdAt: loginAt }) : undefined;
}

/** The issue title: what is needed, for which token, by when. */
export function alertTitle(
  input: Pick<AlertContentInput, 'tokenId' | 'status' | 'schwabRejected' | 'loginAt' | 'redact'>,
): string {
  const deadline = deadlineOf(input.loginAt);
  let title: string;
  if (input.status === 'expiring' && deadline) {
    title = `Schwab login needed by ${formatUtc(deadline)} for ${input.tokenId}`;
  } else if (input.schwabRejected) {
    title = `Schwab login required now for ${input.tokenId}: the refresh token was rejected`;
  } else if (deadline) {
    title = `Schwab login required now for ${input.tokenId}: the refresh token expired ${formatUtc(deadline)}`;
  } else {
    title = `Schwab login required now for ${input.tokenId}: no usable token record`;
  }
  return input.redact(title.replace(/[\r\n]+/g, ' '));
}

function situation(input: AlertContentInput, deadline: Date | undefined): string {
  if (!deadline) {
    return 'No usable token record was found in any configured store, so the workflow has nothing to refresh.';
  }
  const left = deadline.getTime() - input.now.getTime();
  const distance = left >= 0 ? `in ${formatDuration(left)}` : `${formatDuration(-left)} ago`;
  const when = `**${formatUtc(deadline)}** (${distance})`;
  if (input.schwabRejected) {
    return (
      `Schwab rejected the refresh token on ${formatUtc(input.now)}; its deadline was ${when}. ` +
      'A refresh token dies early when a newer login replaces it (each login invalidates the older tokens) or ' +
      'when it is revoked.'
    );
  }
  if (left < 0) return `The refresh token expired at ${when}.`;
  return `The refresh token expires at ${when}.`;
}

/** The one-tap link to the login function, the first thing the issue (and its notification) shows. */
function oneTapLink(loginUrl: string): string {
  return (
    `**[Log in to Schwab now](${loginUrl}/login)**: one tap, from any device. Schwab's own login page opens; once ` +
    `you approve, the login function stores the new token and this workflow takes it from there.`
  );
}

function loginSteps(input: AlertContentInput): string[] {
  const { login } = input;
  const oneTap = login.loginUrl !== undefined;
  const writes = [`- the file ${code('schwab_token.json')} in the current directory (mode 0600)`];
  if (login.awsSecretId)
    writes.push(`- the AWS Secrets Manager secret ${code(login.awsSecretId)} (with your usual AWS credentials)`);
  if (login.githubSecret) {
    writes.push(
      `- the GitHub secret ${code(login.githubSecret.name)} of ${code(login.githubSecret.repo)} ` +
        `(needs ${code('GH_TOKEN')} set to a token allowed to write secrets, e.g. ` +
        `${code('GH_TOKEN=$(gh auth token)')})`,
    );
  }
  const pickup =
    login.awsSecretId || login.githubSecret
      ? 'The next scheduled run of this workflow sees the newer login there, writes it to every store it manages, ' +
        'and closes this issue.'
      : `Then store the content of ${code('schwab_token.json')} where this workflow reads its token ` +
        `(its ${code('token')} input); the next run adopts the newer login and closes this issue.`;
  return [
    oneTap
      ? '### Or log in from a terminal (one command, one browser click)'
      : '### How to log in again (one command, one browser click)',
    '',
    "1. On a machine with Node.js 20 or later, put your app's key and secret in the environment (neither is shown " +
      `here, and the secret stays out of the shell history): ${code('export SCHWAB_APP_KEY=YOUR_APP_KEY')} with ` +
      `the App Key of your app at developer.schwab.com, then ` +
      `${code('read -rs SCHWAB_APP_SECRET && export SCHWAB_APP_SECRET')}, paste the secret and press Enter.`,
    '2. Run:',
    '',
    '   ```sh',
    `   ${buildLoginCommand(login)}`,
    '   ```',
    '',
    `3. The command checks the key and secret with Schwab, then opens Schwab's authorize page in your browser ` +
      `(if no browser opens, open the URL it prints: it carries a one-time \`state\` that ties the login to this ` +
      `command) and catches Schwab's redirect to ${code(login.callbackUrl)} by itself. Log in with your Schwab ` +
      `brokerage account and approve. The browser warns about the local self-signed certificate: that is expected.`,
    '',
    'It writes the new token record to:',
    '',
    ...writes,
    '',
    pickup,
  ];
}

/** The issue body: the marker, the deadline, why, what breaks, and exactly how to log in. */
export function alertBody(input: AlertContentInput): string {
  const deadline = deadlineOf(input.loginAt);
  const stores = input.stores ?? defaultStores(input.login);
  const storeText = stores.length ? listText(stores) : 'the configured stores';
  const lines = [
    formatMarker({ kind: 'alert', tokenId: input.tokenId, login: input.loginAt, state: input.status }),
    ...(input.login.loginUrl ? [oneTapLink(input.login.loginUrl), ''] : []),
    `## Schwab login ${input.status === 'expiring' ? 'needed soon' : 'required now'} for ${code(input.tokenId)}`,
    '',
    situation(input, deadline),
    '',
    '### What stops working if nothing is done',
    '',
    (input.status === 'expiring'
      ? 'After that deadline this workflow can no longer refresh the access token: '
      : 'This workflow can no longer refresh the access token: ') +
      'every run fails, the last access token expires within 30 minutes, and everything that reads it from ' +
      `${storeText} (trading bots, Lambdas, dashboards) gets \`401 Unauthorized\` from Schwab until someone logs ` +
      'in again.',
    '',
    '### Why',
    '',
    'A Schwab refresh token lasts 7 days from the login that created it. Refreshing the access token (what this ' +
      'workflow does every ~25 minutes) does not extend it, and only a person can log in, in a browser.',
    '',
    ...loginSteps(input),
  ];
  if (input.runUrl) lines.push('', `<sub>Opened by [this workflow run](${input.runUrl}).</sub>`);
  return input.redact(lines.join('\n'));
}

/** The one comment on the transition to reauth-required (the issue was opened while the token was expiring). */
export function reauthComment(input: AlertContentInput): string {
  const deadline = deadlineOf(input.loginAt);
  const lines = [
    formatMarker({ kind: 'reauth-required', tokenId: input.tokenId, login: input.loginAt }),
    `**The refresh token for ${code(input.tokenId)} is dead now.** ${situation(input, deadline)}`,
    '',
    ...(input.login.loginUrl
      ? [
          oneTapLink(input.login.loginUrl),
          '',
          'Every run of this workflow fails until someone logs in again. Or, from a terminal:',
        ]
      : ['Every run of this workflow fails until someone logs in again:']),
    '',
    '```sh',
    buildLoginCommand(input.login),
    '```',
    '',
    `(with ${code('SCHWAB_APP_KEY')} and ${code('SCHWAB_APP_SECRET')} in the environment; the steps are in the ` +
      `description above).`,
  ];
  if (input.runUrl) lines.push('', `<sub>Seen by [this workflow run](${input.runUrl}).</sub>`);
  return input.redact(lines.join('\n'));
}

/** The comment that closes the issue after a new login. */
export function closedComment(input: ClosedCommentInput): string {
  const deadline = refreshTokenExpiresAt({ createdAt: input.loginAt });
  const left = deadline.getTime() - input.now.getTime();
  const lines = [
    formatMarker({ kind: 'closed', tokenId: input.tokenId, login: input.loginAt }),
    `New login seen for ${code(input.tokenId)} (logged in ${formatUtc(input.loginAt)}). ` +
      `The refresh token now lasts until **${formatUtc(deadline)}** (in ${formatDuration(Math.max(0, left))}). ` +
      'Closing this issue; a new one opens before that deadline.',
  ];
  if (input.runUrl) lines.push('', `<sub>Closed by [this workflow run](${input.runUrl}).</sub>`);
  return input.redact(lines.join('\n'));
}
