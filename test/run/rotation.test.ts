/**
 * The rotation core in-process, without HTTP: a scripted Schwab that keeps track of the refresh tokens it would still
 * accept (test/fakes/memory-stores.ts), an in-memory compare-and-set primary store and an in-memory mirror, so each
 * phase of `rotate` is checked directly. The loopback fakes prove the same paths end to end (test/e2e,
 * test/reliability).
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { memoryMirror, memoryPrimary, memorySource, SCHWAB_ERRORS, scriptedSchwab } from '../fakes/memory-stores.js';
import type { ScriptedSchwab } from '../fakes/memory-stores.js';
import { rotate } from '../../src/run/rotation.js';
import type { RotationOptions, RotationResult } from '../../src/run/rotation.js';
import type { MirrorStore, PrimaryStore } from '../../src/run/stores.js';
import { createMemoryLogger } from '../../src/util/logger.js';
import { parseTokenRecord } from '../../src/token/parse.js';
import { recordAfterRefresh } from '../../src/token/build.js';
import { serializeRecord } from '../../src/token/serialize.js';
import { DAY, HOUR, MINUTE } from '../e2e/support.js';

const OPTIONS: RotationOptions = {
  force: false,
  dryRun: false,
  refreshBeforeMs: 25 * MINUTE,
  reauthWarningMs: 2 * DAY,
  tokenFormat: 'rotator',
  verify: 'none',
};

let schwab: ScriptedSchwab;
beforeEach(() => {
  schwab = scriptedSchwab();
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
  return {
    logger,
    sleeps,
    deps: { clock, sleep, logger, schwab, sources: tokenInput ? [memorySource(tokenInput)] : [], primary, mirrors },
  };
}

const parse = (text: string | undefined) => parseTokenRecord(text ?? '', 'test', new Date()).record;
const messages = (result: RotationResult) => result.failures.map((failure) => failure.message);

describe('rotate', () => {
  it('with rotate-on-refresh, keeps the new refresh token even when the verify probe fails, and still fails the run', async () => {
    schwab.rotateOnRefresh = true;
    const login = schwab.login(new Date(Date.now() - 10 * MINUTE));
    const primary = memoryPrimary(login.text);
    schwab.failNext('probe', SCHWAB_ERRORS.probeUnauthorized, 4);
    const { deps: d } = deps(primary, []);

    const result = await rotate({ ...OPTIONS, verify: 'accounts' }, d);

    expect(result.failures).toHaveLength(1);
    expect(result.status).toBe('error');
    const stored = parse(primary.text);
    expect(stored.tokens.refreshToken).not.toBe(login.record.tokens.refreshToken);
    expect(schwab.isLive(stored.tokens.refreshToken)).toBe(true);
  });

  it('without rotation, a failed verify probe writes nothing', async () => {
    const login = schwab.login(new Date(Date.now() - 10 * MINUTE));
    const primary = memoryPrimary(login.text);
    schwab.failNext('probe', SCHWAB_ERRORS.probeUnauthorized, 4);
    const { deps: d } = deps(primary, []);

    const result = await rotate({ ...OPTIONS, verify: 'accounts' }, d);

    expect(messages(result)[0]).toMatch(/Schwab/);
    expect(primary.writes).toBe(0);
    expect(primary.text).toBe(login.text);
  });

  it('adopts a login that landed in the primary store mid-refresh and mirrors it at once', async () => {
    const old = schwab.login(new Date(Date.now() - DAY));
    const primary = memoryPrimary(old.text);
    const mirror = memoryMirror();
    let fresh = '';
    schwab.beforeNextRefresh(() => {
      fresh = schwab.login(new Date()).text; // revokes the old refresh token
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
    schwab.rotateOnRefresh = true;
    const login = schwab.login(new Date(Date.now() - DAY));
    const primary = memoryPrimary(login.text);
    // Another writer (a CLI refresh loop) refreshes the same login first, retiring our refresh token…
    const other = await schwab.refresh(login.record.tokens.refreshToken);
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
    const login = schwab.login(new Date(Date.now() - DAY));
    const primary = memoryPrimary(login.text);
    schwab.revokeAll();
    const { deps: d, sleeps } = deps(primary, []);

    const result = await rotate({ ...OPTIONS, force: true }, d);

    expect(sleeps).toEqual([2000, 5000]);
    expect(result.status).toBe('reauth-required');
    expect(result.schwabRejected).toBe(true);
    expect(primary.writes).toBe(0);
  });

  it('adopts a bare token response once (refreshing it at once), then never lets it outrank the stored record', async () => {
    const issued = schwab.issue(new Date(Date.now() - 3 * DAY));
    const bare = JSON.stringify(issued); // what people paste from a script: no login time
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
    const old = schwab.login(new Date(Date.now() - 3 * DAY));
    const fresh = schwab.login(new Date());
    const primary = memoryPrimary(old.text);
    const mirror = memoryMirror();
    const { deps: d } = deps(primary, [mirror], fresh.text);

    const result = await rotate(OPTIONS, d);

    expect(result.refreshed).toBe(false);
    expect(schwab.refreshes()).toHaveLength(0);
    expect(parse(primary.text).meta.createdAt).toEqual(fresh.record.meta.createdAt);
    expect(mirror.texts).toHaveLength(1);
  });

  it('still copies a newer login from the "token" input everywhere when Schwab cannot be reached, and fails the run', async () => {
    const old = schwab.login(new Date(Date.now() - 3 * DAY));
    const fresh = schwab.login(new Date(Date.now() - 29 * MINUTE)); // due for a refresh
    const primary = memoryPrimary(old.text);
    const mirror = memoryMirror();
    schwab.failNext('refresh', SCHWAB_ERRORS.unavailable, 10);
    const { deps: d } = deps(primary, [mirror], fresh.text);

    const result = await rotate(OPTIONS, d);

    expect(result.refreshed).toBe(false);
    expect(messages(result)[0]).toMatch(/Schwab's server failed/);
    expect(result.status, 'a failed run never says healthy').toBe('error');
    expect(result.health.status, "the refresh token's own health").toBe('healthy');
    expect(result.action).toMatch(/newer record .* was still copied/);
    expect(primary.text).toBe(fresh.text);
    expect(mirror.texts).toEqual([fresh.text]);
  });

  it('heals a stale mirror from the primary store without refreshing', async () => {
    const old = schwab.login(new Date(Date.now() - 3 * DAY));
    const fresh = schwab.login(new Date());
    const primary = memoryPrimary(fresh.text);
    const mirror = memoryMirror();
    const { deps: d } = deps(primary, [mirror], old.text);

    const result = await rotate(OPTIONS, d);

    expect(result.refreshed).toBe(false);
    expect(primary.writes).toBe(0);
    expect(mirror.texts).toEqual([fresh.text]);
  });

  it('refuses a record a mirror cannot take before refreshing anything', async () => {
    const login = schwab.login(new Date(Date.now() - 10 * MINUTE));
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

    expect(messages(result)).toEqual(['The value is too large for the tiny mirror: store a smaller record.']);
    expect(schwab.refreshes()).toHaveLength(0);
    expect(primary.writes).toBe(0);
  });

  describe('before Schwab is called, the stores that would keep a rotated refresh token must be able to take it', () => {
    const refusing = (): MirrorStore & { texts: string[] } => ({
      ...memoryMirror(),
      label: 'GitHub secret acme/bot:SCHWAB_TOKEN',
      checkWritable: async () => {
        throw new Error(
          'Cannot write secret SCHWAB_TOKEN to acme/bot (HTTP 403): the secrets-token needs the "Secrets: read and write" permission.',
        );
      },
    });

    it('with GitHub secrets as the only store, a refused public key stops the run before the refresh', async () => {
      schwab.rotateOnRefresh = true;
      const login = schwab.login(new Date(Date.now() - 40 * MINUTE));
      const mirror = refusing();

      const result = await rotate(OPTIONS, deps(undefined, [mirror], login.text).deps);

      expect(messages(result)).toEqual([expect.stringMatching(/Secrets: read and write/)]);
      expect(result.action).toBe('Stopped before refreshing: a store cannot take the record.');
      expect(schwab.refreshes()).toHaveLength(0);
      expect(mirror.texts).toEqual([]);
      expect(schwab.isLive(login.record.tokens.refreshToken)).toBe(true);
    });

    it('with a primary store, the mirrors do not hold the refresh up: the primary keeps it, the mirror fails the run later', async () => {
      const login = schwab.login(new Date(Date.now() - 40 * MINUTE));
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
      const login = schwab.login(new Date(Date.now() - 40 * MINUTE));
      const primary = {
        ...memoryPrimary(login.text),
        checkWritable: async () => {
          throw new Error(
            'The folder /x for file t.json is not writable (EACCES): fix its permissions, or choose another --file.',
          );
        },
      };

      const result = await rotate(OPTIONS, deps(primary, []).deps);

      expect(messages(result)).toEqual([expect.stringMatching(/not writable/)]);
      expect(schwab.refreshes()).toHaveLength(0);
    });
  });

  describe('a refreshed record the validator would reject is normalised and stored, never dropped (rotating Schwab)', () => {
    it('a login time in the future (a fast clock where the login ran) becomes now, with a warning', async () => {
      schwab.rotateOnRefresh = true;
      const login = schwab.login(new Date(Date.now() + 2 * HOUR)); // its access token is not due for 2.5 h
      const primary = memoryPrimary(login.text);

      const result = await rotate({ ...OPTIONS, force: true }, deps(primary, []).deps);

      expect(result.failures).toEqual([]);
      expect(result.warnings).toEqual([expect.stringMatching(/login time of the token record .* is in the future/)]);
      const stored = parse(primary.text);
      expect(stored.meta.createdAt.getTime()).toBeLessThanOrEqual(Date.now());
      expect(stored.meta.refreshCount).toBe(1);
      expect(schwab.isLive(stored.tokens.refreshToken)).toBe(true);
    });

    it('a refresh count at its largest value stays there', async () => {
      schwab.rotateOnRefresh = true;
      const login = schwab.login(new Date(Date.now() - DAY));
      const worn = { ...login.record, meta: { ...login.record.meta, refreshCount: Number.MAX_SAFE_INTEGER } };
      const primary = memoryPrimary(serializeRecord(worn, 'rotator'));

      const result = await rotate({ ...OPTIONS, force: true }, deps(primary, []).deps);

      expect(result.failures).toEqual([]);
      const stored = parse(primary.text);
      expect(stored.meta.refreshCount).toBe(Number.MAX_SAFE_INTEGER);
      expect(schwab.isLive(stored.tokens.refreshToken)).toBe(true);
    });
  });

  it('dry-run plans without refreshing or writing', async () => {
    const login = schwab.login(new Date(Date.now() - 10 * MINUTE));
    const primary = memoryPrimary(login.text);
    const mirror = memoryMirror();
    const { deps: d } = deps(primary, [mirror]);

    const result = await rotate({ ...OPTIONS, dryRun: true }, d);

    expect(result.action).toBe(
      'Dry run: would refresh the access token (due), then write memory primary, then write memory mirror; nothing was changed.',
    );
    expect(result.stores.map((s) => s.outcome)).toEqual(['planned', 'planned']);
    expect(schwab.refreshes()).toHaveLength(0);
    expect(primary.writes + mirror.texts.length).toBe(0);
  });

  describe('an unfinished write in the primary store (AWSPENDING)', () => {
    /** A run that refreshed with a rotating Schwab, put its record as pending, and never moved AWSCURRENT. */
    async function stranded(): Promise<{ login: { text: string }; pendingText: string }> {
      schwab.rotateOnRefresh = true;
      const login = schwab.login(new Date(Date.now() - DAY));
      const response = await schwab.refresh(login.record.tokens.refreshToken);
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
      expect(schwab.refreshes()).toHaveLength(1); // the stranded run's
      expect(primary.text).toBe(pendingText);
      expect(primary.finished).toBe(1);
      expect(mirror.texts).toEqual([pendingText]);
      expect(logger.lines.some((l) => /holds a newer record .* from a write that did not finish/.test(l.message))).toBe(
        true,
      );
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
      expect(schwab.isLive(stored.tokens.refreshToken)).toBe(true);
      expect(primary.pending).toBeUndefined();
    });

    it('is found by the re-read after Schwab rejects the current refresh token', async () => {
      const { login, pendingText } = await stranded();
      const primary = memoryPrimary(login.text);
      // The unfinished write shows up only after this run has read the store (another run's, just failed).
      const { deps: d, sleeps } = deps(primary, []);
      schwab.beforeNextRefresh(() => {
        primary.pending = pendingText;
      });

      const result = await rotate({ ...OPTIONS, force: true }, d);

      expect(sleeps).toEqual([]);
      expect(result.schwabRejected).toBe(false);
      expect(result.failures).toEqual([]);
      expect(result.record && serializeRecord(result.record, 'rotator')).toBe(pendingText);
    });

    it('is left alone when it is older than the current record, or not a record', async () => {
      const older = schwab.login(new Date(Date.now() - 3 * DAY)).text;
      const login = schwab.login(new Date(Date.now() - 2 * MINUTE)); // not due
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
      const login = schwab.login(new Date(Date.now() - 40 * MINUTE));
      const primary = memoryPrimary(login.text);
      const controller = new AbortController();
      controller.abort();
      const steps: string[] = [];

      const result = await rotate(OPTIONS, {
        ...deps(primary, []).deps,
        signal: controller.signal,
        onStep: (s) => steps.push(s.step),
      });

      expect(result.action).toBe('Stopped before refreshing: the run was cancelled; nothing was changed.');
      expect(schwab.refreshes()).toHaveLength(0);
      expect(primary.writes).toBe(0);
      expect(steps).toEqual(['reading']);
    });

    it('during the primary write: the mirrors are written at once, beside it', async () => {
      schwab.rotateOnRefresh = true;
      const login = schwab.login(new Date(Date.now() - 40 * MINUTE));
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
      const running = rotate(OPTIONS, {
        ...deps(primary, [mirror]).deps,
        signal: controller.signal,
        onStep: (s) => steps.push(s.step),
      });

      await vi.waitFor(() => expect(mirror.texts).toHaveLength(1));
      expect(steps.at(-1)).toBe('writing-primary');
      finishPrimary();
      const result = await running;

      expect(result.failures).toEqual([]);
      expect(mirror.texts).toEqual([memory.text]);
      expect(schwab.isLive(parse(mirror.texts[0]).tokens.refreshToken)).toBe(true);
      expect(steps).toEqual(['reading', 'refreshing', 'writing-primary', 'writing-mirrors', 'done']);
    });

    it('while re-reading after Schwab rejected the token: no false re-auth, the waits are skipped', async () => {
      const login = schwab.login(new Date(Date.now() - DAY));
      const primary = memoryPrimary(login.text);
      schwab.revokeAll();
      const controller = new AbortController();
      schwab.beforeNextRefresh(() => controller.abort());
      const { deps: d, sleeps } = deps(primary, []);

      const result = await rotate({ ...OPTIONS, force: true }, { ...d, signal: controller.signal });

      expect(sleeps).toEqual([]);
      expect(result.schwabRejected).toBe(false);
      expect(result.status).not.toBe('reauth-required');
      expect(messages(result)[0]).toMatch(/cancelled before it could re-read the store/);
    });
  });

  describe('typed failures: the summary, the status, the CLI exit code and the alert read the same fact', () => {
    const failing = (label: string, error: Error): PrimaryStore => ({
      label,
      load: async () => {
        throw error;
      },
      compareAndSet: async () => {
        throw error;
      },
    });

    it.each<
      [
        string,
        () => { primary: PrimaryStore | undefined; source?: string; options?: Partial<RotationOptions> },
        string,
        RotationResult['status'],
      ]
    >([
      [
        'Schwab unreachable',
        () => (
          schwab.failNext('refresh', SCHWAB_ERRORS.unavailable),
          { primary: memoryPrimary(schwab.login(new Date(Date.now() - HOUR)).text) }
        ),
        'schwab',
        'error',
      ],
      [
        'a wrong app key or secret',
        () => (
          schwab.failNext('refresh', SCHWAB_ERRORS.badCredentials),
          { primary: memoryPrimary(schwab.login(new Date(Date.now() - HOUR)).text) }
        ),
        'app-credentials',
        'error',
      ],
      [
        'a dead refresh token',
        () => (
          schwab.failNext('refresh', SCHWAB_ERRORS.rejected),
          { primary: undefined, source: schwab.login(new Date(Date.now() - HOUR)).text }
        ),
        'schwab-rejected',
        'reauth-required',
      ],
      [
        'the deadline passed',
        () => ({ primary: memoryPrimary(schwab.login(new Date(Date.now() - 8 * DAY)).text) }),
        'deadline-passed',
        'reauth-required',
      ],
      ['no record anywhere', () => ({ primary: memoryPrimary(undefined) }), 'no-record', 'reauth-required'],
      [
        'the primary store unreadable',
        () => ({ primary: failing('AWS secret "s"', new Error('AWS denied secretsmanager:GetSecretValue.')) }),
        'store-unreadable',
        'error',
      ],
    ])('%s', async (_, setup, kind, status) => {
      const { primary, source } = setup();
      const result = await rotate(OPTIONS, deps(primary, [], source).deps);
      expect(result.failures.map((failure) => failure.kind)).toEqual([kind]);
      expect(result.status).toBe(status);
      expect(result.schwabRejected).toBe(kind === 'schwab-rejected');
    });

    it("a store write that fails is store-unwritable and carries the store's error", async () => {
      const login = schwab.login(new Date(Date.now() - HOUR));
      const error = new Error('AWS throttled PutSecretValue on secret "s": try again later.');
      const primary: PrimaryStore = { ...memoryPrimary(login.text), compareAndSet: async () => Promise.reject(error) };
      const result = await rotate(OPTIONS, deps(primary, []).deps);
      expect(result.failures).toEqual([{ kind: 'store-unwritable', message: error.message, error }]);
      expect(result.status).toBe('error');
    });
  });

  it('fails as reauth-required once the 7-day deadline has passed, without calling Schwab', async () => {
    const login = schwab.login(new Date(Date.now() - 7 * DAY - MINUTE));
    const primary = memoryPrimary(login.text);
    const { deps: d } = deps(primary, []);

    const result = await rotate(OPTIONS, d);

    expect(result.status).toBe('reauth-required');
    expect(messages(result)[0]).toMatch(/refresh token expired at .*log in again/);
    expect(schwab.refreshes()).toHaveLength(0);
  });
});
