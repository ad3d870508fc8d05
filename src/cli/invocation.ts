import { readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { PACKAGE_NAME } from '../util/audience.js';
import { shellQuote } from '../util/text.js';

/**
 * How the person at the terminal runs this CLI, so that the commands it prints ("log in again with …") are ones
 * that work for them, derived from the script Node runs:
 *
 * - from npx's cache (`~/.npm/_npx/<hash>/node_modules/schwab-token-rotator/dist/cli.js`): `npx --yes <spec>`, with
 *   the spec npx recorded in that folder's package.json (`github:acme/schwab-token-rotator#v1`, or a version);
 * - from any other node_modules (an install): `npx schwab-token-rotator`, which finds local and global installs;
 * - from a clone: `node <path to dist/cli.js>`, relative to the working directory when it is inside it.
 *
 * Anything it cannot read gives `schwab-token-rotator`, the program's name.
 */
export function detectCliCommand(script: string | undefined, cwd: string): string {
  if (!script) return PACKAGE_NAME;
  let path = script;
  try {
    path = realpathSync(script);
  } catch {
    // keep the path as given
  }
  const npx = /^(.*[\\/]_npx[\\/][^\\/]+)[\\/]node_modules[\\/]/.exec(path);
  if (npx?.[1]) {
    const spec = npxSpec(npx[1]);
    return spec ? `npx --yes ${shellQuote(spec)}` : `npx --yes ${PACKAGE_NAME}`;
  }
  if (path.split(/[\\/]/).includes('node_modules')) return `npx ${PACKAGE_NAME}`;
  const rel = relative(cwd, path);
  const shown = rel && !rel.startsWith('..') && !isAbsolute(rel) ? (rel.includes(sep) ? rel : `.${sep}${rel}`) : path;
  return `node ${shellQuote(shown)}`;
}

/** The spec npx installed this package from, as recorded in its cache folder's package.json. */
function npxSpec(installDir: string): string | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(installDir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, unknown>;
      _npx?: { packages?: unknown };
    };
    const dependency = manifest.dependencies?.[PACKAGE_NAME];
    if (typeof dependency === 'string' && dependency !== '') {
      // A registry version ("^1.2.0") names the package; anything else (github:…, a URL, a path) is the spec itself.
      return /^[\^~]?\d/.test(dependency) || dependency === 'latest'
        ? `${PACKAGE_NAME}@${dependency.replace(/^[\^~]/, '')}`
        : dependency;
    }
    const packages = manifest._npx?.packages;
    if (Array.isArray(packages)) {
      const spec = packages.find((p): p is string => typeof p === 'string' && p.includes(PACKAGE_NAME));
      if (spec) return spec;
    }
  } catch {
    // not readable: fall back
  }
  return undefined;
}
