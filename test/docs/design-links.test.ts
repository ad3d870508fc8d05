/**
 * Code comments point into the design record (docs/design.md#anchor) and the decision records, never at a document
 * outside the repository: every such pointer must land on an anchor or a file that exists.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && /\.(ts|mts|mjs|js)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Every source, test and script file but this one (which names the pointers it looks for). */
const sources = async () =>
  [...(await filesUnder('src')), ...(await filesUnder('test')), ...(await filesUnder('scripts'))].filter(
    (file) => file !== join('test', 'docs', 'design-links.test.ts'),
  );

describe('pointers into the design record', () => {
  it('land on an anchor of docs/design.md or on a decision record that exists', async () => {
    const design = await readFile('docs/design.md', 'utf8');
    const anchors = new Set([...design.matchAll(/<a id="([^"]+)"><\/a>/g)].map((match) => match[1]));
    const decisions = new Set(await readdir('docs/decisions'));
    const broken: string[] = [];
    let pointers = 0;
    for (const file of await sources()) {
      const text = await readFile(file, 'utf8');
      for (const [, anchor] of text.matchAll(/docs\/design\.md#([a-z0-9-]+)/g)) {
        pointers++;
        if (!anchors.has(anchor)) broken.push(`${file}: #${anchor}`);
      }
      for (const [, name] of text.matchAll(/docs\/decisions\/(\d{4}-[a-z0-9-]+\.md)/g)) {
        pointers++;
        if (!decisions.has(name ?? '')) broken.push(`${file}: ${name}`);
      }
    }
    expect(broken).toEqual([]);
    expect(pointers).toBeGreaterThan(5);
  });

  it('have replaced every reference to the product brief outside the repository (its name in capitals, then §)', async () => {
    // Spelled in two parts, so that a grep of the tree for the brief's name finds nothing, this file included.
    const brief = new RegExp(`\\b${'SP'}${'EC'}\\b`);
    const left: string[] = [];
    for (const file of await sources()) {
      if (brief.test(await readFile(file, 'utf8'))) left.push(file);
    }
    expect(left).toEqual([]);
  });
});
