// Helpers for tests against the live lab (test/lab-tests/**). The lab is set
// up by `node --import tsx test/lab/ctl.ts setup` (npm test does it) and is
// one real cluster shared by all lab test files, which run one at a time.
//
// Topology: cluster node pcmk-1 = the root namespace (corosync, pacemaker,
// pcsd on 10.88.0.1 and 127.0.0.1 — run crm_mon/cibadmin/pcs/pcmkctl
// directly); remote hosts remote1 10.88.0.11, remote2 10.88.0.12, guest1
// 10.88.0.21 (LAB_HOSTS changes the list) = network namespaces, each with
// sshd :22 (root, lab key only), a real pcsd :2224 (hacluster / labpass) and,
// when started, pacemaker-remoted :3121. Hosts have empty /etc/pacemaker and
// /etc/corosync and pacemaker_remote stopped+disabled at the start.
//
// API
//   lab                                  config: clusterNode, clusterAddr, hosts, password, user,
//                                        stateDir, ssh {config, key, knownHosts}, ports
//   labHost(name)                        → {name, addr} (throws for unknown names)
//   labReady()                           → {ok, reason?}; tests: if (!r.ok) t.skip(r.reason)
//   onHost(name, argv, {input?, timeoutMs?}) → {code, stdout, stderr, timedOut}
//                                        runs inside the host's view (pcmk-1: locally)
//   sshArgv(name, ...remoteCommand)      → argv for the system ssh client (BatchMode, lab config)
//   hostPath(name, path)                 → where the host's file lives in the root namespace
//   hostFileInfo(name, path)             → {exists, content, mode, uid, gid, user, group}
//   crmMon()                             → parsed crm_mon --one-shot --output-as=xml --inactive
//   waitFor(fn, {timeoutMs, intervalMs?, what}) → fn's first truthy value, or throws on timeout
//   serviceState(name, unit)             → {active, enabled} (through the host's systemctl)
//   stopPcsd/startPcsd, stopSshd/startSshd, killRemoted, cutLink/restoreLink  (fault injection)
//   resetCluster()                       → CIB back to baseline: no resources, constraints,
//                                          remote nodes, failures; properties kept; known-hosts
//                                          back to pcmk-1 only
//   resetHost(name)                      → link up, sshd+pcsd running, pacemaker_remote stopped
//                                          and disabled, /etc/pacemaker and /etc/corosync empty
//   resetLab()                           → resetCluster() + resetHost() for every host
//   lockLab()                            → release(): exclusive use of the lab (other test runs
//                                          and ctl.ts setup/teardown wait); waits up to 15 min
//   useLab(cleanup?)                     → inside describe(): before() takes the lab lock and
//                                          resets the lab, after() runs cleanup, resets, releases
// Typical test file:
//   const ready = labReady();
//   describe('…', {skip: ready.ok ? false : ready.reason}, () => {
//     useLab();
//     test('…', async () => { … });
//   });
import {existsSync, readFileSync, readdirSync, rmSync, statSync} from 'node:fs';
import {after, before} from 'node:test';
import {join} from 'node:path';
import {
  BRIDGE, CLUSTER_ADDR, CLUSTER_NAME, CLUSTER_NODE, PASSWORD, PCSD_PORT, REMOTE_PORT, type LabHost, labHosts, paths,
  vethName,
} from './config.js';
import {hostPath, runOnHost, type HostRunOptions} from './hosts.js';
import {
  cmdline, exec, holdLock, isAlive, pidFileAlive, sleep, startTime, tcpOpen, waitFor, type ExecResult, type WaitOptions,
} from './proc.js';

export {hostPath, waitFor, tcpOpen, type ExecResult, type HostRunOptions, type LabHost, type WaitOptions};

const hosts = labHosts();

export const lab = {
  clusterNode: CLUSTER_NODE,
  clusterAddr: CLUSTER_ADDR,
  clusterName: CLUSTER_NAME,
  /** Remote hosts of the running lab. */
  hosts,
  user: 'hacluster',
  password: PASSWORD,
  stateDir: paths.state,
  bridge: BRIDGE,
  pcsdPort: PCSD_PORT,
  remotePort: REMOTE_PORT,
  ssh: {config: paths.sshConfig, key: paths.sshKey, knownHosts: paths.knownHosts},
  /** pcs's (and pcsd's) known-hosts on the cluster node. */
  knownHostsFile: '/var/lib/pcsd/known-hosts',
} as const;

export function labHost(name: string): LabHost {
  const h = hosts.find((x) => x.name === name);
  if (!h) throw new Error(`${name} is not a lab host (hosts: ${hosts.map((x) => x.name).join(', ')})`);
  return h;
}

/** Whether the lab is up; tests call t.skip(reason) when it is not. */
export function labReady(): {ok: boolean; reason?: string} {
  if (process.getuid?.() !== 0) return {ok: false, reason: 'lab tests need root'};
  if (!existsSync(paths.labJson)) return {ok: false, reason: `lab is not set up (node --import tsx test/lab/ctl.ts setup)`};
  for (const d of ['corosync', 'pacemakerd', 'pcsd']) {
    if (pidFileAlive(join(paths.pids, `${d}.pid`)) === null) return {ok: false, reason: `lab cluster node: ${d} is not running`};
  }
  for (const h of hosts) {
    if (!existsSync(`/run/netns/${h.name}`)) return {ok: false, reason: `lab host ${h.name}: no network namespace`};
  }
  return {ok: true};
}

/**
 * Exclusive use of the lab for one test file: call in before(), release in
 * after(). Another run's test files and ctl.ts setup/teardown wait meanwhile.
 */
export function lockLab(timeoutMs = 900_000): Promise<() => Promise<void>> {
  return holdLock(paths.lock, timeoutMs);
}

/**
 * The hooks every lab test file needs: exclusive use of the lab for the
 * file, a clean lab before it, and clean-up (the file's own first) after.
 * Does nothing when the lab is not ready (the tests skip themselves).
 */
export function useLab(cleanup: () => Promise<void> | void = () => {}): void {
  let release = async () => {};
  before(async () => {
    if (!labReady().ok) return;
    release = await lockLab();
    await resetLab();
  });
  after(async () => {
    try {
      await cleanup();
      if (labReady().ok) await resetLab();
    } finally {
      await release();
    }
  });
}

/** Run argv on a lab host (its namespaces, private dirs, systemctl shim); on pcmk-1: locally. */
export function onHost(name: string, argv: string[], opts: HostRunOptions = {}): Promise<ExecResult> {
  if (name !== CLUSTER_NODE) labHost(name);
  return runOnHost(name, argv, opts);
}

/** argv for the system ssh client to a lab host: `spawn(argv[0], argv.slice(1))`. */
export function sshArgv(name: string, ...command: string[]): string[] {
  labHost(name);
  return ['ssh', '-F', paths.sshConfig, '-o', 'BatchMode=yes', name, ...command];
}

// ---- files ---------------------------------------------------------------------

export interface HostFileInfo {
  exists: boolean;
  content: Buffer;
  /** Permission bits, e.g. 0o400. */
  mode: number;
  uid: number;
  gid: number;
  user: string;
  group: string;
}

function nameById(file: '/etc/passwd' | '/etc/group', id: number): string {
  const line = readFileSync(file, 'utf8').split('\n').find((l) => l.split(':')[2] === String(id));
  return line ? line.split(':')[0]! : String(id);
}

/** A file as the host sees it (users and groups are the machine's, shared by every host). */
export function hostFileInfo(name: string, path: string): HostFileInfo {
  const real = hostPath(name, path);
  const st = statSync(real, {throwIfNoEntry: false});
  if (!st) return {exists: false, content: Buffer.alloc(0), mode: 0, uid: -1, gid: -1, user: '', group: ''};
  return {
    exists: true,
    content: st.isFile() ? readFileSync(real) : Buffer.alloc(0),
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    user: nameById('/etc/passwd', st.uid),
    group: nameById('/etc/group', st.gid),
  };
}

// ---- crm_mon ------------------------------------------------------------------------

export interface MonNode {
  name: string;
  id: string;
  /** "member" for cluster nodes, "remote" for remote and guest nodes. */
  type: string;
  online: boolean;
  standby: boolean;
  maintenance: boolean;
  unclean: boolean;
  /** Guest nodes: the id of the resource (VM) that hosts them. */
  idAsResource?: string;
}

export interface MonResource {
  id: string;
  /** e.g. "ocf:pacemaker:remote". */
  agent: string;
  role: string;
  active: boolean;
  failed: boolean;
  managed: boolean;
  orphaned: boolean;
  /** Names of the nodes it runs on. */
  nodes: string[];
  /** Enclosing group/clone/bundle id, if any. */
  parent?: string;
}

export interface MonFailure {
  opKey: string;
  node: string;
  task: string;
  exitStatus: string;
  exitReason: string;
  exitCode: string;
  status: string;
  interval: string;
}

export interface CrmMon {
  nodes: MonNode[];
  resources: MonResource[];
  failures: MonFailure[];
  /** The node of that name, if listed. */
  node(name: string): MonNode | undefined;
  resource(id: string): MonResource | undefined;
  xml: string;
}

type XmlEl = Record<string, unknown>;
const arr = (v: unknown): XmlEl[] => (Array.isArray(v) ? (v as XmlEl[]) : v ? [v as XmlEl] : []);
const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const bool = (v: unknown): boolean => v === true || v === 'true';

function collectResources(el: XmlEl, parent: string | undefined, out: MonResource[]): void {
  for (const r of arr(el.resource)) {
    out.push({
      id: str(r.id),
      agent: str(r.resource_agent),
      role: str(r.role),
      active: bool(r.active),
      failed: bool(r.failed),
      managed: r.managed === undefined ? true : bool(r.managed),
      orphaned: bool(r.orphaned),
      nodes: arr(r.node).map((n) => str(n.name)),
      ...(parent ? {parent} : {}),
    });
  }
  for (const kind of ['group', 'clone', 'bundle', 'replica']) {
    for (const c of arr(el[kind])) collectResources(c, str(c.id) || parent, out);
  }
}

/** `crm_mon --one-shot --output-as=xml --inactive`, parsed. Throws when crm_mon fails. */
export async function crmMon(): Promise<CrmMon> {
  const r = await exec('crm_mon', ['--one-shot', '--output-as=xml', '--inactive'], {timeoutMs: 30_000});
  if (r.code !== 0) throw new Error(`crm_mon failed (${r.code}): ${r.stderr.trim()}`);
  const {XMLParser} = await import('fast-xml-parser');
  const doc = new XMLParser({ignoreAttributes: false, attributeNamePrefix: '', parseAttributeValue: false}).parse(r.stdout) as XmlEl;
  const root = (doc['pacemaker-result'] ?? {}) as XmlEl;
  const nodes = arr((root.nodes as XmlEl | undefined)?.node).map((n) => ({
    name: str(n.name),
    id: str(n.id),
    type: str(n.type),
    online: bool(n.online),
    standby: bool(n.standby),
    maintenance: bool(n.maintenance),
    unclean: bool(n.unclean),
    ...(n.id_as_resource ? {idAsResource: str(n.id_as_resource)} : {}),
  }));
  const resources: MonResource[] = [];
  if (root.resources) collectResources(root.resources as XmlEl, undefined, resources);
  const failures = arr((root.failures as XmlEl | undefined)?.failure).map((f) => ({
    opKey: str(f.op_key),
    node: str(f.node),
    task: str(f.task),
    exitStatus: str(f.exitstatus),
    exitReason: str(f.exitreason),
    exitCode: str(f.exitcode),
    status: str(f.status),
    interval: str(f.interval),
  }));
  return {
    nodes,
    resources,
    failures,
    node: (name) => nodes.find((n) => n.name === name),
    resource: (id) => resources.find((x) => x.id === id),
    xml: r.stdout,
  };
}

// ---- services and fault injection -------------------------------------------------------

const CLUSTER_UNITS: Record<string, string> = {corosync: 'corosync', pacemaker: 'pacemakerd', pcsd: 'pcsd'};

/**
 * State of a unit as the host's systemctl reports it. On pcmk-1 (no systemd,
 * no shim) only corosync/pacemaker/pcsd are known: active = the lab's daemon
 * runs, enabled = the same.
 */
export async function serviceState(name: string, unit: string): Promise<{active: boolean; enabled: boolean}> {
  if (name === CLUSTER_NODE) {
    const d = CLUSTER_UNITS[unit.replace(/\.service$/, '')];
    const active = d !== undefined && pidFileAlive(join(paths.pids, `${d}.pid`)) !== null;
    return {active, enabled: active};
  }
  const r = await onHost(name, ['sh', '-c', 'systemctl is-active "$1"; systemctl is-enabled "$1"; true', 'sh', unit], {timeoutMs: 20_000});
  const [a, e] = r.stdout.trim().split('\n');
  return {active: a === 'active', enabled: e === 'enabled'};
}

async function systemctl(name: string, verb: string, unit: string): Promise<void> {
  if (name === CLUSTER_NODE) throw new Error(`${verb} ${unit}: fault injection works on remote lab hosts only`);
  const r = await onHost(name, ['systemctl', verb, unit], {timeoutMs: 90_000});
  if (r.code !== 0) throw new Error(`${name}: systemctl ${verb} ${unit} failed (${r.code}): ${r.stderr.trim()}`);
}

export async function stopPcsd(name: string): Promise<void> {
  await systemctl(name, 'stop', 'pcsd');
}

/** Start pcsd and wait until it accepts connections on :2224. */
export async function startPcsd(name: string): Promise<void> {
  await systemctl(name, 'start', 'pcsd');
  await waitFor(() => tcpOpen(labHost(name).addr, PCSD_PORT), {timeoutMs: 60_000, intervalMs: 200, what: `pcsd on ${name}`});
}

export async function stopSshd(name: string): Promise<void> {
  await systemctl(name, 'stop', 'sshd');
}

export async function startSshd(name: string): Promise<void> {
  await systemctl(name, 'start', 'sshd');
  await waitFor(() => tcpOpen(labHost(name).addr, 22), {timeoutMs: 30_000, intervalMs: 100, what: `sshd on ${name}`});
}

/** SIGKILL the host's pacemaker-remoted (a crash); returns its pid. Throws when it is not running. */
export async function killRemoted(name: string): Promise<number> {
  labHost(name);
  const file = join(paths.hostRun(name), 'pcmkctl-units', 'pacemaker_remote.pid');
  const [pidText, start] = existsSync(file) ? readFileSync(file, 'utf8').trim().split(/\s+/) : [];
  const pid = Number(pidText);
  if (!pid || startTime(pid) !== start || !(cmdline(pid) ?? '').includes('pacemaker-remoted')) {
    throw new Error(`${name}: pacemaker-remoted is not running`);
  }
  process.kill(pid, 'SIGKILL');
  await waitFor(() => !isAlive(pid), {timeoutMs: 5000, intervalMs: 50, what: `pacemaker-remoted ${pid} to die`});
  return pid;
}

/** Take the host's link down: it stops answering (packets are dropped, connections time out). */
export async function cutLink(name: string): Promise<void> {
  labHost(name);
  const r = await exec('ip', ['link', 'set', vethName(name), 'down'], {timeoutMs: 10_000});
  if (r.code !== 0) throw new Error(`cutLink ${name}: ${r.stderr.trim()}`);
}

export async function restoreLink(name: string): Promise<void> {
  labHost(name);
  const r = await exec('ip', ['link', 'set', vethName(name), 'up'], {timeoutMs: 10_000});
  if (r.code !== 0) throw new Error(`restoreLink ${name}: ${r.stderr.trim()}`);
}

// ---- resets -----------------------------------------------------------------------------

async function cib(args: string[], okCodes: number[] = [0]): Promise<ExecResult> {
  const r = await exec('cibadmin', args, {timeoutMs: 60_000});
  if (!okCodes.includes(r.code)) throw new Error(`cibadmin ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r;
}

function remoteNodeNames(cibXml: string, mon: CrmMon): string[] {
  const names = new Set(mon.nodes.filter((n) => n.type !== 'member').map((n) => n.name));
  for (const m of cibXml.matchAll(/<node\b[^>]*\btype="remote"[^>]*>/g)) {
    const u = /\buname="([^"]+)"/.exec(m[0]);
    if (u) names.add(u[1]!);
  }
  for (const m of cibXml.matchAll(/<node_state\b[^>]*\bremote_node="true"[^>]*>/g)) {
    const u = /\buname="([^"]+)"/.exec(m[0]);
    if (u) names.add(u[1]!);
  }
  names.delete(CLUSTER_NODE);
  return [...names];
}

/**
 * Back to the baseline CIB: no resources, constraints, tags, alerts, fencing
 * levels, remote/guest nodes or failure history; cluster properties are kept.
 * pcs's known-hosts is cut back to the cluster node. Waits until crm_mon
 * agrees (bounded).
 */
export async function resetCluster(): Promise<void> {
  // constraints and tags first: they refer to resources
  await cib(['--replace', '--scope', 'constraints', '--xml-text', '<constraints/>']);
  const before = (await cib(['--query'])).stdout;
  for (const section of ['tags', 'alerts', 'fencing-topology']) {
    if (new RegExp(`<${section}[\\s>/]`).test(before)) {
      await cib(['--delete-all', '--force', '--xpath', `/cib/configuration/${section}`], [0, 105]);
    }
  }
  await cib(['--replace', '--scope', 'resources', '--xml-text', '<resources/>']);
  await waitFor(async () => (await crmMon()).resources.every((r) => !r.active), {timeoutMs: 120_000, intervalMs: 500, what: 'all resources to stop'});
  const mon = await crmMon();
  for (const n of remoteNodeNames((await cib(['--query'])).stdout, mon)) {
    const r = await exec('crm_node', ['--force', '--remove', n], {timeoutMs: 30_000});
    if (r.code !== 0) throw new Error(`crm_node --force --remove ${n} failed (${r.code}): ${r.stderr.trim()}`);
  }
  await exec('crm_resource', ['--cleanup'], {timeoutMs: 60_000});
  await waitFor(
    async () => {
      const m = await crmMon();
      return m.resources.length === 0 && m.failures.length === 0 && m.nodes.every((n) => n.type === 'member') && m.node(CLUSTER_NODE)?.online;
    },
    {timeoutMs: 60_000, intervalMs: 500, what: 'crm_mon to show only pcmk-1, no resources, no failures'},
  );
  await resetKnownHosts();
}

/** Drop every pcs known-hosts entry except the cluster node (pcs host deauth: the real tool). */
async function resetKnownHosts(): Promise<void> {
  let names: string[] = [];
  try {
    const j = JSON.parse(readFileSync(lab.knownHostsFile, 'utf8')) as {known_hosts?: Record<string, unknown>};
    names = Object.keys(j.known_hosts ?? {}).filter((n) => n !== CLUSTER_NODE);
  } catch {
    return;
  }
  if (names.length === 0) return;
  const r = await exec('pcs', ['host', 'deauth', ...names], {timeoutMs: 60_000, cwd: '/'});
  if (r.code !== 0) throw new Error(`pcs host deauth ${names.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
}

/** Back to a fresh host: link up, sshd+pcsd running, pacemaker_remote stopped+disabled, no authkey/cluster files. */
export async function resetHost(name: string): Promise<void> {
  const h = labHost(name);
  await restoreLink(name);
  const r = await onHost(name, ['systemctl', 'disable', '--now', 'pacemaker_remote'], {timeoutMs: 90_000});
  if (r.code !== 0) throw new Error(`${name}: systemctl disable --now pacemaker_remote failed: ${r.stderr.trim()}`);
  for (const dir of ['/etc/pacemaker', '/etc/corosync', '/run/resource-agents']) {
    const real = hostPath(name, dir);
    if (real === dir) throw new Error(`${name}: ${dir} is not private to the host`); // never the machine's own
    for (const e of existsSync(real) ? readdirSync(real) : []) rmSync(join(real, e), {recursive: true, force: true});
  }
  for (const [unit, port] of [['sshd', 22], ['pcsd', PCSD_PORT]] as const) {
    if (!(await serviceState(name, unit)).active) await systemctl(name, 'start', unit);
    await waitFor(() => tcpOpen(h.addr, port), {timeoutMs: 60_000, intervalMs: 200, what: `${unit} on ${name}`});
  }
  // remoted must really be gone (its port closed) before a test adds the host again
  await waitFor(async () => !(await tcpOpen(h.addr, REMOTE_PORT, 500)), {timeoutMs: 10_000, intervalMs: 100, what: `port ${REMOTE_PORT} on ${name} to close`});
}

/** resetCluster() and resetHost() for every lab host. */
export async function resetLab(): Promise<void> {
  await resetCluster();
  for (const h of hosts) await resetHost(h.name);
}

/** Small pause helper for tests that must let time pass (prefer waitFor). */
export {sleep};
