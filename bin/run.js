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
  const [{execute}, {normalizeArgv}] = await Promise.all([import('@oclif/core'), import('../dist/lib/cli/argv.js')]);
  await execute({args: normalizeArgv(args), dir: import.meta.url});
}
