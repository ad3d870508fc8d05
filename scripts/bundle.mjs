// Bundles the action (dist/index.js) and the CLI (dist/cli.js) into ESM files.
// Heavy dependencies (AWS SDK, Octokit, libsodium) are imported dynamically in src/, so esbuild
// splits them into chunks under dist/chunks/ that load only on the paths that need them.
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** @actions/core's OIDC helper is the only importer of @actions/http-client on the action's startup path. */
const stubOidcHttpClient = {
  name: 'stub-oidc-http-client',
  setup(build) {
    build.onResolve({ filter: /^@actions\/http-client(\/.*)?$/ }, (args) =>
      /@actions[\\/]core[\\/]lib[\\/]oidc-utils\.js$/.test(args.importer)
        ? { path: fileURLToPath(new URL('./stubs/oidc-http-client.mjs', import.meta.url)) }
        : undefined,
    );
  },
};

await rm(new URL('../dist', import.meta.url), { recursive: true, force: true });

await build({
  entryPoints: { index: 'src/index.ts', cli: 'src/cli.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  // Prefer the ESM builds (the AWS SDK ships both): they tree-shake, and named exports survive code splitting.
  mainFields: ['module', 'main'],
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  minify: true,
  legalComments: 'linked',
  logLevel: 'warning',
  plugins: [stubOidcHttpClient],
  // Some CommonJS dependencies call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
});
