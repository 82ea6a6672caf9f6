// pcs's known-hosts file (/var/lib/pcsd/known-hosts as root,
// ~/.pcs/known-hosts otherwise): tokens pcsd hands out, per node name.
// Read any valid formatting strictly; write exactly the Ruby writer's layout
// (JSON.pretty_generate, hosts sorted, no trailing newline), data_version +1
// per save, 0600, temp file + rename, under a lock that serialises our own
// runs (directory) and pcsd's Ruby writer (flock on the file itself).
import {existsSync} from 'node:fs';
import {mkdir, readFile} from 'node:fs/promises';
import {homedir} from 'node:os';
import {dirname, join} from 'node:path';
import {fail} from '../report.js';
import {writeFileAtomic} from '../util/atomic-write.js';
import {isJsonObject, parseJsonObject} from '../util/json.js';
import {withLock} from '../util/lock.js';

export const PCSD_DEFAULT_PORT = 2224;

export interface Dest {
  addr: string;
  port: number;
}

export interface KnownHost {
  dest_list: Dest[];
  token: string;
}

export interface KnownHostsFile {
  format_version: 1;
  data_version: number;
  known_hosts: Record<string, KnownHost>;
}

/** Where pcs keeps known-hosts for the current user (env PCMKCTL_KNOWN_HOSTS overrides). */
export function knownHostsPath(): string {
  if (process.env.PCMKCTL_KNOWN_HOSTS) return process.env.PCMKCTL_KNOWN_HOSTS;
  if (process.getuid?.() === 0) return '/var/lib/pcsd/known-hosts';
  return join(homedir(), '.pcs', 'known-hosts');
}

export function emptyKnownHosts(): KnownHostsFile {
  return {format_version: 1, data_version: 0, known_hosts: {}};
}

const isPort = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535;

/** Strict parse; every problem is a KNOWN_HOSTS_INVALID error naming the file and the field. */
export function parseKnownHosts(text: string, path = 'known-hosts'): KnownHostsFile {
  const bad = (what: string): never =>
    fail('KNOWN_HOSTS_INVALID', `Unable to parse known-hosts file '${path}': ${what}`, {
      hint: 'fix or remove the file, then run host auth again',
    });
  const raw = parseJsonObject(text, bad);
  if (raw.format_version === undefined) return bad("missing 'format_version'");
  if (raw.format_version !== 1) return bad(`unsupported format_version ${JSON.stringify(raw.format_version)} (only 1 is known)`);
  if (raw.data_version === undefined) return bad("missing 'data_version'");
  if (!Number.isInteger(raw.data_version) || (raw.data_version as number) < 0) return bad("'data_version' is not a non-negative integer");
  if (raw.known_hosts === undefined) return bad("missing 'known_hosts'");
  if (!isJsonObject(raw.known_hosts)) return bad("'known_hosts' is not an object");
  const hosts: Record<string, KnownHost> = {};
  for (const [name, h] of Object.entries(raw.known_hosts)) {
    if (!isJsonObject(h)) return bad(`host '${name}' is not an object`);
    if (typeof h.token !== 'string') return bad(`host '${name}': 'token' is missing or not a string`);
    if (!Array.isArray(h.dest_list)) return bad(`host '${name}': 'dest_list' is missing or not a list`);
    const dests: Dest[] = [];
    for (const [i, d] of h.dest_list.entries()) {
      if (!isJsonObject(d)) return bad(`host '${name}': dest_list[${i}] is not an object`);
      if (typeof d.addr !== 'string' || d.addr === '') return bad(`host '${name}': dest_list[${i}].addr is missing or not a string`);
      if (!isPort(d.port)) return bad(`host '${name}': dest_list[${i}].port is missing or not a port number`);
      dests.push({addr: d.addr, port: d.port});
    }
    hosts[name] = {dest_list: dests, token: h.token};
  }
  return {format_version: 1, data_version: raw.data_version as number, known_hosts: hosts};
}

/** Ruby JSON.pretty_generate layout: 2-space indent, hosts sorted by name, no trailing newline. */
export function serializeKnownHosts(file: KnownHostsFile): string {
  const sorted: Record<string, KnownHost> = {};
  for (const name of Object.keys(file.known_hosts).sort()) {
    const h = file.known_hosts[name];
    sorted[name] = {dest_list: h.dest_list.map((d) => ({addr: d.addr, port: d.port})), token: h.token};
  }
  return JSON.stringify({format_version: 1, data_version: file.data_version, known_hosts: sorted}, null, 2);
}

/** Read without locking (a missing file is an empty one). */
export async function readKnownHosts(path = knownHostsPath()): Promise<KnownHostsFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return emptyKnownHosts();
    return fail('KNOWN_HOSTS_UNREADABLE', `Unable to read the known-hosts file '${path}': ${err.message}`);
  }
  return parseKnownHosts(text, path);
}

/**
 * Read-modify-write under the lock. `mutate` changes the object in place
 * and returns false to skip the write (nothing changed). Returns the file
 * as saved (or as read when nothing was written).
 */
export async function updateKnownHosts(
  mutate: (file: KnownHostsFile) => boolean | void,
  path = knownHostsPath(),
): Promise<{file: KnownHostsFile; written: boolean}> {
  const dir = dirname(path);
  if (!existsSync(dir)) await mkdir(dir, {recursive: true, mode: 0o700});
  // Directory lock: our own processes (the file may not exist yet, and
  // flock(1) would create it with the umask's mode). File lock: pcsd/pcs.
  return withLock(dir, async () => {
    const underFileLock = async () => {
      const file = await readKnownHosts(path);
      if (mutate(file) === false) return {file, written: false};
      file.data_version += 1;
      await writeFileAtomic(path, serializeKnownHosts(file), {mode: 0o600});
      return {file, written: true};
    };
    return existsSync(path) ? withLock(path, underFileLock) : underFileLock();
  });
}

/** Look a host up by node name; undefined when pcs does not know it. */
export function lookupHost(file: KnownHostsFile, name: string): KnownHost | undefined {
  return Object.prototype.hasOwnProperty.call(file.known_hosts, name) ? file.known_hosts[name] : undefined;
}
