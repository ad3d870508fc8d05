/**
 * Races (issue #6, item 2): two runs overlapping, and a login landing in the AWS secret while a run is between its
 * read and its write. Against moto_server (real Secrets Manager staging semantics), interleaved deterministically
 * with the Schwab fake's `beforeNext` hooks: the hook on the token endpoint runs before Schwab answers a run's refresh
 * (the run has read, not yet refreshed); the hook on the accounts probe (`verify: accounts`) runs after its refresh
 * and before its write. One interleaving inside the compare-and-set itself (between the put and the stage move)
 * uses the AWS stub, whose answers can run code.
 *
 * What must hold in every one: nothing clobbered (the secret ends with the newest login, or with a refreshed copy of
 * it whose refresh token Schwab accepts), no AWSPENDING left behind, the GitHub mirror equal to the secret, no false
 * re-auth issue or comment, no secret in any text.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { immediateZeroDelayTimers } from '../alerts/helpers.js';
import { expectNoLeaks } from '../support/leaks.js';
import { describeMoto, getMotoUrl, putAsOtherWriter } from '../support/moto.js';
import { loginRecord, parseStored } from '../e2e/support.js';
import type { TokenRecord } from '../../src/token/record.js';
import { secretValues } from '../../src/token/record.js';
import { serializeRecord } from '../../src/token/serialize.js';
import { failureMessages, mirrorText, readPrimary, refreshTokenWorks, runOnce, startWorld } from './world.js';
import type { RunOutcome, SchwabMode, World } from './world.js';

const MODES: SchwabMode[] = ['same-token', 'rotating'];

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

/** A login at `world`'s Schwab (revoking every older refresh token), stored in the AWS secret by "another writer". */
async function loginLands(w: World): Promise<{ record: TokenRecord; text: string }> {
  const fresh = loginRecord(w.schwab, new Date());
  for (const value of secretValues(fresh.record.tokens)) w.secrets.add(value);
  if (w.onMoto) await putAsOtherWriter(getMotoUrl(), w.secretId, fresh.text);
  else w.aws.write(w.secretId, fresh.text);
  return fresh;
}

function finalText(outcome: RunOutcome): string {
  const record = outcome.run.rotation.record;
  if (!record) throw new Error('the run ended without a record');
  return serializeRecord(record, 'rotator');
}

/** The invariants every race must keep, whatever the interleaving. */
async function expectSettled(w: World, runs: RunOutcome[], options: { alertChecked?: boolean } = {}): Promise<string> {
  const primary = await readPrimary(w);
  expect(primary.pending, 'no AWSPENDING left behind').toBe(false);
  expect(primary.text).toBeDefined();
  expect(refreshTokenWorks(w, primary.text), 'the AWS secret holds a refresh token Schwab accepts').toBe(true);
  expect(mirrorText(w), 'the GitHub secret equals the AWS secret').toBe(primary.text);
  for (const run of runs) {
    const { rotation } = run.run;
    const context = `failures: ${JSON.stringify(failureMessages(rotation))}; action: ${rotation.action}`;
    expect(rotation.failures, context).toEqual([]);
    expect(rotation.schwabRejected, context).toBe(false);
    expect(rotation.status, context).toBe('healthy');
    expect(finalText(run), 'each run ends with what the secret holds, or an older copy of the same login').toSatisfy(
      (text: string) =>
        text === primary.text ||
        parseStored(text).meta.createdAt.getTime() === parseStored(primary.text).meta.createdAt.getTime(),
    );
    expectNoLeaks(run.texts, [...w.secrets]);
  }
  if (options.alertChecked !== false) {
    expect(w.github.issues, 'no alert issue (false re-auth)').toEqual([]);
    expect(w.github.comments).toEqual([]);
  }
  return primary.text as string;
}

/** Run 1 refreshes; before it writes (its verify probe), run 2 runs whole. */
async function secondRunBetweenRefreshAndWrite(
  mode: SchwabMode,
): Promise<{ w: World; first: RunOutcome; second: RunOutcome }> {
  world = await startWorld({ mode, primary: 'moto' });
  const w = world;
  w.inputs.verify = 'accounts';
  let second: RunOutcome | undefined;
  w.schwab.beforeNext('accounts', async () => {
    second = await runOnce(w, { inputs: { verify: 'none' } });
  });
  const first = await runOnce(w);
  if (!second) throw new Error('the second run did not run');
  expect(first.run.rotation.refreshed).toBe(true);
  return { w, first, second };
}

describeMoto('races against moto', () => {
  describe.each(MODES)('[%s Schwab]', (mode) => {
    it('a login landing during the refresh (revoking the token being refreshed) is adopted, never reported as a dead token', async () => {
      world = await startWorld({ mode, primary: 'moto' });
      const w = world;
      let fresh: { record: TokenRecord; text: string } | undefined;
      w.schwab.beforeNext('token', async () => {
        fresh = await loginLands(w);
      });

      const run = await runOnce(w);

      const stored = await expectSettled(w, [run]);
      expect(stored, 'the newest login wins, byte for byte').toBe(fresh?.text);
      expect(run.run.rotation.refreshed).toBe(false);
    });

    it('a login landing between the refresh and the write wins over the refreshed older login (compare-and-set)', async () => {
      world = await startWorld({ mode, primary: 'moto' });
      const w = world;
      w.inputs.verify = 'accounts';
      let fresh: { record: TokenRecord; text: string } | undefined;
      w.schwab.beforeNext('accounts', async () => {
        fresh = await loginLands(w);
      });

      const run = await runOnce(w);

      const stored = await expectSettled(w, [run]);
      expect(stored, 'the newest login wins, byte for byte').toBe(fresh?.text);
      expect(run.run.rotation.refreshed).toBe(true);
      expect(run.run.rotation.stores.find((s) => s.label.startsWith('AWS secret'))?.outcome).toBe('kept-newer');
    });

    it('two overlapping runs: the second one runs whole while the first waits for Schwab', async () => {
      world = await startWorld({ mode, primary: 'moto' });
      const w = world;
      let second: RunOutcome | undefined;
      w.schwab.beforeNext('token', async () => {
        second = await runOnce(w);
      });

      const first = await runOnce(w);

      if (!second) throw new Error('the second run did not run');
      expect(second.run.rotation.refreshed).toBe(true);
      const stored = await expectSettled(w, [first, second]);
      expect([finalText(first), finalText(second)]).toContain(stored);
    });

    it("two overlapping runs and a login landing during the second one's refresh: the login wins over both", async () => {
      world = await startWorld({ mode, primary: 'moto' });
      const w = world;
      let fresh: { record: TokenRecord; text: string } | undefined;
      let second: RunOutcome | undefined;
      w.schwab.beforeNext('token', async () => {
        w.schwab.beforeNext('token', async () => {
          fresh = await loginLands(w);
        });
        second = await runOnce(w);
      });

      const first = await runOnce(w);

      if (!second) throw new Error('the second run did not run');
      const stored = await expectSettled(w, [first, second]);
      expect(stored).toBe(fresh?.text);
      expect(finalText(first)).toBe(fresh?.text);
      expect(finalText(second)).toBe(fresh?.text);
    });
  });

  it("two overlapping runs, same-token Schwab: the second one runs whole between the first one's refresh and its write", async () => {
    const { w, first, second } = await secondRunBetweenRefreshAndWrite('same-token');
    const stored = await expectSettled(w, [first, second]);
    expect([finalText(first), finalText(second)]).toContain(stored);
  });

  it("two overlapping runs, rotating Schwab: the second one runs whole between the first one's refresh and its write: nothing is clobbered", async () => {
    const { w, first, second } = await secondRunBetweenRefreshAndWrite('rotating');
    // The first run refreshed (retiring the token both read) and then wrote: the secret holds its working token.
    const stored = await expectSettled(w, [first], { alertChecked: false });
    expect(stored).toBe(finalText(first));
    // The second one met the retired token before that write landed: it failed without writing anything.
    expect(second.run.rotation.stores).toEqual([]);
    expect(failureMessages(second.run.rotation).join(' ')).toMatch(/Schwab rejected the refresh token/);
    expectNoLeaks(second.texts, [...w.secrets]);
  });

  // Known limitation, narrowed: in rotate-on-refresh mode a run whose token was retired by another run that has
  // refreshed but not yet written cannot tell that from a dead token. Before reporting a re-auth it now re-reads the
  // store after 2 s and 5 s, which a real concurrent writer has long finished by (see test/run/rotation.test.ts).
  // This interleaving holds the first run's write until the whole second run is over, so the second run's waits
  // cannot help, and it still reports a re-auth; the stored token is never at risk (see the test above).
  it.fails(
    'two overlapping runs, rotating Schwab, between refresh and write: no false re-auth alarm (known limitation)',
    async () => {
      const { w, first, second } = await secondRunBetweenRefreshAndWrite('rotating');
      await expectSettled(w, [first, second]);
    },
  );
});

describe('races inside the compare-and-set (AWS stub)', () => {
  it('a login landing inside the compare-and-set (after the put, before the stage move) is kept', async () => {
    world = await startWorld({ mode: 'rotating' });
    const w = world;
    let fresh: { record: TokenRecord; text: string } | undefined;
    w.aws.script('UpdateSecretVersionStage', () => {
      fresh = loginRecord(w.schwab, new Date());
      for (const value of secretValues(fresh.record.tokens)) w.secrets.add(value);
      w.aws.write(w.secretId, fresh.text);
      return { default: true };
    });

    const run = await runOnce(w);

    const stored = await expectSettled(w, [run]);
    expect(stored).toBe(fresh?.text);
    expect(run.run.rotation.stores.find((s) => s.label.startsWith('AWS secret'))?.outcome).toBe('kept-newer');
  });
});
