/**
 * In-memory fakes of what a rotation talks to, for unit tests of the core without HTTP: a scripted Schwab
 * (TokenRefresher) that keeps track of which refresh tokens it would still accept, a compare-and-set primary store
 * with an unfinished write (as Secrets Manager's AWSPENDING), a mirror and a read-only source. Its errors are the
 * ones the real client throws (classifySchwabResponse on Schwab's real error bodies). The loopback fakes
 * (schwab-fake.ts, aws-stub.ts, github-fake.ts) stay for integration and end-to-end tests.
 */
import { randomUUID } from 'node:crypto';
import type { TokenRefresher } from '../../src/run/rotation.js';
import type { LoadedText, MirrorStore, PrimaryStore, PrimaryWriteResult, RecordSource } from '../../src/run/stores.js';
import { classifySchwabResponse } from '../../src/schwab/errors.js';
import type { SchwabError } from '../../src/schwab/errors.js';
import { recordFromLogin } from '../../src/token/build.js';
import { REFRESH_TOKEN_LIFETIME_MS } from '../../src/token/record.js';
import type { SchwabTokenResponse, TokenFormat, TokenRecord } from '../../src/token/record.js';
import { serializeRecord } from '../../src/token/serialize.js';
import { SCHWAB_ERROR_BODIES } from './schwab-fake.js';

const JSON_HEADERS = { 'content-type': 'application/json' };

/** The errors the real Schwab client throws, built from Schwab's own answers. */
export const SCHWAB_ERRORS = {
  /** 503 after every retry. */
  unavailable: (): SchwabError => classifySchwabResponse(503, {}, '', { context: 'refresh' }).withAttempts(4),
  /** A dead refresh token. */
  rejected: (): SchwabError => {
    const { status, body } = SCHWAB_ERROR_BODIES.refreshTokenAuthentication();
    return classifySchwabResponse(status, JSON_HEADERS, body, { context: 'refresh' });
  },
  /** A wrong app key or secret. */
  badCredentials: (): SchwabError => {
    const { status, body } = SCHWAB_ERROR_BODIES.unauthorized();
    return classifySchwabResponse(status, JSON_HEADERS, body, { context: 'refresh' });
  },
  /** The accounts probe refused (the app lacks the product). */
  probeUnauthorized: (): SchwabError =>
    classifySchwabResponse(401, JSON_HEADERS, '{}', { context: 'probe', probe: 'accounts' }),
};

export interface ScriptedCall {
  kind: 'refresh' | 'probe';
  /** The refresh token (refresh) or access token (probe) it was called with. */
  token: string;
}

export interface ScriptedSchwab extends TokenRefresher {
  /** Hands out a new refresh token on every refresh and retires the one used (Schwab may do so). */
  rotateOnRefresh: boolean;
  /** Every call, in order. */
  readonly calls: ScriptedCall[];
  /** The refresh calls. */
  refreshes(): ScriptedCall[];
  /** A login: new tokens; every older refresh token stops working (as at Schwab). */
  issue(loginAt: Date): SchwabTokenResponse;
  /** A login, as the record the login command would write. */
  login(loginAt: Date, format?: TokenFormat): { record: TokenRecord; text: string };
  /** Whether Schwab would refresh with this refresh token now. */
  isLive(refreshToken: string): boolean;
  revokeAll(): void;
  /** The next `times` calls of that kind fail with a fresh copy of `error`. */
  failNext(kind: 'refresh' | 'probe', error: () => Error, times?: number): void;
  /** Runs before the next refresh is answered (a login landing, another writer, a cancel). */
  beforeNextRefresh(hook: () => void | Promise<void>): void;
}

export function scriptedSchwab(options: { rotateOnRefresh?: boolean; now?: () => Date } = {}): ScriptedSchwab {
  const now = options.now ?? (() => new Date());
  /** Live refresh token → its login time. */
  const live = new Map<string, Date>();
  const failures: Record<'refresh' | 'probe', (() => Error)[]> = { refresh: [], probe: [] };
  const hooks: (() => void | Promise<void>)[] = [];
  const calls: ScriptedCall[] = [];
  const token = (kind: string) => `${kind}-${randomUUID()}@`;

  const schwab: ScriptedSchwab = {
    rotateOnRefresh: options.rotateOnRefresh ?? false,
    calls,
    refreshes: () => calls.filter((call) => call.kind === 'refresh'),
    issue(loginAt) {
      live.clear();
      const refreshToken = token('RT');
      live.set(refreshToken, loginAt);
      return response(token('I0.access'), refreshToken);
    },
    login(loginAt, format = 'rotator') {
      const record = recordFromLogin(schwab.issue(loginAt), loginAt);
      return { record, text: serializeRecord(record, format) };
    },
    isLive(refreshToken) {
      const loginAt = live.get(refreshToken);
      return loginAt !== undefined && now().getTime() < loginAt.getTime() + REFRESH_TOKEN_LIFETIME_MS;
    },
    revokeAll: () => live.clear(),
    failNext(kind, error, times = 1) {
      for (let i = 0; i < times; i++) failures[kind].push(error);
    },
    beforeNextRefresh: (hook) => void hooks.push(hook),
    async refresh(refreshToken) {
      calls.push({ kind: 'refresh', token: refreshToken });
      await hooks.shift()?.();
      const failure = failures.refresh.shift();
      if (failure) throw failure();
      const loginAt = live.get(refreshToken);
      if (loginAt === undefined || !schwab.isLive(refreshToken)) throw SCHWAB_ERRORS.rejected();
      if (!schwab.rotateOnRefresh) return response(token('I0.access'), refreshToken);
      live.delete(refreshToken);
      const next = token('RT');
      live.set(next, loginAt);
      return response(token('I0.access'), next);
    },
    async probe(accessToken) {
      calls.push({ kind: 'probe', token: accessToken });
      const failure = failures.probe.shift();
      if (failure) throw failure();
    },
  };
  return schwab;
}

function response(accessToken: string, refreshToken: string): SchwabTokenResponse {
  return {
    access_token: accessToken,
    refresh_token: refreshToken,
    id_token: `eyJ.${randomUUID()}.sig`,
    token_type: 'Bearer',
    scope: 'api',
    expires_in: 1800,
  };
}

export interface MemoryPrimary extends PrimaryStore {
  text: string | undefined;
  /** An unfinished write (as Secrets Manager's AWSPENDING); writing the same text finishes it. */
  pending: string | undefined;
  version: number;
  writes: number;
  /** Writes that finished the unfinished write. */
  finished: number;
}

/** A primary store in memory, with compare-and-set on a version counter. */
export function memoryPrimary(initial: string | undefined, label = 'memory primary'): MemoryPrimary {
  const store: MemoryPrimary = {
    label,
    text: initial,
    pending: undefined,
    version: 1,
    writes: 0,
    finished: 0,
    async load(): Promise<LoadedText> {
      return {
        text: store.text,
        version: String(store.version),
        pending: store.pending ? { text: store.pending, version: 'p' } : undefined,
      };
    },
    async compareAndSet(text, expected, onConflict): Promise<PrimaryWriteResult> {
      const current = { text: store.text, version: String(store.version) };
      if (expected !== current.version && onConflict(current) === 'keep') return { outcome: 'kept-current', current };
      if (text === store.pending) store.finished += 1;
      store.pending = undefined;
      store.text = text;
      store.version += 1;
      store.writes += 1;
      return { outcome: 'written', version: String(store.version) };
    },
  };
  return store;
}

/** A mirror in memory: remembers every text written. */
export function memoryMirror(label = 'memory mirror'): MirrorStore & { texts: string[] } {
  const texts: string[] = [];
  return {
    label,
    texts,
    async write(text) {
      texts.push(text);
      return [{ label, ok: true, detail: 'written' }];
    },
  };
}

/** A read-only source (the action's `token` input). */
export function memorySource(text: string, label = 'the "token" input'): RecordSource {
  return { label, load: async () => ({ text }) };
}
