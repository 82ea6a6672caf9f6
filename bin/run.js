#!/usr/bin/env node
// Production entry point. Global flags typed before the command (pcs style:
// `pcmkctl -f cib.xml resource update ...`) are moved behind it first.
import {execute} from '@oclif/core';
import {normalizeArgv} from '../dist/lib/cli/argv.js';

await execute({args: normalizeArgv(process.argv.slice(2)), dir: import.meta.url});
