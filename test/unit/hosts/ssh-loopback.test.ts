// The SSH transport against a real OpenSSH sshd on loopback (own config,
// own host keys, root login by a temporary key). Needs root and sshd.
import assert from 'node:assert/strict';
import {execFileSync, spawn, type ChildProcess} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {createConnection, createServer} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, describe, test} from 'node:test';
import {HostErrorCode} from '../../../src/lib/hosts/host-errors.js';
import {SshTransport, type SshTransportOptions} from '../../../src/lib/hosts/ssh.js';
import {PcmkctlError, silentReporter} from '../../../src/lib/report.js';

const SSHD = '/usr/sbin/sshd';
const skip = process.getuid?.() !== 0 ? 'needs root' : !existsSync(SSHD) ? 'sshd not installed' : false;

const dir = mkdtempSync(join(tmpdir(), 'pcmkctl-sshd-'));
let sshd: ChildProcess | undefined;
let port = 0;
function haveHacluster(): boolean {
  try {
    execFileSync('id', ['hacluster'], {stdio: 'ignore'});
    return true;
  } catch {
    return false;
  }
}
const isCode = (code: string) => (e: unknown) => e instanceof PcmkctlError && e.code === code;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as {port: number}).port;
  await new Promise((r) => s.close(r));
  return p;
}

async function waitForPort(p: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (let i = 0; i < 100 && Date.now() < until; i++) {
    const ok = await new Promise<boolean>((r) => {
      const c = createConnection(p, '127.0.0.1', () => (c.end(), r(true)));
      c.on('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`sshd did not listen on ${p}`);
}

describe('ssh transport against a real sshd on loopback', {skip}, () => {
  const clientKey = join(dir, 'id_ed25519');
  const knownHosts = join(dir, 'known_hosts');
  const keyDir = join(dir, 'pacemaker');
  const authkey = join(keyDir, 'authkey');
  const opts = (extra: Partial<SshTransportOptions> = {}): SshTransportOptions => ({
    reporter: silentReporter,
    user: 'root',
    identity: clientKey,
    port,
    knownHostsFile: knownHosts,
    authkeyPath: authkey,
    sshConfigPath: join(dir, 'no-config'),
    requestTimeoutMs: 20_000,
    ...extra,
  });

  before(async () => {
    mkdirSync('/run/sshd', {recursive: true, mode: 0o755});
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_ed25519'), '-C', ''], {stdio: 'ignore'});
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', clientKey, '-C', ''], {stdio: 'ignore'});
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${clientKey}.pub`));
    port = await freePort();
    writeFileSync(
      join(dir, 'sshd_config'),
      [
        `HostKey ${join(dir, 'host_ed25519')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        `PidFile ${join(dir, 'sshd.pid')}`,
        'ListenAddress 127.0.0.1',
        'Subsystem sftp internal-sftp',
      ].join('\n') + '\n',
    );
    sshd = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config'), '-p', String(port)], {stdio: ['ignore', 'ignore', 'pipe']});
    await waitForPort(port, 10_000);
    mkdirSync(keyDir, {recursive: true});
  });

  after(() => {
    sshd?.kill('SIGTERM');
    rmSync(dir, {recursive: true, force: true});
  });

  test('unknown host key is refused without --ssh-accept-new (with its SHA256 fingerprint)', async () => {
    const t = new SshTransport(opts());
    const fp = execFileSync('ssh-keygen', ['-l', '-f', join(dir, 'host_ed25519.pub')], {encoding: 'utf8'}).split(/\s+/)[1];
    await assert.rejects(t.checkAuth({name: '127.0.0.1'}), (e: unknown) => isCode(HostErrorCode.sshHostKeyUnknown)(e) && (e as Error).message.includes(fp) && /--ssh-accept-new/.test((e as PcmkctlError).reports[0].hint!));
    await t.close();
    assert.equal(existsSync(knownHosts), false);
  });

  test('--ssh-accept-new records the key (ssh-keygen -F finds it) and connects', async () => {
    const t = new SshTransport(opts({acceptNew: true}));
    await t.checkAuth({name: '127.0.0.1'});
    await t.close();
    assert.equal(execFileSync('ssh-keygen', ['-F', `[127.0.0.1]:${port}`, '-f', knownHosts]).length > 0, true);
    // now known: connects without accept-new
    const t2 = new SshTransport(opts());
    await t2.checkAuth({name: '127.0.0.1'});
    await t2.close();
  });

  test('writes the authkey atomically: content, 0400, hacluster:haclient; conflict/same_content/rewritten; read back; remove', async (t) => {
    if (!haveHacluster()) return t.skip('user hacluster not present');
    const tr = new SshTransport(opts());
    try {
      rmSync(authkey, {force: true});
      const key = Buffer.from([0, 1, 2, 3, 255, 10, 13, 39]);
      assert.equal(await tr.putAuthkey({name: '127.0.0.1'}, key, {overwrite: false}), 'written');
      assert.deepEqual(readFileSync(authkey), key);
      const st = statSync(authkey);
      assert.equal(st.mode & 0o777, 0o400);
      assert.equal(execFileSync('stat', ['-c', '%U:%G', authkey], {encoding: 'utf8'}).trim(), 'hacluster:haclient');
      assert.equal(await tr.putAuthkey({name: '127.0.0.1'}, key, {overwrite: false}), 'same_content');
      const other = Buffer.alloc(256, 7);
      assert.equal(await tr.putAuthkey({name: '127.0.0.1'}, other, {overwrite: false}), 'conflict');
      assert.deepEqual(readFileSync(authkey), key, 'conflict must not write');
      const state = await tr.readAuthkey({name: '127.0.0.1'});
      assert.equal(state.exists, true);
      assert.deepEqual(state.content, key);
      assert.equal(state.mode, 0o400);
      assert.equal(state.owner, 'hacluster');
      assert.equal(await tr.putAuthkey({name: '127.0.0.1'}, other, {overwrite: true}), 'rewritten');
      assert.deepEqual(readFileSync(authkey), other);
      assert.deepEqual(
        execFileSync('ls', ['-A', keyDir], {encoding: 'utf8'}).trim().split('\n'),
        ['authkey'],
        'no temp files left behind',
      );
      assert.equal(await tr.removeAuthkey({name: '127.0.0.1'}), 'deleted');
      assert.equal(await tr.removeAuthkey({name: '127.0.0.1'}), 'not_found');
      assert.deepEqual(await tr.readAuthkey({name: '127.0.0.1'}), {exists: false, path: authkey});
    } finally {
      await tr.close();
    }
  });

  test('one round trip answers checkAuth, checkHost and readAuthkey; a write is one more and is seen by the next read', async (t) => {
    if (!haveHacluster()) return t.skip('user hacluster not present');
    const tr = new SshTransport(opts());
    const host = {name: '127.0.0.1'};
    const runs: string[] = [];
    const exec = tr.exec.bind(tr);
    tr.exec = (h, script, args, input) => (runs.push(script.split('\n')[0]), exec(h, script, args, input));
    try {
      rmSync(authkey, {force: true});
      await tr.checkAuth(host);
      const facts = await tr.checkHost(host);
      assert.equal(typeof facts.pacemakerRemoteInstalled, 'boolean');
      assert.deepEqual(await tr.readAuthkey(host), {exists: false, path: authkey});
      assert.equal(runs.length, 1, `one remote command, ran: ${runs.join(' | ')}`);
      const key = Buffer.alloc(32, 5);
      assert.equal(await tr.putAuthkey(host, key, {overwrite: false}), 'written');
      assert.equal(runs.length, 2, `the write is one command, ran: ${runs.join(' | ')}`);
      const after = await tr.readAuthkey(host);
      assert.deepEqual([after.exists, after.content, after.mode, after.owner, after.group], [true, key, 0o400, 'hacluster', 'haclient']);
      assert.equal(runs.length, 3, 'a write drops what the probe found');
    } finally {
      await tr.close();
    }
  });

  test('a key that appears or changes after it was read is never overwritten without overwrite', async (t) => {
    if (!haveHacluster()) return t.skip('user hacluster not present');
    const host = {name: '127.0.0.1'};
    const mine = Buffer.alloc(32, 1);
    const theirs = Buffer.alloc(32, 2);
    let tr = new SshTransport(opts());
    try {
      rmSync(authkey, {force: true});
      assert.deepEqual(await tr.readAuthkey(host), {exists: false, path: authkey});
      writeFileSync(authkey, theirs, {mode: 0o600}); // someone else, after our read
      assert.equal(await tr.putAuthkey(host, mine, {overwrite: false}), 'conflict');
      assert.deepEqual(readFileSync(authkey), theirs);
    } finally {
      await tr.close();
    }
    tr = new SshTransport(opts());
    try {
      assert.deepEqual((await tr.readAuthkey(host)).content, theirs);
      writeFileSync(authkey, mine); // now it holds our key already
      assert.equal(await tr.putAuthkey(host, mine, {overwrite: false}), 'same_content');
      assert.equal(statSync(authkey).mode & 0o777, 0o600, 'same_content writes nothing');
      assert.deepEqual(execFileSync('ls', ['-A', keyDir], {encoding: 'utf8'}).trim().split('\n'), ['authkey'], 'no temp files left behind');
    } finally {
      await tr.close();
      rmSync(authkey, {force: true});
    }
  });

  test('hostile path/name arguments are data, not code', async () => {
    const marker = join(dir, 'pwned');
    const hostile = join(dir, `x'; touch ${marker}; echo '$(touch ${marker})`);
    const tr = new SshTransport(opts({authkeyPath: hostile}));
    try {
      assert.equal(await tr.removeAuthkey({name: '127.0.0.1'}), 'not_found');
      const r = await tr.exec({name: '127.0.0.1'}, 'printf %s "$1"', [`a'b $(touch ${marker}) \`id\``]);
      assert.equal(r.stdout.toString(), `a'b $(touch ${marker}) \`id\``);
      assert.equal(existsSync(marker), false);
    } finally {
      await tr.close();
    }
  });

  test('a changed host key is refused, naming old and new fingerprints', async () => {
    const other = join(dir, 'other_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other, '-C', ''], {stdio: 'ignore'});
    const pub = readFileSync(`${other}.pub`, 'utf8').split(/\s+/);
    const fake = join(dir, 'known_hosts_changed');
    writeFileSync(fake, `[127.0.0.1]:${port} ${pub[0]} ${pub[1]}\n`);
    const t = new SshTransport(opts({knownHostsFile: fake, acceptNew: true}));
    const oldFp = execFileSync('ssh-keygen', ['-l', '-f', `${other}.pub`], {encoding: 'utf8'}).split(/\s+/)[1];
    const newFp = execFileSync('ssh-keygen', ['-l', '-f', join(dir, 'host_ed25519.pub')], {encoding: 'utf8'}).split(/\s+/)[1];
    await assert.rejects(t.checkAuth({name: '127.0.0.1'}), (e: unknown) => isCode(HostErrorCode.sshHostKeyChanged)(e) && (e as Error).message.includes(oldFp) && (e as Error).message.includes(newFp));
    await t.close();
    assert.equal(readFileSync(fake, 'utf8').split('\n').filter(Boolean).length, 1, 'accept-new never replaces a changed key');
  });

  test('wrong key → SSH_AUTH_FAILED; refused port; unresolvable name; silent port times out once', async () => {
    const bad = join(dir, 'bad_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', bad, '-C', ''], {stdio: 'ignore'});
    let t = new SshTransport(opts({identity: bad}));
    await assert.rejects(t.checkAuth({name: '127.0.0.1'}), isCode(HostErrorCode.sshAuthFailed));
    await t.close();
    t = new SshTransport(opts({port: await freePort()}));
    await assert.rejects(t.checkAuth({name: '127.0.0.1'}), isCode(HostErrorCode.refused));
    t = new SshTransport(opts());
    await assert.rejects(t.checkAuth({name: 'no-such-host.invalid'}), isCode(HostErrorCode.unresolved));
    // Fake: a TCP port that never speaks (filtered/hung peer).
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    t = new SshTransport(opts({port: (silent.address() as {port: number}).port, connectTimeoutMs: 1000}));
    const started = Date.now();
    await assert.rejects(t.checkAuth({name: '127.0.0.1'}), isCode(HostErrorCode.connectTimeout));
    assert.ok(Date.now() - started < 5000);
    await t.close();
    silent.close();
  });
});
