#!/usr/bin/env -S node --import tsx
// Development entry point: runs the TypeScript sources (in development mode
// oclif loads src/cli.ts in place of the command target dist/cli.js).
import {execute} from '@oclif/core';
import {normalizeArgv} from '../src/lib/cli/argv.ts';

await execute({args: normalizeArgv(process.argv.slice(2)), development: true, dir: import.meta.url});
