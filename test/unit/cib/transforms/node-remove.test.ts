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
import {assertCibValid, missingPacemaker, tempDir} from '../../../helpers/cli.js';

export const NODES_CIB = `<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="7" num_updates="2" admin_epoch="0">
  <configuration>
    <crm_config>
      <cluster_property_set id="o">
        <nvpair id="o-s" name="stonith-enabled" value="false"/>
      </cluster_property_set>
    </crm_config>
    <nodes>
      <node id="1" uname="n1"/>
      <node id="2" uname="n2">
        <instance_attributes id="nodes-2">
          <nvpair id="nodes-2-site" name="site" value="x"/>
        </instance_attributes>
      </node>
      <node id="remote1" type="remote" uname="remote1"/>
      <node id="old-remote" type="remote" uname="old-remote"/>
      <node id="guest1" type="remote" uname="guest1"/>
    </nodes>
    <resources>
      <primitive id="remote1" class="ocf" provider="pacemaker" type="remote"/>
      <primitive id="rconn" class="ocf" provider="pacemaker" type="remote">
        <instance_attributes id="rconn-instance_attributes">
          <nvpair id="rconn-instance_attributes-server" name="server" value="served"/>
        </instance_attributes>
      </primitive>
      <primitive id="vm1" class="ocf" provider="pacemaker" type="Dummy">
        <meta_attributes id="vm1-meta_attributes">
          <nvpair id="vm1-meta_attributes-remote-node" name="remote-node" value="guest1"/>
        </meta_attributes>
      </primitive>
      <primitive id="d1" class="ocf" provider="pacemaker" type="Dummy"/>
    </resources>
    <constraints>
      <rsc_location id="loc-d1-located" rsc="d1" node="located" score="100"/>
      <rsc_location id="loc-d1-rule" rsc="d1">
        <rule id="loc-d1-rule-r" score="-INFINITY">
          <expression id="loc-d1-rule-r-e" attribute="#uname" operation="eq" value="ruled"/>
        </rule>
      </rsc_location>
    </constraints>
    <fencing-topology>
      <fencing-level id="fl-fenced" target="fenced" index="1" devices="d1"/>
    </fencing-topology>
  </configuration>
  <status>
    <node_state id="1" uname="n1" in_ccm="true" crmd="online">
      <lrm id="1">
        <lrm_resources>
          <lrm_resource id="old-remote" type="remote" class="ocf" provider="pacemaker">
            <lrm_rsc_op id="old-remote_last_0" operation_key="old-remote_start_0" operation="start" call-id="3" rc-code="0" op-status="0" interval="0"/>
          </lrm_resource>
          <lrm_resource id="remote1" type="remote" class="ocf" provider="pacemaker">
            <lrm_rsc_op id="remote1_last_0" operation_key="remote1_start_0" operation="start" call-id="4" rc-code="0" op-status="0" interval="0"/>
          </lrm_resource>
        </lrm_resources>
      </lrm>
    </node_state>
    <node_state id="old-remote" uname="old-remote" remote_node="true" in_ccm="false"/>
    <node_state id="remote1" uname="remote1" remote_node="true" in_ccm="true"/>
  </status>
</cib>
`;

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
