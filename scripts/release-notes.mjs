// Prints the release notes of one version: its section of CHANGELOG.md (Keep a Changelog), without the heading.
// Usage: node scripts/release-notes.mjs 1.2.0 [path/to/CHANGELOG.md]
// The release workflow uses it for the GitHub release's notes; a version without a section (or with an empty one)
// fails the release before anything is published.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** The body of the `## [version]` section of a Keep a Changelog text, trimmed; undefined when absent or empty. */
export function releaseNotes(changelog, version) {
  const lines = changelog.split(/\r?\n/);
  const heading = new RegExp(`^## \\[${version.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\](\\s|$)`);
  const start = lines.findIndex((line) => heading.test(line));
  if (start < 0) return undefined;
  const body = [];
  for (const line of lines.slice(start + 1)) {
    if (/^## /.test(line)) break;
    if (/^\[[^\]]+\]: \S+/.test(line)) continue; // link definitions at the end of the file
    body.push(line);
  }
  const text = body.join('\n').trim();
  return text === '' ? undefined : text;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [version, path = 'CHANGELOG.md'] = process.argv.slice(2);
  if (!version) {
    console.error('Usage: node scripts/release-notes.mjs VERSION [CHANGELOG.md]');
    process.exit(64);
  }
  const notes = releaseNotes(readFileSync(path, 'utf8'), version);
  if (notes === undefined) {
    console.error(
      `${path} has no "## [${version}]" section with notes: move the Unreleased entries under it, then tag again.`,
    );
    process.exit(1);
  }
  console.log(notes);
}
