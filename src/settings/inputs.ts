import { UserError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { settingSubject } from '../util/audience.js';
import { TOKEN_FORMATS } from '../token/record.js';
import type { TokenFormat } from '../token/record.js';
import { VERIFY_MODES } from '../schwab/probes.js';
import type { VerifyMode } from '../schwab/probes.js';
import { parseSecretTargets } from '../github/secret-targets.js';
import type { SecretTarget } from '../github/secret-targets.js';
import { validateCallbackUrl } from '../schwab/urls.js';
import { defaultTokenId } from '../alerts/token-id.js';
import { readChoice, readDuration, readHttpUrl, readRegion } from './validators.js';

/**
 * The action's inputs, with the defaults action.yml declares. The code applies these same defaults when an input
 * is absent from the environment, so a run behaves the same whether or not the runner filled them in
 * (a test keeps this table and action.yml equal).
 */
export const INPUT_DEFAULTS = {
  'app-key': '',
  'app-secret': '',
  token: '',
  'aws-secret-id': '',
  'aws-region': '',
  'refresh-before': '25m',
  force: 'false',
  'token-format': 'rotator',
  verify: 'none',
  'dry-run': 'false',
  'schwab-base-url': 'https://api.schwabapi.com',
  'github-secrets': '',
  'secrets-token': '',
  'github-token': '${{ github.token }}',
  'reauth-warning': '48h',
  'issue-labels': 'schwab-reauth',
  'issue-assignees': '',
  'callback-url': 'https://127.0.0.1:8182',
  'token-id': '',
  'keep-schedule-alive': 'false',
  'login-url': '',
} as const satisfies Record<string, string>;

export type InputName = keyof typeof INPUT_DEFAULTS;

/** Reads one raw input ('' when absent); `core.getInput` in the action, a map in tests. */
export type InputReader = (name: InputName) => string;

/** Everything a run needs to know, validated. Built once, at the start, by `readSettings`. */
export interface Settings {
  appKey: string;
  appSecret: string;
  /** The raw `token` input (usually `${{ secrets.SCHWAB_TOKEN }}`); undefined when empty. */
  tokenInput: string | undefined;
  awsSecretId: string | undefined;
  awsRegion: string | undefined;
  refreshBeforeMs: number;
  force: boolean;
  tokenFormat: TokenFormat;
  verify: VerifyMode;
  dryRun: boolean;
  schwabBaseUrl: string;
  /** GitHub secrets the record is mirrored to, validated (names, syntax, duplicates) before anything runs. */
  githubSecrets: SecretTarget[];
  /** A token that can write those secrets (fine-grained PAT or GitHub App token). */
  secretsToken: string | undefined;
  /** `owner/name` of the repository running the workflow (GITHUB_REPOSITORY). */
  repository: string | undefined;
  /** Token for the alert issue (and the keep-alive); `issues: write` is enough. Undefined: no alerts. */
  githubToken: string | undefined;
  reauthWarningMs: number;
  issueLabels: string[];
  issueAssignees: string[];
  callbackUrl: string;
  tokenId: string;
  keepScheduleAlive: boolean;
  /** The login function's URL (no trailing `/`); the alert issue then links to its /login. Undefined: not deployed. */
  loginUrl: string | undefined;
}

/** The runner's variables the settings read besides inputs. */
export interface RunnerEnv {
  GITHUB_REPOSITORY?: string | undefined;
  /** Used when the github-token input is absent (outside the runner, which always fills it in). */
  GITHUB_TOKEN?: string | undefined;
}

/**
 * Reads and validates every input into Settings. Secrets are masked the moment they are read, before anything
 * is logged. A bad input fails at once with one sentence naming the input and how to fix it.
 */
export function readSettings(read: InputReader, logger: Logger, env: RunnerEnv = process.env): Settings {
  const get = (name: InputName): string => {
    const value = read(name).trim();
    return value === '' ? INPUT_DEFAULTS[name] : value;
  };

  // Mask before anything else can log.
  const appSecret = get('app-secret');
  logger.mask(appSecret);
  const tokenInput = get('token');
  logger.mask(tokenInput);
  const secretsToken = get('secrets-token');
  logger.mask(secretsToken);
  const githubTokenInput = get('github-token');
  const githubToken = (githubTokenInput.startsWith('${{') ? env.GITHUB_TOKEN?.trim() : githubTokenInput) || undefined;
  logger.mask(githubToken);

  const appKey = get('app-key');
  if (!appKey)
    throw missing('app-key', 'the App Key of your app at developer.schwab.com, e.g. ${{ secrets.SCHWAB_APP_KEY }}');
  if (!appSecret)
    throw missing(
      'app-secret',
      'the Secret of your app at developer.schwab.com, e.g. ${{ secrets.SCHWAB_APP_SECRET }}',
    );

  const awsSecretId = get('aws-secret-id') || undefined;
  const regionInput = get('aws-region');
  const awsRegion = regionInput ? readRegion('aws-region', regionInput) : undefined;
  if (!awsSecretId && !tokenInput) {
    throw new UserError(
      'No token source is configured: set "token" (e.g. ${{ secrets.SCHWAB_TOKEN }}) and/or "aws-secret-id" to ' +
        'the Secrets Manager secret that holds the token record.',
    );
  }
  const repository = env.GITHUB_REPOSITORY?.trim() || undefined;
  if (readList(get('issue-labels')).length === 0) {
    throw new UserError(
      'Input "issue-labels" needs at least one label: the alert issue is found by its first label (default ' +
        'schwab-reauth).',
    );
  }
  const githubSecrets = parseSecretTargets(get('github-secrets'), repository);
  if (githubSecrets.length > 0 && !secretsToken) {
    throw new UserError(
      'Input "secrets-token" is required when "github-secrets" is set: use a fine-grained personal access token ' +
        'or GitHub App token with the "Secrets: read and write" permission (GITHUB_TOKEN cannot write secrets).',
    );
  }

  return {
    appKey,
    appSecret,
    tokenInput: tokenInput || undefined,
    awsSecretId,
    awsRegion,
    refreshBeforeMs: readDuration('refresh-before', get('refresh-before')),
    force: readBoolean('force', get('force')),
    tokenFormat: readChoice('token-format', get('token-format'), TOKEN_FORMATS),
    verify: readChoice('verify', get('verify'), VERIFY_MODES),
    dryRun: readBoolean('dry-run', get('dry-run')),
    schwabBaseUrl: readHttpUrl('schwab-base-url', get('schwab-base-url')),
    githubSecrets,
    secretsToken: secretsToken || undefined,
    repository,
    githubToken,
    reauthWarningMs: readDuration('reauth-warning', get('reauth-warning')),
    issueLabels: readList(get('issue-labels')),
    issueAssignees: readAssignees(get('issue-assignees')),
    callbackUrl: readCallbackUrl(get('callback-url')),
    tokenId: get('token-id') || defaultTokenId(awsSecretId, githubSecrets[0]?.name),
    keepScheduleAlive: readBoolean('keep-schedule-alive', get('keep-schedule-alive')),
    loginUrl: readLoginUrl(get('login-url')),
  };
}

function missing(name: string, what: string): UserError {
  return new UserError(`Input "${name}" is required: set it to ${what}.`);
}

/** YAML 1.2 core schema booleans, as @actions/core's getBooleanInput accepts them. */
export function readBoolean(name: string, value: string): boolean {
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new UserError(`Input "${name}" must be true or false.`);
}

/** A comma- or newline-separated list, blanks dropped. */
export function readList(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function readCallbackUrl(value: string): string {
  return validateCallbackUrl(value, settingSubject('callback-url'));
}

/**
 * The login function's URL as deploy/login-function.yml outputs it (`https://<url-id>.lambda-url.<region>.on.aws`),
 * or any https URL in front of it; without a trailing `/`. Its /login and /callback are the function's, not the
 * input's.
 */
function readLoginUrl(value: string): string | undefined {
  if (value === '') return undefined;
  const fix =
    "set it to the LoginUrl output of the login function's stack, like https://abc123.lambda-url.us-east-1.on.aws";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UserError(`Input "login-url" is not a URL: ${fix}.`);
  }
  if (url.protocol !== 'https:') throw new UserError(`Input "login-url" must use https: ${fix}.`);
  if (url.username || url.password || url.search || url.hash || value.includes('?') || value.includes('#')) {
    throw new UserError(`Input "login-url" must not carry a user, query or fragment: ${fix}.`);
  }
  const path = url.pathname.replace(/\/+$/, '');
  if (/\/(login|callback)$/.test(path)) {
    throw new UserError(
      `Input "login-url" ends in ${path.slice(path.lastIndexOf('/'))}: give the function's URL without it (the ` +
        `alert issue adds /login), e.g. https://abc123.lambda-url.us-east-1.on.aws.`,
    );
  }
  return `${url.origin}${path}`;
}

/** GitHub user names, comma-separated; a leading @ is allowed. */
function readAssignees(value: string): string[] {
  return readList(value).map((item) => {
    const name = item.replace(/^@/, '');
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/.test(name)) {
      throw new UserError(
        'Input "issue-assignees" must list GitHub user names separated by commas, like octocat, @hubot.',
      );
    }
    return name;
  });
}
