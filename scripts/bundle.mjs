#!/usr/bin/env node
// Bundles src/cli.ts (oclif, the commands, the library) into dist/cli.js for
// a fast start. ESM with code splitting, so what a command imports lazily
// (the ssh and pcsd transports with undici, the XML parser) stays in its own
// chunk and loads only when used. CommonJS packages are bundled only where
// imported statically (oclif, undici): import() of a bundled CommonJS chunk
// yields only `default`, so ssh2 (also a native addon), imported with
// import(), stays in node_modules. The banner gives CommonJS code the
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
  external: ['ssh2', 'typescript', 'ts-node'],
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
