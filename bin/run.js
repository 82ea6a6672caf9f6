#!/usr/bin/env node
// Production entry point. Global flags typed before the command (pcs style:
// `pcmkctl -f cib.xml resource update ...`) are moved behind it first.
import {flush, handle, run} from '@oclif/core';
import {normalizeArgv} from '../dist/lib/cli/argv.js';

const args = normalizeArgv(process.argv.slice(2));
try {
  await run(args, import.meta.url);
  await flush();
} catch (error) {
  // An unknown command fails before any command's own error handling runs:
  // render it like every other usage error (one `Error:` line, exit 2).
  const message = String(error?.message ?? '');
  if (/^command \S+ not found$/.test(message)) {
    const text = `${message.replace(/:/g, ' ')}`;
    const end = args.indexOf('--');
    if ((end === -1 ? args : args.slice(0, end)).includes('--json')) {
      const report = {code: 'USAGE', severity: 'error', message: text, hint: 'see --help'};
      process.stdout.write(JSON.stringify({ok: false, changed: false, error: {code: 'USAGE', message: text, exitCode: 2}, reports: [report]}, null, 2) + '\n');
    } else {
      process.stderr.write(`Error: ${text} (see --help)\n`);
    }
    process.exitCode = 2;
  } else {
    await handle(error);
  }
}
