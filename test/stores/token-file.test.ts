/** The token file store: atomic writes (mode 0600, temp + fsync + rename), compare-and-set, crash safety. */
import { chmod, mkdir, readFile, readlink, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TokenFile, contentVersion } from '../../src/stores/token-file.js';
import { ROTATOR_TEXT } from '../token/samples.js';
import { strayFiles, tempDir } from '../cli/helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  await cleanup();
});

const NEW_TEXT = ROTATOR_TEXT.replace('"refresh_count":141', '"refresh_count":142');

describe('TokenFile', () => {
  it('reads a missing file as empty, and a present one with a content hash as its version', async () => {
    const file = new TokenFile(join(dir, 'token.json'), { label: 'file token.json' });
    expect(await file.load()).toEqual({ text: undefined, version: undefined });
    await writeFile(join(dir, 'token.json'), ROTATOR_TEXT);
    expect(await file.load()).toEqual({ text: ROTATOR_TEXT, version: contentVersion(ROTATOR_TEXT) });
    expect(file.label).toBe('file token.json');
  });

  it('writes atomically with mode 0600, whatever the old mode and the umask', async () => {
    const path = join(dir, 'token.json');
    await writeFile(path, ROTATOR_TEXT, { mode: 0o644 });
    const file = new TokenFile(path);
    const before = await file.load();
    const result = await file.compareAndSet(NEW_TEXT, before.version, () => 'keep');
    expect(result).toEqual({ outcome: 'written', version: contentVersion(NEW_TEXT) });
    expect(await readFile(path, 'utf8')).toBe(`${NEW_TEXT}\n`);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await strayFiles(dir, ['token.json'])).toEqual([]);
  });

  it('a crash mid-write leaves the old file whole and no temporary file behind', async () => {
    const path = join(dir, 'token.json');
    await writeFile(path, ROTATOR_TEXT, { mode: 0o600 });
    const file = new TokenFile(path, {
      afterTempWrite: async (temp) => {
        // Half the new record reached the disk, then the process "died".
        await truncate(temp, Math.floor(NEW_TEXT.length / 2));
        throw new Error('simulated crash');
      },
    });
    await expect(file.compareAndSet(NEW_TEXT, contentVersion(ROTATOR_TEXT), () => 'overwrite')).rejects.toThrow(
      /could not be written \(simulated crash\): the old file was left as it was/,
    );
    expect(await readFile(path, 'utf8')).toBe(ROTATOR_TEXT);
    expect(await strayFiles(dir, ['token.json'])).toEqual([]);
  });

  it('a reader never sees a partial file while writes go on', async () => {
    const path = join(dir, 'token.json');
    await writeFile(path, ROTATOR_TEXT);
    const file = new TokenFile(path);
    const texts = Array.from({ length: 15 }, (_, i) =>
      ROTATOR_TEXT.replace('"refresh_count":141', `"refresh_count":${200 + i}`),
    );
    let writing = true;
    const reads: string[] = [];
    const reader = (async () => {
      while (writing) reads.push(await readFile(path, 'utf8'));
    })();
    for (const text of texts) await file.replace(text);
    writing = false;
    await reader;
    expect(reads.length).toBeGreaterThan(0);
    for (const text of reads) expect(() => JSON.parse(text) as unknown).not.toThrow();
  });

  it('compare-and-set hands a changed file to onConflict: keep leaves it, overwrite replaces it', async () => {
    const path = join(dir, 'token.json');
    await writeFile(path, ROTATOR_TEXT);
    const file = new TokenFile(path);
    const seen: (string | undefined)[] = [];
    const kept = await file.compareAndSet(NEW_TEXT, 'some-older-version', (current) => {
      seen.push(current.text);
      return 'keep';
    });
    expect(kept).toEqual({
      outcome: 'kept-current',
      current: { text: ROTATOR_TEXT, version: contentVersion(ROTATOR_TEXT) },
    });
    expect(seen).toEqual([ROTATOR_TEXT]);
    expect(await readFile(path, 'utf8')).toBe(ROTATOR_TEXT);

    expect((await file.compareAndSet(NEW_TEXT, 'some-older-version', () => 'overwrite')).outcome).toBe('written');
    expect(await readFile(path, 'utf8')).toBe(`${NEW_TEXT}\n`);
  });

  it('re-reads the file just before the rename: a write that lands meanwhile goes to onConflict', async () => {
    const path = join(dir, 'token.json');
    await writeFile(path, ROTATOR_TEXT);
    const other = ROTATOR_TEXT.replace('"refresh_count":141', '"refresh_count":999');
    let raced = false;
    const file = new TokenFile(path, {
      afterTempWrite: async () => {
        if (raced) return;
        raced = true;
        await writeFile(path, other); // another writer, between our temp write and our rename
      },
    });
    const decisions: (string | undefined)[] = [];
    const result = await file.compareAndSet(NEW_TEXT, contentVersion(ROTATOR_TEXT), (current) => {
      decisions.push(current.text);
      return 'keep';
    });
    expect(decisions).toEqual([other]);
    expect(result.outcome).toBe('kept-current');
    expect(await readFile(path, 'utf8')).toBe(other);
    expect(await strayFiles(dir, ['token.json'])).toEqual([]);
  });

  it('creates the file when it did not exist', async () => {
    const path = join(dir, 'new.json');
    const file = new TokenFile(path);
    expect((await file.compareAndSet(NEW_TEXT, undefined, () => 'keep')).outcome).toBe('written');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('refuses to replace a symlink (a planted link could point at ~/.bashrc), but writes its target when given that path', async () => {
    const bashrc = join(dir, 'bashrc');
    await writeFile(bashrc, 'export PATH=/usr/bin\n');
    const link = join(dir, 'schwab_token.json');
    await symlink(bashrc, link);
    const file = new TokenFile(link, { label: 'file schwab_token.json' });
    const refused = `File schwab_token.json is a symbolic link to ${bashrc}, so it was not replaced (a link in a shared folder could point at any file of yours): pass ${bashrc} itself if that is your token file, or remove the link.`;
    await expect(file.replace(NEW_TEXT)).rejects.toThrow(refused);
    await expect(file.compareAndSet(NEW_TEXT, undefined, () => 'overwrite')).rejects.toThrow(refused);
    expect(await file.write(NEW_TEXT)).toEqual([{ label: 'file schwab_token.json', ok: false, detail: refused }]);
    await expect(file.checkReplaceable()).rejects.toThrow(refused);
    expect(await readFile(bashrc, 'utf8')).toBe('export PATH=/usr/bin\n');
    expect(await readlink(link)).toBe(bashrc);
    expect(await strayFiles(dir, ['bashrc', 'schwab_token.json'])).toEqual([]);

    // The resolved path is the user's explicit choice.
    await mkdir(join(dir, 'real'));
    const real = join(dir, 'real', 'token.json');
    await writeFile(real, ROTATOR_TEXT);
    await symlink(real, join(dir, 'link.json'));
    await expect(new TokenFile(join(dir, 'link.json')).replace(NEW_TEXT)).rejects.toThrow(/is a symbolic link/);
    await new TokenFile(real).replace(NEW_TEXT);
    expect(await readFile(real, 'utf8')).toBe(`${NEW_TEXT}\n`);
    // A dangling link is refused too (it would create the file wherever it points).
    await symlink(join(dir, 'nowhere', 'x.json'), join(dir, 'dangling.json'));
    await expect(new TokenFile(join(dir, 'dangling.json')).replace(NEW_TEXT)).rejects.toThrow(
      /is a symbolic link, so it was not replaced.*remove the link/,
    );
  });

  it('refuses to replace a file owned by another user', async () => {
    const path = join(dir, 'token.json');
    await writeFile(path, ROTATOR_TEXT, { mode: 0o666 });
    const owner = (await stat(path)).uid;
    // This process pretends to be user 4242, so the file (ours) belongs to someone else.
    await expect(new TokenFile(path, { label: 'file token.json', uid: 4242 }).replace(NEW_TEXT)).rejects.toThrow(
      `File token.json belongs to another user (uid ${owner}), so it was not replaced: run this command as that user, or choose a file of your own.`,
    );
    expect(await readFile(path, 'utf8')).toBe(ROTATOR_TEXT);
    await new TokenFile(path, { uid: owner }).replace(NEW_TEXT);
    expect(await readFile(path, 'utf8')).toBe(`${NEW_TEXT}\n`);
  });

  it('says clearly why it cannot write, and as a copy (mirror) reports instead of throwing', async () => {
    const missing = new TokenFile(join(dir, 'nope', 'token.json'), { label: 'file nope/token.json' });
    await expect(missing.replace(NEW_TEXT)).rejects.toThrow(
      /^File nope\/token\.json could not be written \(ENOENT\): the folder .*nope does not exist; create it or choose another path\.$/,
    );
    expect(await missing.write(NEW_TEXT)).toEqual([
      {
        label: 'file nope/token.json',
        ok: false,
        detail: expect.stringContaining('does not exist') as unknown as string,
      },
    ]);
    if (process.getuid?.() !== 0) {
      await mkdir(join(dir, 'locked'));
      await chmod(join(dir, 'locked'), 0o500);
      await expect(new TokenFile(join(dir, 'locked', 't.json')).replace(NEW_TEXT)).rejects.toThrow(
        /must be writable by you/,
      );
    }
    await expect(new TokenFile(dir).load()).rejects.toThrow(/is a folder/);
  });
});

describe('TokenFile.checkWritable (before a refresh)', () => {
  it('resolves for a writable folder and leaves nothing behind', async () => {
    await writeFile(join(dir, 'token.json'), ROTATOR_TEXT);
    await new TokenFile(join(dir, 'token.json')).checkWritable();
    await new TokenFile(join(dir, 'new.json')).checkWritable();
    expect(await strayFiles(dir, ['token.json'])).toEqual([]);
    expect(await readFile(join(dir, 'token.json'), 'utf8')).toBe(ROTATOR_TEXT);
  });

  it('refuses a folder given as the file, and a folder that does not exist, in one sentence each', async () => {
    await mkdir(join(dir, 'sub'));
    await expect(new TokenFile(join(dir, 'sub'), { label: 'file sub' }).checkWritable()).rejects.toThrow(
      'File sub is a folder: pass the path of the token file itself.',
    );
    await expect(
      new TokenFile(join(dir, 'nowhere', 'token.json'), { label: 'file nowhere/token.json' }).checkWritable(),
    ).rejects.toThrow(
      `File nowhere/token.json could not be written (ENOENT): the folder ${join(dir, 'nowhere')} does not exist; create it or choose another path.`,
    );
  });
});
