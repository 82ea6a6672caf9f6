#!/usr/bin/env node
// Bundles src/cli.ts (oclif, the commands, the library) into dist/cli.js for
// a fast start. ESM with code splitting, so what a command imports lazily
// (the ssh and pcsd transports, the XML parser) stays in its own chunk and
// loads only when used. ssh2 (native addon) and undici stay in node_modules:
// both are CommonJS imported with import(), whose named exports only Node's
// own loader provides (a bundled CommonJS chunk exports only `default`).
// oclif is CommonJS too, but bundled and require()d: the banner gives it the
// require/__dirname it expects (require resolves from dist/, i.e. this
// project's node_modules).
import {build} from 'esbuild';

await build({
  entryPoints: ['src/cli.ts'],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['ssh2', 'undici', 'typescript', 'ts-node'],
  banner: {
    js: [
      "import {createRequire as __pcmkctlCreateRequire} from 'node:module';",
      "import {fileURLToPath as __pcmkctlFileURLToPath} from 'node:url';",
      'const require = __pcmkctlCreateRequire(import.meta.url);',
      'const __filename = __pcmkctlFileURLToPath(import.meta.url);',
      "const __dirname = __pcmkctlFileURLToPath(new URL('.', import.meta.url));",
    ].join(' '),
  },
  logLevel: 'warning',
});
