/**
 * The faults a write to the AWS secret can meet (PutSecretValue as AWSPENDING, then UpdateSecretVersionStage moving
 * AWSCURRENT), as one table shared by every writer of the secret that uses the one compare-and-set store: the action's
 * rotation (fault-matrix.test.ts) and the login function (test/lambda/store-faults.test.ts). Each row scripts the AWS
 * stub (test/fakes/aws-stub.ts) for one call; the other calls keep working.
 */
import type { AwsStub, StubAnswer } from '../fakes/aws-stub.js';
import { STUB_ERRORS } from '../fakes/aws-stub.js';

/** What a row needs from the world it runs in. */
export interface StoreFaultTarget {
  aws: AwsStub;
  /** A TCP gate in front of the stub; shutting it makes AWS refuse connections. */
  awsGate: { shut(): Promise<void> };
  secretId: string;
  /** Runs `hook` when Schwab's token endpoint is next called (the refresh, or a login's code exchange). */
  beforeSchwabToken(hook: () => void | Promise<void>): void;
  /** A hang costs a whole timeout per attempt: shortens the AWS request timeout of the run (to SHORT_TIMEOUT_MS). */
  shortenAwsTimeout(): void;
}

export interface StoreWriteFault {
  call: 'SM PutSecretValue' | 'SM UpdateSecretVersionStage';
  fault: string;
  /**
   * `recovers`: the write lands (retries). `fails`: AWSCURRENT keeps the old value and the failure names the call; a
   * fault on the stage move comes after the put, so there the new record waits as AWSPENDING, where the next reader
   * takes it up (the failure says so).
   */
  expect: 'recovers' | 'fails';
  mentions?: RegExp;
  inject(target: StoreFaultTarget): void;
  /** Extra checks on the writer's log (every line as `level: message`). */
  checkLog?(log: string): void;
}

/** Attempts the store's SDK client makes per call (secretsManagerPrimary's default). */
export const AWS_ATTEMPTS = 5;
export const SHORT_TIMEOUT_MS = 100;

export const AWS_HTML_503 = STUB_ERRORS.serviceUnavailable;
export const AWS_HTML_403: StubAnswer = {
  raw: '<html><body><h1>403 Forbidden</h1></body></html>',
  status: 403,
  contentType: 'text/html',
};
export const AWS_EMPTY_200: StubAnswer = { raw: '', status: 200, contentType: 'application/x-amz-json-1.1' };
/** AWS sends no Retry-After (and the SDK would really wait for one): a bare 429. */
export const AWS_429: StubAnswer = { error: 'TooManyRequestsException', message: 'Rate exceeded', status: 429 };

const AWS = /AWS|Secrets Manager/;

/** Scripted answers for the next `times` calls of `operation`; the default (a working Secrets Manager) after. */
const awsFault = (operation: string, answer: StubAnswer, times: number) => (t: StoreFaultTarget) =>
  t.aws.script(operation, ...Array.from({ length: times }, () => answer));
const hangs = (inject: (t: StoreFaultTarget) => void) => (t: StoreFaultTarget) => {
  t.shortenAwsTimeout();
  inject(t);
};

/** Answers the AWSCURRENT move this way; the other stage calls (taking AWSPENDING off) keep working. */
function onlyTheMove(answer: StubAnswer): StubAnswer {
  return (call) => (call.input.VersionStage === 'AWSCURRENT' ? answer : { default: true });
}
/** The next `times` AWSCURRENT moves answered this way; the default (a working Secrets Manager) after. */
const moveFault = (answer: StubAnswer, times: number) => (t: StoreFaultTarget) =>
  t.aws.script('UpdateSecretVersionStage', ...Array.from({ length: times }, () => onlyTheMove(answer)));
/** Every AWSCURRENT move answered this way for the rest of the run (a fault that outlasts the retries). */
export const moveDown = (answer: StubAnswer) => (t: StoreFaultTarget) =>
  t.aws.always('UpdateSecretVersionStage', onlyTheMove(answer));
/** The put worked; AWS becomes unreachable as the move is sent (the move hangs, then the connection is refused). */
export const awsGoneBeforeTheMove = (t: StoreFaultTarget) =>
  t.aws.script('UpdateSecretVersionStage', () => {
    void t.awsGate.shut();
    return { hang: true };
  });

/** The stage move lands, then the connection drops before the answer (the classic lost response). */
const moveThenDrop =
  (t: StoreFaultTarget): StubAnswer =>
  (call) => {
    const ours = String(call.input.MoveToVersionId ?? '');
    const from = String(call.input.RemoveFromVersionId ?? '');
    if (call.input.VersionStage !== 'AWSCURRENT' || !ours) return { default: true };
    t.aws.setStages(t.secretId, ours, ['AWSCURRENT', 'AWSPENDING']);
    if (from) t.aws.setStages(t.secretId, from, ['AWSPREVIOUS']);
    return { reset: true };
  };

export const STORE_WRITE_FAULTS: StoreWriteFault[] = [
  // Secrets Manager put (AWSPENDING): idempotent retries with the run's ClientRequestToken.
  {
    call: 'SM PutSecretValue',
    fault: 'connection refused (AWS gone after the read)',
    expect: 'fails',
    mentions: /Could not reach AWS Secrets Manager/,
    inject: (t) => t.beforeSchwabToken(() => t.awsGate.shut()),
  },
  {
    call: 'SM PutSecretValue',
    fault: 'reset, once',
    expect: 'recovers',
    inject: awsFault('PutSecretValue', STUB_ERRORS.reset, 1),
  },
  {
    call: 'SM PutSecretValue',
    fault: 'reset, every attempt',
    expect: 'fails',
    mentions: AWS,
    inject: awsFault('PutSecretValue', STUB_ERRORS.reset, AWS_ATTEMPTS),
  },
  {
    call: 'SM PutSecretValue',
    fault: 'hang past the timeout, once',
    expect: 'recovers',
    inject: hangs(awsFault('PutSecretValue', STUB_ERRORS.hang, 1)),
  },
  {
    call: 'SM PutSecretValue',
    fault: 'hang past the timeout, every attempt',
    expect: 'fails',
    mentions: AWS,
    inject: hangs(awsFault('PutSecretValue', STUB_ERRORS.hang, AWS_ATTEMPTS)),
  },
  { call: 'SM PutSecretValue', fault: '429, once', expect: 'recovers', inject: awsFault('PutSecretValue', AWS_429, 1) },
  {
    call: 'SM PutSecretValue',
    fault: '500, once',
    expect: 'recovers',
    inject: awsFault('PutSecretValue', STUB_ERRORS.internal, 1),
  },
  {
    call: 'SM PutSecretValue',
    fault: '500, every attempt',
    expect: 'fails',
    mentions: /PutSecretValue/,
    inject: awsFault('PutSecretValue', STUB_ERRORS.internal, AWS_ATTEMPTS),
  },
  {
    call: 'SM PutSecretValue',
    fault: 'HTML 503 page, once',
    expect: 'recovers',
    inject: awsFault('PutSecretValue', AWS_HTML_503, 1),
  },
  {
    call: 'SM PutSecretValue',
    fault: 'empty 200 body',
    expect: 'fails',
    mentions: /answered PutSecretValue .* malformed/,
    inject: awsFault('PutSecretValue', AWS_EMPTY_200, 1),
  },
  {
    call: 'SM PutSecretValue',
    fault: 'ThrottlingException, twice',
    expect: 'recovers',
    inject: awsFault('PutSecretValue', STUB_ERRORS.throttling, 2),
  },
  {
    call: 'SM PutSecretValue',
    fault: 'ThrottlingException, every attempt',
    expect: 'fails',
    mentions: /throttled PutSecretValue/,
    inject: awsFault('PutSecretValue', STUB_ERRORS.throttling, AWS_ATTEMPTS),
  },
  {
    call: 'SM PutSecretValue',
    fault: 'AccessDeniedException',
    expect: 'fails',
    mentions: /denied secretsmanager:PutSecretValue/,
    inject: awsFault('PutSecretValue', STUB_ERRORS.accessDenied, 1),
  },
  {
    call: 'SM PutSecretValue',
    fault: 'KMS EncryptionFailure',
    expect: 'fails',
    mentions: /KMS key/,
    inject: awsFault('PutSecretValue', STUB_ERRORS.encryptionFailure, 1),
  },
  {
    call: 'SM PutSecretValue',
    fault: 'KMSDisabledException',
    expect: 'fails',
    mentions: /KMS key/,
    inject: awsFault('PutSecretValue', STUB_ERRORS.kmsDisabled, 1),
  },

  // Secrets Manager stage move (AWSCURRENT → ours, the compare of compare-and-set). A fault on the move alone (the
  // AWSPENDING removal keeps working): the new record stays AWSPENDING, never unlabelled, and the next reader takes it up.
  {
    call: 'SM UpdateSecretVersionStage',
    fault: 'connection refused (AWS gone before the move)',
    expect: 'fails',
    mentions: /Could not reach AWS Secrets Manager.*AWSPENDING/,
    inject: awsGoneBeforeTheMove,
  },
  {
    call: 'SM UpdateSecretVersionStage',
    fault: 'reset, once',
    expect: 'recovers',
    inject: moveFault(STUB_ERRORS.reset, 1),
  },
  {
    call: 'SM UpdateSecretVersionStage',
    fault: 'reset, every attempt',
    expect: 'fails',
    mentions: AWS,
    inject: moveDown(STUB_ERRORS.reset),
  },
  {
    call: 'SM UpdateSecretVersionStage',
    fault: 'move applied, answer lost (reset)',
    expect: 'recovers',
    inject: (t) => t.aws.script('UpdateSecretVersionStage', moveThenDrop(t)),
  },
  {
    call: 'SM UpdateSecretVersionStage',
    fault: 'hang past the timeout, once',
    expect: 'recovers',
    inject: hangs(moveFault(STUB_ERRORS.hang, 1)),
  },
  {
    call: 'SM UpdateSecretVersionStage',
    fault: 'hang past the timeout, every attempt',
    expect: 'fails',
    mentions: AWS,
    inject: hangs(moveDown(STUB_ERRORS.hang)),
  },
  { call: 'SM UpdateSecretVersionStage', fault: '429, once', expect: 'recovers', inject: moveFault(AWS_429, 1) },
  {
    call: 'SM UpdateSecretVersionStage',
    fault: '500, once',
    expect: 'recovers',
    inject: moveFault(STUB_ERRORS.internal, 1),
  },
  {
    call: 'SM UpdateSecretVersionStage',
    fault: '500, every attempt',
    expect: 'fails',
    mentions: /UpdateSecretVersionStage.*AWSPENDING/,
    inject: moveDown(STUB_ERRORS.internal),
  },
  {
    call: 'SM UpdateSecretVersionStage',
    fault: 'HTML 503 page, once',
    expect: 'recovers',
    inject: moveFault(AWS_HTML_503, 1),
  },
  {
    call: 'SM UpdateSecretVersionStage',
    fault: 'empty 200 body (nothing moved)',
    expect: 'fails',
    mentions: /answered UpdateSecretVersionStage .* malformed/,
    inject: moveFault(AWS_EMPTY_200, 1),
  },
  {
    call: 'SM UpdateSecretVersionStage',
    fault: 'ThrottlingException, twice',
    expect: 'recovers',
    inject: moveFault(STUB_ERRORS.throttling, 2),
  },
  {
    call: 'SM UpdateSecretVersionStage',
    fault: 'ThrottlingException, every attempt',
    expect: 'fails',
    mentions: /throttled UpdateSecretVersionStage.*AWSPENDING/,
    inject: moveDown(STUB_ERRORS.throttling),
  },
  {
    call: 'SM UpdateSecretVersionStage',
    fault: 'AccessDeniedException',
    expect: 'fails',
    mentions: /denied secretsmanager:UpdateSecretVersionStage.*AWSPENDING/,
    inject: moveDown(STUB_ERRORS.accessDenied),
  },
  {
    // The move works; only taking AWSPENDING off our (now current) version is denied: harmless, a warning says how.
    call: 'SM UpdateSecretVersionStage',
    fault: 'AccessDeniedException on the AWSPENDING removal alone',
    expect: 'recovers',
    inject: (t) =>
      t.aws.always('UpdateSecretVersionStage', (call) =>
        call.input.VersionStage === 'AWSPENDING' ? STUB_ERRORS.accessDenied : { default: true },
      ),
    checkLog: (log) => {
      if (
        !/warning: Could not remove the AWSPENDING label .*update-secret-version-stage .*--remove-from-version-id/.test(
          log,
        )
      ) {
        throw new Error('the log does not warn with the command that removes the AWSPENDING label');
      }
    },
  },
];
