// Bundles the action (dist/index.js), the CLI (dist/cli.js) and the login function (dist/lambda.js) into ESM files.
// Heavy dependencies (AWS SDK, Octokit, libsodium) are imported dynamically in src/, so esbuild
// splits them into chunks under dist/chunks/ that load only on the paths that need them.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { builtinModules, createRequire } from 'node:module';
import { relative } from 'node:path';
import { readFile, rm, writeFile } from 'node:fs/promises';
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

/**
 * Node's built-in modules through `require`, not ESM `import`. An ESM import of a builtin makes Node build its ESM
 * facade, which reads every export; on Node 24 `node:http` has lazy getters (WebSocket, MessageEvent, …) whose read
 * loads undici, http2, worker_threads and perf_hooks: 60–150 ms that `require('node:http')` (~9 ms) never pays.
 * - A static import gets a CommonJS shim whose exports are getters (the builtin's export names, listed at build time)
 *   that `require('node:x')` on first use (the banner defines `require`): a builtin loads when the code first uses
 *   it, not when a module that imports it loads. The CLI's refresh loop, for one, never loads the TLS server, the
 *   child_process and the readline its login command imports.
 * - A dynamic `import('node:x')` gets a small ES module instead (with code splitting, a CommonJS module imported
 *   dynamically would expose only `default`): `default` plus the builtin's plain data properties, listed at build
 *   time; lazy getters are left out, so nothing loads them.
 */
const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
const requireAtBuild = createRequire(import.meta.url);
const projectRoot = fileURLToPath(new URL('..', import.meta.url));
/**
 * A shim's id is a digest of its importer's path inside the project: the same on every machine and every build
 * (esbuild resolves in parallel, so a counter in resolve order made chunk names differ from one build to the next).
 */
const importerId = (importer) =>
  createHash('sha256').update(relative(projectRoot, importer).split('\\').join('/')).digest('hex').slice(0, 8);
const builtinsAsRequire = {
  name: 'builtins-as-require',
  setup(build) {
    build.onResolve({ filter: /^(node:)?[a-z_][a-z0-9_/]*$/ }, (args) => {
      if (!builtins.has(args.path)) return undefined;
      const name = args.path.startsWith('node:') ? args.path : `node:${args.path}`;
      // The require() inside a shim stays external; every other importer gets a shim.
      if (args.namespace === 'builtin-require' || args.namespace === 'builtin-import')
        return { path: name, external: true };
      // One shim per importing module: a shim shared by two chunks would become a chunk (a file to load) of its own.
      // (A digest, not the importer's path: a path ending in .mjs would make esbuild read the shim as an ES module.)
      return {
        path: `${name}?importer=${importerId(args.importer)}`,
        namespace: args.kind === 'dynamic-import' ? 'builtin-import' : 'builtin-require',
        pluginData: name,
      };
    });
    build.onLoad({ filter: /.*/, namespace: 'builtin-require' }, (args) => {
      const name = args.pluginData;
      const keys = Object.getOwnPropertyNames(requireAtBuild(name)).filter((key) => key !== 'default');
      return {
        contents: [
          `let m;`,
          `const load = () => (m ??= require(${JSON.stringify(name)}));`,
          `for (const key of ${JSON.stringify(keys)}) {`,
          `  Object.defineProperty(exports, key, {`,
          `    enumerable: true,`,
          `    configurable: true,`,
          `    get: () => load()[key],`,
          `    set: (value) => {`,
          `      load()[key] = value;`,
          `    },`,
          `  });`,
          `}`,
        ].join('\n'),
        loader: 'js',
      };
    });
    build.onLoad({ filter: /.*/, namespace: 'builtin-import' }, (args) => {
      args = { ...args, path: args.pluginData };
      const descriptors = Object.entries(Object.getOwnPropertyDescriptors(requireAtBuild(args.path)));
      const names = descriptors
        .filter(([key, descriptor]) => 'value' in descriptor && key !== 'default' && /^[A-Za-z_$][\w$]*$/.test(key))
        .map(([key]) => key);
      return {
        contents: [
          `const m = require(${JSON.stringify(args.path)});`,
          'export default m;',
          ...names.map((key, i) => `const e${i} = m[${JSON.stringify(key)}];`),
          `export { ${names.map((key, i) => `e${i} as ${key}`).join(', ')} };`,
        ].join('\n'),
        loader: 'js',
      };
    });
  },
};

/** @actions/core's platform helper (core.platform) is the only importer of @actions/exec, and we never call it. */
const stubPlatformExec = {
  name: 'stub-platform-exec',
  setup(build) {
    build.onResolve({ filter: /^@actions\/exec$/ }, (args) =>
      /@actions[\\/]core[\\/]lib[\\/]platform\.js$/.test(args.importer)
        ? { path: fileURLToPath(new URL('./stubs/platform-exec.mjs', import.meta.url)) }
        : undefined,
    );
  },
};

/** @actions/core's file commands use node:crypto only for a random delimiter: see ./stubs/core-random-uuid.mjs. */
const stubCoreCrypto = {
  name: 'stub-core-crypto',
  setup(build) {
    build.onResolve({ filter: /^(node:)?crypto$/ }, (args) =>
      /@actions[\\/]core[\\/]lib[\\/]file-command\.js$/.test(args.importer)
        ? { path: fileURLToPath(new URL('./stubs/core-random-uuid.mjs', import.meta.url)) }
        : undefined,
    );
  },
};

await rm(new URL('../dist', import.meta.url), { recursive: true, force: true });

/** The CLI prints the package's version: only that string goes into the bundle (see src/cli/main.ts). */
const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));

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
  plugins: [stubOidcHttpClient, stubPlatformExec, stubCoreCrypto, builtinsAsRequire],
  define: { __PACKAGE_VERSION__: JSON.stringify(version) },
  // The builtin shims (and esbuild's helper for CommonJS code) call require(), only ever for builtins: give each file
  // one. process.getBuiltinModule (Node ≥ 20.16) costs nothing; createRequire costs ~0.2 ms a file on Node 24.
  banner: {
    js:
      "import { createRequire as __cr } from 'node:module'; const require = typeof process.getBuiltinModule === 'function' " +
      '? (id) => process.getBuiltinModule(id) : __cr(import.meta.url);',
  },
});

// dist/ is also the login function's deployment package (deploy/login-function.yml, handler lambda.handler): the
// Lambda runtime loads a .js file as an ES module only when the nearest package.json says so.
await writeFile(new URL('../dist/package.json', import.meta.url), '{ "type": "module" }\n');
