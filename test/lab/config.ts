// Lab settings shared by the harness (ctl.ts) and the test helpers (lab.ts).
// Everything the lab touches has a pcmkctl-specific name so that it cannot
// collide with other labs on the machine: state dir, bridge, subnet, veth
// prefix, /etc/hosts marker.
import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';

export const STATE_DIR = process.env.PCMKCTL_LAB_STATE ?? '/var/lib/pcmkctl-lab';
export const BRIDGE = 'pcmkctl0';
export const PREFIX_LEN = 24;
export const SUBNET = '10.88.0.0/24';
export const VETH_PREFIX = 'pl-';
export const HOSTS_MARKER = 'pcmkctl-lab';
export const CLUSTER_NAME = 'pcmkctllab';
export const CLUSTER_NODE = 'pcmk-1';
export const CLUSTER_ADDR = '10.88.0.1';
/** hacluster's password while the lab is up (the same on every lab host: shared /etc/shadow). */
export const PASSWORD = 'labpass';
export const PCSD_PORT = 2224;
export const REMOTE_PORT = 3121;
/** pacemaker-remoted extracted from the pacemaker-remote .deb by install.sh. */
export const REMOTED_ROOT = '/opt/pcmkctl-remote';
export const REMOTED_BIN = `${REMOTED_ROOT}/usr/sbin/pacemaker-remoted`;
/** Pacemaker's first DC election waits this long; the default 20s makes setup slow. */
export const DC_DEADTIME = '5s';
/** pcsd forks this many Python workers (default 10, ~50 MB each). */
export const PCSD_WORKERS = 1;

export interface LabHost {
  name: string;
  addr: string;
}

export const DEFAULT_HOSTS: LabHost[] = [
  {name: 'remote1', addr: '10.88.0.11'},
  {name: 'remote2', addr: '10.88.0.12'},
  {name: 'guest1', addr: '10.88.0.21'},
];

/** Host names become veth names `pl-<name>` (15 characters at most) and hostnames. */
const NAME_RE = /^[a-z][a-z0-9-]{0,11}$/;
const ADDR_RE = /^10\.88\.0\.(\d{1,3})$/;

/**
 * LAB_HOSTS: unset → remote1, remote2, guest1; a count N → remote1..remoteN at
 * 10.88.0.(10+i); or a list "name:addr name:addr" (commas work too).
 */
export function parseHosts(spec: string | undefined): LabHost[] {
  if (spec === undefined || spec.trim() === '') return DEFAULT_HOSTS;
  const s = spec.trim();
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    if (n < 1 || n > 200) throw new Error(`LAB_HOSTS=${s}: count must be 1..200`);
    return Array.from({length: n}, (_, i) => ({name: `remote${i + 1}`, addr: `10.88.0.${11 + i}`}));
  }
  const hosts = s.split(/[\s,]+/).map((item) => {
    const [name, addr] = item.split(':');
    if (!name || !NAME_RE.test(name)) throw new Error(`LAB_HOSTS: bad host name "${name}" (a-z0-9-, at most 12)`);
    const m = addr ? ADDR_RE.exec(addr) : null;
    if (!addr || !m || Number(m[1]) < 2 || Number(m[1]) > 254) {
      throw new Error(`LAB_HOSTS: "${item}" needs an address in 10.88.0.2-254 (name:addr)`);
    }
    return {name, addr};
  });
  const names = new Set(hosts.map((h) => h.name));
  const addrs = new Set(hosts.map((h) => h.addr));
  if (names.size !== hosts.length || addrs.size !== hosts.length) throw new Error('LAB_HOSTS: duplicate name or address');
  if (names.has(CLUSTER_NODE)) throw new Error(`LAB_HOSTS: ${CLUSTER_NODE} is the cluster node`);
  return hosts;
}

/** Paths inside the state directory. */
export const paths = {
  state: STATE_DIR,
  /** Written at the end of a successful setup: the host list of the running lab. */
  labJson: join(STATE_DIR, 'lab.json'),
  /** flock: ctl.ts setup/teardown and lab test files (lockLab) exclude each other. */
  lock: join(STATE_DIR, 'lab.lock'),
  bin: join(STATE_DIR, 'bin'),
  hostInit: join(STATE_DIR, 'bin', 'host-init'),
  shim: join(STATE_DIR, 'bin', 'systemctl'),
  pids: join(STATE_DIR, 'pids'),
  logs: join(STATE_DIR, 'logs'),
  backup: join(STATE_DIR, 'backup'),
  /** Fingerprints of the system files the lab changes, taken before it changed them. */
  baseline: join(STATE_DIR, 'baseline.json'),
  ssh: join(STATE_DIR, 'ssh'),
  sshKey: join(STATE_DIR, 'ssh', 'id_ed25519'),
  sshConfig: join(STATE_DIR, 'ssh', 'config'),
  knownHosts: join(STATE_DIR, 'ssh', 'known_hosts'),
  hostKeys: (name: string) => join(STATE_DIR, 'ssh', 'hostkeys', name),
  hosts: join(STATE_DIR, 'hosts'),
  host: (name: string) => join(STATE_DIR, 'hosts', name),
  hostRun: (name: string) => join(STATE_DIR, 'hosts', name, 'run'),
  hostFs: (name: string) => join(STATE_DIR, 'hosts', name, 'fs'),
  netnsEtc: (name: string) => join('/etc/netns', name),
};

/**
 * Directories that are private per host (bind-mounted by host-init over the
 * machine's ones): /run because pcsd's sockets, sshd's pid and Dummy state
 * files live there; the /var ones so pcsd and pacemaker-remoted keep their
 * own state and logs (and check_host sees no cib.xml); /root so a host has
 * its own root home and shell start-up files.
 */
export const PRIVATE_DIRS = ['/var/lib/pcsd', '/var/log/pcsd', '/var/lib/pacemaker', '/var/log/pacemaker', '/root'];

export function vethName(host: string): string {
  return `${VETH_PREFIX}${host}`;
}

/** The hosts of the running lab (lab.json), else what LAB_HOSTS asks for. */
export function labHosts(): LabHost[] {
  if (existsSync(paths.labJson)) {
    try {
      const j = JSON.parse(readFileSync(paths.labJson, 'utf8')) as {hosts?: LabHost[]};
      if (Array.isArray(j.hosts)) return j.hosts;
    } catch {
      // a torn write: fall back to the environment
    }
  }
  return parseHosts(process.env.LAB_HOSTS);
}
