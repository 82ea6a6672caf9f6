// Reaching hosts for real: pcsd and sshd on the lab hosts (namespaces).
// host auth right/wrong password, pcsd stopped, wrong port, link cut,
// token interop with real pcs both ways, certificate replaced → refused,
// re-auth → accepted, the ssh transport, and no secret on argv or in --debug.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, test} from 'node:test';
import {HostErrorCode} from '../../src/lib/hosts/host-errors.js';
import {readKnownHosts} from '../../src/lib/hosts/known-hosts.js';
import {PcsdTransport} from '../../src/lib/hosts/pcsd.js';
import {SshTransport} from '../../src/lib/hosts/ssh.js';
import {PcmkctlError, silentReporter} from '../../src/lib/report.js';
import {exec} from '../../src/lib/util/exec.js';
import {runCli} from '../helpers/cli.js';
import {cutLink, hostFileInfo, hostPath, lab, labReady, restoreLink, serviceState, startPcsd, stopPcsd, useLab} from '../lab/lab.js';

const ready = labReady();
const skip = ready.ok ? false : ready.reason;
const dir = mkdtempSync(join(tmpdir(), 'pcmkctl-labhosts-'));
const kh = join(dir, 'known-hosts');
const pins = join(dir, 'pins.json');
const env = {PCMKCTL_KNOWN_HOSTS: kh, PCMKCTL_PINS: pins};
const r1 = () => lab.hosts[0];
const r2 = () => lab.hosts[1];
const isCode = (code: string) => (e: unknown) => e instanceof PcmkctlError && e.code === code;

describe('hosts against the lab', {skip}, () => {
  useLab(async () => {
    await restoreLink(r2().name).catch(() => {});
    await startPcsd(r2().name).catch(() => {});
    rmSync(dir, {recursive: true, force: true});
  });

  test('host auth: right password → Authorized + token; wrong password → exit 1, nothing saved', async () => {
    const ok = await runCli(['host', 'auth', r1().name, `addr=${r1().addr}`, '-u', 'hacluster'], {env: {...env, PCMKCTL_PASSWORD: lab.password}});
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, new RegExp(`^${r1().name}: Authorized$`, 'm'));
    const file = await readKnownHosts(kh);
    assert.match(file.known_hosts[r1().name].token, /^[0-9a-f-]{36}$/);
    const before = readFileSync(kh, 'utf8');
    const bad = await runCli(['host', 'auth', r2().name, `addr=${r2().addr}`, '-u', 'hacluster'], {env: {...env, PCMKCTL_PASSWORD: 'wrong'}});
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, new RegExp(`Error: ${r2().name}: Username and/or password is incorrect`));
    assert.equal(readFileSync(kh, 'utf8'), before);
  });

  test('our token works for real pcs, and a pcs token works for us', async () => {
    // ours → pcs: pcs reads /var/lib/pcsd/known-hosts; use a copy of our entry there via our own writer
    const ours = await runCli(['host', 'auth', r1().name, `addr=${r1().addr}`, '-u', 'hacluster'], {env: {PCMKCTL_PASSWORD: lab.password, PCMKCTL_PINS: pins}});
    assert.equal(ours.code, 0, ours.stderr);
    const st = await exec('pcs', ['status', 'pcsd', r1().name], {timeoutMs: 60_000});
    assert.match(st.stdout + st.stderr, new RegExp(`${r1().name}: Online`));
    // pcs → ours
    const pcsAuth = await exec('pcs', ['host', 'auth', r2().name, `addr=${r2().addr}`, '-u', 'hacluster', '-p', lab.password], {timeoutMs: 60_000});
    assert.equal(pcsAuth.code, 0, pcsAuth.stderr);
    const t = new PcsdTransport({reporter: silentReporter, knownHostsPath: '/var/lib/pcsd/known-hosts', pinsPath: pins});
    await t.checkAuth({name: r2().name});
    const facts = await t.checkHost({name: r2().name});
    assert.equal(facts.pacemakerRemoteInstalled, true);
    assert.equal(facts.pacemakerRemoteRunning, false);
  });

  test('failure classes for real: pcsd stopped, wrong port, link cut (timeout), unknown host, not TLS, name not resolving, token rejected', async () => {
    await runCli(['host', 'auth', r2().name, `addr=${r2().addr}`, '-u', 'hacluster'], {env: {...env, PCMKCTL_PASSWORD: lab.password}});
    const t = new PcsdTransport({reporter: silentReporter, knownHostsPath: kh, pinsPath: pins, requestTimeoutMs: 3000});
    await stopPcsd(r2().name);
    try {
      await assert.rejects(t.checkAuth({name: r2().name}), isCode(HostErrorCode.refused));
    } finally {
      await startPcsd(r2().name);
    }
    await assert.rejects(t.checkAuth({name: r2().name, addr: r2().addr, port: 2299}), isCode(HostErrorCode.refused));
    await cutLink(r2().name);
    try {
      const started = Date.now();
      await assert.rejects(t.checkAuth({name: r2().name}), (e: unknown) => isCode(HostErrorCode.connectTimeout)(e) || isCode(HostErrorCode.unreachable)(e));
      assert.ok(Date.now() - started < 10_000);
    } finally {
      await restoreLink(r2().name);
    }
    await assert.rejects(t.checkAuth({name: 'not-authed'}), isCode(HostErrorCode.notFound));
    // TLS failed: something that is not pcsd answers on the port (the host's sshd)
    await assert.rejects(t.checkAuth({name: r2().name, addr: r2().addr, port: 22}), isCode(HostErrorCode.tls));
    // the name does not resolve (the reserved .invalid domain never does)
    await assert.rejects(t.checkAuth({name: r2().name, addr: 'no-such-host.invalid'}), isCode(HostErrorCode.unresolved));
    // 401: a pre-shared token pcsd never accepted
    writeFileSync(join(dir, 'tok'), 'not-a-token-pcsd-knows');
    const cli = await runCli(['host', 'auth', r2().name, `addr=${r2().addr}`, '--token', join(dir, 'tok')], {env});
    assert.equal(cli.code, 0, cli.stderr);
    const fresh = new PcsdTransport({reporter: silentReporter, knownHostsPath: kh, pinsPath: pins, requestTimeoutMs: 10_000});
    await assert.rejects(fresh.checkAuth({name: r2().name}), isCode(HostErrorCode.notAuthorized));
  });

  test('certificate replaced on a host → refused (old and new fingerprints); host auth again → accepted', async () => {
    const name = r1().name;
    await runCli(['host', 'auth', name, `addr=${r1().addr}`, '-u', 'hacluster'], {env: {...env, PCMKCTL_PASSWORD: lab.password}});
    const fpOf = async () => (await exec('openssl', ['x509', '-in', hostPath(name, '/var/lib/pcsd/pcsd.crt'), '-noout', '-fingerprint', '-sha256'])).stdout.trim().split('=')[1];
    const oldFp = await fpOf();
    await stopPcsd(name);
    rmSync(hostPath(name, '/var/lib/pcsd/pcsd.crt'), {force: true});
    rmSync(hostPath(name, '/var/lib/pcsd/pcsd.key'), {force: true});
    await startPcsd(name);
    const newFp = await fpOf();
    assert.notEqual(oldFp, newFp);
    const t = new PcsdTransport({reporter: silentReporter, knownHostsPath: kh, pinsPath: pins});
    await assert.rejects(t.checkAuth({name}), (e: unknown) => isCode(HostErrorCode.certChanged)(e) && (e as Error).message.includes(oldFp) && (e as Error).message.includes(newFp));
    const again = await runCli(['host', 'auth', name, `addr=${r1().addr}`, '-u', 'hacluster'], {env: {...env, PCMKCTL_PASSWORD: lab.password}});
    assert.equal(again.code, 0, again.stderr);
    assert.ok(again.stderr.includes(newFp), again.stderr);
    await new PcsdTransport({reporter: silentReporter, knownHostsPath: kh, pinsPath: pins}).checkAuth({name});
  });

  test('ssh transport: facts, authkey write/read/remove, pacemaker_remote start+enable / stop+disable', async () => {
    const name = r1().name;
    const t = new SshTransport({reporter: silentReporter, sshConfigPath: lab.ssh.config, knownHostsFile: lab.ssh.knownHosts, identity: lab.ssh.key});
    try {
      await t.checkAuth({name});
      const facts = await t.checkHost({name});
      assert.deepEqual(facts, {pacemakerRemoteInstalled: true, pacemakerRemoteRunning: false, pacemakerRemoteEnabled: false, pacemakerRunning: false, corosyncRunning: false, clusterConfigExists: false});
      const key = readFileSync('/etc/pacemaker/authkey');
      assert.equal(await t.putAuthkey({name}, key, {overwrite: false}), 'written');
      const info = hostFileInfo(name, '/etc/pacemaker/authkey');
      assert.deepEqual(info.content, key);
      assert.equal(info.mode, 0o400);
      assert.equal(`${info.user}:${info.group}`, 'hacluster:haclient');
      assert.equal(await t.putAuthkey({name}, key, {overwrite: false}), 'same_content');
      await t.manageService({name}, 'start-enable');
      assert.deepEqual(await serviceState(name, 'pacemaker_remote'), {active: true, enabled: true});
      assert.equal((await t.checkHost({name})).pacemakerRemoteRunning, true);
      await t.manageService({name}, 'stop-disable');
      assert.deepEqual(await serviceState(name, 'pacemaker_remote'), {active: false, enabled: false});
      assert.equal(await t.removeAuthkey({name}), 'deleted');
      assert.equal(hostFileInfo(name, '/etc/pacemaker/authkey').exists, false);
    } finally {
      await t.close();
    }
    // unknown host key without --ssh-accept-new
    const empty = join(dir, 'empty_known_hosts');
    const t2 = new SshTransport({reporter: silentReporter, sshConfigPath: lab.ssh.config, knownHostsFile: empty, identity: lab.ssh.key});
    await assert.rejects(t2.checkAuth({name}), isCode(HostErrorCode.sshHostKeyUnknown));
    await t2.close();
  });

  test('the password and tokens never appear on any argv or in --debug output', async () => {
    const secret = lab.password;
    const child = spawn(process.execPath, ['bin/run.js', 'host', 'auth', r1().name, `addr=${r1().addr}`, r2().name, `addr=${r2().addr}`, '-u', 'hacluster', '--debug'], {
      env: {...process.env, ...env, NODE_OPTIONS: '', PCMKCTL_PASSWORD: secret},
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (out += b));
    const seen: string[] = [];
    const done = new Promise<number>((r) => child.on('close', (c) => r(c ?? 1)));
    // argv of our CLI and every process it started (other lab users may legitimately run pcs -p)
    for (let i = 0; i < 40; i++) {
      const ps = await exec('ps', ['-eo', 'pid=,ppid=,args='], {timeoutMs: 5000});
      const rows = ps.stdout.split('\n').map((l) => /^\s*(\d+)\s+(\d+)\s(.*)$/.exec(l)).filter((m): m is RegExpExecArray => m !== null);
      const tree = new Set([child.pid]);
      for (let k = 0; k < 5; k++) for (const m of rows) if (tree.has(Number(m[2]))) tree.add(Number(m[1]));
      seen.push(rows.filter((m) => tree.has(Number(m[1]))).map((m) => m[3]).join('\n'));
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(await done, 0, out);
    const tokens = Object.values((await readKnownHosts(kh)).known_hosts).map((h) => h.token);
    for (const s of [secret, ...tokens]) {
      assert.ok(!out.includes(s), `--debug output contains a secret`);
      assert.ok(!seen.some((p) => p.includes(s)), 'a secret appeared on some argv');
    }
    assert.match(out, /debug: pcsd: POST https:\/\//);
  });
  test('ssh failure classes for real: a changed host key and a rejected login key are refused before anything runs', async () => {
    const {name, addr} = r1();
    // known_hosts that names remote1 with remote2's host keys = a host key mismatch
    const theirs = readFileSync(lab.ssh.knownHosts, 'utf8').split('\n').filter((l) => l.startsWith(`${r2().name},`));
    const wrongHosts = join(dir, 'known_hosts.wrong');
    writeFileSync(wrongHosts, theirs.map((l) => l.replace(/^\S+/, `${name},${addr}`)).join('\n') + '\n');
    const changed = await runCli(['cluster', 'node', 'add-remote', name, addr, '--transport', 'ssh', '--ssh-identity', lab.ssh.key, '--ssh-known-hosts', wrongHosts, '--json']);
    assert.equal(changed.code, 1);
    assert.equal(JSON.parse(changed.stdout).error.code, HostErrorCode.sshHostKeyChanged);
    // a key the host does not accept = authentication failed
    const key = join(dir, 'stranger_ed25519');
    assert.equal((await exec('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key])).code, 0);
    const denied = await runCli(['cluster', 'node', 'add-remote', name, addr, '--transport', 'ssh', '--ssh-identity', key, '--ssh-known-hosts', lab.ssh.knownHosts, '--json']);
    assert.equal(denied.code, 1);
    assert.equal(JSON.parse(denied.stdout).error.code, HostErrorCode.sshAuthFailed);
    assert.equal(hostFileInfo(name, '/etc/pacemaker/authkey').exists, false, 'nothing written');
  });
});
