import assert from 'node:assert/strict';
import {execFileSync, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, test} from 'node:test';
import {shellCommand, shellQuote} from '../../../src/lib/hosts/shell-quote.js';
import {parseSshConfig} from '../../../src/lib/hosts/ssh-config.js';
import {appendKnownHost, hostFieldMatches, knownHostsName, parseKnownHostsText, sshFingerprint, verifyHostKey} from '../../../src/lib/hosts/ssh-known-hosts.js';
import {parseAuthkeyLocation} from '../../../src/lib/hosts/ssh.js';

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
