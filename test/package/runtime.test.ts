/**
 * The end-to-end suites spawn `dist/index.js` and `dist/cli.js` on the Node that runs the suite (process.execPath),
 * so running vitest itself on Node 24, as `.ci/run` does, runs the binaries on Node 24. This proves the spawned
 * runtime is that Node, and, when `.ci/run` names the major version it asked for (ROTATOR_EXPECT_NODE_MAJOR), that
 * the suite really runs on it rather than on whatever `node` is first on PATH.
 */
import { describe, expect, it } from 'vitest';
import { spawnNode } from '../support/action-runner.js';

describe('the runtime under test', () => {
  it('spawns the binaries on the Node that runs the suite (the one .ci/run asked for, when it says)', async () => {
    const child = await spawnNode(['-p', 'process.version'], { PATH: '' }, 10_000);
    expect(child.exitCode, child.stderr).toBe(0);
    expect(child.stdout.trim()).toBe(process.version);
    const asked = process.env.ROTATOR_EXPECT_NODE_MAJOR;
    if (asked) expect(process.versions.node.split('.')[0], 'Node major version').toBe(asked);
  });
});
