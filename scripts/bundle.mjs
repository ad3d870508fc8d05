// Bundles the action (dist/index.js), the CLI (dist/cli.js) and the login function (dist/lambda.js) into ESM files.
// Heavy dependencies (AWS SDK, Octokit, libsodium) are imported dynamically in src/, so esbuild
// splits them into chunks under dist/chunks/ that load only on the paths that need them.
import { build } from 'esbuild';
import { rm, writeFile } from 'node:fs/promises';
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
  entryPoints: { index: 'src/index.ts', cli: 'src/cli.ts', lambda: 'src/lambda/handler.ts' },
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

// dist/ is also the login function's deployment package (deploy/login-function.yml, handler lambda.handler): the
// Lambda runtime loads a .js file as an ES module only when the nearest package.json says so.
await writeFile(new URL('../dist/package.json', import.meta.url), '{ "type": "module" }\n');
