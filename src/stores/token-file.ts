import { createHash, randomBytes } from 'node:crypto';
import { chmod, lstat, open, readFile, realpath, rename, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type {
  ConflictDecision,
  LoadedText,
  MirrorResult,
  MirrorStore,
  PrimaryStore,
  PrimaryWriteResult,
} from '../run/stores.js';
import { UserError } from '../util/errors.js';
import { upperFirst } from '../util/text.js';

/** A token file is readable and writable by its owner only. */
export const TOKEN_FILE_MODE = 0o600;

/** How many times the file may change under a compare-and-set before it gives up. */
const MAX_ROUNDS = 3;

/** The smallest probe checkWritable writes: a record is well under 4 KiB. */
const PROBE_MIN_BYTES = 4096;

export interface TokenFileOptions {
  /** How the file is named to the user; default `file <path>`. */
  label?: string;
  /**
   * Test hook: runs after the temporary file is written and flushed, before the final check and the rename.
   * Throwing from it simulates a crash mid-write (the temporary file is removed, the token file is untouched).
   */
  afterTempWrite?: (tempPath: string) => Promise<void> | void;
  /** The user this process acts as, for the ownership rule; default process.getuid() (none on Windows). */
  uid?: number;
}

/** The version of a file's content, for compare-and-set: its SHA-256 (a hash of a secret, never shown). */
export function contentVersion(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * A token record in a local file (`schwab_token.json`), as the primary store of the CLI or a plain copy.
 *
 * Writes are atomic: the record goes to a temporary file beside the target (mode 0600, created exclusively), is
 * flushed to disk (fsync), and replaces the target with one rename, so a reader or a crash sees either the old file
 * or the new one, never a truncated one. A failed write removes its temporary file. The version is a hash of the
 * content; a compare-and-set re-reads the file just before the rename and gives the conflict to `onConflict`.
 * (Without OS file locks a writer could still slip in between that re-read and the rename; the window is
 * microseconds, and the rotation never replaces a newer login with an older one.)
 */
export class TokenFile implements PrimaryStore, MirrorStore {
  readonly label: string;

  constructor(
    /** Absolute path of the token file. */
    readonly path: string,
    private readonly options: TokenFileOptions = {},
  ) {
    this.label = options.label ?? `file ${path}`;
  }

  /** The file's text and version; `text` undefined when the file does not exist. */
  async load(): Promise<LoadedText> {
    let content: Buffer;
    try {
      content = await readFile(this.path);
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return { text: undefined, version: undefined };
      throw this.readError(error);
    }
    return { text: content.toString('utf8'), version: contentVersion(content) };
  }

  async compareAndSet(
    text: string,
    expectedVersion: string | undefined,
    onConflict: (current: LoadedText) => ConflictDecision,
  ): Promise<PrimaryWriteResult> {
    let expected = expectedVersion;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const current = await this.load();
      if (current.version !== expected) {
        if (onConflict(current) === 'keep') return { outcome: 'kept-current', current };
        expected = current.version;
      }
      const still = async () => (await this.load()).version === expected;
      if ((await this.writeAtomic(text, still)) === 'written')
        return { outcome: 'written', version: contentVersion(text) };
    }
    throw new UserError(
      `${upperFirst(this.label)} kept changing while it was being written: stop the other program that writes it ` +
        `(another refresh loop?) and try again.`,
    );
  }

  /**
   * Resolves when the file could be replaced now: it may be replaced (checkReplaceable: no symbolic link, not another
   * user's file), the path is not a folder, and a probe as large as the record (with
   * room to grow) can be written and flushed beside it. A missing or read-only folder, a full disk or a read-only
   * filesystem fails here, with the message a failed write would give, before Schwab is asked for a refresh. The probe
   * is removed; nothing else is written.
   */
  async checkWritable(): Promise<void> {
    await this.checkReplaceable();
    const target = this.path;
    const dir = dirname(target);
    let size = 0;
    try {
      const stats = await stat(target);
      if (stats.isDirectory())
        throw new UserError(`${upperFirst(this.label)} is a folder: pass the path of the token file itself.`);
      size = stats.size;
    } catch (error) {
      if (error instanceof UserError) throw error;
      // does not exist yet: the folder decides
    }
    const probe = join(dir, `.${basename(target)}.${randomBytes(6).toString('hex')}.probe`);
    let handle: FileHandle | undefined;
    let created = false;
    try {
      handle = await open(probe, 'wx', TOKEN_FILE_MODE);
      created = true;
      await handle.writeFile(Buffer.alloc(Math.max(PROBE_MIN_BYTES, size + PROBE_MIN_BYTES / 4), 0x20));
      await handle.sync();
    } catch (error) {
      throw this.writeError(error, dir);
    } finally {
      await handle?.close().catch(() => undefined);
      if (created) await unlink(probe).catch(() => undefined);
    }
  }

  /** As a copy of the record (MirrorStore): one atomic write, never throws. */
  async write(text: string): Promise<MirrorResult[]> {
    try {
      await this.replace(text);
      return [{ label: this.label, ok: true, detail: 'written (mode 0600)' }];
    } catch (error) {
      return [{ label: this.label, ok: false, detail: error instanceof Error ? error.message : String(error) }];
    }
  }

  /** Replaces the file atomically with `text`, whatever it holds. */
  async replace(text: string): Promise<void> {
    await this.writeAtomic(text);
  }

  /**
   * Writes `text` to a temporary file, flushes it, and renames it over the target when `check` (if given) still
   * holds. Returns 'changed' (and writes nothing) when the check failed.
   */
  private async writeAtomic(text: string, check?: () => Promise<boolean>): Promise<'written' | 'changed'> {
    await this.checkReplaceable();
    // The rename replaces the path itself (a link planted after the check is replaced, its target untouched).
    const target = this.path;
    const dir = dirname(target);
    const temp = join(dir, `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
    let handle: FileHandle | undefined;
    let created = false;
    try {
      handle = await open(temp, 'wx', TOKEN_FILE_MODE);
      created = true;
      await handle.writeFile(text.endsWith('\n') ? text : `${text}\n`, 'utf8');
      await handle.sync();
      await handle.close();
      handle = undefined;
      await chmod(temp, TOKEN_FILE_MODE); // whatever the umask did
      await this.options.afterTempWrite?.(temp);
      if (check && !(await check())) {
        await unlink(temp);
        return 'changed';
      }
      await rename(temp, target);
      created = false;
    } catch (error) {
      await handle?.close().catch(() => undefined);
      if (created) await unlink(temp).catch(() => undefined);
      throw this.writeError(error, dir);
    }
    await syncDirectory(dir);
    return 'written';
  }

  /**
   * Throws a UserError when the token file must not be replaced: it is a symbolic link (writing through a link
   * someone planted in a shared folder could replace any file of this user, e.g. ~/.bashrc), or a file owned by
   * another user. The message names the link's target, so a user who means it passes that path instead.
   */
  async checkReplaceable(): Promise<void> {
    let info;
    try {
      info = await lstat(this.path);
    } catch {
      return; // nothing there (it is created), or a folder problem the write reports in its own words
    }
    if (info.isSymbolicLink()) {
      const target = await realpath(this.path).catch(() => undefined);
      throw new UserError(
        `${upperFirst(this.label)} is a symbolic link${target ? ` to ${target}` : ''}, so it was not replaced (a ` +
          `link in a shared folder could point at any file of yours): ` +
          (target
            ? `pass ${target} itself if that is your token file, or remove the link.`
            : 'remove the link, or pass the path of the token file itself.'),
      );
    }
    const uid = this.options.uid ?? process.getuid?.();
    if (uid !== undefined && info.uid !== uid) {
      throw new UserError(
        `${upperFirst(this.label)} belongs to another user (uid ${info.uid}), so it was not replaced: run this ` +
          `command as that user, or choose a file of your own.`,
      );
    }
  }

  private readError(error: unknown): UserError {
    const code = codeOf(error);
    if (code === 'EISDIR')
      return new UserError(`${upperFirst(this.label)} is a folder: pass the path of the token file itself.`);
    if (code === 'EACCES' || code === 'EPERM') {
      return new UserError(
        `${upperFirst(this.label)} cannot be read (${code}): give your user read permission on it, or choose ` +
          `another file.`,
      );
    }
    return new UserError(
      `${upperFirst(this.label)} cannot be read (${code ?? 'error'}): check the path and try again.`,
    );
  }

  private writeError(error: unknown, dir: string): UserError {
    if (error instanceof UserError) return error;
    const code = codeOf(error);
    const what =
      `${upperFirst(this.label)} could not be written ` +
      `(${code ?? (error instanceof Error ? error.message : 'error')})`;
    switch (code) {
      case 'ENOENT':
        return new UserError(`${what}: the folder ${dir} does not exist; create it or choose another path.`);
      case 'EACCES':
      case 'EPERM':
      case 'EROFS':
        return new UserError(
          `${what}: the folder ${dir} must be writable by you; fix its permissions or choose another path.`,
        );
      case 'ENOSPC':
      case 'EDQUOT':
        return new UserError(`${what}: the disk is full; free some space and try again.`);
      case 'EISDIR':
        return new UserError(`${what}: the path is a folder; pass the path of the token file itself.`);
      default:
        return new UserError(`${what}: the old file was left as it was; fix the problem and try again.`);
    }
  }
}

/** Makes the rename durable (best effort: not every platform can fsync a directory). */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows and some filesystems refuse; the rename itself is still atomic.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}
