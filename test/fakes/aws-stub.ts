/**
 * A tiny loopback AWS Secrets Manager for the error paths moto cannot produce (throttling, IAM, KMS, deletion,
 * 5xx, hangs, resets). Speaks the AWS JSON 1.1 protocol the SDK uses:
 * `POST /` with `X-Amz-Target: secretsmanager.<Operation>` and `Content-Type: application/x-amz-json-1.1`;
 * errors are `{"__type":"<Name>","message":"…"}` with a 4xx/5xx status.
 *
 * By default it behaves like a small, correct Secrets Manager (in-memory secrets, versions and staging labels for
 * CreateSecret, GetSecretValue, PutSecretValue, UpdateSecretVersionStage, DescribeSecret, ListSecretVersionIds), so a
 * test scripts only the failure it is about: `stub.script('PutSecretValue', STUB_ERRORS.throttling, STUB_ERRORS.throttling)`
 * makes the next two PutSecretValue calls fail and the third one succeed. Signatures are not checked.
 *
 * Point the code under test at it with AWS_ENDPOINT_URL_SECRETS_MANAGER=stub.url (see useMotoEnv(url) in
 * test/support/moto.ts, which also sets dummy credentials and region).
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface StubCall {
  /** e.g. 'GetSecretValue'. */
  operation: string;
  /** The parsed JSON request body. */
  input: Record<string, unknown>;
  headers: IncomingMessage['headers'];
}

/** What the stub answers to one call. */
export type StubAnswer =
  /** An AWS error: `{"__type": error, "message": message}`. */
  | { error: string; message?: string; status?: number; headers?: Record<string, string> }
  /** A JSON success body. */
  | { json: unknown; status?: number }
  /** Any body (an HTML error page, garbage). */
  | { raw: string; status: number; contentType?: string }
  /** Never answer (the client's timeout must fire). */
  | { hang: true }
  /** Destroy the socket without answering (ECONNRESET / socket hang up). */
  | { reset: true }
  /** Use the in-memory Secrets Manager (the default). */
  | { default: true }
  /** Hold the call until `until` settles, then answer with `then` (a call in flight at a chosen moment). */
  | { until: Promise<unknown>; then: StubAnswer }
  /** Decide per call. */
  | ((call: StubCall) => StubAnswer);

/** Ready-made answers for the AWS errors the store must explain. */
export const STUB_ERRORS = {
  throttling: { error: 'ThrottlingException', message: 'Rate exceeded', status: 400 },
  accessDenied: {
    error: 'AccessDeniedException',
    message:
      'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: secretsmanager:GetSecretValue on resource: ' +
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:x because no identity-based policy allows the action',
    status: 400,
  },
  kmsAccessDenied: { error: 'AccessDeniedException', message: 'Access to KMS is not allowed', status: 400 },
  decryptionFailure: {
    error: 'DecryptionFailure',
    message: "Secrets Manager can't decrypt the protected secret text using the provided KMS key.",
    status: 400,
  },
  encryptionFailure: {
    error: 'EncryptionFailure',
    message: "Secrets Manager can't encrypt the protected secret text using the provided KMS key.",
    status: 400,
  },
  kmsDisabled: {
    error: 'KMSDisabledException',
    message: 'arn:aws:kms:us-east-1:123456789012:key/abc is disabled.',
    status: 400,
  },
  notFound: {
    error: 'ResourceNotFoundException',
    message: "Secrets Manager can't find the specified secret.",
    status: 400,
  },
  noValue: {
    error: 'ResourceNotFoundException',
    message: "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
    status: 400,
  },
  scheduledForDeletion: {
    error: 'InvalidRequestException',
    message: "You can't perform this operation on the secret because it was marked for deletion.",
    status: 400,
  },
  unrecognizedClient: {
    error: 'UnrecognizedClientException',
    message: 'The security token included in the request is invalid.',
    status: 400,
  },
  expiredToken: {
    error: 'ExpiredTokenException',
    message: 'The security token included in the request is expired',
    status: 400,
  },
  internal: { error: 'InternalServiceError', message: 'An error occurred (InternalServiceError).', status: 500 },
  serviceUnavailable: { raw: '<html><body>Service Unavailable</body></html>', status: 503, contentType: 'text/html' },
  stageMoved: (versionId: string) => ({
    error: 'InvalidParameterException',
    message: `Version stage AWSCURRENT not found in version ${versionId}`,
    status: 400,
  }),
  tokenReused: {
    error: 'ResourceExistsException',
    message: "You can't modify an existing version, you can only create a new version.",
    status: 400,
  },
  hang: { hang: true },
  reset: { reset: true },
} as const satisfies Record<string, StubAnswer | ((...args: never[]) => StubAnswer)>;

interface StubVersion {
  text: string | undefined;
  stages: Set<string>;
  created: number;
}

interface StubSecret {
  name: string;
  arn: string;
  versions: Map<string, StubVersion>;
}

export interface AwsStub {
  /** http://127.0.0.1:PORT */
  url: string;
  /** Every call received, in order (hung and reset ones included). */
  calls: StubCall[];
  /** The calls of one operation. */
  callsTo(operation: string): StubCall[];
  /** Queues answers for the next calls of `operation` (FIFO); once used up, the default answer applies again. */
  script(operation: string, ...answers: StubAnswer[]): void;
  /** Answers every call of `operation` this way until `reset()` (scripted answers still go first). */
  always(operation: string, answer: StubAnswer): void;
  /** Clears scripts, `always` answers and recorded calls (not the stored secrets). */
  reset(): void;
  /** Creates or replaces a secret in the in-memory store; with `text`, its first version is AWSCURRENT. */
  seed(name: string, text?: string): { arn: string; versionId: string | undefined };
  /** versionId → sorted labels of a stored secret (labelled versions only). */
  stages(name: string): Record<string, string[]>;
  /** The AWSCURRENT text of a stored secret. */
  current(name: string): string | undefined;
  /** The text of one version of a stored secret. */
  text(name: string, versionId: string): string | undefined;
  /** Another writer's plain PutSecretValue: a new version becomes AWSCURRENT (old one AWSPREVIOUS). Returns its id. */
  write(name: string, text: string): string;
  /** Sets a version's labels directly (to build odd states), removing each label from every other version. */
  setStages(name: string, versionId: string, stages: string[]): void;
  close(): Promise<void>;
}

class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** A loopback URL nothing listens on (a port that was free a moment ago): for "connection refused" tests. */
export async function unusedLocalUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

/** Starts the stub on a free loopback port. */
export async function startAwsStub(): Promise<AwsStub> {
  const calls: StubCall[] = [];
  const scripts = new Map<string, StubAnswer[]>();
  const fixed = new Map<string, StubAnswer>();
  const secrets = new Map<string, StubSecret>();
  const sockets = new Set<Socket>();
  const hung = new Set<ServerResponse>();

  const find = (id: unknown): StubSecret => {
    const secret =
      typeof id === 'string' ? (secrets.get(id) ?? [...secrets.values()].find((s) => s.arn === id)) : undefined;
    if (!secret) throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return secret;
  };
  const seed = (name: string, text?: string) => {
    const arn = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`;
    const secret: StubSecret = { name, arn, versions: new Map() };
    let versionId: string | undefined;
    if (text !== undefined) {
      versionId = randomUUID();
      secret.versions.set(versionId, { text, stages: new Set(['AWSCURRENT']), created: Date.now() });
    }
    secrets.set(name, secret);
    return { arn, versionId };
  };
  const moveLabel = (secret: StubSecret, stage: string, to: string) => {
    for (const version of secret.versions.values()) version.stages.delete(stage);
    secret.versions.get(to)?.stages.add(stage);
  };
  const labelled = (secret: StubSecret): Record<string, string[]> => {
    const out: Record<string, string[]> = {};
    for (const [id, v] of secret.versions) if (v.stages.size > 0) out[id] = [...v.stages].sort();
    return out;
  };

  /** The in-memory Secrets Manager: enough of the real semantics for the store's happy paths. */
  const defaultAnswer = (operation: string, input: Record<string, unknown>): unknown => {
    switch (operation) {
      case 'CreateSecret': {
        const name = String(input.Name);
        if (secrets.has(name))
          throw new AwsError(
            'ResourceExistsException',
            `The operation failed because the secret ${name} already exists.`,
          );
        const { arn, versionId } = seed(name, typeof input.SecretString === 'string' ? input.SecretString : undefined);
        return { ARN: arn, Name: name, ...(versionId ? { VersionId: versionId } : {}) };
      }
      case 'GetSecretValue': {
        const secret = find(input.SecretId);
        const stage = typeof input.VersionStage === 'string' ? input.VersionStage : 'AWSCURRENT';
        const entry = [...secret.versions].find(([id, v]) =>
          typeof input.VersionId === 'string' ? id === input.VersionId : v.stages.has(stage),
        );
        if (!entry || entry[1].text === undefined) {
          throw new AwsError(
            'ResourceNotFoundException',
            `Secrets Manager can't find the specified secret value for staging label: ${stage}`,
          );
        }
        const [id, v] = entry;
        return {
          ARN: secret.arn,
          Name: secret.name,
          VersionId: id,
          SecretString: v.text,
          VersionStages: [...v.stages],
          CreatedDate: v.created / 1000,
        };
      }
      case 'PutSecretValue': {
        const secret = find(input.SecretId);
        const id = typeof input.ClientRequestToken === 'string' ? input.ClientRequestToken : randomUUID();
        const text = typeof input.SecretString === 'string' ? input.SecretString : undefined;
        const existing = secret.versions.get(id);
        if (existing) {
          if (existing.text !== text) {
            throw new AwsError(
              'ResourceExistsException',
              "You can't modify an existing version, you can only create a new version.",
            );
          }
          return { ARN: secret.arn, Name: secret.name, VersionId: id, VersionStages: [...existing.stages] };
        }
        const first = secret.versions.size === 0;
        const stages = Array.isArray(input.VersionStages) ? input.VersionStages.map(String) : ['AWSCURRENT'];
        secret.versions.set(id, { text, stages: new Set(), created: Date.now() });
        for (const stage of stages) {
          if (stage === 'AWSCURRENT') moveCurrent(secret, id);
          else moveLabel(secret, stage, id);
        }
        if (first) secret.versions.get(id)?.stages.add('AWSCURRENT');
        return {
          ARN: secret.arn,
          Name: secret.name,
          VersionId: id,
          VersionStages: [...(secret.versions.get(id)?.stages ?? [])],
        };
      }
      case 'UpdateSecretVersionStage': {
        const secret = find(input.SecretId);
        const stage = String(input.VersionStage);
        const from = typeof input.RemoveFromVersionId === 'string' ? input.RemoveFromVersionId : undefined;
        const to = typeof input.MoveToVersionId === 'string' ? input.MoveToVersionId : undefined;
        for (const id of [from, to]) {
          if (id !== undefined && !secret.versions.has(id))
            throw new AwsError('InvalidParameterException', `Not a valid version: ${id}`);
        }
        const holder = [...secret.versions].find(([, v]) => v.stages.has(stage))?.[0];
        if (from !== undefined && holder !== from) {
          throw new AwsError('InvalidParameterException', `Version stage ${stage} not found in version ${from}`);
        }
        if (from === undefined && to !== undefined && holder !== undefined && holder !== to) {
          throw new AwsError(
            'InvalidParameterException',
            `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${holder}, so you must explicitly reference that version in RemoveFromVersionId.`,
          );
        }
        if (to === undefined) {
          if (from !== undefined) secret.versions.get(from)?.stages.delete(stage);
        } else if (stage === 'AWSCURRENT') {
          moveCurrent(secret, to);
        } else {
          moveLabel(secret, stage, to);
        }
        return { ARN: secret.arn, Name: secret.name };
      }
      case 'DescribeSecret': {
        const secret = find(input.SecretId);
        return { ARN: secret.arn, Name: secret.name, VersionIdsToStages: labelled(secret) };
      }
      case 'ListSecretVersionIds': {
        const secret = find(input.SecretId);
        return {
          ARN: secret.arn,
          Name: secret.name,
          Versions: [...secret.versions].map(([id, v]) => ({
            VersionId: id,
            VersionStages: [...v.stages],
            CreatedDate: v.created / 1000,
          })),
        };
      }
      default:
        throw new AwsError('UnknownOperationException', `The stub does not implement ${operation}.`);
    }
  };
  /** AWSCURRENT moves; the version it leaves becomes AWSPREVIOUS (as AWS does). */
  const moveCurrent = (secret: StubSecret, to: string) => {
    const holder = [...secret.versions].find(([, v]) => v.stages.has('AWSCURRENT'))?.[0];
    if (holder === to) return;
    moveLabel(secret, 'AWSCURRENT', to);
    if (holder !== undefined) moveLabel(secret, 'AWSPREVIOUS', holder);
    secret.versions.get(to)?.stages.delete('AWSPREVIOUS');
  };

  const send = (
    res: ServerResponse,
    status: number,
    body: string,
    contentType = 'application/x-amz-json-1.1',
    headers: Record<string, string> = {},
  ) => {
    res.writeHead(status, { 'Content-Type': contentType, 'x-amzn-RequestId': randomUUID(), ...headers });
    res.end(body);
  };

  const answer = (call: StubCall, res: ServerResponse, chosen: StubAnswer): void => {
    const resolved = typeof chosen === 'function' ? chosen(call) : chosen;
    if (typeof resolved === 'function') return answer(call, res, resolved);
    if ('hang' in resolved) {
      hung.add(res);
      return;
    }
    if ('reset' in resolved) {
      res.socket?.destroy();
      return;
    }
    if ('until' in resolved) {
      hung.add(res);
      void resolved.until.finally(() => {
        hung.delete(res);
        if (!res.destroyed) answer(call, res, resolved.then);
      });
      return;
    }
    if ('error' in resolved) {
      send(
        res,
        resolved.status ?? 400,
        JSON.stringify({ __type: resolved.error, message: resolved.message ?? resolved.error }),
        undefined,
        resolved.headers,
      );
      return;
    }
    if ('json' in resolved) {
      send(res, resolved.status ?? 200, JSON.stringify(resolved.json));
      return;
    }
    if ('raw' in resolved) {
      send(res, resolved.status, resolved.raw, resolved.contentType ?? 'text/plain');
      return;
    }
    try {
      send(res, 200, JSON.stringify(defaultAnswer(call.operation, call.input)));
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      send(res, error.status, JSON.stringify({ __type: error.type, message: error.message }));
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.startsWith('secretsmanager.') ? target.slice('secretsmanager.'.length) : target;
      let input: Record<string, unknown> = {};
      try {
        const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        if (parsed && typeof parsed === 'object') input = parsed as Record<string, unknown>;
      } catch {
        send(res, 400, JSON.stringify({ __type: 'SerializationException', message: 'Invalid JSON' }));
        return;
      }
      const call: StubCall = { operation, input, headers: req.headers };
      calls.push(call);
      const queued = scripts.get(operation);
      const chosen = queued?.shift() ?? fixed.get(operation) ?? { default: true };
      answer(call, res, chosen);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('stub has no port');

  return {
    url: `http://127.0.0.1:${address.port}`,
    calls,
    callsTo: (operation) => calls.filter((c) => c.operation === operation),
    script(operation, ...answers) {
      scripts.set(operation, [...(scripts.get(operation) ?? []), ...answers]);
    },
    always(operation, answer) {
      fixed.set(operation, answer);
    },
    reset() {
      scripts.clear();
      fixed.clear();
      calls.length = 0;
    },
    seed,
    stages: (name) => labelled(find(name)),
    current: (name) => [...find(name).versions.values()].find((v) => v.stages.has('AWSCURRENT'))?.text,
    text: (name, versionId) => find(name).versions.get(versionId)?.text,
    write(name, text) {
      const out = defaultAnswer('PutSecretValue', {
        SecretId: name,
        SecretString: text,
        ClientRequestToken: randomUUID(),
      });
      return String((out as { VersionId: string }).VersionId);
    },
    setStages(name, versionId, stages) {
      const secret = find(name);
      const version = secret.versions.get(versionId);
      if (!version) throw new Error(`no version ${versionId}`);
      version.stages.clear();
      for (const stage of stages) moveLabel(secret, stage, versionId);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hung) res.destroy();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
