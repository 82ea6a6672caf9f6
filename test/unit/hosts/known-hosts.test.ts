import assert from 'node:assert/strict';
import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, describe, test} from 'node:test';
import {parseKnownHosts, readKnownHosts, serializeKnownHosts, updateKnownHosts} from '../../../src/lib/hosts/known-hosts.js';
import {PcmkctlError} from '../../../src/lib/report.js';

const dir = mkdtempSync(join(tmpdir(), 'pcmkctl-kh-'));
after(() => rmSync(dir, {recursive: true, force: true}));

// The Ruby writer's layout, as recorded (pcsd-protocol.md §4.2).
const RUBY = `{
  "format_version": 1,
  "data_version": 5,
  "known_hosts": {
    "guest1": {
      "dest_list": [
        {
          "addr": "10.77.0.21",
          "port": 2224
        }
      ],
      "token": "tok-guest1"
    },
    "pcmk-1": {
      "dest_list": [
        {
          "addr": "10.77.0.1",
          "port": 2224
        }
      ],
      "token": "tok-pcmk-1"
    }
  }
}`;

describe('known-hosts format', () => {
  test('Ruby layout round-trips byte for byte (sorted hosts, no trailing newline)', () => {
    const parsed = parseKnownHosts(RUBY);
    assert.equal(serializeKnownHosts(parsed), RUBY);
    // Unsorted compact input is written in the Ruby layout.
    const compact = JSON.stringify({format_version: 1, data_version: 5, known_hosts: {'pcmk-1': parsed.known_hosts['pcmk-1'], guest1: parsed.known_hosts.guest1}});
    assert.equal(serializeKnownHosts(parseKnownHosts(compact)), RUBY);
  });

  test('minimal file is valid; empty hosts serialise as {}', () => {
    const f = parseKnownHosts('{"format_version":1,"data_version":1,"known_hosts":{}}');
    assert.equal(serializeKnownHosts(f), '{\n  "format_version": 1,\n  "data_version": 1,\n  "known_hosts": {}\n}');
  });

  for (const [name, text, re] of [
    ['invalid JSON', '{', /invalid JSON/],
    ['root not an object', '[]', /root is not a JSON object/],
    ['missing format_version', '{"data_version":1,"known_hosts":{}}', /format_version/],
    ['format_version 2', '{"format_version":2,"data_version":1,"known_hosts":{}}', /unsupported format_version/],
    ['missing data_version', '{"format_version":1,"known_hosts":{}}', /data_version/],
    ['missing known_hosts', '{"format_version":1,"data_version":1}', /known_hosts/],
    ['host without token', '{"format_version":1,"data_version":1,"known_hosts":{"a":{"dest_list":[]}}}', /'a': 'token'/],
    ['host without dest_list', '{"format_version":1,"data_version":1,"known_hosts":{"a":{"token":"x"}}}', /dest_list/],
    ['bad port', '{"format_version":1,"data_version":1,"known_hosts":{"a":{"token":"x","dest_list":[{"addr":"h","port":"2224"}]}}}', /port/],
  ] as const) {
    test(`parse error: ${name}`, () => {
      assert.throws(() => parseKnownHosts(text, '/x/known-hosts'), (e: unknown) => e instanceof PcmkctlError && e.code === 'KNOWN_HOSTS_INVALID' && re.test(e.message) && e.message.includes('/x/known-hosts'));
    });
  }
});

describe('known-hosts file', () => {
  test('update: created 0600 in a 0700 dir, data_version +1 per write, no trailing newline', async () => {
    const path = join(dir, 'sub', 'known-hosts');
    await updateKnownHosts((f) => {
      f.known_hosts.b = {dest_list: [{addr: '10.0.0.2', port: 2224}], token: 'tb'};
    }, path);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'sub')).mode & 0o777, 0o700);
    assert.equal((await readKnownHosts(path)).data_version, 1);
    const r = await updateKnownHosts((f) => {
      f.known_hosts.a = {dest_list: [{addr: 'fd00::1', port: 2225}], token: 'ta'};
    }, path);
    assert.equal(r.file.data_version, 2);
    const text = readFileSync(path, 'utf8');
    assert.ok(!text.endsWith('\n'));
    assert.ok(text.indexOf('"a"') < text.indexOf('"b"'));
    // mutate returning false writes nothing
    const same = await updateKnownHosts(() => false, path);
    assert.equal(same.written, false);
    assert.equal((await readKnownHosts(path)).data_version, 2);
  });

  test('concurrent updates from parallel calls are serialised (no lost update)', async () => {
    const path = join(dir, 'conc', 'known-hosts');
    await Promise.all(
      Array.from({length: 5}, (_, i) =>
        updateKnownHosts((f) => {
          f.known_hosts[`h${i}`] = {dest_list: [{addr: `10.0.0.${i}`, port: 2224}], token: `t${i}`};
        }, path),
      ),
    );
    const f = await readKnownHosts(path);
    assert.equal(Object.keys(f.known_hosts).length, 5);
    assert.equal(f.data_version, 5);
  });

  test('a corrupt file is a clear error, not a crash', async () => {
    const path = join(dir, 'bad-known-hosts');
    writeFileSync(path, 'garbage');
    await assert.rejects(readKnownHosts(path), (e: unknown) => e instanceof PcmkctlError && e.code === 'KNOWN_HOSTS_INVALID');
  });
});
