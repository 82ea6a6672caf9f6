// The walk-through behind `npm run demo`.
//
// As root (Debian packages installable): bring up the project's lab (a real
// corosync+pacemaker node and remote hosts in network namespaces), add a
// remote node over pcsd and a guest node over SSH with pcmkctl, show
// crm_mon with both online and a resource running on each, remove them,
// tear the lab down. Otherwise: say why, and walk through the same commands
// in file mode on examples/demo-cib.xml.
import {spawnSync} from 'node:child_process';
import {copyFileSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

const bin = join(process.cwd(), 'bin', 'run.js');
const bold = (s: string) => (process.stdout.isTTY && !process.env.NO_COLOR ? `\u001b[1m${s}\u001b[0m` : s);

function step(title: string): void {
  process.stdout.write(`\n${bold(`=== ${title}`)}\n`);
}

/** Show and run a command; stop the demo when it fails (unless allowed). */
function run(argv: string[], options: {env?: Record<string, string>; allowFail?: boolean; input?: string; quiet?: boolean} = {}): string {
  if (!options.quiet) process.stdout.write(`$ ${argv.map((a) => (/[\s'"$]/.test(a) ? `'${a}'` : a)).join(' ')}\n`);
  const r = spawnSync(argv[0], argv.slice(1), {
    encoding: 'utf8',
    input: options.input,
    env: {...process.env, ...options.env},
    stdio: [options.input === undefined ? 'inherit' : 'pipe', 'pipe', 'pipe'],
  });
  if (!options.quiet) {
    if (r.stdout) process.stdout.write(r.stdout.replace(/^/gm, '    '));
    if (r.stderr) process.stdout.write(r.stderr.replace(/^/gm, '    '));
  }
  if (r.status !== 0 && !options.allowFail) throw new Error(`${argv.join(' ')} exited with ${r.status}`);
  return r.stdout;
}

const pcmkctl = (...args: string[]) => ['node', bin, ...args];

function fileWalkthrough(): void {
  const dir = mkdtempSync(join(tmpdir(), 'pcmkctl-demo-'));
  const cib = join(dir, 'vm_cfg.xml');
  copyFileSync('examples/demo-cib.xml', cib);
  try {
    step('File mode on a copy of examples/demo-cib.xml (like pcs -f)');
    run(pcmkctl('-f', cib, 'cluster', 'node', 'add-remote', 'remote1', '192.0.2.11', 'reconnect_interval=60', '--dry-run'));
    run(pcmkctl('-f', cib, 'cluster', 'node', 'add-remote', 'remote1', '192.0.2.11', 'reconnect_interval=60'));
    step('Running it again changes nothing (idempotent)');
    run(pcmkctl('-f', cib, 'cluster', 'node', 'add-remote', 'remote1', '192.0.2.11', 'reconnect_interval=60'));
    step('A guest node on the VM resource vm-guest1');
    run(pcmkctl('-f', cib, 'cluster', 'node', 'add-guest', 'guest1', 'vm-guest1', 'remote-addr=192.0.2.21'));
    step('Changing a guest connection attribute by hand is refused (one line, non-zero exit, file untouched)');
    run(pcmkctl('-f', cib, 'resource', 'update', 'vm-guest1', 'meta', 'remote-addr=192.0.2.99'), {allowFail: true});
    run(pcmkctl('-f', cib, 'resource', 'update', 'vm-guest1', 'meta', 'resource-stickiness=100', '--json'));
    step('The resources section now');
    run(['cibadmin', '--query', '--scope', 'resources'], {env: {CIB_file: cib}, allowFail: true});
    step('Remove both again');
    run(pcmkctl('-f', cib, 'cluster', 'node', 'remove-guest', 'guest1'));
    run(pcmkctl('-f', cib, 'cluster', 'node', 'remove-remote', '192.0.2.11'));
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
}

async function liveDemo(): Promise<void> {
  const {lab, lockLab} = await import('../test/lab/lab.ts');
  const release = await lockLab();
  try {
    await liveSteps(lab);
  } finally {
    await release();
  }
}

async function liveSteps(lab: (typeof import('../test/lab/lab.ts'))['lab']): Promise<void> {
  const remote = lab.hosts.find((h) => h.name === 'remote1');
  const guest = lab.hosts.find((h) => h.name === 'guest1');
  if (!remote || !guest) throw new Error('the lab needs hosts remote1 and guest1');
  const ssh = ['--transport', 'ssh', '--ssh-identity', lab.ssh.key, '--ssh-known-hosts', lab.ssh.knownHosts];
  step('Authenticate to pcsd on remote1 (password from the environment, never on argv)');
  run(pcmkctl('host', 'auth', remote.name, `addr=${remote.addr}`, '-u', 'hacluster'), {env: {PCMKCTL_PASSWORD: lab.password}, input: ''});
  step('Add remote1 over pcsd and wait until it is RemoteOnline');
  run(pcmkctl('cluster', 'node', 'add-remote', remote.name, remote.addr, '--wait=90'));
  step('Add guest1 over SSH: a Dummy resource stands in for the VM');
  run(['cibadmin', '--create', '--scope', 'resources', '--xml-text', '<primitive id="vm-guest1" class="ocf" provider="pacemaker" type="Dummy"/>']);
  run(pcmkctl('cluster', 'node', 'add-guest', guest.name, 'vm-guest1', `remote-addr=${guest.addr}`, ...ssh, '--wait=90'));
  step('A resource on each new node');
  for (const node of [remote.name, guest.name]) {
    run(['cibadmin', '--create', '--scope', 'resources', '--xml-text', `<primitive id="dummy-${node}" class="ocf" provider="pacemaker" type="Dummy"/>`]);
    run(['cibadmin', '--create', '--scope', 'constraints', '--xml-text', `<rsc_location id="loc-dummy-${node}" rsc="dummy-${node}" node="${node}" score="INFINITY"/>`]);
  }
  waitUntil(() => ['remote1', 'guest1'].every((n) => run(['crm_resource', '--locate', '--resource', `dummy-${n}`], {quiet: true, allowFail: true}).includes(`running on: ${n}`)), 60_000);
  run(['crm_mon', '--one-shot', '--inactive']);
  step('Remove them again (resources first)');
  for (const node of [remote.name, guest.name]) {
    run(['cibadmin', '--delete', '--xml-text', `<rsc_location id="loc-dummy-${node}"/>`]);
    run(['cibadmin', '--delete', '--xml-text', `<primitive id="dummy-${node}"/>`]);
  }
  run(pcmkctl('cluster', 'node', 'remove-guest', guest.name, ...ssh));
  run(['cibadmin', '--delete', '--xml-text', '<primitive id="vm-guest1"/>']);
  run(pcmkctl('cluster', 'node', 'remove-remote', remote.name, '--deauth'));
  run(['crm_mon', '--one-shot']);
}

function waitUntil(check: () => boolean, timeoutMs: number): void {
  const end = Date.now() + timeoutMs;
  for (let i = 0; i < 1000 && Date.now() < end; i++) {
    if (check()) return;
    spawnSync('sleep', ['1']);
  }
  throw new Error('timed out waiting for the resources to start');
}

async function main(): Promise<number> {
  const why =
    process.getuid?.() !== 0
      ? 'not running as root (the lab needs network namespaces and Debian packages)'
      : process.env.PCMKCTL_DEMO_FILE_MODE
        ? 'PCMKCTL_DEMO_FILE_MODE is set'
        : spawnSync('bash', ['test/lab/install.sh'], {stdio: 'inherit'}).status !== 0
          ? 'the lab packages could not be installed'
          : undefined;
  if (why) {
    process.stdout.write(`Live demo skipped: ${why}. Showing the file-mode walk-through instead.\n`);
    fileWalkthrough();
    return 0;
  }
  step('Bring up the lab: a corosync+pacemaker node and remote hosts in network namespaces');
  if (spawnSync('node', ['--import', 'tsx', 'test/lab/ctl.ts', 'setup'], {stdio: 'inherit'}).status !== 0) {
    process.stdout.write('Lab setup failed; showing the file-mode walk-through instead.\n');
    fileWalkthrough();
    return 1;
  }
  try {
    await liveDemo();
    fileWalkthrough();
    return 0;
  } catch (e) {
    process.stdout.write(`demo failed: ${(e as Error).message}\n`);
    return 1;
  } finally {
    step('Tear the lab down');
    spawnSync('node', ['--import', 'tsx', 'test/lab/ctl.ts', 'teardown'], {stdio: 'inherit'});
  }
}

process.exitCode = await main();
