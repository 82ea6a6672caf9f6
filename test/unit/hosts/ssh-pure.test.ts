import assert from 'node:assert/strict';
import {execFileSync, spawnSync} from 'node:child_process';
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, test} from 'node:test';
import {shellCommand, shellQuote} from '../../../src/lib/hosts/shell-quote.js';
import {parseSshConfig} from '../../../src/lib/hosts/ssh-config.js';
import {appendKnownHost, hostFieldMatches, knownHostsName, parseKnownHostsText, sshFingerprint, verifyHostKey} from '../../../src/lib/hosts/ssh-known-hosts.js';
import {DEFAULT_AUTHKEY_PATH, parseAuthkeyLocation, parseProbeOutput, PROBE_SCRIPT, STALE_EXIT, WRITE_SCRIPT} from '../../../src/lib/hosts/ssh.js';

const dir = mkdtempSync(join(tmpdir(), 'pcmkctl-sshpure-'));
after(() => rmSync(dir, {recursive: true, force: true}));

function keypair(name: string, type = 'ed25519'): {blob: Buffer; line: string} {
  const f = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', f, '-C', ''], {stdio: 'ignore'});
  const pub = readFileSync(`${f}.pub`, 'utf8').trim().split(/\s+/);
  return {blob: Buffer.from(pub[1], 'base64'), line: `${pub[0]} ${pub[1]}`};
}

test('shell quoting: hostile strings come back verbatim from sh', () => {
  const hostile = ["a'b", '$(touch /tmp/pwned)', '`id`', 'x; rm -rf /', "'; echo hi; '", 'new\nline', '\\', '"', '*', ''];
  for (const s of hostile) {
    const r = spawnSync('sh', ['-c', `printf '%s' ${shellQuote(s)}`], {encoding: 'utf8'});
    assert.equal(r.stdout, s);
  }
  assert.equal(shellCommand(['echo', "it's"]), `'echo' 'it'\\''s'`);
  assert.throws(() => shellQuote('a\u0000b'));
});

const haveKeygen = spawnSync('ssh-keygen', ['-?']).error === undefined;

test('known_hosts: plain, [host]:port, hashed, wildcards, negation, markers; agrees with ssh-keygen -F', {skip: haveKeygen ? false : 'ssh-keygen not installed'}, () => {
  const k1 = keypair('k1');
  const k2 = keypair('k2');
  const krsa = keypair('krsa', 'rsa');
  const file = join(dir, 'known_hosts');
  writeFileSync(
    file,
    [
      '# comment',
      '',
      `node1,10.0.0.1 ${k1.line}`,
      `[127.0.0.1]:2222 ${k1.line}`,
      `web* ${k2.line}`,
      `!web9,web* ${krsa.line}`,
      `@revoked bad ${k2.line}`,
      `@cert-authority * ${k2.line}`,
    ].join('\n') + '\n',
  );
  execFileSync('ssh-keygen', ['-q', '-H', '-f', file], {stdio: 'ignore'}); // hash the file in place (like HashKnownHosts=yes)
  writeFileSync(file, readFileSync(file, 'utf8') + `node2 ${k2.line}\n`); // plus one plain entry
  const lines = parseKnownHostsText(readFileSync(file, 'utf8'), file);
  assert.ok(lines.some((l) => l.hosts.startsWith('|1|')), 'file has hashed entries');
  const cases: [string, number, string | null][] = [
    ['node1', 22, 'k1'],
    ['10.0.0.1', 22, 'k1'],
    ['127.0.0.1', 2222, 'k1'],
    ['127.0.0.1', 22, null],
    ['node2', 22, 'k2'],
    ['NODE2', 22, 'k2'],
    ['node3', 22, null],
  ];
  for (const [host, port, key] of cases) {
    const name = knownHostsName(host, port);
    const matched = lines.filter((l) => !l.marker && hostFieldMatches(l.hosts, name));
    // ssh-keygen -F is OpenSSH's own lookup (hashed names are looked up lower-cased by ssh; plain patterns case-insensitively)
    const keygen = spawnSync('ssh-keygen', ['-F', name.toLowerCase(), '-f', file], {encoding: 'utf8'});
    // (its output also lists @cert-authority/@revoked lines: compare plain host-key lines only)
    const keygenLines = keygen.stdout.split('\n').filter((l) => l && !l.startsWith('#') && !l.startsWith('@'));
    assert.equal(matched.length, keygenLines.length, `${name}: ours ${matched.length}, ssh-keygen ${keygenLines.length}`);
    if (key) assert.equal(verifyHostKey(lines, name.toLowerCase(), key === 'k1' ? k1.blob : k2.blob).status, 'ok', name);
  }
  // wildcard + negation (ssh-keygen -H leaves wildcard lines as they are)
  assert.equal(verifyHostKey(lines, 'web1', k2.blob).status, 'ok');
  assert.equal(verifyHostKey(lines, 'web1', krsa.blob).status, 'ok', 'second line of another type also matches');
  assert.equal(verifyHostKey(lines, 'web9', krsa.blob).status, 'unknown');
  // a different key of a known type is "changed", lists the known one
  const v = verifyHostKey(lines, 'node1', keypair('k3').blob);
  assert.equal(v.status, 'changed');
  // another key type only → unknown, with the known types
  const u = verifyHostKey(lines, 'node1', krsa.blob);
  assert.deepEqual(u, {status: 'unknown', otherTypes: ['ssh-ed25519']});
  // @revoked wins
  assert.equal(verifyHostKey(lines, 'bad', k2.blob).status, 'revoked');
});

test('fingerprints match ssh-keygen -l', {skip: haveKeygen ? false : 'ssh-keygen not installed'}, () => {
  const k = keypair('kfp');
  const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(dir, 'kfp.pub')], {encoding: 'utf8'});
  assert.equal(out.split(/\s+/)[1], sshFingerprint(k.blob));
});

test('appendKnownHost writes lines ssh-keygen -F finds (plain and hashed)', {skip: haveKeygen ? false : 'ssh-keygen not installed'}, async () => {
  const k = keypair('kadd');
  const file = join(dir, 'sub', 'kh');
  await appendKnownHost(file, '[10.1.1.1]:2200', k.blob);
  await appendKnownHost(file, 'hashed-host', k.blob, true);
  assert.equal(spawnSync('ssh-keygen', ['-F', '[10.1.1.1]:2200', '-f', file]).status, 0);
  assert.equal(spawnSync('ssh-keygen', ['-F', 'hashed-host', '-f', file]).status, 0);
  const lines = parseKnownHostsText(readFileSync(file, 'utf8'), file);
  assert.equal(verifyHostKey(lines, 'hashed-host', k.blob).status, 'ok');
});

test('ssh config: first value wins, IdentityFile accumulates, patterns and negation, Match ignored', () => {
  const text = `
Port 2200
Host web* !web9
  HostName %h.example.net
  User deploy
  IdentityFile ~/.ssh/web_key
Host *
  User root
  Port 22
  IdentityFile /etc/k2
  UserKnownHostsFile /tmp/kh1 /tmp/kh2
Match host web1
  User nobody
`;
  const web1 = parseSshConfig(text, 'web1');
  assert.equal(web1.hostName, 'web1.example.net');
  assert.equal(web1.user, 'deploy');
  assert.equal(web1.port, 2200);
  assert.ok(web1.identityFiles[0].endsWith('/.ssh/web_key') && !web1.identityFiles[0].startsWith('~'));
  assert.equal(web1.identityFiles[1], '/etc/k2');
  assert.deepEqual(web1.userKnownHostsFiles, ['/tmp/kh1', '/tmp/kh2']);
  const web9 = parseSshConfig(text, 'web9');
  assert.equal(web9.hostName, undefined);
  assert.equal(web9.user, 'root');
  assert.equal(parseSshConfig('Host=a\nPort=2022', 'a').port, 2022);
});

test('PCMK_authkey_location parsing', () => {
  assert.equal(parseAuthkeyLocation('# PCMK_authkey_location=/x\n'), undefined);
  assert.equal(parseAuthkeyLocation('PCMK_authkey_location=/etc/pacemaker/k\n'), '/etc/pacemaker/k');
  assert.equal(parseAuthkeyLocation('export PCMK_authkey_location="/a b/k"\n'), '/a b/k');
  assert.equal(parseAuthkeyLocation("PCMK_authkey_location='/q'  \nPCMK_authkey_location=/last # c"), '/last');
});

/** Run the host probe locally: sh, as the remote side would (authkey path override, default, sysconfig files). */
function runProbe(override: string, def: string, files: string[]): Buffer {
  const r = spawnSync('sh', ['-c', PROBE_SCRIPT, 'pcmkctl', override, def, ...files]);
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout;
}

test('host probe: its key location agrees with parseAuthkeyLocation; key state, mode and bytes come back exactly', () => {
  const root = join(dir, 'probe');
  mkdirSync(join(root, 'keys', 'a b'), {recursive: true});
  const key = Buffer.from([0, 10, 13, 39, 34, 255, 32, 9, 0]);
  const def = join(root, 'keys', 'default-key');
  const a = join(root, 'keys', 'a b', 'k');
  writeFileSync(a, key);
  chmodSync(a, 0o440);
  const cases: string[] = [
    '',
    '# PCMK_authkey_location=/nope\n',
    `PCMK_authkey_location=${a}\n`,
    `  export PCMK_authkey_location="${a}"\n`,
    `PCMK_authkey_location='${a}'   \n`,
    `PCMK_authkey_location=/first\nPCMK_authkey_location=${a}   # comment\n`,
    `PCMK_authkey_location="${a}" # quoted then comment\n`,
    'PCMK_authkey_location=relative/path\n',
    'PCMK_authkey_location=\n',
    'PCMK_authkey_location="\n',
    `PCMK_authkey_location=${root}/keys/it's $(touch ${root}/pwned)\n`,
    `PCMK_authkey_location=${root}/missing/dir/k\n`,
  ];
  for (const text of cases) {
    const f1 = join(root, 'sysconfig');
    writeFileSync(f1, `# header\nFOO=1\n${text}`);
    const out = parseProbeOutput(runProbe('', def, [join(root, 'absent'), f1]));
    const expected = parseAuthkeyLocation(text) ?? def;
    assert.deepEqual(out.sysconfig.map((s) => s.file), [f1]);
    assert.equal(parseAuthkeyLocation(out.sysconfig[0].text), parseAuthkeyLocation(text), `sysconfig lines for ${JSON.stringify(text)}`);
    assert.equal(out.keyPath, expected.startsWith('/') ? expected : '', `script location for ${JSON.stringify(text)}`);
    if (out.keyPath === a) {
      assert.deepEqual(out.key, {state: 'present', mode: 0o440, owner: 'root', group: 'root', content: key});
    } else if (out.keyPath !== '') {
      assert.deepEqual(out.key, {state: 'missing'});
    }
  }
  assert.throws(() => readFileSync(join(root, 'pwned')), 'a sysconfig value is data, not code');
  // first file with an assignment wins; an override skips the sysconfig files
  const f2 = join(root, 'second');
  writeFileSync(f2, `PCMK_authkey_location=${def}\n`);
  writeFileSync(join(root, 'sysconfig'), `PCMK_authkey_location=${a}\n`);
  assert.equal(parseProbeOutput(runProbe('', def, [join(root, 'sysconfig'), f2])).keyPath, a);
  const hostile = join(root, `x'; touch ${root}/pwned2; echo '$(touch ${root}/pwned2)`);
  const o = parseProbeOutput(runProbe(hostile, def, [join(root, 'sysconfig')]));
  assert.equal(o.keyPath, hostile);
  assert.deepEqual(o.sysconfig, []);
  assert.deepEqual(o.key, {state: 'missing'});
  assert.throws(() => readFileSync(join(root, 'pwned2')));
});

test('host probe: service facts from two systemctl calls, for every answer systemd versions give', () => {
  // Fake systemctl (no systemd runs here): answers is-enabled / is-active
  // for pacemaker_remote pacemaker corosync from the environment, as systemd
  // does (is-enabled of a missing unit: nothing on stdout, or "not-found" on
  // newer systemd; is-active: one line per unit)
  const bin = join(dir, 'fake-systemctl');
  mkdirSync(bin, {recursive: true});
  writeFileSync(join(bin, 'systemctl'), [
    '#!/bin/sh',
    'case $1 in',
    '  is-enabled) [ -n "$ENABLED" ] && echo "$ENABLED"; [ "$ENABLED" = enabled ] ;;',
    '  is-active) shift; for u in "$@"; do eval "echo \\${ACTIVE_$u:-inactive}"; done ;;',
    '  *) exit 1 ;;',
    'esac',
    '',
  ].join('\n'), {mode: 0o755});
  const facts = (env: Record<string, string>) => {
    const r = spawnSync('sh', ['-c', PROBE_SCRIPT, 'pcmkctl', join(dir, 'nokey'), DEFAULT_AUTHKEY_PATH], {env: {PATH: `${bin}:${process.env.PATH}`, ...env}});
    assert.equal(r.status, 0, r.stderr.toString());
    return parseProbeOutput(r.stdout).facts;
  };
  // the probe looks at this machine's files for cluster configuration
  const clusterConfigExists = existsSync('/etc/corosync/corosync.conf') || existsSync('/var/lib/pacemaker/cib/cib.xml');
  const base = {pacemakerRemoteInstalled: true, pacemakerRemoteRunning: false, pacemakerRemoteEnabled: false, pacemakerRunning: false, corosyncRunning: false, clusterConfigExists};
  assert.deepEqual(facts({ENABLED: ''}), {...base, pacemakerRemoteInstalled: false}, 'not installed (older systemd)');
  assert.deepEqual(facts({ENABLED: 'not-found'}), {...base, pacemakerRemoteInstalled: false}, 'not installed (newer systemd)');
  assert.deepEqual(facts({ENABLED: 'disabled'}), base);
  assert.deepEqual(facts({ENABLED: 'masked'}), base, 'masked: installed, not enabled');
  assert.deepEqual(facts({ENABLED: 'enabled', ACTIVE_pacemaker_remote: 'active'}), {...base, pacemakerRemoteRunning: true, pacemakerRemoteEnabled: true});
  assert.deepEqual(facts({ENABLED: 'disabled', ACTIVE_pacemaker: 'active', ACTIVE_corosync: 'active'}), {...base, pacemakerRunning: true, corosyncRunning: true});
  assert.deepEqual(facts({ENABLED: 'disabled', ACTIVE_corosync: 'activating'}), base, 'only "active" counts as running');
});

test('host probe output is parsed strictly: anything unexpected is an error', () => {
  const good = ['pcmkctl_probe=1', 'remote_installed=1', 'remote_active=inactive', 'remote_enabled=disabled', 'pacemaker_active=inactive', 'corosync_active=inactive', 'config=no',
    `key_path=${Buffer.from(DEFAULT_AUTHKEY_PATH).toString('hex')}`, 'key=missing', 'end=1'];
  const parse = (lines: string[]) => parseProbeOutput(Buffer.from(lines.join('\n') + '\n'));
  const ok = parse(good);
  assert.deepEqual(ok.facts, {pacemakerRemoteInstalled: true, pacemakerRemoteRunning: false, pacemakerRemoteEnabled: false, pacemakerRunning: false, corosyncRunning: false, clusterConfigExists: false});
  assert.deepEqual([ok.keyPath, ok.key], [DEFAULT_AUTHKEY_PATH, {state: 'missing'}]);
  const garbage: [string, string[]][] = [
    ['banner first', ['Welcome!', ...good]],
    ['truncated', good.slice(0, -1)],
    ['unknown key', [...good.slice(0, -1), 'surprise=1', 'end=1']],
    ['repeated key', [...good.slice(0, -1), 'config=yes', 'end=1']],
    ['not key=value', [...good.slice(0, 3), 'hello world', ...good.slice(3)]],
    ['bad hex', good.map((l) => (l.startsWith('key_path=') ? 'key_path=2f6' : l))],
    ['bad fact', good.map((l) => (l.startsWith('remote_installed=') ? 'remote_installed=yes' : l))],
    ['missing facts', good.filter((l) => !l.startsWith('remote_active='))],
    ['present without stat', good.map((l) => (l === 'key=missing' ? 'key=present' : l))],
    ['key state without a path', good.map((l) => (l.startsWith('key_path=') ? 'key_path=' : l))],
  ];
  for (const [what, lines] of garbage) assert.throws(() => parse(lines), Error, what);
  assert.throws(() => parseProbeOutput(Buffer.from(good.join('\n'))), /truncated/);
  const noSystemctl = parse(['pcmkctl_probe=1', 'systemctl=missing', ...good.slice(6)]);
  assert.equal(noSystemctl.facts, undefined);
});

const canChown = process.getuid?.() === 0 && spawnSync('id', ['hacluster']).status === 0;

test('shell key write: writes only over what was decided on', {skip: canChown ? false : 'needs root and user hacluster'}, () => {
  const d = join(dir, 'write', "it's $(x)");
  const p = join(d, 'authkey');
  const write = (expect: string, key: Buffer) => spawnSync('sh', ['-c', WRITE_SCRIPT, 'pcmkctl', p, expect], {input: key});
  const a = Buffer.from([0, 1, 10, 39, 255]);
  const b = Buffer.alloc(64, 9);
  assert.equal(write('missing', a).status, 0, 'creates the directory and the key');
  assert.deepEqual(readFileSync(p), a);
  assert.equal(statSync(p).mode & 0o777, 0o400);
  assert.equal(execFileSync('stat', ['-c', '%U:%G', p], {encoding: 'utf8'}).trim(), 'hacluster:haclient');
  assert.equal(write('missing', b).status, STALE_EXIT, 'a key appeared: not replaced');
  assert.equal(write(`hex:${b.toString('hex')}`, b).status, STALE_EXIT, 'another key than decided on: not replaced');
  assert.deepEqual(readFileSync(p), a);
  assert.equal(write(`hex:${a.toString('hex')}`, b).status, 0);
  assert.deepEqual(readFileSync(p), b);
  assert.deepEqual(readdirSync(d), ['authkey'], 'no temp files left behind');
  rmSync(p);
  assert.equal(write(`hex:${a.toString('hex')}`, b).status, STALE_EXIT, 'gone since it was read: not written');
  assert.deepEqual(readdirSync(d), []);
});
