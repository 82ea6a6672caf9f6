#!/usr/bin/env node
// `npm run demo`: installs npm dependencies, builds, then runs the
// walk-through (scripts/demo.ts): the live lab demo as root, else the
// file-mode walk-through on the bundled example CIB.
import {fileURLToPath} from 'node:url';
import {build, ensureNpmDeps, sh} from './bootstrap.mjs';

process.chdir(fileURLToPath(new URL('..', import.meta.url)));
if (!ensureNpmDeps('demo') || !build('demo')) process.exit(1);
process.exit(sh('node', ['--import', 'tsx', 'scripts/demo.ts', ...process.argv.slice(2)]));
