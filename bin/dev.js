#!/usr/bin/env -S node --import tsx
// Development entry point: runs the TypeScript sources (delete oclif.manifest.json
// while developing, or oclif loads the compiled dist/ commands it names).
import {execute} from '@oclif/core';
import {normalizeArgv} from '../src/lib/cli/argv.ts';

await execute({args: normalizeArgv(process.argv.slice(2)), development: true, dir: import.meta.url});
