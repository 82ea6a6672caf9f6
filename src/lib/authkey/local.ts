// The Pacemaker Remote authkey on this (cluster) node: where it lives,
// reading it, creating it. The key is root-equivalent on every remote node:
// never logged, created 0400 hacluster:haclient (when those exist) before a
// single byte is written.
import {createHash, randomBytes} from 'node:crypto';
import {readFile, stat, unlink} from 'node:fs/promises';
import {dirname} from 'node:path';
import {mkdir} from 'node:fs/promises';
import {fail} from '../report.js';
import {writeFileAtomic} from '../util/atomic-write.js';
import {exec} from '../util/exec.js';

export const DEFAULT_AUTHKEY_PATH = '/etc/pacemaker/authkey';
/** pcs-compatible size; at most 512 keeps a TLS-PSK check from Node possible. */
export const AUTHKEY_BYTES = 256;

/** PCMK_authkey_location from a sysconfig/default file's text, if set. */
export function authkeyLocationFrom(sysconfigText: string): string | undefined {
  let found: string | undefined;
  for (const line of sysconfigText.split('\n')) {
    const m = /^\s*(?:export\s+)?PCMK_authkey_location\s*=\s*(["']?)(.*?)\1\s*$/.exec(line);
    if (m && m[2] !== '') found = m[2];
  }
  return found;
}

/** Where this node's Pacemaker reads its key (PCMK_authkey_location, else the default). */
export async function localAuthkeyPath(): Promise<string> {
  if (process.env.PCMKCTL_AUTHKEY) return process.env.PCMKCTL_AUTHKEY;
  for (const file of ['/etc/sysconfig/pacemaker', '/etc/default/pacemaker']) {
    try {
      const location = authkeyLocationFrom(await readFile(file, 'utf8'));
      if (location) return location;
    } catch {
      // not present on this distribution
    }
  }
  return DEFAULT_AUTHKEY_PATH;
}

export function fingerprint(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex');
}

export interface LocalAuthkey {
  path: string;
  key?: Buffer;
  sha256?: string;
}

export async function readLocalAuthkey(): Promise<LocalAuthkey> {
  const path = await localAuthkeyPath();
  try {
    const key = await readFile(path);
    if (key.length === 0) fail('AUTHKEY_EMPTY', `Pacemaker authkey '${path}' is empty`, {hint: 'remove it to have a new key generated'});
    return {path, key, sha256: fingerprint(key)};
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return {path};
    if (err.code) fail('AUTHKEY_UNREADABLE', `Unable to read Pacemaker authkey '${path}': ${err.code}`);
    throw e;
  }
}

export function generateAuthkey(): Buffer {
  return randomBytes(AUTHKEY_BYTES);
}

async function idOf(kind: 'passwd' | 'group', name: string): Promise<number | undefined> {
  try {
    const r = await exec('getent', [kind, name], {timeoutMs: 10_000});
    const id = Number(r.stdout.split(':')[2]);
    return r.code === 0 && Number.isInteger(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Owner and group for an authkey: hacluster:haclient where they exist. */
export async function authkeyOwnership(): Promise<{uid?: number; gid?: number}> {
  return {uid: await idOf('passwd', 'hacluster'), gid: await idOf('group', 'haclient')};
}

/** Create the local key atomically; refuses to replace an existing one. */
export async function writeLocalAuthkey(path: string, key: Buffer): Promise<void> {
  try {
    await stat(path);
    fail('AUTHKEY_EXISTS', `Pacemaker authkey '${path}' appeared meanwhile; not replacing it`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  await mkdir(dirname(path), {recursive: true, mode: 0o750});
  await writeFileAtomic(path, key, {mode: 0o400, ...(await authkeyOwnership())});
}

export async function removeLocalAuthkey(path: string): Promise<void> {
  await unlink(path);
}
