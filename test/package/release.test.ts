/**
 * The release train's own rules, checked from the files: the GitHub release's notes come from CHANGELOG.md
 * (scripts/release-notes.mjs, as release.yml runs it), every third-party action the project's workflows and examples
 * use is pinned by full commit SHA with its version in a comment, and only the npm publishing job can mint an OIDC
 * token. (actionlint checks the workflows' syntax and expressions in .ci/run.)
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
// @ts-expect-error: a plain JavaScript script without type declarations
import { releaseNotes } from '../../scripts/release-notes.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const notesOf = releaseNotes as (changelog: string, version: string) => string | undefined;

const CHANGELOG = `# Changelog

## [Unreleased]

### Added
- something new

## [1.2.0] - 2026-12-01

### Fixed
- the 1.2.0 fix

## [1.10.0-rc.1] - 2026-11-01

## [1.1.0] - 2026-11-20

### Added
- the 1.1.0 feature

[1.2.0]: https://example.invalid/compare/v1.1.0...v1.2.0
[1.1.0]: https://example.invalid/releases/tag/v1.1.0
`;

describe('release notes from CHANGELOG.md', () => {
  it("takes exactly the version's section, without its heading or the link definitions", () => {
    expect(notesOf(CHANGELOG, '1.2.0')).toBe('### Fixed\n- the 1.2.0 fix');
    expect(notesOf(CHANGELOG, '1.1.0')).toBe('### Added\n- the 1.1.0 feature');
  });

  it('has no notes for a version without a section, with an empty one, or one that only looks alike', () => {
    expect(notesOf(CHANGELOG, '1.3.0')).toBeUndefined();
    expect(notesOf(CHANGELOG, '1.10.0-rc.1')).toBeUndefined();
    expect(notesOf(CHANGELOG, '1.2')).toBeUndefined();
    expect(notesOf(CHANGELOG.replace('1.2.0]', '1x2x0]'), '1.2.0')).toBeUndefined();
  });

  it('fails the release with one sentence when the tagged version has no notes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rotator-notes-'));
    try {
      const file = join(dir, 'CHANGELOG.md');
      await writeFile(file, CHANGELOG);
      const run = promisify(execFile);
      const ok = await run(process.execPath, ['scripts/release-notes.mjs', '1.2.0', file], { cwd: ROOT });
      expect(ok.stdout).toBe('### Fixed\n- the 1.2.0 fix\n');
      const missing = await run(process.execPath, ['scripts/release-notes.mjs', '1.3.0', file], { cwd: ROOT }).catch(
        (error: unknown) => error,
      );
      expect(missing).toMatchObject({
        code: 1,
        stderr: `${file} has no "## [1.3.0]" section with notes: move the Unreleased entries under it, then tag again.\n`,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("the project's CHANGELOG.md keeps an Unreleased section and Keep a Changelog headings", async () => {
    const text = await readFile(join(ROOT, 'CHANGELOG.md'), 'utf8');
    const headings = text.split('\n').filter((line) => line.startsWith('## '));
    expect(headings[0]).toBe('## [Unreleased]');
    for (const heading of headings.slice(1))
      expect(heading).toMatch(/^## \[\d+\.\d+\.\d+(-[\w.]+)?\] - \d{4}-\d{2}-\d{2}$/);
  });
});

interface Step {
  uses?: string;
}
interface Job {
  uses?: string;
  steps?: Step[];
  permissions?: Record<string, string> | string;
}
interface Workflow {
  permissions?: Record<string, string> | string;
  jobs: Record<string, Job>;
}

async function workflows(folder: string): Promise<{ name: string; text: string; workflow: Workflow }[]> {
  const names = (await readdir(join(ROOT, folder))).filter((name) => /\.ya?ml$/.test(name));
  return Promise.all(
    names.map(async (name) => {
      const text = await readFile(join(ROOT, folder, name), 'utf8');
      return { name: `${folder}/${name}`, text, workflow: parse(text) as Workflow };
    }),
  );
}

describe('workflows', () => {
  it('pin every third-party action by full commit SHA, with its version in a comment', async () => {
    const all = [...(await workflows('.github/workflows')), ...(await workflows('examples'))];
    expect(all.map((w) => w.name)).toEqual(
      expect.arrayContaining([
        '.github/workflows/ci.yml',
        '.github/workflows/release.yml',
        '.github/workflows/codeql.yml',
      ]),
    );
    let checked = 0;
    for (const { name, text, workflow } of all) {
      const used = Object.values(workflow.jobs).flatMap((job) => [
        job.uses,
        ...(job.steps ?? []).map((step) => step.uses),
      ]);
      for (const uses of used) {
        // Local workflows and actions, and the example's placeholder for this action itself (the README says how to pin it).
        if (!uses || uses.startsWith('./') || uses.startsWith('your-org/schwab-token-rotator@')) continue;
        checked++;
        expect(uses, `${name}: ${uses}`).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
        expect(text, `${name}: ${uses} needs "# vX.Y.Z" after it`).toMatch(
          new RegExp(`uses: ${uses} # v\\d+\\.\\d+\\.\\d+\\n`),
        );
      }
    }
    expect(checked).toBeGreaterThan(5);
  });

  it('grant id-token: write only to the npm publishing job, and read-only contents by default', async () => {
    for (const { name, workflow } of await workflows('.github/workflows')) {
      expect(workflow.permissions, name).toEqual({ contents: 'read' });
      for (const [jobName, job] of Object.entries(workflow.jobs)) {
        const idToken = typeof job.permissions === 'object' ? job.permissions['id-token'] : undefined;
        expect(idToken, `${name} ${jobName}`).toBe(
          name === '.github/workflows/release.yml' && jobName === 'npm' ? 'write' : undefined,
        );
      }
    }
  });
});

describe('Dependabot', () => {
  it('proposes npm and GitHub Actions updates, each ecosystem grouped into one pull request', async () => {
    const config = parse(await readFile(join(ROOT, '.github/dependabot.yml'), 'utf8')) as {
      version: number;
      updates: { 'package-ecosystem': string; directory: string; groups?: Record<string, { patterns: string[] }> }[];
    };
    expect(config.version).toBe(2);
    expect(config.updates.map((update) => update['package-ecosystem']).sort()).toEqual(['github-actions', 'npm']);
    for (const update of config.updates) {
      expect(update.directory).toBe('/');
      expect(Object.values(update.groups ?? {}).map((group) => group.patterns)).toEqual([['*']]);
    }
  });
});
