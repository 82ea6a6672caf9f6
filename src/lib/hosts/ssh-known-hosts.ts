// OpenSSH known_hosts verification: plain and hashed (|1|salt|hmac) host
// patterns, [host]:port, comma lists with !negation and wildcards, markers
// (@revoked rejects, @cert-authority is skipped), and ALL matching lines are
// considered (a host usually has several key types).
import {createHash, createHmac, randomBytes} from 'node:crypto';
import {existsSync, readFileSync} from 'node:fs';
import {appendFile, mkdir} from 'node:fs/promises';
import {dirname} from 'node:path';
import {matchPatternList} from './ssh-config.js';

export interface KnownHostLine {
  file: string;
  line: number;
  marker?: '@revoked' | '@cert-authority';
  hosts: string;
  keyType: string;
  key: string; // base64 blob
}

export type HostKeyVerdict =
  | {status: 'ok'; matched: KnownHostLine}
  | {status: 'unknown'; otherTypes: string[]}
  | {status: 'changed'; known: KnownHostLine[]}
  | {status: 'revoked'; matched: KnownHostLine};

/** The name known_hosts uses for host:port ("[host]:port" unless port 22). */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Key type (first length-prefixed string of the public key blob). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return '';
  const n = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + n).toString('latin1');
}

/** OpenSSH-style fingerprint: SHA256:<base64 without padding>. */
export function sshFingerprint(blob: Buffer | string): string {
  const b = typeof blob === 'string' ? Buffer.from(blob, 'base64') : blob;
  return 'SHA256:' + createHash('sha256').update(b).digest('base64').replace(/=+$/, '');
}

export function parseKnownHostsText(text: string, file: string): KnownHostLine[] {
  const out: KnownHostLine[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostLine['marker'];
    if (fields[0].startsWith('@')) {
      const m = fields.shift()!;
      if (m !== '@revoked' && m !== '@cert-authority') return; // unknown marker: ignore line
      marker = m;
    }
    if (fields.length < 3) return;
    out.push({file, line: i + 1, marker, hosts: fields[0], keyType: fields[1], key: fields[2]});
  });
  return out;
}

/** Does the host field of a line match `name` ("host" or "[host]:port")? */
export function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return mac === hash;
  }
  return matchPatternList(name.toLowerCase(), field.split(',').map((p) => p.toLowerCase()));
}

export function readKnownHostsFiles(files: readonly string[]): KnownHostLine[] {
  const lines: KnownHostLine[] = [];
  for (const f of files) {
    if (!existsSync(f)) continue;
    try {
      lines.push(...parseKnownHostsText(readFileSync(f, 'utf8'), f));
    } catch {
      // unreadable file: as if absent
    }
  }
  return lines;
}

/** Key types recorded for a host (to restrict the algorithms offered, as OpenSSH does). */
export function knownKeyTypes(lines: readonly KnownHostLine[], name: string): string[] {
  return [...new Set(lines.filter((l) => !l.marker && hostFieldMatches(l.hosts, name)).map((l) => l.keyType))];
}

export function verifyHostKey(lines: readonly KnownHostLine[], name: string, blob: Buffer): HostKeyVerdict {
  const b64 = blob.toString('base64');
  const type = keyTypeOf(blob);
  const matching = lines.filter((l) => hostFieldMatches(l.hosts, name));
  const revoked = matching.find((l) => l.marker === '@revoked' && l.key === b64);
  if (revoked) return {status: 'revoked', matched: revoked};
  const plain = matching.filter((l) => !l.marker);
  const same = plain.find((l) => l.key === b64);
  if (same) return {status: 'ok', matched: same};
  const sameType = plain.filter((l) => l.keyType === type);
  if (sameType.length > 0) return {status: 'changed', known: sameType};
  return {status: 'unknown', otherTypes: [...new Set(plain.map((l) => l.keyType))]};
}

/** Append a host key (plain host field, like `StrictHostKeyChecking=accept-new` with HashKnownHosts=no). */
export async function appendKnownHost(file: string, name: string, blob: Buffer, hashed = false): Promise<void> {
  await mkdir(dirname(file), {recursive: true, mode: 0o700});
  let field = name;
  if (hashed) {
    const salt = randomBytes(20);
    field = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
  }
  let prefix = '';
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    if (text.length > 0 && !text.endsWith('\n')) prefix = '\n';
  }
  await appendFile(file, `${prefix}${field} ${keyTypeOf(blob)} ${blob.toString('base64')}\n`, {mode: 0o600});
}
