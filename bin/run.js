#!/usr/bin/env node
// Production entry point. `--version` is answered without loading oclif (it
// is what scripts probe most; same text as oclif's). Global flags typed
// before the command (pcs style: `pcmkctl -f cib.xml resource update ...`)
// are moved behind it.
const args = process.argv.slice(2);
if (args.length === 1 && args[0] === '--version') {
  const {readFileSync} = await import('node:fs');
  const {version} = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`pcmkctl/${version} ${process.platform}-${process.arch} node-${process.version}\n`);
} else {
  // one bundle: oclif, the commands and the library (scripts/bundle.mjs)
  const {flush, handle, normalizeArgv, run} = await import('../dist/cli.js');
  const argv = normalizeArgv(args);
  try {
    await run(argv, import.meta.url);
    await flush();
  } catch (error) {
    // An unknown command fails before any command's own error handling runs:
    // render it like every other usage error (one `Error:` line, or the
    // single --json document; exit 2).
    const message = String(error?.message ?? '');
    if (/^command \S+ not found$/.test(message)) {
      const text = message.replace(/:/g, ' ');
      const end = argv.indexOf('--');
      if ((end === -1 ? argv : argv.slice(0, end)).includes('--json')) {
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
}
