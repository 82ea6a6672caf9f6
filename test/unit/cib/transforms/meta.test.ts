// `resource update <id> meta ...` semantics exactly as pcs (pcs-behaviour.md
// §6.1, RM-01..05): first set, new set `<id>-meta_attributes` appended last,
// `-1` when taken, `name=` removes the nvpair and keeps the set, same value
// = no change, nvpair ids unique (the pcs 0.11.5 bug is not copied); and the
// guest guards (§6.2, CH-05).
import assert from 'node:assert/strict';
import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, test} from 'node:test';
import {FileCibStore} from '../../../../src/lib/cib/file-store.js';
import {IdAllocator} from '../../../../src/lib/cib/ids.js';
import {findResource} from '../../../../src/lib/cib/query.js';
import {setMetaAttributes, unsetMetaEverywhere, type NvChange} from '../../../../src/lib/cib/transforms/meta.js';
import {parseXml, serializeElement, type XmlDocument} from '../../../../src/lib/cib/xml.js';
import {PcmkctlError, silentReporter} from '../../../../src/lib/report.js';
import {parseMetaTokens, resourceUpdate} from '../../../../src/lib/workflows/resource-update.js';
import {assertCibValid, missingPacemaker, tempDir} from '../../../helpers/cli.js';
import {MemoryCibStore} from '../../../helpers/memory-store.js';

const cib = (resources: string, extraConfig = '') =>
  `<cib validate-with="pacemaker-3.9" epoch="3" num_updates="0" admin_epoch="0"><configuration><crm_config/><nodes><node id="1" uname="n1"/></nodes><resources>${resources}</resources><constraints/>${extraConfig}</configuration><status/></cib>`;

const D2 = `<primitive id="d2" class="ocf" type="Dummy" provider="pacemaker"><operations><op name="monitor" interval="10s" timeout="20s" id="d2-monitor-interval-10s"/></operations></primitive>`;

async function apply(doc: XmlDocument, id: string, changes: NvChange[], position: 'first' | 'last' = 'last'): Promise<{changed: boolean; xml: string}> {
  const rsc = findResource(doc, id)!.element;
  const changed = setMetaAttributes(rsc, changes, new IdAllocator(doc), {newSetPosition: position});
  return {changed, xml: serializeElement(rsc)};
}

describe('setMetaAttributes: pcs semantics', () => {
  test('RM-01: priority=2 creates <id>-meta_attributes after <operations> with <set>-priority', async () => {
    const doc = await parseXml(cib(D2));
    const r = await apply(doc, 'd2', [['priority', '2']]);
    assert.equal(r.changed, true);
    assert.equal(
      r.xml,
      [
        '<primitive id="d2" class="ocf" type="Dummy" provider="pacemaker">',
        '  <operations>',
        '    <op name="monitor" interval="10s" timeout="20s" id="d2-monitor-interval-10s"/>',
        '  </operations>',
        '  <meta_attributes id="d2-meta_attributes">',
        '    <nvpair id="d2-meta_attributes-priority" name="priority" value="2"/>',
        '  </meta_attributes>',
        '</primitive>',
        '',
      ].join('\n'),
    );
  });

  test('add-guest style: a new set can go first', async () => {
    const doc = await parseXml(cib(D2));
    const r = await apply(doc, 'd2', [['priority', '2']], 'first');
    assert.match(r.xml, /^<primitive[^\n]*>\n {2}<meta_attributes id="d2-meta_attributes">/);
  });

  test('modify updates the value in place; other nvpairs and their order are kept', async () => {
    const doc = await parseXml(cib(`<primitive id="d" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="m"><nvpair id="m-a" name="a" value="1"/><nvpair id="m-b" name="b" value="2"/></meta_attributes></primitive>`));
    const r = await apply(doc, 'd', [['a', '10'], ['c', '3']]);
    assert.equal(r.changed, true);
    assert.match(r.xml, /<nvpair id="m-a" name="a" value="10"\/>\n\s*<nvpair id="m-b" name="b" value="2"\/>\n\s*<nvpair id="m-c" name="c" value="3"\/>/);
  });

  test('name= removes the nvpair and keeps the (now empty) set', async () => {
    const doc = await parseXml(cib(D2));
    await apply(doc, 'd2', [['priority', '2']]);
    const r = await apply(doc, 'd2', [['priority', '']]);
    assert.equal(r.changed, true);
    assert.match(r.xml, /<meta_attributes id="d2-meta_attributes"\/>/);
  });

  test('name= of an absent attribute (or with no set at all) changes nothing and creates no set', async () => {
    const doc = await parseXml(cib(D2));
    const r = await apply(doc, 'd2', [['priority', '']]);
    assert.equal(r.changed, false);
    assert.ok(!r.xml.includes('meta_attributes'));
  });

  test('same value as present: no change', async () => {
    const doc = await parseXml(cib(`<primitive id="d" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="m"><nvpair id="m-a" name="a" value="1"/></meta_attributes></primitive>`));
    const before = serializeElement(doc.root);
    const r = await apply(doc, 'd', [['a', '1']]);
    assert.equal(r.changed, false);
    assert.equal(serializeElement(doc.root), before);
  });

  test('only the first meta_attributes set is used (rule sets and later sets ignored)', async () => {
    const doc = await parseXml(
      cib(`<primitive id="d" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="first"><rule id="r" score="0"><date_expression id="r-e" operation="gt" start="2020-01-01"/></rule></meta_attributes><meta_attributes id="second"><nvpair id="second-a" name="a" value="1"/></meta_attributes></primitive>`),
    );
    const r = await apply(doc, 'd', [['a', '2']]);
    assert.equal(r.changed, true);
    assert.match(r.xml, /<meta_attributes id="first">\n\s*<rule[\s\S]*<\/rule>\n\s*<nvpair id="first-a" name="a" value="2"\/>/);
    assert.match(r.xml, /<nvpair id="second-a" name="a" value="1"\/>/);
  });

  test('RM-02: when <id>-meta_attributes is taken, the new set is <id>-meta_attributes-1', async () => {
    const doc = await parseXml(cib(`${D2}<primitive id="d2-meta_attributes" class="ocf" provider="pacemaker" type="Dummy"/>`));
    const r = await apply(doc, 'd2', [['priority', '2']]);
    assert.match(r.xml, /<meta_attributes id="d2-meta_attributes-1">\n\s*<nvpair id="d2-meta_attributes-1-priority"/);
  });

  test('RM-05: nvpair id taken by another element gets -1 (pcs 0.11.5 wrote a duplicate id)', async () => {
    const doc = await parseXml(cib(`${D2}<primitive id="d2-meta_attributes-foo" class="ocf" provider="pacemaker" type="Dummy"/>`));
    const r = await apply(doc, 'd2', [['foo', '1'], ['bar', '2']]);
    assert.match(r.xml, /<nvpair id="d2-meta_attributes-foo-1" name="foo" value="1"\/>/);
    assert.match(r.xml, /<nvpair id="d2-meta_attributes-bar" name="bar" value="2"\/>/);
  });

  test('nvpair ids created in the same change do not collide with each other', async () => {
    // sanitising makes "a.b" and "a:b" both candidates for d2-meta_attributes-a.b / -ab
    const doc = await parseXml(cib(D2));
    const r = await apply(doc, 'd2', [['a:b', '1'], ['ab', '2']]);
    const ids = [...r.xml.matchAll(/id="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(new Set(ids).size, ids.length, ids.join(' '));
  });

  for (const [what, xml, id] of [
    ['group', `<group id="g1"><primitive id="g1d" class="ocf" provider="pacemaker" type="Dummy"/></group>`, 'g1'],
    ['clone', `<clone id="c1"><primitive id="c1d" class="ocf" provider="pacemaker" type="Dummy"/></clone>`, 'c1'],
    ['bundle', `<bundle id="b1"><podman image="x" replicas="1"/><network control-port="3121"/><primitive id="b1d" class="ocf" provider="pacemaker" type="Dummy"/></bundle>`, 'b1'],
  ] as const) {
    test(`RM-01 on a ${what}: set appended last, then name= keeps the set`, async () => {
      const doc = await parseXml(cib(xml));
      const r = await apply(doc, id, [['target-role', 'Stopped']]);
      assert.equal(r.changed, true);
      assert.match(r.xml, new RegExp(`  <meta_attributes id="${id}-meta_attributes">\\n    <nvpair id="${id}-meta_attributes-target-role" name="target-role" value="Stopped"/>\\n  </meta_attributes>\\n</${what}>\\n$`));
      const r2 = await apply(doc, id, [['target-role', '']]);
      assert.match(r2.xml, new RegExp(`<meta_attributes id="${id}-meta_attributes"/>\\n</${what}>`));
    });
  }

  test('unsetMetaEverywhere removes from every set and keeps the sets', async () => {
    const doc = await parseXml(cib(`<primitive id="d" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="m1"><nvpair id="m1-a" name="a" value="1"/></meta_attributes><meta_attributes id="m2"><nvpair id="m2-a" name="a" value="2"/><nvpair id="m2-b" name="b" value="2"/></meta_attributes></primitive>`));
    const rsc = findResource(doc, 'd')!.element;
    assert.equal(unsetMetaEverywhere(rsc, ['a']), true);
    assert.equal(unsetMetaEverywhere(rsc, ['a']), false);
    assert.match(serializeElement(rsc), /<meta_attributes id="m1"\/>\n\s*<meta_attributes id="m2">\n\s*<nvpair id="m2-b"/);
  });
});

describe('parseMetaTokens', () => {
  for (const [tokens, re] of [
    [[], /nothing to update/],
    [['meta'], /'meta' needs <name>=<value>/],
    [['op', 'monitor'], /meta attributes only: unexpected 'op'/],
    [['meta', 'novalue'], /invalid meta option 'novalue', use name=value/],
    [['meta', '=x'], /invalid meta option name ''/],
    [['meta', 'a b=1'], /invalid meta option name 'a b'/],
    [['meta', 'a=1', 'a=2'], /given more than once/],
    [['meta', 'a=\u0001'], /characters a CIB cannot store/],
  ] as const) {
    test(`${JSON.stringify(tokens)} is refused`, () => {
      assert.throws(() => parseMetaTokens(tokens), (e: unknown) => e instanceof PcmkctlError && re.test(e.message));
    });
  }
  test('values keep =, spaces, quotes and unicode; a repeated meta keyword is allowed', () => {
    assert.deepEqual(parseMetaTokens(['meta', 'a=b=c', 'meta', 'q= "x" \'y\' é😀', 'e=']), [
      {name: 'a', value: 'b=c'},
      {name: 'q', value: ' "x" \'y\' é😀'},
      {name: 'e', value: ''},
    ]);
  });
});

const GUEST = `<primitive id="vm1" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="vm1-meta_attributes"><nvpair id="vm1-meta_attributes-remote-node" name="remote-node" value="guest1"/><nvpair id="vm1-meta_attributes-remote-addr" name="remote-addr" value="192.0.2.10"/></meta_attributes></primitive>`;
const PLAIN = `<primitive id="d1" class="ocf" provider="pacemaker" type="Dummy"/>`;
const ADDR_ONLY = `<primitive id="a1" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="a1-meta_attributes"><nvpair id="a1-meta_attributes-remote-addr" name="remote-addr" value="192.0.2.30"/></meta_attributes></primitive>`;
const GROUP = `<group id="g1"><primitive id="g1d" class="ocf" provider="pacemaker" type="Dummy"/></group>`;
const REMOTE = `<primitive id="remote1" class="ocf" provider="pacemaker" type="remote"/>`;

async function update(resource: string, tokens: string[], force = false) {
  const store = new MemoryCibStore(cib(GUEST + PLAIN + ADDR_ONLY + GROUP + REMOTE));
  const before = store.text;
  try {
    const result = await resourceUpdate({store, resourceId: resource, tokens: ['meta', ...tokens], force, dryRun: false, reporter: silentReporter});
    return {ok: true as const, result, store, before};
  } catch (e) {
    if (!(e instanceof PcmkctlError)) throw e;
    return {ok: false as const, error: e, store, before};
  }
}

describe('guest guards (resource update)', () => {
  test('RM-03: remote-node set to its current value is accepted and changes nothing', async () => {
    const r = await update('vm1', ['remote-node=guest1']);
    assert.equal(r.ok, true);
    assert.equal(r.store.writes, 0);
  });

  test('unrelated meta on a guest is accepted', async () => {
    const r = await update('vm1', ['target-role=Stopped']);
    assert.equal(r.ok, true);
    assert.equal(r.store.writes, 1);
  });

  const refused: [string, string, string[], string, RegExp][] = [
    ['set remote-node on a non-guest', 'd1', ['remote-node=newguest'], 'USE_ADD_GUEST', /not sufficient for creating a guest node, use 'pcmkctl cluster node add-guest'/],
    ['add remote-node to a resource with only remote-addr', 'a1', ['remote-node=g9'], 'USE_ADD_GUEST', /creating a guest node/],
    ['rename a guest', 'vm1', ['remote-node=guest2'], 'GUEST_RENAME', /changing the name of guest node 'guest1'/],
    ['unset remote-node', 'vm1', ['remote-node='], 'USE_REMOVE_GUEST', /removing a guest node, use 'pcmkctl cluster node remove-guest'/],
    ['change remote-addr of a guest', 'vm1', ['remote-addr=192.0.2.99'], 'GUEST_READDRESS', /changing the address of guest node 'guest1'/],
    ['unset remote-addr of a guest', 'vm1', ['remote-addr='], 'USE_REMOVE_GUEST', /removing guest node 'guest1'/],
  ];
  for (const [name, rsc, tokens, code, message] of refused) {
    test(`${name}: refused without --force (file unchanged), applied with --force (warning)`, async () => {
      const r = await update(rsc, tokens);
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.error.code, code);
      assert.match(r.error.message, message);
      assert.equal(r.error.reports[0].forceable, 'force');
      assert.match(r.error.reports[0].hint ?? '', /use --force to override/);
      assert.equal(r.store.text, r.before);
      const forced = await update(rsc, tokens, true);
      assert.equal(forced.ok, true);
      assert.equal(forced.store.writes, 1);
      const doc = await parseXml(forced.store.text);
      const [name, value] = tokens[0].split('=');
      const nv = findResource(doc, rsc)!.element;
      const found = serializeElement(nv).includes(`name="${name}" value="${value}"`);
      assert.equal(found, value !== '', `${name}=${value} applied`);
    });
  }

  test('remote-addr on a resource that is not a guest is not guarded', async () => {
    const r = await update('d1', ['remote-addr=192.0.2.50']);
    assert.equal(r.ok, true);
  });

  test('a guest name that is taken is refused even with --force (not forceable)', async () => {
    for (const taken of ['n1', 'remote1', 'g1d', 'guest1']) {
      const r = await update('d1', [`remote-node=${taken}`], true);
      assert.equal(r.ok, false, taken);
      if (!r.ok) {
        assert.ok(r.error.reports.some((x) => x.code === 'ID_EXISTS' && !x.forceable), taken);
        assert.equal(r.store.text, r.before);
      }
    }
  });

  test('remote-node on a group is refused even with --force', async () => {
    const r = await update('g1', ['remote-node=g5'], true);
    assert.equal(r.ok, false);
    if (!r.ok) assert.ok(r.error.reports.some((x) => x.code === 'NOT_A_PRIMITIVE'));
  });

  for (const [value, ok] of [
    ['3121', true],
    ['1', true],
    ['65535', true],
    ['', true],
    ['0', false],
    ['65536', false],
    ['-1', false],
    ['abc', false],
    ['31 21', false],
    ['0x10', false],
    ['99999999999999999999', false],
  ] as const) {
    test(`remote-port=${JSON.stringify(value)} ${ok ? 'accepted' : 'refused'}`, async () => {
      const r = await update('vm1', [`remote-port=${value}`]);
      assert.equal(r.ok, ok);
      if (!r.ok) {
        assert.equal(r.error.code, 'INVALID_PORT');
        assert.equal(r.error.reports[0].forceable, undefined);
      }
    });
  }

  for (const [value, ok] of [
    ['60', true],
    ['60s', true],
    ['2min', true],
    ['1h', true],
    ['500ms', true],
    ['PT5M', true],
    ['', true],
    ['abc', false],
    ['-5s', false],
    ['5 parsecs', false],
    ['1.5s', false],
  ] as const) {
    test(`remote-connect-timeout=${JSON.stringify(value)} ${ok ? 'accepted' : 'refused'}`, async () => {
      const r = await update('vm1', [`remote-connect-timeout=${value}`]);
      assert.equal(r.ok, ok);
      if (!r.ok) assert.equal(r.error.code, 'INVALID_DURATION');
    });
  }

  test('all problems are reported together', async () => {
    const r = await update('vm1', ['remote-port=x', 'remote-connect-timeout=y', 'remote-node=other']);
    assert.equal(r.ok, false);
    if (!r.ok) assert.deepEqual(r.error.reports.map((x) => x.code).sort(), ['GUEST_RENAME', 'INVALID_DURATION', 'INVALID_PORT']);
  });

  test('an unknown resource is a clear error', async () => {
    const r = await update('nope', ['a=1']);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.error.message, /resource 'nope' does not exist/);
  });
});

describe('through the file store with crm_verify', () => {
  test('RM-05 end to end: the nvpair id collision gives a CIB that crm_verify accepts', async (t) => {
    const missing = missingPacemaker();
    if (missing) return t.skip(missing);
    const dir = tempDir('pcmkctl-meta-');
    const path = join(dir, 'cib.xml');
    writeFileSync(
      path,
      cib(`${D2}<primitive id="d2-meta_attributes-foo" class="ocf" provider="pacemaker" type="Dummy"/>`, '').replace(
        '<crm_config/>',
        '<crm_config><cluster_property_set id="o"><nvpair id="o-s" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>',
      ),
    );
    const store = new FileCibStore(path);
    const r = await resourceUpdate({store, resourceId: 'd2', tokens: ['meta', 'foo=1'], force: false, dryRun: false, reporter: silentReporter});
    assert.equal(r.cib.changed, true);
    assert.equal(r.cib.validation, 'crm_verify');
    assertCibValid(path);
  });

});
