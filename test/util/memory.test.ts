/**
 * releaseMemory(), which the CLI's refresh loop calls before each wait, in a Node process of its own (it changes V8
 * flags for the whole process, which would slow the rest of a test worker): it frees the garbage a run left, gives
 * the young generation back, and leaves no `gc` behind for other code to find.
 */
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

async function memoryModule(): Promise<string> {
  const out = await build({
    entryPoints: ['src/util/memory.ts'],
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0]?.text ?? '';
}

describe('releaseMemory', () => {
  it('frees what a run left behind and shrinks the young generation back, without exposing gc', async () => {
    const script = `${await memoryModule()}
      import { getHeapSpaceStatistics } from 'node:v8';
      const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
      let kept = [];
      for (let round = 0; round < 300; round++) {
        const batch = [];
        for (let i = 0; i < 20000; i++) batch.push({ i, s: 'x' + i });
        kept.push(batch.slice(0, 500));
        if (kept.length > 50) kept.shift();
      }
      kept = undefined;
      const before = { heap: process.memoryUsage().heapUsed, young: newSpace() };
      releaseMemory();
      releaseMemory();
      const after = { heap: process.memoryUsage().heapUsed, young: newSpace() };
      console.log(JSON.stringify({ before, after, gc: typeof globalThis.gc }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    const { before, after, gc } = JSON.parse(out) as {
      before: { heap: number; young: number };
      after: { heap: number; young: number };
      gc: string;
    };
    expect(gc).toBe('undefined');
    expect(after.heap).toBeLessThan(before.heap / 2);
    if (Number(process.versions.v8.split('.')[0]) >= 12) {
      // V8 12+ (Node 22, 24) shrinks the young generation on a memory-reducing collection.
      expect(before.young).toBeGreaterThan(8 * 1024 * 1024);
      expect(after.young).toBeLessThanOrEqual(2 * 1024 * 1024);
    }
  });
});
