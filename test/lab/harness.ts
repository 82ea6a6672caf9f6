// The lab itself: setup, teardown, status, verify-clean (driven by ctl.ts).
//
// Cluster node pcmk-1 = the root namespace: corosync -f, pacemakerd and pcsd
// (Ruby + Python) started in the background with pid files, no systemd.
// Remote hosts = network namespaces on bridge pcmkctl0 (10.88.0.0/24), each
// with its own /etc overlay (/etc/netns/NAME), private /run and pcsd/pacemaker
// dirs (host-init), sshd and pcsd started through the systemctl shim.
// Everything the lab changes outside its state dir is fingerprinted first
// (baseline.json), backed up, and restored by teardown; verify-clean compares.
import {createHash} from 'node:crypto';
import {
  chmodSync, chownSync, copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync,
  renameSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import {randomBytes} from 'node:crypto';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {
  BRIDGE, CLUSTER_ADDR, CLUSTER_NAME, CLUSTER_NODE, DC_DEADTIME, HOSTS_MARKER, PASSWORD, PCSD_PORT, PCSD_WORKERS,
  PREFIX_LEN, REMOTED_BIN, REMOTED_ROOT, VETH_PREFIX, type LabHost, labHosts, parseHosts, paths, vethName,
} from './config.js';
import {runOnHost} from './hosts.js';
import {
  allPids, cmdline, exec, isAlive, must, pidFileAlive, readEnvFile, readPidFile, startDaemon, stopDaemon, tcpOpen, terminate,
  waitFor,
} from './proc.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const COROSYNC_CONF = '/etc/corosync/corosync.conf';
const AUTHKEY = '/etc/pacemaker/authkey';
const PCSD_RUBY_SOCKET = '/run/pcsd-ruby.socket';
/** Directories restored as a whole at teardown (pcsd tokens/certs/known-hosts, the CIB, scheduler inputs). */
const TREES = ['/var/lib/pcsd', '/var/lib/pacemaker/cib', '/var/lib/pacemaker/pengine'];
const HOST_CONCURRENCY = 4;
/**
 * Runtime entries the lab's daemons and tools create in the machine's /run:
 * pacemaker's /run/crm, pcsd's sockets, corosync's pid file, libmount's
 * /run/mount (host-init's bind mounts) and ip netns's /run/netns (a bind
 * mount of itself). Removed at teardown when they were not there before.
 */
// (/run/mount last: umount of /run/netns may create it)
const RUN_ENTRIES = ['/run/crm', '/run/pcsd.socket', PCSD_RUBY_SOCKET, '/run/corosync.pid', '/run/netns', '/run/mount'];

const log = (msg: string) => process.stderr.write(`[lab] ${msg}\n`);
const secs = (t0: number) => ((Date.now() - t0) / 1000).toFixed(1);
const pidFile = (name: string) => join(paths.pids, `${name}.pid`);

// ---- users and files --------------------------------------------------------------

function idOf(file: '/etc/passwd' | '/etc/group', name: string): number {
  const line = readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`${name} not in ${file} (run test/lab/install.sh)`);
  return Number(line.split(':')[2]);
}
const hacluster = () => idOf('/etc/passwd', 'hacluster');
const haclient = () => idOf('/etc/group', 'haclient');

function mkdirOwned(dir: string, mode: number, uid = 0, gid = 0): void {
  mkdirSync(dir, {recursive: true});
  chownSync(dir, uid, gid);
  chmodSync(dir, mode);
}

/** Owner and mode before content, then rename: never a moment with wrong permissions. */
function writeOwned(file: string, content: string | Buffer, mode: number, uid = 0, gid = 0): void {
  const tmp = `${file}.pcmkctl-lab.tmp`;
  rmSync(tmp, {force: true});
  writeFileSync(tmp, '', {mode: 0o600, flag: 'wx'});
  chownSync(tmp, uid, gid);
  chmodSync(tmp, mode);
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** "mode uid gid sha256" of a file, "symlink -> target", or null when absent. */
function fingerprint(path: string): string | null {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return null;
  }
  if (st.isSymbolicLink()) return `symlink -> ${readlinkSync(path)}`;
  const head = `${(st.mode & 0o7777).toString(8)} ${st.uid} ${st.gid}`;
  if (st.isDirectory()) return `dir ${head}`;
  return `${head} ${sha256(readFileSync(path))}`;
}

function fingerprintTree(dir: string): Record<string, string | null> {
  const out: Record<string, string | null> = {[dir]: fingerprint(dir)};
  if (out[dir]?.startsWith('dir ')) {
    for (const name of readdirSync(dir).sort()) Object.assign(out, fingerprintTree(join(dir, name)));
  }
  return out;
}

function shadowLine(user: string): string {
  return readFileSync('/etc/shadow', 'utf8').split('\n').find((l) => l.startsWith(`${user}:`)) ?? '';
}

function hostsBlockPresent(): boolean {
  return readFileSync('/etc/hosts', 'utf8').includes(`# BEGIN ${HOSTS_MARKER}`);
}

/** /etc/hosts without our block (rewritten in place: it may be a bind mount in containers). */
function hostsWithoutBlock(): string {
  const out: string[] = [];
  let inBlock = false;
  for (const line of readFileSync('/etc/hosts', 'utf8').split('\n')) {
    if (line.startsWith(`# BEGIN ${HOSTS_MARKER}`)) inBlock = true;
    else if (line.startsWith(`# END ${HOSTS_MARKER}`)) inBlock = false;
    else if (!inBlock) out.push(line);
  }
  return out.join('\n');
}

// ---- baseline and backups ---------------------------------------------------

interface Baseline {
  files: Record<string, string | null>;
  trees: Record<string, Record<string, string | null>>;
  shadow: string;
  pcsdRubySocket: boolean;
  etcNetns: boolean;
  /** Which of RUN_ENTRIES existed before the lab. */
  runEntries?: string[];
}

function currentBaseline(): Baseline {
  return {
    files: {[COROSYNC_CONF]: fingerprint(COROSYNC_CONF), [AUTHKEY]: fingerprint(AUTHKEY)},
    trees: Object.fromEntries(TREES.map((t) => [t, fingerprintTree(t)])),
    shadow: sha256(shadowLine('hacluster')),
    pcsdRubySocket: existsSync(PCSD_RUBY_SOCKET),
    etcNetns: existsSync('/etc/netns'),
    runEntries: RUN_ENTRIES.filter((e) => existsSync(e)),
  };
}

/** RUN_ENTRIES that are new since the baseline (and so the lab's). */
function newRunEntries(base: Baseline): string[] {
  if (!base.runEntries) return [];
  return RUN_ENTRIES.filter((e) => !base.runEntries!.includes(e) && existsSync(e));
}

async function removeRunEntries(base: Baseline, problems: string[]): Promise<void> {
  for (const e of newRunEntries(base)) {
    if (e === '/run/netns') {
      if (readdirSync(e).length > 0) continue; // namespaces of someone else
      // ip netns made /run/netns a bind mount of itself
      if ((await exec('mountpoint', ['-q', e], {timeoutMs: 10_000})).code === 0) {
        const r = await exec('umount', [e], {timeoutMs: 10_000});
        if (r.code !== 0) problems.push(`umount ${e}: ${r.stderr.trim()}`);
      }
    }
    rmSync(e, {recursive: true, force: true});
  }
}

const backupDone = () => join(paths.backup, 'complete');

/**
 * Save everything setup is about to change, once: a re-run of setup on a
 * half-up lab must not overwrite the originals with lab versions.
 */
async function takeBackups(): Promise<void> {
  if (existsSync(backupDone())) return;
  rmSync(paths.backup, {recursive: true, force: true});
  mkdirOwned(paths.backup, 0o700);
  const base = currentBaseline();
  writeFileSync(paths.baseline, JSON.stringify(base, null, 1) + '\n', {mode: 0o600});
  for (const f of [COROSYNC_CONF, AUTHKEY]) {
    if (existsSync(f)) await must('cp', ['-a', f, join(paths.backup, f.replaceAll('/', '_'))]);
  }
  for (const t of TREES) {
    if (existsSync(t)) await must('cp', ['-a', t, join(paths.backup, t.replaceAll('/', '_'))]);
  }
  writeFileSync(join(paths.backup, 'hacluster.shadow'), shadowLine('hacluster') + '\n', {mode: 0o600});
  writeFileSync(backupDone(), '');
}

async function restoreBackups(problems: string[]): Promise<void> {
  if (!existsSync(backupDone())) return;
  const base = JSON.parse(readFileSync(paths.baseline, 'utf8')) as Baseline;
  for (const f of [COROSYNC_CONF, AUTHKEY]) {
    const saved = join(paths.backup, f.replaceAll('/', '_'));
    if (existsSync(saved)) await must('cp', ['-a', saved, f]);
    else if (base.files[f] === null) rmSync(f, {force: true});
  }
  for (const t of TREES) {
    const saved = join(paths.backup, t.replaceAll('/', '_'));
    if (existsSync(saved)) {
      for (const e of existsSync(t) ? readdirSync(t) : []) rmSync(join(t, e), {recursive: true, force: true});
      await must('cp', ['-a', `${saved}/.`, t]);
    } else if (base.trees[t]?.[t] === null) {
      rmSync(t, {recursive: true, force: true});
    }
  }
  const line = readFileSync(join(paths.backup, 'hacluster.shadow'), 'utf8').trim();
  if (line && shadowLine('hacluster') !== line) {
    const [user, hash, lastChange] = line.split(':');
    // chpasswd -e reads the hash on stdin; it also stamps "last change", put back by chage
    await must('chpasswd', ['-e'], {input: `${user}:${hash}\n`});
    await must('chage', ['-d', lastChange || '-1', 'hacluster']);
  }
  await removeRunEntries(base, problems);
  if (!base.etcNetns && existsSync('/etc/netns') && readdirSync('/etc/netns').length === 0) rmSync('/etc/netns', {recursive: true});
  if (shadowLine('hacluster') !== line) problems.push('hacluster shadow entry not restored');
  rmSync(paths.backup, {recursive: true, force: true});
}

// ---- other labs --------------------------------------------------------------

const CLUSTER_DAEMONS = /^(\S*\/)?(corosync|pacemakerd|pacemaker-(based|fenced|execd|attrd|schedulerd|controld|remoted)|pacemaker-remoted)( |$)|\/usr\/sbin\/pcsd|\[pcsd\]|\/usr\/share\/pcsd\/pcsd/;

/** Cluster daemons running on the machine that are not the lab's (reported, never killed). */
function foreignClusterProcesses(ours: Set<number>): string[] {
  const out: string[] = [];
  for (const pid of allPids()) {
    if (ours.has(pid) || pid === process.pid) continue;
    const cmd = cmdline(pid);
    if (cmd && CLUSTER_DAEMONS.test(cmd)) out.push(`${pid} ${cmd.slice(0, 100)}`);
  }
  return out;
}

function netnsExists(name: string): boolean {
  return existsSync(`/run/netns/${name}`);
}

async function netnsPids(name: string): Promise<number[]> {
  if (!netnsExists(name)) return [];
  const r = await exec('ip', ['netns', 'pids', name], {timeoutMs: 10_000});
  return r.stdout.split(/\s+/).filter(Boolean).map(Number);
}

async function linkExists(name: string): Promise<boolean> {
  return (await exec('ip', ['link', 'show', 'dev', name], {timeoutMs: 10_000})).code === 0;
}

async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<PromiseSettledResult<void>[]> {
  const results: PromiseSettledResult<void>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        await fn(items[i]!);
        results[i] = {status: 'fulfilled', value: undefined};
      } catch (e) {
        results[i] = {status: 'rejected', reason: e};
      }
    }
  };
  await Promise.all(Array.from({length: Math.min(n, items.length)}, worker));
  return results;
}

// ---- cluster node -------------------------------------------------------------

function corosyncConf(): string {
  return `# Written by the pcmkctl test lab (test/lab); the original is restored at teardown.
totem {
    version: 2
    cluster_name: ${CLUSTER_NAME}
    transport: knet
    crypto_cipher: none
    crypto_hash: none
}

nodelist {
    node {
        name: ${CLUSTER_NODE}
        nodeid: 1
        ring0_addr: ${CLUSTER_ADDR}
    }
}

quorum {
    provider: corosync_votequorum
}

logging {
    to_logfile: yes
    logfile: ${join(paths.logs, 'corosync.log')}
    to_syslog: no
    to_stderr: no
    timestamp: on
}
`;
}

/** A fresh CIB holding only the properties the lab needs (pacemaker-based accepts it without cib.xml.sig). */
async function seedCib(): Promise<void> {
  const tmp = join(paths.state, 'cib.seed.xml');
  writeFileSync(tmp, (await must('cibadmin', ['--empty'])).stdout);
  const env = {CIB_file: tmp};
  await must('crm_attribute', ['--type', 'crm_config', '--name', 'stonith-enabled', '--update', 'false'], {env});
  await must('crm_attribute', ['--type', 'crm_config', '--name', 'dc-deadtime', '--update', DC_DEADTIME], {env});
  const dir = '/var/lib/pacemaker/cib';
  mkdirOwned(dir, 0o750, hacluster(), haclient());
  for (const e of readdirSync(dir)) rmSync(join(dir, e), {recursive: true, force: true});
  writeOwned(join(dir, 'cib.xml'), readFileSync(tmp), 0o600, hacluster(), haclient());
  rmSync(tmp);
}

async function clusterNodeOnline(): Promise<boolean> {
  const r = await exec('crm_mon', ['--one-shot', '--output-as=xml'], {timeoutMs: 10_000});
  return r.code === 0 && new RegExp(`<node name="${CLUSTER_NODE}"[^>]* online="true"`).test(r.stdout);
}

/** pcsd = the Ruby backend (unix socket) + the Python daemon in front of it. */
async function startClusterPcsd(): Promise<void> {
  const env = {
    ...readEnvFile('/etc/default/pcsd'),
    PCSD_BIND_ADDR: `${CLUSTER_ADDR},127.0.0.1`, // only the lab address and loopback
    PCSD_WORKER_COUNT: String(PCSD_WORKERS),
  };
  rmSync(PCSD_RUBY_SOCKET, {force: true});
  await startDaemon('/usr/share/pcsd/pcsd', [], {pidFile: pidFile('pcsd-ruby'), logFile: join(paths.logs, 'pcsd-ruby.log'), match: 'pcsd', env, cwd: '/var/lib/pcsd'});
  await waitFor(() => existsSync(PCSD_RUBY_SOCKET), {timeoutMs: 60_000, intervalMs: 100, what: 'the pcsd-ruby socket'});
  await startDaemon('/usr/sbin/pcsd', [], {pidFile: pidFile('pcsd'), logFile: join(paths.logs, 'pcsd.log'), match: '/usr/sbin/pcsd', env, cwd: '/var/lib/pcsd'});
  await waitFor(() => tcpOpen(CLUSTER_ADDR, PCSD_PORT), {timeoutMs: 60_000, intervalMs: 200, what: `pcsd on ${CLUSTER_ADDR}:${PCSD_PORT}`});
  // pcs add-remote/add-guest refuse unless every cluster node is in known-hosts
  // (the password is public lab data; pcs host auth has no stdin option)
  await must('pcs', ['host', 'auth', CLUSTER_NODE, `addr=${CLUSTER_ADDR}`, '-u', 'hacluster', '-p', PASSWORD], {timeoutMs: 60_000});
}

async function startCluster(): Promise<void> {
  let t = Date.now();
  await startDaemon('corosync', ['-f'], {pidFile: pidFile('corosync'), logFile: join(paths.logs, 'corosync.out'), match: 'corosync'});
  await waitFor(async () => (await exec('corosync-quorumtool', ['-s'], {timeoutMs: 5000})).code === 0, {timeoutMs: 30_000, intervalMs: 200, what: 'corosync to be quorate'});
  log(`  corosync up (${secs(t)}s)`);
  t = Date.now();
  await startDaemon('pacemakerd', [], {
    pidFile: pidFile('pacemakerd'), logFile: join(paths.logs, 'pacemakerd.out'), match: 'pacemakerd',
    env: {...readEnvFile('/etc/default/pacemaker'), PCMK_logfile: join(paths.logs, 'pacemaker.log')},
  });
  await waitFor(clusterNodeOnline, {timeoutMs: 90_000, intervalMs: 250, what: `${CLUSTER_NODE} Online in crm_mon (see ${paths.logs}/pacemaker.log)`});
  log(`  pacemaker up, ${CLUSTER_NODE} Online (${secs(t)}s)`);
}

async function prepareClusterFiles(): Promise<void> {
  writeOwned(COROSYNC_CONF, corosyncConf(), 0o644);
  // pacemaker.log is written by daemons running as hacluster
  const plog = join(paths.logs, 'pacemaker.log');
  if (!existsSync(plog)) writeFileSync(plog, '');
  chownSync(plog, hacluster(), haclient());
  chmodSync(plog, 0o660);
  // Node's TLS-PSK cannot use Debian's 4096-byte key; 256 bytes as pcs generates
  if (!statSync('/etc/pacemaker', {throwIfNoEntry: false})?.isDirectory()) throw new Error('/etc/pacemaker missing (package pacemaker)');
  writeOwned(AUTHKEY, randomBytes(256), 0o640, 0, haclient());
  await seedCib();
  rmSync('/var/lib/pcsd/known-hosts', {force: true}); // tokens of earlier runs are stale
}

// ---- remote hosts ---------------------------------------------------------------

async function ensureKeys(hosts: LabHost[]): Promise<void> {
  mkdirOwned(paths.ssh, 0o700);
  if (!existsSync(paths.sshKey)) await must('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'pcmkctl-lab', '-f', paths.sshKey]);
  // host keys survive teardown so known_hosts stays valid between runs
  await pool(hosts, 4, async (h) => {
    const dir = paths.hostKeys(h.name);
    mkdirSync(dir, {recursive: true});
    for (const type of ['ed25519', 'rsa']) {
      const f = join(dir, `ssh_host_${type}_key`);
      if (!existsSync(f)) await must('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', `root@${h.name}`, '-f', f]);
    }
  });
}

function sshdConfig(h: LabHost): string {
  return `# pcmkctl lab host ${h.name}: root login with the lab key only
Port 22
HostKey /etc/ssh/ssh_host_ed25519_key
HostKey /etc/ssh/ssh_host_rsa_key
PermitRootLogin prohibit-password
PubkeyAuthentication yes
AuthorizedKeysFile /etc/ssh/lab_authorized_keys/%u
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM yes
PidFile /run/sshd.pid
PrintMotd no
AcceptEnv LANG LC_*
Subsystem sftp /usr/lib/openssh/sftp-server
`;
}

function etcHostsFor(hosts: LabHost[]): string {
  return ['127.0.0.1 localhost', '::1 localhost ip6-localhost ip6-loopback', `${CLUSTER_ADDR} ${CLUSTER_NODE}`, ...hosts.map((h) => `${h.addr} ${h.name}`), ''].join('\n');
}

/** The host's private directories and its /etc overlay. */
function makeHostFiles(h: LabHost, all: LabHost[]): void {
  const root = paths.host(h.name);
  rmSync(root, {recursive: true, force: true});
  const run = paths.hostRun(h.name);
  const fs = paths.hostFs(h.name);
  mkdirOwned(run, 0o755);
  mkdirOwned(join(run, 'lock'), 0o1777);
  mkdirOwned(join(run, 'sshd'), 0o755);
  mkdirOwned(join(run, 'resource-agents'), 0o755); // HA_RSCTMP of ocf agents (Dummy state files)
  mkdirOwned(join(run, 'pcmkctl-units'), 0o755);
  writeFileSync(join(run, 'pcmkctl-units', 'env'), `PCSD_WORKER_COUNT=${PCSD_WORKERS}\n`);
  mkdirOwned(join(fs, 'var/lib/pcsd'), 0o700);
  mkdirOwned(join(fs, 'var/log/pcsd'), 0o755);
  mkdirOwned(join(fs, 'var/lib/pacemaker'), 0o755);
  for (const d of ['cib', 'pengine', 'blackbox', 'cores']) mkdirOwned(join(fs, 'var/lib/pacemaker', d), 0o750, hacluster(), haclient());
  mkdirOwned(join(fs, 'var/log/pacemaker'), 0o770, hacluster(), haclient());
  mkdirOwned(join(fs, 'var/log/pacemaker/bundles'), 0o770, hacluster(), haclient());
  // root's own home, as on a real host: sshd runs every remote command
  // through root's login shell, which reads ~/.bashrc; the machine's (here:
  // pyenv init, ~0.1 s per command) is not the host's
  mkdirOwned(join(fs, 'root'), 0o700);
  for (const f of ['.bashrc', '.profile']) if (existsSync(join('/etc/skel', f))) copyFileSync(join('/etc/skel', f), join(fs, 'root', f));

  const etc = paths.netnsEtc(h.name);
  rmSync(etc, {recursive: true, force: true});
  mkdirOwned(etc, 0o755);
  writeFileSync(join(etc, 'hostname'), `${h.name}\n`);
  writeFileSync(join(etc, 'hosts'), etcHostsFor(all));
  // empty: the authkey arrives through pcs/pcmkctl; no cluster config, so
  // pcsd's check_host reports cluster_configuration_exists: false
  mkdirOwned(join(etc, 'pacemaker'), 0o750, 0, haclient());
  mkdirOwned(join(etc, 'corosync'), 0o755);
  const ssh = join(etc, 'ssh');
  mkdirOwned(ssh, 0o755);
  writeFileSync(join(ssh, 'sshd_config'), sshdConfig(h));
  if (existsSync('/etc/ssh/moduli')) copyFileSync('/etc/ssh/moduli', join(ssh, 'moduli'));
  for (const type of ['ed25519', 'rsa']) {
    const key = join(paths.hostKeys(h.name), `ssh_host_${type}_key`);
    writeOwned(join(ssh, `ssh_host_${type}_key`), readFileSync(key), 0o600);
    writeOwned(join(ssh, `ssh_host_${type}_key.pub`), readFileSync(`${key}.pub`), 0o644);
  }
  mkdirOwned(join(ssh, 'lab_authorized_keys'), 0o755);
  writeOwned(join(ssh, 'lab_authorized_keys', 'root'), readFileSync(`${paths.sshKey}.pub`), 0o600);
}

async function createHost(h: LabHost, all: LabHost[]): Promise<void> {
  const t = Date.now();
  makeHostFiles(h, all);
  writeFileSync(join(paths.host(h.name), 'addr'), `${h.addr}\n`);
  const veth = vethName(h.name);
  if (netnsExists(h.name)) throw new Error(`network namespace ${h.name} already exists (teardown first)`);
  await must('ip', ['netns', 'add', h.name]);
  await must('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.name]);
  await must('ip', ['link', 'set', veth, 'master', BRIDGE, 'up']);
  await must('ip', ['-n', h.name, 'addr', 'add', `${h.addr}/${PREFIX_LEN}`, 'dev', 'eth0']);
  await must('ip', ['-n', h.name, 'link', 'set', 'eth0', 'up']);
  await must('ip', ['-n', h.name, 'link', 'set', 'lo', 'up']);
  await startHostServices(h);
  log(`  ${h.name} ${h.addr}: sshd + pcsd up (${secs(t)}s)`);
}

export async function startHostServices(h: LabHost): Promise<void> {
  const sh = async (argv: string[]) => {
    const r = await runOnHost(h.name, argv, {timeoutMs: 90_000});
    if (r.code !== 0) throw new Error(`${h.name}: ${argv.join(' ')} → ${r.code}: ${r.stderr.trim()} (logs: ${paths.hostRun(h.name)}/pcmkctl-units/)`);
  };
  await sh(['systemctl', 'enable', 'sshd', 'pcsd']);
  await sh(['systemctl', 'start', 'sshd']);
  await sh(['systemctl', 'start', 'pcsd']);
  await waitFor(() => tcpOpen(h.addr, 22), {timeoutMs: 30_000, intervalMs: 100, what: `sshd on ${h.name} ${h.addr}:22`});
  await waitFor(() => tcpOpen(h.addr, PCSD_PORT), {timeoutMs: 60_000, intervalMs: 200, what: `pcsd on ${h.name} ${h.addr}:${PCSD_PORT}`});
}

function writeSshClientFiles(hosts: LabHost[]): void {
  const known: string[] = [];
  const config: string[] = [`# pcmkctl lab hosts: ssh -F ${paths.sshConfig} remote1`];
  for (const h of hosts) {
    for (const type of ['ed25519', 'rsa']) {
      const [kt, key] = readFileSync(join(paths.hostKeys(h.name), `ssh_host_${type}_key.pub`), 'utf8').trim().split(/\s+/);
      known.push(`${h.name},${h.addr} ${kt} ${key}`);
    }
    config.push(
      `Host ${h.name} ${h.addr}`,
      `    HostName ${h.addr}`,
      '    User root',
      `    IdentityFile ${paths.sshKey}`,
      '    IdentitiesOnly yes',
      `    UserKnownHostsFile ${paths.knownHosts}`,
      '    GlobalKnownHostsFile /dev/null',
      '    StrictHostKeyChecking yes',
      '    BatchMode yes',
      '    ConnectTimeout 5',
    );
  }
  writeFileSync(paths.knownHosts, known.join('\n') + '\n', {mode: 0o644});
  writeFileSync(paths.sshConfig, config.join('\n') + '\n', {mode: 0o644});
}

/** Every host the lab may have created: recorded host dirs plus the configured list. */
function knownHostNames(): string[] {
  const names = new Set(labHosts().map((h) => h.name));
  try {
    for (const h of parseHosts(process.env.LAB_HOSTS)) names.add(h.name);
  } catch {
    // a bad LAB_HOSTS must not stop a teardown
  }
  if (existsSync(paths.hosts)) for (const d of readdirSync(paths.hosts)) names.add(d);
  return [...names].filter((n) => /^[a-z][a-z0-9-]{0,11}$/.test(n)).sort();
}

// ---- setup / teardown ---------------------------------------------------------

export interface LabJson {
  hosts: LabHost[];
  startedAt: string;
}

function labIsUp(hosts: LabHost[]): boolean {
  return existsSync(paths.labJson) && ['corosync', 'pacemakerd', 'pcsd', 'pcsd-ruby'].every((d) => pidFileAlive(pidFile(d)) !== null) && hosts.every((h) => netnsExists(h.name));
}

export async function setup(): Promise<void> {
  const t0 = Date.now();
  if (process.getuid?.() !== 0) throw new Error('the lab needs root');
  for (const f of [REMOTED_BIN, '/usr/sbin/pcsd', '/usr/share/pcsd/pcsd', '/usr/sbin/sshd', '/bin/systemctl']) {
    if (!existsSync(f)) throw new Error(`missing ${f}: run test/lab/install.sh first`);
  }
  const hosts = parseHosts(process.env.LAB_HOSTS);
  if (existsSync(paths.labJson)) {
    const running = labHosts();
    if (labIsUp(running) && JSON.stringify(running) === JSON.stringify(hosts)) {
      log(`lab already up (${running.length} hosts); nothing to do`);
      return;
    }
  }
  // a half-up or differently sized lab: start from a clean slate
  if (existsSync(paths.labJson) || existsSync(backupDone()) || knownHostNames().some(netnsExists) || (await linkExists(BRIDGE))) {
    log('removing a previous (partial) lab first');
    await teardown();
  }
  const ours = new Set<number>();
  const foreign = foreignClusterProcesses(ours);
  if (foreign.length > 0) {
    throw new Error(`cluster daemons not started by this lab are running (one cluster per machine; stop that lab first):\n  ${foreign.join('\n  ')}`);
  }
  // (only loopback here: before the bridge exists, 10.88.0.1 is not ours)
  if (await tcpOpen('127.0.0.1', PCSD_PORT, 300)) throw new Error(`127.0.0.1:${PCSD_PORT} is already in use (another pcsd?)`);

  for (const d of [paths.state, paths.bin, paths.pids, paths.logs, paths.hosts]) mkdirOwned(d, 0o755);
  // state of hosts from earlier, differently sized labs (kept until now for post-mortems)
  for (const d of readdirSync(paths.hosts)) if (!hosts.some((h) => h.name === d)) rmSync(paths.host(d), {recursive: true, force: true});
  // the helpers run from the state dir, which does not depend on the checkout's permissions
  writeOwned(paths.hostInit, readFileSync(join(HERE, 'files', 'host-init.sh')), 0o755);
  writeOwned(paths.shim, readFileSync(join(HERE, 'files', 'systemctl.sh')), 0o755);
  await takeBackups();
  await ensureKeys(hosts);

  let t = Date.now();
  await must('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
  await must('ip', ['addr', 'add', `${CLUSTER_ADDR}/${PREFIX_LEN}`, 'dev', BRIDGE]);
  await must('ip', ['link', 'set', BRIDGE, 'up']);
  const block = [`# BEGIN ${HOSTS_MARKER} (test/lab; removed at teardown)`, `${CLUSTER_ADDR} ${CLUSTER_NODE}`, ...hosts.map((h) => `${h.addr} ${h.name}`), `# END ${HOSTS_MARKER}`];
  writeFileSync('/etc/hosts', hostsWithoutBlock().replace(/\n*$/, '\n') + block.join('\n') + '\n');
  if (!existsSync('/etc/netns')) mkdirOwned('/etc/netns', 0o755);
  // the same password on every lab host (shared /etc/shadow); stdin, not argv
  await must('chpasswd', [], {input: `hacluster:${PASSWORD}\n`});
  await prepareClusterFiles();
  log(`network, files, password (${secs(t)}s)`);

  // The first DC election mostly waits (dc-deadtime), so the cluster, its pcsd
  // and the hosts come up in parallel.
  t = Date.now();
  const results = await Promise.allSettled([
    startCluster(),
    (async () => {
      const t1 = Date.now();
      await startClusterPcsd();
      log(`  pcsd on ${CLUSTER_NODE} up + pcs host auth ${CLUSTER_NODE} (${secs(t1)}s)`);
    })(),
    (async () => {
      const r = await pool(hosts, HOST_CONCURRENCY, (h) => createHost(h, hosts));
      const failed = r.map((x, i) => (x.status === 'rejected' ? `${hosts[i]!.name}: ${(x.reason as Error).message}` : null)).filter(Boolean);
      if (failed.length > 0) throw new Error(failed.join('\n'));
    })(),
  ]);
  const errors = results.filter((r) => r.status === 'rejected').map((r) => ((r as PromiseRejectedResult).reason as Error).message);
  if (errors.length > 0) throw new Error(`setup failed (run teardown to clean up):\n${errors.join('\n')}`);
  log(`cluster node and ${hosts.length} hosts up (${secs(t)}s)`);

  writeSshClientFiles(hosts);
  writeFileSync(paths.labJson, JSON.stringify({hosts, startedAt: new Date().toISOString()} satisfies LabJson, null, 1) + '\n');
  log(`lab is up in ${secs(t0)}s: ${CLUSTER_NODE} ${CLUSTER_ADDR}, ${hosts.map((h) => `${h.name} ${h.addr}`).join(', ')}`);
}

async function destroyHost(name: string): Promise<void> {
  // everything inside a lab namespace was started by the lab
  const pids = await netnsPids(name);
  if (pids.length > 0) log(`  ${name}: stopping ${pids.length} processes (${pids.map((p) => (cmdline(p) ?? '?').split(' ')[0]).join(', ')})`);
  // (pacemaker-remoted exits at once on SIGTERM once the cluster is gone)
  await terminate(pids, 1500);
  await exec('ip', ['link', 'del', vethName(name)], {timeoutMs: 10_000});
  if (netnsExists(name)) await must('ip', ['netns', 'del', name]);
  rmSync(paths.netnsEtc(name), {recursive: true, force: true});
}

export async function teardown(): Promise<string[]> {
  const t0 = Date.now();
  if (process.getuid?.() !== 0) throw new Error('the lab needs root');
  const problems: string[] = [];
  const names = knownHostNames();
  rmSync(paths.labJson, {force: true}); // from now on labReady() is false

  // 1. pacemaker first: it disconnects remote nodes cleanly while their
  //    pacemaker-remoted still runs. Meanwhile the hosts' sshd/pcsd go (no
  //    need to be gentle with them).
  let t = Date.now();
  await Promise.all([
    (async () => {
      if (await stopDaemon(pidFile('pacemakerd'), {timeoutMs: 60_000, tree: true})) log(`  pacemaker stopped (${secs(t)}s)`);
      // corosync-cfgtool -H exits corosync faster than SIGTERM does
      const corosync = pidFileAlive(pidFile('corosync'));
      if (corosync !== null) {
        await exec('corosync-cfgtool', ['-H', '--force'], {timeoutMs: 5000});
        await waitFor(() => !isAlive(corosync), {timeoutMs: 5000, intervalMs: 100, what: 'corosync to exit'}).catch(() => undefined);
      }
      if ((await stopDaemon(pidFile('corosync'), {timeoutMs: 20_000, tree: true})) || corosync !== null) log(`  corosync stopped (${secs(t)}s)`);
    })(),
    (async () => {
      // pcsd keeps no state worth a graceful stop here (its dir is restored
      // below) and Python pcsd sometimes hangs on SIGTERM: short grace
      await Promise.all([stopDaemon(pidFile('pcsd'), {timeoutMs: 500, tree: true}), stopDaemon(pidFile('pcsd-ruby'), {timeoutMs: 500, tree: true})]);
    })(),
    ...names.filter(netnsExists).map(async (name) => {
      // sshd and pcsd of a throw-away host: no grace needed
      const pids = (await netnsPids(name)).filter((p) => !(cmdline(p) ?? '').includes('pacemaker-remoted'));
      await terminate(pids, 300);
    }),
  ]);
  log(`cluster node and host services stopped (${secs(t)}s)`);

  // 2. hosts: whatever is left in the namespace, then veth, namespace, /etc overlay
  t = Date.now();
  const r = await Promise.allSettled(names.map(destroyHost));
  r.forEach((x, i) => x.status === 'rejected' && problems.push(`${names[i]}: ${(x.reason as Error).message}`));
  if (await linkExists(BRIDGE)) await must('ip', ['link', 'del', BRIDGE]);
  log(`hosts and network removed (${secs(t)}s)`);

  // 3. machine files
  if (hostsBlockPresent()) writeFileSync('/etc/hosts', hostsWithoutBlock());
  try {
    await restoreBackups(problems);
  } catch (e) {
    problems.push(`restoring system files: ${(e as Error).message}`);
  }
  // leftover pid files of daemons that are gone
  if (existsSync(paths.pids)) for (const f of readdirSync(paths.pids)) if (pidFileAlive(join(paths.pids, f)) === null) rmSync(join(paths.pids, f));
  log(`lab is down in ${secs(t0)}s${problems.length ? ` with problems:\n  ${problems.join('\n  ')}` : ''}`);
  return problems;
}

// ---- status / verify-clean ----------------------------------------------------

export async function status(): Promise<boolean> {
  const lines: string[] = [];
  const hosts = labHosts();
  lines.push(`state dir ${paths.state}; lab.json ${existsSync(paths.labJson) ? 'present' : 'absent'}`);
  for (const d of ['corosync', 'pacemakerd', 'pcsd-ruby', 'pcsd']) {
    const pid = pidFileAlive(pidFile(d));
    lines.push(`${CLUSTER_NODE} ${d}: ${pid ? `running (pid ${pid})` : 'stopped'}`);
  }
  for (const h of hosts) {
    if (!netnsExists(h.name)) {
      lines.push(`${h.name} ${h.addr}: no namespace`);
      continue;
    }
    const r = await runOnHost(h.name, ['systemctl', 'list-units'], {timeoutMs: 10_000});
    const units = r.stdout.split('\n').filter(Boolean).map((l) => l.replace(/\.service\s+loaded\s+/, ':').replace(/\s+/g, ' ')).join(', ');
    lines.push(`${h.name} ${h.addr}: ${units}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
  if (pidFileAlive(pidFile('pacemakerd'))) {
    const mon = await exec('crm_mon', ['--one-shot', '--inactive'], {timeoutMs: 10_000});
    process.stdout.write(mon.stdout);
  }
  return labIsUp(hosts);
}

/** Leftovers of the lab on the machine; empty when clean. */
export async function verifyClean(): Promise<string[]> {
  const left: string[] = [];
  const names = knownHostNames();
  if (existsSync(paths.labJson)) left.push(`${paths.labJson} present (lab marked up)`);
  if (existsSync(paths.pids)) {
    for (const f of readdirSync(paths.pids)) {
      const pid = pidFileAlive(join(paths.pids, f));
      if (pid !== null) left.push(`process ${pid} (${f}) still running: ${cmdline(pid)}`);
      else if (readPidFile(join(paths.pids, f))) left.push(`stale pid file ${f}`);
    }
  }
  for (const p of foreignClusterProcesses(new Set())) left.push(`cluster daemon running: ${p}`);
  for (const pid of allPids()) {
    const cmd = cmdline(pid) ?? '';
    if (pid !== process.pid && (cmd.includes(paths.state + '/') || cmd.includes(REMOTED_ROOT))) left.push(`lab process running: ${pid} ${cmd.slice(0, 100)}`);
  }
  for (const n of names) {
    if (netnsExists(n)) left.push(`network namespace ${n}`);
    if (existsSync(paths.netnsEtc(n))) left.push(`directory ${paths.netnsEtc(n)}`);
  }
  const links = await exec('ip', ['-o', 'link', 'show'], {timeoutMs: 10_000});
  for (const m of links.stdout.matchAll(/^\d+: ([^:@\s]+)/gm)) {
    if (m[1] === BRIDGE || m[1]!.startsWith(VETH_PREFIX)) left.push(`link ${m[1]}`);
  }
  const addrs = await exec('ip', ['-o', 'addr', 'show'], {timeoutMs: 10_000});
  for (const m of addrs.stdout.matchAll(/^\d+: (\S+)\s+inet (10\.88\.0\.\d+)/gm)) left.push(`address ${m[2]} on ${m[1]}`);
  if (hostsBlockPresent()) left.push(`/etc/hosts still has the ${HOSTS_MARKER} block`);
  if (existsSync(backupDone())) left.push(`${paths.backup} still holds originals (teardown did not restore them)`);
  if (existsSync(paths.baseline)) {
    const base = JSON.parse(readFileSync(paths.baseline, 'utf8')) as Baseline;
    for (const [f, fp] of Object.entries(base.files)) if (fingerprint(f) !== fp) left.push(`changed: ${f}`);
    for (const [t, tree] of Object.entries(base.trees)) {
      const now = fingerprintTree(t);
      for (const p of new Set([...Object.keys(tree), ...Object.keys(now)])) {
        if (tree[p] !== now[p]) left.push(`changed: ${p}${tree[p] === undefined ? ' (new)' : now[p] === undefined || now[p] === null ? ' (deleted)' : ''}`);
      }
    }
    if (sha256(shadowLine('hacluster')) !== base.shadow) left.push('changed: hacluster entry in /etc/shadow (password)');
    if (!base.pcsdRubySocket && existsSync(PCSD_RUBY_SOCKET)) left.push(`left: ${PCSD_RUBY_SOCKET}`);
    for (const e of newRunEntries(base)) if (e !== PCSD_RUBY_SOCKET) left.push(`left: ${e}`);
    if (!base.etcNetns && existsSync('/etc/netns')) left.push('left: /etc/netns (did not exist before)');
  }
  return left;
}
