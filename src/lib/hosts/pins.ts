// TLS certificate pins for pcsd (trust on first use), kept in our own file
// next to known-hosts: pcsd's Ruby writer drops keys it does not know, so
// pins never go into known-hosts itself. Keyed "addr:port" ("[v6]:port").
import {existsSync} from 'node:fs';
import {mkdir, readFile} from 'node:fs/promises';
import {dirname, join} from 'node:path';
import {fail} from '../report.js';
import {writeFileAtomic} from '../util/atomic-write.js';
import {isJsonObject, parseJsonObject} from '../util/json.js';
import {withLock} from '../util/lock.js';
import {knownHostsPath} from './known-hosts.js';

export interface Pin {
  /** SHA-256 fingerprint as Node prints it: 32 upper-case hex bytes, colon separated. */
  sha256: string;
  /** Node name the pin was recorded for (informational). */
  host?: string;
  /** ISO time the pin was stored. */
  pinnedAt: string;
}

export interface PinsFile {
  version: 1;
  pins: Record<string, Pin>;
}

export function pinsPath(): string {
  if (process.env.PCMKCTL_PINS) return process.env.PCMKCTL_PINS;
  return join(dirname(knownHostsPath()), 'pcmkctl-pins.json');
}

export function pinKey(addr: string, port: number): string {
  const a = addr.startsWith('[') && addr.endsWith(']') ? addr.slice(1, -1) : addr;
  return a.includes(':') ? `[${a.toLowerCase()}]:${port}` : `${a.toLowerCase()}:${port}`;
}

const FP_RE = /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/;

export function parsePins(text: string, path: string): PinsFile {
  const bad = (what: string): never =>
    fail('PINS_INVALID', `Unable to parse the certificate pin file '${path}': ${what}`, {
      hint: 'fix or remove it; certificates are pinned again on the next host auth',
    });
  const r = parseJsonObject(text, bad);
  if (r.version !== 1) return bad('unsupported version');
  if (!isJsonObject(r.pins)) return bad("'pins' is not an object");
  const pins: Record<string, Pin> = {};
  for (const [k, p] of Object.entries(r.pins)) {
    if (!isJsonObject(p) || typeof p.sha256 !== 'string' || !FP_RE.test(p.sha256)) return bad(`pin '${k}' has no valid sha256`);
    pins[k] = {sha256: p.sha256, host: typeof p.host === 'string' ? p.host : undefined, pinnedAt: typeof p.pinnedAt === 'string' ? p.pinnedAt : ''};
  }
  return {version: 1, pins};
}

export async function readPins(path = pinsPath()): Promise<PinsFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return {version: 1, pins: {}};
    return fail('PINS_UNREADABLE', `Unable to read the certificate pin file '${path}': ${err.message}`);
  }
  return parsePins(text, path);
}

/** Read-modify-write the pins under a lock of their own (never nested with the known-hosts lock). */
export async function updatePins(mutate: (file: PinsFile) => boolean | void, path = pinsPath()): Promise<PinsFile> {
  const dir = dirname(path);
  if (!existsSync(dir)) await mkdir(dir, {recursive: true, mode: 0o700});
  const lockFile = join(dir, '.pcmkctl-pins.lock');
  return withLock(lockFile, async () => {
    const file = await readPins(path);
    if (mutate(file) === false) return file;
    const sorted: Record<string, Pin> = {};
    for (const k of Object.keys(file.pins).sort()) sorted[k] = file.pins[k];
    await writeFileAtomic(path, JSON.stringify({version: 1, pins: sorted}, null, 2) + '\n', {mode: 0o600});
    return file;
  });
}

export async function savePins(entries: {key: string; sha256: string; host?: string}[], path = pinsPath()): Promise<void> {
  if (entries.length === 0) return;
  await updatePins((f) => {
    let changed = false;
    for (const e of entries) {
      if (f.pins[e.key]?.sha256 === e.sha256 && f.pins[e.key]?.host === e.host) continue;
      f.pins[e.key] = {sha256: e.sha256, host: e.host, pinnedAt: new Date().toISOString()};
      changed = true;
    }
    return changed;
  }, path);
}
