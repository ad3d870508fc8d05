import { UserError } from '../util/errors.js';
import { settingName, thisMachine } from '../util/audience.js';

/** What went wrong talking to AWS Secrets Manager; callers branch on this, users read the message. */
export type SecretsManagerErrorKind =
  /** The secret does not exist in that region (or the id is wrong). */
  | 'not-found'
  /** The credentials work but lack an IAM permission on the secret. */
  | 'access-denied'
  /** No credentials, or AWS does not recognise them (bad key, expired session). */
  | 'credentials'
  /** The secret is scheduled for deletion. */
  | 'scheduled-for-deletion'
  /** The secret's KMS key is disabled, missing or not usable by these credentials. */
  | 'kms'
  /** AWS kept throttling after the SDK's retries. */
  | 'throttled'
  /** The endpoint could not be reached (DNS, refused, reset, timeout). */
  | 'network'
  /** AWS answered 5xx after the SDK's retries. */
  | 'service'
  /** No region configured. */
  | 'region-missing'
  /** The value is larger than Secrets Manager accepts (64 KiB). */
  | 'too-large'
  /** The run's ClientRequestToken was already used with a different value (one text per run). */
  | 'token-reused'
  /** AWSCURRENT kept moving under this run; another writer is active. */
  | 'conflict'
  /** Anything else AWS rejected. */
  | 'rejected';

/** One sentence naming what is wrong with the AWS secret and how to fix it; never contains the secret value. */
export class SecretsManagerError extends UserError {
  override readonly name: string = 'SecretsManagerError';

  /** Set when the failed write left its value on this version as AWSPENDING (the next read finds it there). */
  readonly pendingVersion: string | undefined;

  constructor(
    readonly kind: SecretsManagerErrorKind,
    message: string,
    options?: { cause?: unknown; pendingVersion?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.pendingVersion = options?.pendingVersion;
  }
}

export type SecretsManagerOperation =
  'GetSecretValue' | 'PutSecretValue' | 'UpdateSecretVersionStage' | 'DescribeSecret';

export interface ErrorContext {
  operation: SecretsManagerOperation;
  secretId: string;
  /** Undefined when no region could be resolved. */
  region: string | undefined;
  /** The endpoint the SDK talks to, for network messages. */
  endpoint: string;
  /** Scrubs registered secrets out of AWS's own error text. */
  redact: (text: string) => string;
}

/** The IAM actions the store uses; named in every permission message. */
export const REQUIRED_IAM_ACTIONS = [
  'secretsmanager:GetSecretValue',
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecretVersionStage',
  'secretsmanager:DescribeSecret',
] as const;

const CREDENTIAL_ERRORS = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignature',
  'IncompleteSignatureException',
  'InvalidClientTokenId',
  'ExpiredTokenException',
  'ExpiredToken',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
  'SignatureDoesNotMatch',
  'CredentialsProviderError',
]);

const KMS_ERRORS = new Set([
  'DecryptionFailure',
  'EncryptionFailure',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSInvalidStateException',
  'KMSNotFoundException',
  'KMSInvalidMacException',
  'KMSInternalException',
]);

const THROTTLING_ERRORS = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'ThrottledException',
]);

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);

interface AwsLikeError {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

function fields(error: unknown): { name: string; message: string; code: string; status?: number; attempts?: number } {
  const e = (typeof error === 'object' && error !== null ? error : {}) as AwsLikeError;
  return {
    name: typeof e.name === 'string' ? e.name : '',
    message: typeof e.message === 'string' ? e.message : String(error),
    code: typeof e.code === 'string' ? e.code : '',
    status: e.$metadata?.httpStatusCode,
    attempts: e.$metadata?.attempts,
  };
}

/** AWS's own words, redacted, on one line and short, without a trailing period (we end the sentence). */
function awsSaid(message: string, redact: (text: string) => string): string {
  const line = redact(message)
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.\s]+$/, '');
  if (!line) return '';
  return ` (AWS said: "${line.length > 300 ? `${line.slice(0, 297)}...` : line}")`;
}

function attemptsText(attempts: number | undefined): string {
  return attempts && attempts > 1 ? ` after ${attempts} attempts` : '';
}

/** Turns anything the SDK throws into one SecretsManagerError sentence. */
export function toSecretsManagerError(error: unknown, context: ErrorContext): SecretsManagerError {
  if (error instanceof SecretsManagerError) return error;
  const { name, message, code, status, attempts } = fields(error);
  const { operation, secretId, endpoint } = context;
  const region = context.region ?? '<region>';
  const secret = `AWS Secrets Manager secret "${secretId}"`;
  const short = `secret "${secretId}"`;
  const said = awsSaid(message, context.redact);
  const make = (kind: SecretsManagerErrorKind, text: string) => new SecretsManagerError(kind, text, { cause: error });

  if (/region is missing/i.test(message) || /region is missing/i.test(name)) {
    return make('region-missing', `No AWS region is configured for ${secret}: set ${settingName('aws-region')}.`);
  }

  if (name === 'ResourceNotFoundException') {
    return make(
      'not-found',
      `${secret} was not found in region ${region}: check the secret id and region, or create it with ` +
        `\`aws secretsmanager create-secret --name ${secretId} --region ${region}\`${said}.`,
    );
  }

  if (KMS_ERRORS.has(name) || ((name === 'AccessDeniedException' || status === 403) && /\bkms\b/i.test(message))) {
    return make(
      'kms',
      `AWS Secrets Manager could not use the KMS key of ${short} in region ${region} (${name || `HTTP ${status}`}): ` +
        `make sure the key is enabled and that these credentials are allowed kms:Decrypt and kms:GenerateDataKey ` +
        `on it${said}.`,
    );
  }

  if (name === 'AccessDeniedException' || name === 'AccessDenied' || (status === 403 && !CREDENTIAL_ERRORS.has(name))) {
    return make(
      'access-denied',
      `AWS denied secretsmanager:${operation} on ${secret} in region ${region}: grant these credentials ` +
        `${REQUIRED_IAM_ACTIONS.join(', ')} on the secret's ARN${said}.`,
    );
  }

  if (CREDENTIAL_ERRORS.has(name) || /could not load credentials/i.test(message)) {
    return make(
      'credentials',
      `AWS rejected or could not find the credentials used for ${secret} (${name || 'no credentials'}): configure ` +
        `${settingName('aws-credentials')} with ${REQUIRED_IAM_ACTIONS.join(', ')} on the secret${said}.`,
    );
  }

  if (name === 'InvalidRequestException' && /delet/i.test(message)) {
    return make(
      'scheduled-for-deletion',
      `${secret} in region ${region} is scheduled for deletion: restore it with ` +
        `\`aws secretsmanager restore-secret --secret-id ${secretId} --region ${region}\`, then run again.`,
    );
  }

  if (THROTTLING_ERRORS.has(name) || status === 429) {
    return make(
      'throttled',
      `AWS Secrets Manager throttled ${operation} on ${short}${attemptsText(attempts)}: try again later or run ` +
        'less often (another job may be calling Secrets Manager heavily in this account and region).',
    );
  }

  if (name === 'ResourceExistsException') {
    return make(
      'token-reused',
      `The ClientRequestToken of this run was already used to write a different value to ${secret}: ` +
        'generate a new token for every new record (one value per token).',
    );
  }

  const proxy = (error as { proxy?: unknown } | null)?.proxy;
  if (typeof proxy === 'string') {
    // Our proxy tunnel's own sentence (./http/transport.ts): it names the proxy, never its credentials.
    return make(
      'network',
      `Could not reach AWS Secrets Manager at ${endpoint} through the proxy ${proxy}${attemptsText(attempts)} ` +
        `(${context.redact(message).replace(/[.\s]+$/, '')}): check HTTPS_PROXY (its host, port and credentials), ` +
        `or list the endpoint's host in NO_PROXY if ${thisMachine()} reaches it directly.`,
    );
  }

  if (
    NETWORK_CODES.has(code) ||
    NETWORK_CODES.has(name) ||
    name === 'TimeoutError' ||
    /socket hang up|getaddrinfo|connect ECONNREFUSED|timed out|ECONNRESET|fetch failed/i.test(message)
  ) {
    const reason = code || name || 'network error';
    return make(
      'network',
      `Could not reach AWS Secrets Manager at ${endpoint} (region ${region}, ${reason})${attemptsText(attempts)}: ` +
        `check the region, the network path from ${thisMachine()}, and AWS_ENDPOINT_URL_SECRETS_MANAGER if it is set.`,
    );
  }

  if (status !== undefined && status >= 500) {
    return make(
      'service',
      `AWS Secrets Manager answered HTTP ${status} to ${operation} on ${short}${attemptsText(attempts)}: ` +
        `this is on AWS's side, try again later${said}.`,
    );
  }

  return make(
    'rejected',
    `AWS Secrets Manager rejected ${operation} on ${short} in region ${region} ` +
      `(${name || 'error'}${status ? `, HTTP ${status}` : ''})` +
      `: check the secret's configuration${said}.`,
  );
}
