/**
 * The rotation core in-process: the real Schwab client against the Schwab fake over loopback, with an in-memory
 * compare-and-set primary store and an in-memory mirror, so each decision of `rotate` is checked directly.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startSchwabFake } from '../fakes/schwab-fake.js';
import type { SchwabFake } from '../fakes/schwab-fake.js';
import { rotate } from '../../src/run/rotation.js';
import type { RotationOptions } from '../../src/run/rotation.js';
import type { LoadedText, MirrorStore, PrimaryStore } from '../../src/run/stores.js';
import { SchwabOAuthClient } from '../../src/schwab/oauth-client.js';
import { createMemoryLogger } from '../../src/util/logger.js';
import { parseTokenRecord } from '../../src/token/parse.js';
import { recordAfterRefresh } from '../../src/token/build.js';
import { serializeRecord } from '../../src/token/serialize.js';
import { loginRecord, DAY, HOUR, MINUTE } from '../e2e/support.js';

const OPTIONS: RotationOptions = {
  force: false,
  dryRun: false,
  refreshBeforeMs: 25 * MINUTE,
  reauthWarningMs: 2 * DAY,
  tokenFormat: 'rotator',
  verify: 'none',
};

/**
 * A primary store in memory with compare-and-set on a version counter, and an unfinished write (`pending`, as
 * Secrets Manager's AWSPENDING) that a write of the same text finishes.
 */
function memoryPrimary(initial: string | undefined): PrimaryStore & {
  text: string | undefined;
  pending: string | undefined;
  writes: number;
  finished: number;
  version: number;
} {
  const store = {
    label: 'memory primary',
    text: initial,
    pending: undefined as string | undefined,
    version: 1,
    writes: 0,
    finished: 0,
    async load(): Promise<LoadedText> {
      return { text: store.text, version: String(store.version), pending: store.pending ? { text: store.pending, version: 'p' } : undefined };
    },
    async compareAndSet(text: string, expected: string | undefined, onConflict: (current: LoadedText) => 'overwrite' | 'keep') {
      if (expected !== String(store.version) && onConflict({ text: store.text, version: String(store.version) }) === 'keep') {
        return { outcome: 'kept-current' as const, current: { text: store.text, version: String(store.version) } };
      }
      if (text === store.pending) store.finished += 1;
      store.pending = undefined;
      store.text = text;
      store.version += 1;
      store.writes += 1;
      return { outcome: 'written' as const, version: String(store.version) };
    },
  };
  return store;
}

function memoryMirror(): MirrorStore & { texts: string[] } {
  const texts: string[] = [];
  return {
    label: 'memory mirror',
    texts,
    async write(text) {
      texts.push(text);
      return [{ label: 'memory mirror', ok: true, detail: 'written' }];
    },
  };
}

let fake: SchwabFake;
beforeEach(async () => {
  fake = await startSchwabFake();
});
afterEach(async () => {
  await fake.close();
});

function deps(
  primary: PrimaryStore | undefined,
  mirrors: MirrorStore[],
  tokenInput?: string,
  onSleep?: (ms: number) => void,
  clockAheadMs = 0,
) {
  const logger = createMemoryLogger();
  const clock = { now: () => new Date(Date.now() + clockAheadMs) };
  const sleeps: number[] = [];
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    onSleep?.(ms);
  };
  const schwab = new SchwabOAuthClient({
    baseUrl: fake.baseUrl,
    appKey: fake.appKey,
    appSecret: fake.appSecret,
    logger,
    clock,
    sleep,
    timeoutMs: 2000,
  });
  return {
    logger,
    sleeps,
    deps: {
      clock,
      sleep,
      logger,
      schwab,
      sources: tokenInput ? [{ label: 'the "token" input', load: async () => ({ text: tokenInput }) }] : [],
      primary,
      mirrors,
    },
  };
}

const parse = (text: string | undefined) => parseTokenRecord(text ?? '', 'test', new Date()).record;

describe('rotate', () => {
  it('with rotate-on-refresh, keeps the new refresh token even when the verify probe fails, and still fails the run', async () => {
    fake.rotateOnRefresh = true;
    const login = loginRecord(fake, new Date(Date.now() - 10 * MINUTE));
    const primary = memoryPrimary(login.text);
    fake.fail('accounts', 401, 4);
    const { deps: d } = deps(primary, []);

    const result = await rotate({ ...OPTIONS, verify: 'accounts' }, d);

    expect(result.failures).toHaveLength(1);
    expect(result.status).toBe('error');
    const stored = parse(primary.text);
    expect(stored.tokens.refreshToken).not.toBe(login.record.tokens.refreshToken);
    expect(fake.refreshTokenInfo(stored.tokens.refreshToken)?.active).toBe(true);
  });

  it('without rotation, a failed verify probe writes nothing', async () => {
    const login = loginRecord(fake, new Date(Date.now() - 10 * MINUTE));
    const primary = memoryPrimary(login.text);
    fake.fail('accounts', 401, 4);
    const { deps: d } = deps(primary, []);

    const result = await rotate({ ...OPTIONS, verify: 'accounts' }, d);

    expect(result.failures[0]).toMatch(/Schwab/);
    expect(primary.writes).toBe(0);
    expect(primary.text).toBe(login.text);
  });

  it('adopts a login that landed in the primary store mid-refresh and mirrors it at once', async () => {
    const old = loginRecord(fake, new Date(Date.now() - DAY));
    const primary = memoryPrimary(old.text);
    const mirror = memoryMirror();
    let fresh = '';
    fake.beforeNext('token', () => {
      fresh = loginRecord(fake, new Date()).text; // revokes the old refresh token
      primary.text = fresh;
      primary.version += 1;
    });
    const { deps: d } = deps(primary, [mirror]);

    const result = await rotate({ ...OPTIONS, force: true }, d);

    expect(result.failures).toEqual([]);
    expect(result.status).toBe('healthy');
    expect(primary.text).toBe(fresh);
    expect(primary.writes).toBe(0);
    expect(mirror.texts).toEqual([fresh]);
  });

  it('with rotate-on-refresh, waits for another writer that retired its token instead of crying re-auth', async () => {
    fake.rotateOnRefresh = true;
    const login = loginRecord(fake, new Date(Date.now() - DAY));
    const primary = memoryPrimary(login.text);
    // Another writer (a CLI refresh loop) refreshes the same login first, retiring our refresh token…
    const other = await new SchwabOAuthClient({
      baseUrl: fake.baseUrl,
      appKey: fake.appKey,
      appSecret: fake.appSecret,
      logger: createMemoryLogger(),
      clock: { now: () => new Date() },
      sleep: async () => undefined,
    }).refresh(login.record.tokens.refreshToken);
    const theirs = recordAfterRefresh(login.record, other, new Date());
    const theirsText = serializeRecord(theirs, 'rotator');
    // …and stores its record while this run waits before calling the token dead.
    const { deps: d, sleeps } = deps(primary, [], undefined, () => {
      if (primary.text !== theirsText) {
        primary.text = theirsText;
        primary.version += 1;
      }
    });

    const result = await rotate({ ...OPTIONS, force: true }, d);

    expect(sleeps).toEqual([2000]);
    expect(result.failures).toEqual([]);
    expect(result.status).toBe('healthy');
    expect(result.record?.tokens.refreshToken).toBe(theirs.tokens.refreshToken);
    expect(primary.text).toBe(theirsText);
  });

  it('reports a dead refresh token after re-reading the store twice more', async () => {
    const login = loginRecord(fake, new Date(Date.now() - DAY));
    const primary = memoryPrimary(login.text);
    fake.revokeAll();
    const { deps: d, sleeps } = deps(primary, []);

    const result = await rotate({ ...OPTIONS, force: true }, d);

    expect(sleeps).toEqual([2000, 5000]);
    expect(result.status).toBe('reauth-required');
    expect(result.schwabRejected).toBe(true);
    expect(primary.writes).toBe(0);
  });

  it('adopts a bare token response once (refreshing it at once), then never lets it outrank the stored record', async () => {
    const issued = fake.issueTokens({ loginAt: new Date(Date.now() - 3 * DAY) });
    const bare = JSON.stringify(issued.response); // what people paste from a script: no login time
    const primary = memoryPrimary(undefined);

    const first = await rotate(OPTIONS, deps(primary, [], bare).deps);

    expect(first.refreshed).toBe(true);
    expect(first.warnings.join(' ')).toMatch(/login was assumed to be now/);
    const stored = parse(primary.text);
    expect(stored.meta.refreshCount).toBe(1);

    // Every later run (here 10 minutes later) re-reads the same bare response as "a login just now"; the stored
    // record must still win.
    const second = await rotate(OPTIONS, deps(primary, [], bare, undefined, 10 * MINUTE).deps);

    expect(second.chosenFrom).toBe('memory primary');
    expect(parse(primary.text).meta.createdAt).toEqual(stored.meta.createdAt);
    expect(parse(primary.text).meta.refreshCount).toBe(2);
  });

  it('writes a newer login from the "token" input to the primary store without refreshing (manual deploy)', async () => {
    const old = loginRecord(fake, new Date(Date.now() - 3 * DAY));
    const fresh = loginRecord(fake, new Date());
    const primary = memoryPrimary(old.text);
    const mirror = memoryMirror();
    const { deps: d } = deps(primary, [mirror], fresh.text);

    const result = await rotate(OPTIONS, d);

    expect(result.refreshed).toBe(false);
    expect(fake.tokenRequests()).toHaveLength(0);
    expect(parse(primary.text).meta.createdAt).toEqual(fresh.record.meta.createdAt);
    expect(mirror.texts).toHaveLength(1);
  });

  it('still copies a newer login from the "token" input everywhere when Schwab cannot be reached, and fails the run', async () => {
    const old = loginRecord(fake, new Date(Date.now() - 3 * DAY));
    const fresh = loginRecord(fake, new Date(Date.now() - 29 * MINUTE)); // due for a refresh
    const primary = memoryPrimary(old.text);
    const mirror = memoryMirror();
    fake.fail('token', 503, 10);
    const { deps: d } = deps(primary, [mirror], fresh.text);

    const result = await rotate(OPTIONS, d);

    expect(result.refreshed).toBe(false);
    expect(result.failures[0]).toMatch(/Schwab's server failed/);
    expect(result.status, 'a failed run never says healthy').toBe('error');
    expect(result.health.status, "the refresh token's own health").toBe('healthy');
    expect(result.action).toMatch(/newer record .* was still copied/);
    expect(primary.text).toBe(fresh.text);
    expect(mirror.texts).toEqual([fresh.text]);
  });

  it('heals a stale mirror from the primary store without refreshing', async () => {
    const old = loginRecord(fake, new Date(Date.now() - 3 * DAY));
    const fresh = loginRecord(fake, new Date());
    const primary = memoryPrimary(fresh.text);
    const mirror = memoryMirror();
    const { deps: d } = deps(primary, [mirror], old.text);

    const result = await rotate(OPTIONS, d);

    expect(result.refreshed).toBe(false);
    expect(primary.writes).toBe(0);
    expect(mirror.texts).toEqual([fresh.text]);
  });

  it('refuses a record a mirror cannot take before refreshing anything', async () => {
    const login = loginRecord(fake, new Date(Date.now() - 10 * MINUTE));
    const primary = memoryPrimary(login.text);
    const mirror: MirrorStore = {
      label: 'tiny mirror',
      check: () => {
        throw new Error('The value is too large for the tiny mirror: store a smaller record.');
      },
      write: async () => [],
    };
    const { deps: d } = deps(primary, [mirror]);

    const result = await rotate(OPTIONS, d);

    expect(result.failures).toEqual(['The value is too large for the tiny mirror: store a smaller record.']);
    expect(fake.tokenRequests()).toHaveLength(0);
    expect(primary.writes).toBe(0);
  });

  describe('before Schwab is called, the stores that would keep a rotated refresh token must be able to take it', () => {
    const refusing = (): MirrorStore & { texts: string[] } => ({
      ...memoryMirror(),
      label: 'GitHub secret acme/bot:SCHWAB_TOKEN',
      checkWritable: async () => {
        throw new Error('Cannot write secret SCHWAB_TOKEN to acme/bot (HTTP 403): the secrets-token needs the "Secrets: read and write" permission.');
      },
    });

    it('with GitHub secrets as the only store, a refused public key stops the run before the refresh', async () => {
      fake.rotateOnRefresh = true;
      const login = loginRecord(fake, new Date(Date.now() - 40 * MINUTE));
      const mirror = refusing();

      const result = await rotate(OPTIONS, deps(undefined, [mirror], login.text).deps);

      expect(result.failures).toEqual([expect.stringMatching(/Secrets: read and write/)]);
      expect(result.action).toBe('Stopped before refreshing: a store cannot take the record.');
      expect(fake.tokenRequests()).toHaveLength(0);
      expect(mirror.texts).toEqual([]);
      expect(fake.refreshTokenInfo(login.record.tokens.refreshToken)?.active).toBe(true);
    });

    it('with a primary store, the mirrors do not hold the refresh up: the primary keeps it, the mirror fails the run later', async () => {
      const login = loginRecord(fake, new Date(Date.now() - 40 * MINUTE));
      const primary = memoryPrimary(login.text);
      let checked = false;
      const mirror: MirrorStore = {
        label: 'slow mirror',
        checkWritable: () => new Promise<void>(() => (checked = true)), // never answers
        write: async () => [{ label: 'slow mirror', ok: true, detail: 'written' }],
      };

      const result = await rotate(OPTIONS, deps(primary, [mirror]).deps);

      expect(checked).toBe(false);
      expect(result.refreshed).toBe(true);
      expect(primary.writes).toBe(1);
    });

    it('a primary store that cannot take the record (its folder) stops the run before the refresh', async () => {
      const login = loginRecord(fake, new Date(Date.now() - 40 * MINUTE));
      const primary = {
        ...memoryPrimary(login.text),
        checkWritable: async () => {
          throw new Error('The folder /x for file t.json is not writable (EACCES): fix its permissions, or choose another --file.');
        },
      };

      const result = await rotate(OPTIONS, deps(primary, []).deps);

      expect(result.failures).toEqual([expect.stringMatching(/not writable/)]);
      expect(fake.tokenRequests()).toHaveLength(0);
    });
  });

  describe('a refreshed record the validator would reject is normalised and stored, never dropped (rotating Schwab)', () => {
    it('a login time in the future (a fast clock where the login ran) becomes now, with a warning', async () => {
      fake.rotateOnRefresh = true;
      const login = loginRecord(fake, new Date(Date.now() + 2 * HOUR)); // its access token is not due for 2.5 h
      const primary = memoryPrimary(login.text);

      const result = await rotate({ ...OPTIONS, force: true }, deps(primary, []).deps);

      expect(result.failures).toEqual([]);
      expect(result.warnings).toEqual([expect.stringMatching(/login time of the token record .* is in the future/)]);
      const stored = parse(primary.text);
      expect(stored.meta.createdAt.getTime()).toBeLessThanOrEqual(Date.now());
      expect(stored.meta.refreshCount).toBe(1);
      expect(fake.refreshTokenInfo(stored.tokens.refreshToken)?.active).toBe(true);
    });

    it('a refresh count at its largest value stays there', async () => {
      fake.rotateOnRefresh = true;
      const login = loginRecord(fake, new Date(Date.now() - DAY));
      const worn = { ...login.record, meta: { ...login.record.meta, refreshCount: Number.MAX_SAFE_INTEGER } };
      const primary = memoryPrimary(serializeRecord(worn, 'rotator'));

      const result = await rotate({ ...OPTIONS, force: true }, deps(primary, []).deps);

      expect(result.failures).toEqual([]);
      const stored = parse(primary.text);
      expect(stored.meta.refreshCount).toBe(Number.MAX_SAFE_INTEGER);
      expect(fake.refreshTokenInfo(stored.tokens.refreshToken)?.active).toBe(true);
    });
  });

  it('dry-run plans without refreshing or writing', async () => {
    const login = loginRecord(fake, new Date(Date.now() - 10 * MINUTE));
    const primary = memoryPrimary(login.text);
    const mirror = memoryMirror();
    const { deps: d } = deps(primary, [mirror]);

    const result = await rotate({ ...OPTIONS, dryRun: true }, d);

    expect(result.action).toBe('Dry run: would refresh the access token (due), then write memory primary, then write memory mirror; nothing was changed.');
    expect(result.stores.map((s) => s.outcome)).toEqual(['planned', 'planned']);
    expect(fake.tokenRequests()).toHaveLength(0);
    expect(primary.writes + mirror.texts.length).toBe(0);
  });

  describe('an unfinished write in the primary store (AWSPENDING)', () => {
    /** A run that refreshed with a rotating Schwab, put its record as pending, and never moved AWSCURRENT. */
    async function stranded(): Promise<{ login: { text: string }; pendingText: string }> {
      fake.rotateOnRefresh = true;
      const login = loginRecord(fake, new Date(Date.now() - DAY));
      const response = await new SchwabOAuthClient({
        baseUrl: fake.baseUrl,
        appKey: fake.appKey,
        appSecret: fake.appSecret,
        logger: createMemoryLogger(),
        clock: { now: () => new Date() },
        sleep: async () => undefined,
      }).refresh(login.record.tokens.refreshToken);
      return { login, pendingText: serializeRecord(recordAfterRefresh(login.record, response, new Date()), 'rotator') };
    }

    it('is taken up when newer: the move is finished with the same text, and nothing is refreshed that is not due', async () => {
      const { login, pendingText } = await stranded();
      const primary = memoryPrimary(login.text);
      primary.pending = pendingText;
      const mirror = memoryMirror();
      const { deps: d, logger } = deps(primary, [mirror], login.text);

      const result = await rotate(OPTIONS, d);

      expect(result.failures).toEqual([]);
      expect(result.chosenFrom).toBe('memory primary (its unfinished write, AWSPENDING)');
      expect(fake.tokenRequests().filter((r) => r.form.grant_type === 'refresh_token')).toHaveLength(1); // the stranded run's
      expect(primary.text).toBe(pendingText);
      expect(primary.finished).toBe(1);
      expect(mirror.texts).toEqual([pendingText]);
      expect(logger.lines.some((l) => /holds a newer record .* from a write that did not finish/.test(l.message))).toBe(true);
    });

    it('is refreshed when due: its refresh token is the live one (the current one was retired)', async () => {
      const { login, pendingText } = await stranded();
      const primary = memoryPrimary(login.text);
      primary.pending = pendingText;

      const result = await rotate({ ...OPTIONS, force: true }, deps(primary, []).deps);

      expect(result.failures).toEqual([]);
      expect(result.status).toBe('healthy');
      const stored = parse(primary.text);
      expect(stored.meta.refreshCount).toBe(2);
      expect(fake.refreshTokenInfo(stored.tokens.refreshToken)?.active).toBe(true);
      expect(primary.pending).toBeUndefined();
    });

    it('is found by the re-read after Schwab rejects the current refresh token', async () => {
      const { login, pendingText } = await stranded();
      const primary = memoryPrimary(login.text);
      // The unfinished write shows up only after this run has read the store (another run's, just failed).
      const { deps: d, sleeps } = deps(primary, []);
      fake.beforeNext('token', () => {
        primary.pending = pendingText;
      });

      const result = await rotate({ ...OPTIONS, force: true }, d);

      expect(sleeps).toEqual([]);
      expect(result.schwabRejected).toBe(false);
      expect(result.failures).toEqual([]);
      expect(result.record && serializeRecord(result.record, 'rotator')).toBe(pendingText);
    });

    it('is left alone when it is older than the current record, or not a record', async () => {
      const older = loginRecord(fake, new Date(Date.now() - 3 * DAY)).text;
      const login = loginRecord(fake, new Date(Date.now() - 2 * MINUTE)); // not due
      for (const pending of [older, '{"not":"a record"}']) {
        const primary = memoryPrimary(login.text);
        primary.pending = pending;
        const result = await rotate(OPTIONS, deps(primary, []).deps);
        expect(result.chosenFrom).toBe('memory primary');
        expect(result.failures).toEqual([]);
        expect(primary.writes).toBe(0);
      }
    });
  });

  describe('cancelled (SIGINT / SIGTERM)', () => {
    it('before the refresh: starts nothing and changes nothing', async () => {
      const login = loginRecord(fake, new Date(Date.now() - 40 * MINUTE));
      const primary = memoryPrimary(login.text);
      const controller = new AbortController();
      controller.abort();
      const steps: string[] = [];

      const result = await rotate(OPTIONS, { ...deps(primary, []).deps, signal: controller.signal, onStep: (s) => steps.push(s.step) });

      expect(result.action).toBe('Stopped before refreshing: the run was cancelled; nothing was changed.');
      expect(fake.tokenRequests()).toHaveLength(0);
      expect(primary.writes).toBe(0);
      expect(steps).toEqual(['reading']);
    });

    it('during the primary write: the mirrors are written at once, beside it', async () => {
      fake.rotateOnRefresh = true;
      const login = loginRecord(fake, new Date(Date.now() - 40 * MINUTE));
      const memory = memoryPrimary(login.text);
      const controller = new AbortController();
      const mirror = memoryMirror();
      let finishPrimary: () => void = () => undefined;
      const primary: PrimaryStore = {
        ...memory,
        async compareAndSet(text, expected, onConflict) {
          controller.abort(); // the runner's SIGINT arrives while AWS has not answered
          await new Promise<void>((resolve) => (finishPrimary = resolve));
          return memory.compareAndSet(text, expected, onConflict);
        },
      };
      const steps: string[] = [];
      const running = rotate(OPTIONS, { ...deps(primary, [mirror]).deps, signal: controller.signal, onStep: (s) => steps.push(s.step) });

      await vi.waitFor(() => expect(mirror.texts).toHaveLength(1));
      expect(steps.at(-1)).toBe('writing-primary');
      finishPrimary();
      const result = await running;

      expect(result.failures).toEqual([]);
      expect(mirror.texts).toEqual([memory.text]);
      expect(fake.refreshTokenInfo(parse(mirror.texts[0]).tokens.refreshToken)?.active).toBe(true);
      expect(steps).toEqual(['reading', 'refreshing', 'writing-primary', 'writing-mirrors', 'done']);
    });

    it('while re-reading after Schwab rejected the token: no false re-auth, the waits are skipped', async () => {
      const login = loginRecord(fake, new Date(Date.now() - DAY));
      const primary = memoryPrimary(login.text);
      fake.revokeAll();
      const controller = new AbortController();
      fake.beforeNext('token', () => controller.abort());
      const { deps: d, sleeps } = deps(primary, []);

      const result = await rotate({ ...OPTIONS, force: true }, { ...d, signal: controller.signal });

      expect(sleeps).toEqual([]);
      expect(result.schwabRejected).toBe(false);
      expect(result.status).not.toBe('reauth-required');
      expect(result.failures[0]).toMatch(/cancelled before it could re-read the store/);
    });
  });

  it('fails as reauth-required once the 7-day deadline has passed, without calling Schwab', async () => {
    const login = loginRecord(fake, new Date(Date.now() - 7 * DAY - MINUTE));
    const primary = memoryPrimary(login.text);
    const { deps: d } = deps(primary, []);

    const result = await rotate(OPTIONS, d);

    expect(result.status).toBe('reauth-required');
    expect(result.failures[0]).toMatch(/refresh token expired at .*log in again/);
    expect(fake.tokenRequests()).toHaveLength(0);
  });
});
