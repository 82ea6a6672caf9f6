// `pcmkctl -f FILE node remove NAME`: refused while referenced (references
// listed, file unchanged), --force purges <node>/<node_state>, an absent
// node is "nothing to do" (exit 0).
import assert from 'node:assert/strict';
import {copyFileSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, test} from 'node:test';
import {assertRefused, assertSameBytes, assertWritten, epochOf, missingPacemaker, ROOT, runCli, tempDir} from '../helpers/cli.js';

const noPacemaker = missingPacemaker();
const FIXTURE = join(ROOT, 'test', 'fixtures', 'nodes-cib.xml');

function copy(): string {
  const file = join(tempDir('pcmkctl-cli-noderm-'), 'cib.xml');
  copyFileSync(FIXTURE, file);
  return file;
}

describe('node remove in file mode', {concurrency: 4}, () => {
  for (const [name, reference] of [
    ['remote1', "remote node connection resource 'remote1'"],
    ['guest1', "guest node resource 'vm1' (remote-node=guest1)"],
    ['n2', "node attributes of 'n2'"],
  ] as const) {
    test(`${name}: refused while referenced, the references are listed, file unchanged`, async (t) => {
      if (noPacemaker) return t.skip(noPacemaker);
      const file = copy();
      const before = readFileSync(file);
      const r = await runCli(['-f', file, 'node', 'remove', name]);
      assertRefused(r, before, file, {code: 1, message: new RegExp(`^Error: node '${name}' is still referenced in the CIB: .*${reference.replace(/[()]/g, '\\$&')}.*\\(remove those first, or use --force`)});
    });
  }

  test('--force purges <node> and <node_state> with a warning; crm_verify passes', async (t) => {
    if (noPacemaker) return t.skip(noPacemaker);
    const file = copy();
    const epoch = epochOf(readFileSync(file, 'utf8'));
    const r = await runCli(['-f', file, 'node', 'remove', 'remote1', '--force']);
    assertWritten(r, file);
    assert.match(r.stderr, /^Warning: node 'remote1' is still referenced in the CIB/);
    assert.match(r.stdout, /^node 'remote1': updated the CIB file/);
    const text = readFileSync(file, 'utf8');
    assert.ok(!/<node [^>]*uname="remote1"/.test(text));
    assert.ok(!/<node_state [^>]*uname="remote1"/.test(text));
    assert.equal(epochOf(text), epoch + 1);
  });

  test('an unreferenced node is purged (with its orphaned connection history)', async (t) => {
    if (noPacemaker) return t.skip(noPacemaker);
    const file = copy();
    const r = await runCli(['-f', file, 'node', 'remove', 'old-remote', '--json']);
    assertWritten(r, file);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.ok, true);
    assert.equal(doc.changed, true);
    assert.equal(doc.result.method, 'cib-edit');
    assert.ok(!readFileSync(file, 'utf8').includes('old-remote'));
  });

  test('--dry-run prints the diff and leaves the file byte-identical', async (t) => {
    if (noPacemaker) return t.skip(noPacemaker);
    const file = copy();
    const before = readFileSync(file);
    const r = await runCli(['-f', file, 'node', 'remove', 'old-remote', '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^-\s+<node id="old-remote" type="remote" uname="old-remote"\/>$/m);
    assertSameBytes(file, before);
  });

  test('an already absent node: exit 0, "nothing to do", file byte-identical', async (t) => {
    if (noPacemaker) return t.skip(noPacemaker);
    const file = copy();
    const before = readFileSync(file);
    const r = await runCli(['-f', file, 'node', 'remove', 'never-there']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /node 'never-there' is not in .*; nothing to do/);
    assertSameBytes(file, before);
    const again = await runCli(['-f', file, 'cluster', 'node', 'clear', 'never-there', '--json']);
    assert.equal(again.code, 0, 'the pcs alias works too');
    assert.equal(JSON.parse(again.stdout).changed, false);
    assertSameBytes(file, before);
  });
});
