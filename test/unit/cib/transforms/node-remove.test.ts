// node remove: what counts as a reference, what a file-mode purge deletes,
// and the workflow on a real CIB file (refused while referenced, --force
// purges, an absent node is nothing to do).
import assert from 'node:assert/strict';
import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, test} from 'node:test';
import {FileCibStore} from '../../../../src/lib/cib/file-store.js';
import {purgeNode} from '../../../../src/lib/cib/transforms/node-purge.js';
import {nodeReferences} from '../../../../src/lib/cib/transforms/node-references.js';
import {parseXml, serializeDocument} from '../../../../src/lib/cib/xml.js';
import {PcmkctlError, type Report, type Reporter} from '../../../../src/lib/report.js';
import {checkNodeName, nodeRemove} from '../../../../src/lib/workflows/node-remove.js';
import {assertCibValid, missingPacemaker, ROOT, tempDir} from '../../../helpers/cli.js';

const NODES_CIB = readFileSync(join(ROOT, 'test', 'fixtures', 'nodes-cib.xml'), 'utf8');

describe('nodeReferences', () => {
  for (const [name, kinds] of [
    ['remote1', ['remote-resource']],
    ['served', ['remote-resource']],
    ['rconn', ['remote-resource']],
    ['guest1', ['guest-resource']],
    ['located', ['location-constraint']],
    ['ruled', ['location-rule']],
    ['fenced', ['fencing-level']],
    ['n2', ['node-attributes']],
    ['n1', []],
    ['old-remote', []],
    ['nobody', []],
  ] as const) {
    test(`${name}: ${kinds.join(', ') || 'no references'}`, async () => {
      const refs = nodeReferences(await parseXml(NODES_CIB), name);
      assert.deepEqual(refs.map((r) => r.kind), kinds);
      for (const r of refs) assert.ok(r.description.length > 0);
    });
  }
});

describe('purgeNode (file mode)', () => {
  test('deletes <node>, <node_state> and the orphaned connection history', async () => {
    const doc = await parseXml(NODES_CIB);
    assert.equal(purgeNode(doc, 'old-remote'), true);
    const out = serializeDocument(doc);
    assert.ok(!out.includes('uname="old-remote"'));
    assert.ok(!out.includes('lrm_resource id="old-remote"'));
    assert.ok(out.includes('lrm_resource id="remote1"'), 'other history kept');
    assert.equal(purgeNode(doc, 'old-remote'), false, 'second purge: nothing left');
  });

  test('keeps the connection history while a resource of that name exists', async () => {
    const doc = await parseXml(NODES_CIB);
    assert.equal(purgeNode(doc, 'remote1'), true);
    const out = serializeDocument(doc);
    assert.ok(!out.includes('uname="remote1"'));
    assert.ok(out.includes('lrm_resource id="remote1"'));
    assert.ok(out.includes('<primitive id="remote1"'));
  });

  test('a CIB without status is fine', async () => {
    const doc = await parseXml(NODES_CIB.replace(/<status>[\s\S]*<\/status>/, ''));
    assert.equal(purgeNode(doc, 'old-remote'), true);
  });
});

function collecting(): Reporter & {reports: Report[]} {
  const reports: Report[] = [];
  return {reports, emit: (r) => reports.push(r), debug: () => {}};
}

describe('nodeRemove on a CIB file', () => {
  const setup = (t: {skip: (m: string) => void}) => {
    const missing = missingPacemaker();
    if (missing) {
      t.skip(missing);
      return undefined;
    }
    const path = join(tempDir('pcmkctl-noderm-'), 'cib.xml');
    writeFileSync(path, NODES_CIB);
    assertCibValid(path);
    return path;
  };

  test('refused while referenced: lists the references, file unchanged', async (t) => {
    const path = setup(t);
    if (!path) return;
    const before = readFileSync(path);
    await assert.rejects(
      nodeRemove({store: new FileCibStore(path), name: 'remote1', force: false, dryRun: false, reporter: collecting()}),
      (e: unknown) => e instanceof PcmkctlError && e.code === 'NODE_STILL_REFERENCED' && /remote node connection resource 'remote1'/.test(e.message) && e.reports[0].forceable === 'force',
    );
    assert.ok(readFileSync(path).equals(before));
  });

  test('--force purges anyway with a warning; the result passes crm_verify', async (t) => {
    const path = setup(t);
    if (!path) return;
    const reporter = collecting();
    const r = await nodeRemove({store: new FileCibStore(path), name: 'guest1', force: true, dryRun: false, reporter});
    assert.equal(r.method, 'cib-edit');
    assert.deepEqual(r.references, ["guest node resource 'vm1' (remote-node=guest1)"]);
    assert.ok(reporter.reports.some((x) => x.severity === 'warning' && x.code === 'NODE_STILL_REFERENCED'));
    const text = readFileSync(path, 'utf8');
    assert.ok(!text.includes('uname="guest1"'));
    assert.match(text, /epoch="8"/);
    assertCibValid(path);
  });

  test('unreferenced node: purged', async (t) => {
    const path = setup(t);
    if (!path) return;
    const r = await nodeRemove({store: new FileCibStore(path), name: 'old-remote', force: false, dryRun: false, reporter: collecting()});
    assert.equal(r.method, 'cib-edit');
    assert.equal(r.cib?.changed, true);
    assert.ok(!readFileSync(path, 'utf8').includes('old-remote'));
    assertCibValid(path);
  });

  test('--dry-run shows the diff and writes nothing', async (t) => {
    const path = setup(t);
    if (!path) return;
    const before = readFileSync(path);
    const r = await nodeRemove({store: new FileCibStore(path), name: 'old-remote', force: false, dryRun: true, reporter: collecting()});
    assert.match(r.cib?.diff ?? '', /^-\s*<node id="old-remote"/m);
    assert.ok(readFileSync(path).equals(before));
  });

  test('a node that is already absent: nothing to do, file unchanged', async (t) => {
    const path = setup(t);
    if (!path) return;
    const before = readFileSync(path);
    const reporter = collecting();
    const r = await nodeRemove({store: new FileCibStore(path), name: 'never-there', force: false, dryRun: false, reporter});
    assert.equal(r.method, 'none');
    assert.ok(reporter.reports.some((x) => x.code === 'NODE_ABSENT' && /nothing to do/.test(x.message)));
    assert.ok(readFileSync(path).equals(before));
  });
});

describe('checkNodeName', () => {
  for (const bad of ['', ' n1', 'n1 ', 'a\nb', 'a\tb', 'x\u0000', 'x'.repeat(256)]) {
    test(`refused: ${JSON.stringify(bad).slice(0, 30)}`, () => {
      assert.throws(() => checkNodeName(bad), (e: unknown) => e instanceof PcmkctlError && e.code === 'INVALID_NODE_NAME' && !e.message.includes('\n'));
    });
  }
  for (const ok of ['n1', 'node-1.example.com', 'é', '12']) test(`accepted: ${ok}`, () => checkNodeName(ok));
});
