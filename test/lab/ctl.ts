// The lab's command line (used by scripts/test.mjs and by hand, as root):
//   node --import tsx test/lab/ctl.ts setup|teardown|status|verify-clean
//   LAB_HOSTS=32 node --import tsx test/lab/ctl.ts setup    (remote1..remote32)
// Exit 0 on success; setup and teardown print their timings on stderr.
import {mkdirSync} from 'node:fs';
import {paths} from './config.js';
import {setup, status, teardown, verifyClean} from './harness.js';
import {holdLock} from './proc.js';

const USAGE = 'usage: ctl.ts setup|teardown|status|verify-clean  (env LAB_HOSTS: a count or "name:addr ...")';

/** setup/teardown wait for lab test files of other runs on this machine (they hold the lab lock). */
async function locked<T>(fn: () => Promise<T>): Promise<T> {
  mkdirSync(paths.state, {recursive: true, mode: 0o755});
  const release = await holdLock(paths.lock, 900_000);
  try {
    return await fn();
  } finally {
    await release();
  }
}

async function main(cmd: string | undefined): Promise<number> {
  if ((cmd === 'setup' || cmd === 'teardown') && process.getuid?.() !== 0) {
    process.stderr.write('[lab] ERROR: the lab needs root\n');
    return 1;
  }
  switch (cmd) {
    case 'setup':
      await locked(setup);
      return 0;
    case 'teardown': {
      const problems = await locked(teardown);
      return problems.length === 0 ? 0 : 1;
    }
    case 'status':
      return (await status()) ? 0 : 1;
    case 'verify-clean': {
      const left = await verifyClean();
      if (left.length === 0) {
        process.stdout.write('clean: no lab process, namespace, link, address, hosts block or changed file left\n');
        return 0;
      }
      process.stdout.write(`NOT clean, left behind:\n  ${left.join('\n  ')}\n`);
      return 1;
    }
    default:
      process.stderr.write(`${USAGE}\n`);
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`[lab] ERROR: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
