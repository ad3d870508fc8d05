/** How the CLI tells the commands it prints: from the script Node runs (npx's cache, an install, a clone). */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectCliCommand } from '../../src/cli/invocation.js';
import { tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  await cleanup();
});

let installs = 0;
async function npxInstall(manifest: unknown): Promise<string> {
  const installDir = join(dir, '.npm', '_npx', `6f2c1a9e0b3d4c5${installs++}`);
  const packageDir = join(installDir, 'node_modules', 'schwab-token-rotator');
  await mkdir(join(packageDir, 'dist'), { recursive: true });
  await writeFile(join(packageDir, 'dist', 'cli.js'), '');
  await writeFile(join(installDir, 'package.json'), JSON.stringify(manifest));
  await mkdir(join(installDir, 'node_modules', '.bin'), { recursive: true });
  const bin = join(installDir, 'node_modules', '.bin', 'schwab-token-rotator');
  await symlink('../schwab-token-rotator/dist/cli.js', bin);
  return bin;
}

describe('detectCliCommand', () => {
  it("from npx's cache: npx --yes with the spec npx recorded (a GitHub repository and ref)", async () => {
    const bin = await npxInstall({ dependencies: { 'schwab-token-rotator': 'github:acme/schwab-token-rotator#v1' } });
    expect(detectCliCommand(bin, dir)).toBe('npx --yes github:acme/schwab-token-rotator#v1');
  });

  it("from npx's cache of a published version, or with only npm 11's _npx record", async () => {
    expect(detectCliCommand(await npxInstall({ dependencies: { 'schwab-token-rotator': '^1.2.0' } }), dir)).toBe(
      'npx --yes schwab-token-rotator@1.2.0',
    );
    expect(
      detectCliCommand(await npxInstall({ _npx: { packages: ['github:acme/schwab-token-rotator#main'] } }), dir),
    ).toBe('npx --yes github:acme/schwab-token-rotator#main');
    expect(detectCliCommand(await npxInstall({}), dir)).toBe('npx --yes schwab-token-rotator');
  });

  it('from an install: npx schwab-token-rotator; from a clone: node and the path', async () => {
    const installed = join(dir, 'project', 'node_modules', 'schwab-token-rotator', 'dist', 'cli.js');
    await mkdir(join(installed, '..'), { recursive: true });
    await writeFile(installed, '');
    expect(detectCliCommand(installed, dir)).toBe('npx schwab-token-rotator');

    const clone = join(dir, 'schwab-token-rotator', 'dist', 'cli.js');
    await mkdir(join(clone, '..'), { recursive: true });
    await writeFile(clone, '');
    expect(detectCliCommand(clone, join(dir, 'schwab-token-rotator'))).toBe('node dist/cli.js');
    expect(detectCliCommand(clone, join(dir, 'elsewhere'))).toBe(`node ${clone}`);
    const spaced = join(dir, 'my tools', 'cli.js');
    await mkdir(join(spaced, '..'), { recursive: true });
    await writeFile(spaced, '');
    expect(detectCliCommand(spaced, join(dir, 'elsewhere'))).toBe(`node '${spaced}'`);
  });

  it('without a script: the program name', () => {
    expect(detectCliCommand(undefined, dir)).toBe('schwab-token-rotator');
  });
});
