// Parity with pcs: for the same command on the same starting CIB, the CIB
// `pcmkctl -f` writes equals the CIB `pcs -f` writes. Each case builds a
// CIB with Pacemaker's tools (cibadmin --empty, stonith-enabled=false, the
// case's resources/constraints/nodes), copies it twice, runs
// `pcs -f A cluster node <cmd...>` and `pcmkctl -f B cluster node <cmd...>`
// and compares: exit status (both succeed, or both refuse and leave the file
// byte-identical), `crm_diff --no-version` (no difference) and the resources
// and constraints sections as cibadmin prints them (attribute and child
// order matter).
//
// Deliberate differences (pcs-behaviour.md §11: pcs weaknesses pcmkctl must
// not copy) are cases with `differs`: the test asserts that the documented
// difference is exactly what happens, so the list stays true.
//
// Node names all start with "pp" (or are IP-like in 192.0.2.0/24 with a
// "pp" resource) so they do not collide with hosts in
// /var/lib/pcsd/known-hosts (which both tools read for default addresses;
// this test never writes it).
import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, it} from 'node:test';
import {have, missingPacemaker, runCli, tempDir} from '../helpers/cli.js';

const skipReason = !have('pcs') ? 'pcs is not installed (nothing to compare with)' : missingPacemaker();

// ---------------------------------------------------------------- fixtures

interface Fixture {
  resources?: string;
  constraints?: string;
  nodes?: string;
}

const dummy = (id: string, inner = '') => `<primitive id="${id}" class="ocf" provider="pacemaker" type="Dummy">${inner}</primitive>`;
const nvset = (tag: string, id: string, pairs: Record<string, string>) =>
  `<${tag} id="${id}">${Object.entries(pairs)
    .map(([n, v]) => `<nvpair id="${id}-${n}" name="${n}" value="${v}"/>`)
    .join('')}</${tag}>`;
const meta = (owner: string, pairs: Record<string, string>) => nvset('meta_attributes', `${owner}-meta_attributes`, pairs);
/** A remote connection resource as a user (or pcs) would have created it. */
const remote = (id: string, server?: string, extra: Record<string, string> = {}) =>
  `<primitive id="${id}" class="ocf" provider="pacemaker" type="remote">${nvset('instance_attributes', `${id}-instance_attributes`, {...extra, ...(server ? {server} : {})})}<operations><op id="${id}-monitor-interval-60s" name="monitor" interval="60s" timeout="30s"/></operations></primitive>`;
/** A remote connection resource exactly as pcs (and pcmkctl) create it with Pacemaker 2.1.5 metadata. */
const fullRemote = (id: string, server: string) =>
  `<primitive id="${id}" class="ocf" type="remote" provider="pacemaker">${nvset('instance_attributes', `${id}-instance_attributes`, {server})}<operations>${[
    ['migrate_from', '0s', '60s'],
    ['migrate_to', '0s', '60s'],
    ['monitor', '60s', '30s'],
    ['reload', '0s', '60s'],
    ['reload-agent', '0s', '60s'],
    ['start', '0s', '60s'],
    ['stop', '0s', '60s'],
  ]
    .map(([n, i, t]) => `<op name="${n}" interval="${i}" timeout="${t}" id="${id}-${n}-interval-${i}"/>`)
    .join('')}</operations></primitive>`;
/** A guest: a Dummy "VM" with remote-node (and the given remote-* meta). */
const guest = (id: string, node: string, extra: Record<string, string> = {}) => dummy(id, meta(id, {'remote-node': node, ...extra}));

/** Resources most cases start with: plain primitives, one with a meta set, a group, a clone, a fence device. */
const BASE = [
  dummy('d1', '<operations><op id="d1-monitor-interval-10s" name="monitor" interval="10s" timeout="20s"/></operations>'),
  dummy('vm'),
  dummy('vmt', meta('vmt', {'target-role': 'Stopped'})),
  `<group id="grp">${dummy('gvm')}${dummy('gd2')}</group>`,
  `<clone id="cl">${dummy('cvm')}</clone>`,
  '<primitive id="fence1" class="stonith" type="fence_dummy"/>',
].join('');

const res = (...extra: string[]) => `<resources>${BASE}${extra.join('')}</resources>`;

interface Tool {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a Pacemaker tool (on CIB_file=file when given) without blocking the other cases. */
function tool(command: string, args: readonly string[], file?: string): Promise<Tool> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = {...process.env, LC_ALL: 'C'};
    delete env.CIB_file;
    if (file) env.CIB_file = file;
    execFile(command, args, {env, timeout: 120_000, encoding: 'utf8', maxBuffer: 64 << 20}, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({code, stdout, stderr});
    });
  });
}

async function must(command: string, args: readonly string[], file?: string): Promise<string> {
  const r = await tool(command, args, file);
  assert.equal(r.code, 0, `${command} ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** Starting CIBs by fixture (most cases share one): the bytes, built once. */
const starts = new Map<string, Promise<Buffer>>();

/** Build the starting CIB with cibadmin/crm_attribute, as a user would. */
function startCib(fixture: Fixture): Promise<Buffer> {
  const key = JSON.stringify([fixture.nodes, fixture.resources, fixture.constraints]);
  let start = starts.get(key);
  if (!start) {
    start = (async () => {
      const file = join(tempDir('pcmkctl-parity-start-'), 'start.xml');
      writeFileSync(file, await must('cibadmin', ['--empty']));
      await must('crm_attribute', ['--type', 'crm_config', '--name', 'stonith-enabled', '--update', 'false'], file);
      for (const scope of ['nodes', 'resources', 'constraints'] as const) {
        const xml = scope === 'resources' ? (fixture.resources ?? res()) : fixture[scope];
        if (xml) await must('cibadmin', ['--replace', '--scope', scope, '--xml-text', xml], file);
      }
      return readFileSync(file);
    })();
    starts.set(key, start);
  }
  return start;
}

// ---------------------------------------------------------------- running

type Run = Tool;

const runPcs = (file: string, cmd: readonly string[]) => tool('pcs', ['-f', file, 'cluster', 'node', ...cmd]);

/** A section as `cibadmin --query --scope` prints it. */
async function query(file: string, scope: string): Promise<string> {
  const r = await tool('cibadmin', ['--query', '--scope', scope], file);
  return r.code === 0 ? r.stdout : `(cibadmin exit ${r.code}: ${r.stderr.trim()})`;
}

interface Outcome {
  pcs: Run;
  ours: Run;
  start: Buffer;
  a: string;
  b: string;
}

async function runBoth(fixture: Fixture, cmd: readonly string[]): Promise<Outcome> {
  const start = await startCib(fixture);
  const dir = tempDir('pcmkctl-parity-');
  const a = join(dir, 'pcs.xml');
  const b = join(dir, 'pcmkctl.xml');
  writeFileSync(a, start);
  writeFileSync(b, start);
  const [pcs, ours] = await Promise.all([runPcs(a, cmd), runCli(['-f', b, 'cluster', 'node', ...cmd], {timeoutMs: 120_000})]);
  return {pcs, ours, start, a, b};
}

const show = (label: string, r: Run) => `${label} exit ${r.code}\n  stdout: ${r.stdout.trim()}\n  stderr: ${r.stderr.trim()}`;

/** Both wrote the same CIB: crm_diff sees nothing, and the printed sections are identical. */
async function assertSameCib(o: Outcome): Promise<void> {
  const where = `${show('pcs', o.pcs)}\n${show('pcmkctl', o.ours)}`;
  assert.equal(o.pcs.code, 0, `pcs must succeed:\n${where}`);
  assert.equal(o.ours.code, 0, `pcmkctl must succeed:\n${where}`);
  assert.ok(!readFileSync(o.a).equals(o.start), `pcs changed the file:\n${where}`);
  const diff = await tool('crm_diff', ['--no-version', '-o', o.a, '-n', o.b]);
  assert.equal(diff.code, 0, `crm_diff --no-version pcs.xml pcmkctl.xml reports a difference:\n${diff.stdout}${diff.stderr}\n${where}`);
  await assertSameSections(o);
}

async function assertSameSections(o: Outcome): Promise<void> {
  for (const scope of ['resources', 'constraints']) {
    assert.equal(await query(o.b, scope), await query(o.a, scope), `<${scope}> as printed by cibadmin (pcmkctl vs pcs)`);
  }
}

/** Both refused and left their file byte-identical. */
function assertBothRefuse(o: Outcome, message?: string): void {
  const where = `${show('pcs', o.pcs)}\n${show('pcmkctl', o.ours)}`;
  assert.notEqual(o.pcs.code, 0, `pcs must refuse:\n${where}`);
  assert.notEqual(o.ours.code, 0, `pcmkctl must refuse:\n${where}`);
  assert.ok(readFileSync(o.a).equals(o.start), 'pcs left the file unchanged');
  assert.ok(readFileSync(o.b).equals(o.start), 'pcmkctl left the file unchanged');
  if (message !== undefined) {
    assert.ok(o.pcs.stderr.includes(message), `pcs says ${JSON.stringify(message)}:\n${where}`);
    assert.ok(o.ours.stderr.includes(message), `pcmkctl says ${JSON.stringify(message)}:\n${where}`);
  }
}

// ---------------------------------------------------------------- cases

interface Case {
  name: string;
  cmd: string[];
  fixture?: Fixture;
  /** Both must refuse (optionally with this text in both stderrs). */
  refuse?: true | string;
  /** A deliberate difference: why, and the check that it is exactly that. */
  differs?: {reason: string; check: (o: Outcome) => void | Promise<void>};
}

const A = 'add-remote';
const G = 'add-guest';

const constraintsOn = (rsc: string, node: string) =>
  `<constraints>
    <rsc_location id="loc-${rsc}-prefers" rsc="${rsc}" node="node1" score="INFINITY"/>
    <rsc_location id="loc-d1-on-${node}" rsc="d1" node="${node}" score="100"/>
    <rsc_location id="loc-d1-avoid-${node}" rsc="d1" node="${node}" score="-INFINITY"/>
    <rsc_order id="ord-${rsc}-d1" first="${rsc}" then="d1" kind="Mandatory"/>
    <rsc_order id="ord-vm-${rsc}" first="vm" then="${rsc}"/>
    <rsc_colocation id="col-d1-${rsc}" rsc="d1" with-rsc="${rsc}" score="INFINITY"/>
    <rsc_colocation id="col-vm-d1" rsc="vm" with-rsc="d1" score="INFINITY"/>
  </constraints>`;

const setConstraints = (rsc: string) =>
  `<constraints>
    <rsc_order id="ord-set">
      <resource_set id="ord-set-set"><resource_ref id="${rsc}"/><resource_ref id="d1"/><resource_ref id="vm"/></resource_set>
    </rsc_order>
    <rsc_colocation id="col-set" score="INFINITY">
      <resource_set id="col-set-set-1"><resource_ref id="d1"/></resource_set>
      <resource_set id="col-set-set-2"><resource_ref id="${rsc}"/></resource_set>
    </rsc_colocation>
    <rsc_ticket id="tkt-set" ticket="T1">
      <resource_set id="tkt-set-set"><resource_ref id="${rsc}"/><resource_ref id="vm"/></resource_set>
    </rsc_ticket>
  </constraints>`;

const cases: Case[] = [
  // ---- add-remote
  {name: 'add-remote with an address', cmd: [A, 'ppr1', '192.0.2.11']},
  {name: 'add-remote without an address (known-hosts has no entry: server = name)', cmd: [A, 'ppr-noaddr']},
  {name: 'add-remote with address equal to the name', cmd: [A, 'ppr2', 'ppr2']},
  {name: 'add-remote port and reconnect_interval', cmd: [A, 'ppr3', '192.0.2.13', 'port=3122', 'reconnect_interval=60']},
  {name: 'add-remote op monitor interval+timeout overrides the default monitor', cmd: [A, 'ppr4', '192.0.2.14', 'op', 'monitor', 'interval=20s', 'timeout=15s']},
  {name: 'add-remote op start timeout (interval added after the user attributes)', cmd: [A, 'ppr5', '192.0.2.15', 'op', 'start', 'timeout=120s']},
  {name: 'add-remote op attributes keep the user order', cmd: [A, 'ppr5b', '192.0.2.115', 'op', 'monitor', 'timeout=15s', 'interval=20s', 'stop', 'timeout=90s', 'interval=0']},
  {name: 'add-remote two monitors with different intervals', cmd: [A, 'ppr6', '192.0.2.16', 'op', 'monitor', 'interval=20s', 'monitor', 'interval=40s', 'timeout=10s']},
  {name: 'add-remote repeated op keyword', cmd: [A, 'ppr6b', '192.0.2.116', 'op', 'monitor', 'interval=20s', 'op', 'start', 'timeout=90s', 'op', 'stop', 'timeout=90s']},
  {name: 'add-remote op with role', cmd: [A, 'ppr7', '192.0.2.17', 'op', 'monitor', 'interval=20s', 'role=Started']},
  {name: 'add-remote op with role Stopped and start-delay', cmd: [A, 'ppr7d', '192.0.2.119', 'op', 'monitor', 'interval=20s', 'role=Stopped', 'start-delay=5s']},
  {name: 'add-remote op OCF_CHECK_LEVEL (an nvpair of the op, not an attribute)', cmd: [A, 'ppr7e', '192.0.2.120', 'op', 'monitor', 'interval=20s', 'OCF_CHECK_LEVEL=10', 'start', 'timeout=40s', 'OCF_CHECK_LEVEL=1']},
  {name: 'add-remote op with an explicit id and a description (given order kept)', cmd: [A, 'ppr7f', '192.0.2.122', 'op', 'monitor', 'interval=20s', 'id=ppr7f-mon', 'description=check']},
  {name: 'add-remote op with an explicit id before the interval', cmd: [A, 'ppr7g', '192.0.2.123', 'op', 'monitor', 'id=ppr7g-mon', 'interval=20s', 'start', 'id=ppr7g-start']},
  {name: 'add-remote op on-fail and enabled', cmd: [A, 'ppr7b', '192.0.2.117', 'op', 'monitor', 'interval=20s', 'on-fail=restart', 'enabled=true', 'start', 'timeout=90s', 'on-fail=block']},
  {name: 'add-remote op interval in minutes', cmd: [A, 'ppr7c', '192.0.2.118', 'op', 'monitor', 'interval=1min', 'timeout=30s']},
  {name: 'add-remote --no-default-ops (monitor only)', cmd: [A, 'ppr8', '192.0.2.18', '--no-default-ops']},
  {name: 'add-remote --no-default-ops with user ops', cmd: [A, 'ppr9', '192.0.2.19', 'op', 'start', 'timeout=120s', 'stop', 'timeout=100s', '--no-default-ops']},
  {
    name: 'add-remote everything (pcs-behaviour.md §2.2 example)',
    cmd: [A, 'ppr10', '192.0.2.2', 'port=3122', 'reconnect_interval=60', 'op', 'monitor', 'interval=20s', 'timeout=15s', 'start', 'timeout=120s', 'meta', 'resource-stickiness=100', 'target-role=Stopped', '--no-default-ops'],
  },
  {name: 'add-remote several meta attributes (sorted)', cmd: [A, 'ppr11', '192.0.2.21', 'meta', 'target-role=Stopped', 'resource-stickiness=100', 'priority=3', 'failure-timeout=60s']},
  {name: 'add-remote meta before op', cmd: [A, 'ppr11b', '192.0.2.121', 'meta', 'priority=3', 'op', 'monitor', 'interval=25s']},
  {
    name: 'add-remote ids collide with existing elements (instance set, nvpair, op ids uniquified)',
    cmd: [A, 'ppr12', '192.0.2.22', 'port=3122', 'meta', 'priority=1'],
    fixture: {
      resources: res(
        dummy('x1', `${nvset('instance_attributes', 'ppr12-instance_attributes', {fake: '1'})}<operations><op id="ppr12-start-interval-0s" name="start" interval="0s"/><op id="ppr12-monitor-interval-60s" name="monitor" interval="60s"/></operations>`),
        dummy('x2', `${nvset('meta_attributes', 'ppr12-meta_attributes', {a: '1'})}${nvset('instance_attributes', 'x2-ia', {})}`),
        dummy('x3', `<instance_attributes id="x3-ia"><nvpair id="ppr12-instance_attributes-1-server" name="s" value="1"/><nvpair id="ppr12-meta_attributes-1-priority" name="p" value="1"/></instance_attributes>`),
      ),
    },
  },
  {name: 'add-remote name with dots, underscores and dashes', cmd: [A, 'pp.r_13-x', '192.0.2.23', 'op', 'monitor', 'interval=30s']},
  {name: 'add-remote name starting with an underscore', cmd: [A, '_ppr14', '192.0.2.24']},
  {name: 'add-remote next to existing remote and guest nodes', cmd: [A, 'ppr15', '192.0.2.25'], fixture: {resources: res(remote('ppr-old', '192.0.2.50'), guest('vmg', 'ppg-old', {'remote-addr': '192.0.2.60'}))}},

  // ---- add-guest
  {name: 'add-guest on a primitive without a meta set', cmd: [G, 'ppg1', 'vm', 'remote-addr=192.0.2.31']},
  {name: 'add-guest without remote-addr (name used)', cmd: [G, 'ppg2', 'vm']},
  {name: 'add-guest with an existing meta set (target-role), all options', cmd: [G, 'ppg3', 'vmt', 'remote-addr=192.0.2.33', 'remote-port=3122', 'remote-connect-timeout=90s']},
  {name: 'add-guest with only port and timeout', cmd: [G, 'ppg4', 'vm', 'remote-port=1234', 'remote-connect-timeout=20']},
  {name: 'add-guest on a primitive inside a group', cmd: [G, 'ppg5', 'gvm', 'remote-addr=192.0.2.35']},
  {
    name: 'add-guest when vm-meta_attributes is taken by another element',
    cmd: [G, 'ppg6', 'vm', 'remote-addr=192.0.2.36'],
    fixture: {resources: res(dummy('x6', nvset('meta_attributes', 'vm-meta_attributes', {priority: '1'})))},
  },
  {
    name: 'add-guest when nvpair ids are taken',
    cmd: [G, 'ppg7', 'vmt', 'remote-addr=192.0.2.37', 'remote-port=3122'],
    fixture: {resources: res(dummy('x7', `<meta_attributes id="x7-ma"><nvpair id="vmt-meta_attributes-remote-node" name="a" value="1"/><nvpair id="vmt-meta_attributes-remote-port" name="b" value="1"/></meta_attributes>`))},
  },
  {name: 'add-guest with an IP-like guest name', cmd: [G, '192.0.2.38', 'vm']},
  {
    name: 'add-guest on a primitive with instance attributes, operations and two meta sets (first set used)',
    cmd: [G, 'ppg9', 'vmx', 'remote-addr=192.0.2.39'],
    fixture: {
      resources: res(
        dummy('vmx', `${nvset('instance_attributes', 'vmx-instance_attributes', {fake: 'x'})}${nvset('meta_attributes', 'vmx-meta-a', {priority: '2'})}${nvset('meta_attributes', 'vmx-meta-b', {'resource-stickiness': '5'})}<operations><op id="vmx-monitor-interval-10s" name="monitor" interval="10s"/></operations>`),
      ),
    },
  },
  {name: 'add-guest with instance attributes but no meta set (set inserted first)', cmd: [G, 'ppg10', 'vmi'], fixture: {resources: res(dummy('vmi', nvset('instance_attributes', 'vmi-instance_attributes', {fake: 'y'})))}},

  // ---- remove-remote
  {name: 'remove-remote by name', cmd: ['remove-remote', 'ppr20'], fixture: {resources: res(remote('ppr20', '192.0.2.40'))}},
  {name: 'remove-remote by server address', cmd: ['remove-remote', '192.0.2.41'], fixture: {resources: res(remote('ppr21', '192.0.2.41'), remote('ppr21b', '192.0.2.141'))}},
  {name: 'delete-remote alias', cmd: ['delete-remote', 'ppr22'], fixture: {resources: res(remote('ppr22'))}},
  {
    name: 'remove-remote with constraints (location rsc= and node=, order, colocation)',
    cmd: ['remove-remote', 'ppr23'],
    fixture: {resources: res(remote('ppr23', '192.0.2.43')), constraints: constraintsOn('ppr23', 'ppr23')},
  },
  {
    name: 'remove-remote with resource-set constraints',
    cmd: ['remove-remote', 'ppr24'],
    fixture: {resources: res(remote('ppr24', '192.0.2.44')), constraints: setConstraints('ppr24')},
  },
  {
    name: 'remove-remote by address with constraints on the node name',
    cmd: ['remove-remote', '192.0.2.45'],
    fixture: {resources: res(remote('ppr25', '192.0.2.45')), constraints: constraintsOn('ppr25', 'ppr25')},
  },

  // ---- remove-guest
  {name: 'remove-guest by node name (empty meta set kept)', cmd: ['remove-guest', 'ppg20'], fixture: {resources: res(guest('vmg', 'ppg20', {'remote-addr': '192.0.2.50'}))}},
  {name: 'remove-guest by resource id (other meta kept)', cmd: ['remove-guest', 'vmg'], fixture: {resources: res(dummy('vmg', meta('vmg', {'target-role': 'Stopped', 'remote-node': 'ppg21', 'remote-port': '3122', 'remote-connect-timeout': '60s'})))}},
  {name: 'remove-guest by remote-addr', cmd: ['remove-guest', '192.0.2.52'], fixture: {resources: res(guest('vmg', 'ppg22', {'remote-addr': '192.0.2.52'}))}},
  {name: 'delete-guest alias', cmd: ['delete-guest', 'ppg23'], fixture: {resources: res(guest('vmg', 'ppg23'))}},
  {
    name: 'remove-guest keeps location constraints on the node and the container resource',
    cmd: ['remove-guest', 'ppg24'],
    fixture: {resources: res(guest('vmg', 'ppg24', {'remote-addr': '192.0.2.54'})), constraints: constraintsOn('vmg', 'ppg24')},
  },
  {
    name: 'remove-guest with guest attributes in a second meta set',
    cmd: ['remove-guest', 'ppg25'],
    fixture: {resources: res(dummy('vmg', `${nvset('meta_attributes', 'vmg-m1', {'remote-node': 'ppg25'})}${nvset('meta_attributes', 'vmg-m2', {'remote-addr': '192.0.2.55', priority: '1'})}`))},
  },

  // ---- both refuse
  {name: 'refuse: add-guest on an unknown resource', cmd: [G, 'ppg30', 'nosuch'], refuse: "resource 'nosuch' does not exist"},
  {name: 'refuse: add-remote name already exists (resource id)', cmd: [A, 'd1', '192.0.2.60'], refuse: "'d1' already exists"},
  {name: 'refuse: add-remote name already a guest node', cmd: [A, 'ppg-old', '192.0.2.61'], fixture: {resources: res(guest('vmg', 'ppg-old'))}, refuse: "'ppg-old' already exists"},
  {name: 'refuse: add-remote address already used by a remote', cmd: [A, 'ppr31', '192.0.2.50'], fixture: {resources: res(remote('ppr-old', '192.0.2.50'))}, refuse: "'192.0.2.50' already exists"},
  {name: 'refuse: add-guest address already used by a guest', cmd: [G, 'ppg31', 'vm', 'remote-addr=192.0.2.60'], fixture: {resources: res(guest('vmg', 'ppg-old', {'remote-addr': '192.0.2.60'}))}, refuse: "'192.0.2.60' already exists"},
  {name: 'refuse: add-remote invalid name 1node', cmd: [A, '1node', '192.0.2.62'], refuse: "'1' is not a valid first character"},
  {name: 'refuse: add-remote server= option', cmd: [A, 'ppr32', '192.0.2.63', 'server=192.0.2.64'], refuse: "invalid resource option 'server'"},
  {name: 'refuse: add-remote unknown option', cmd: [A, 'ppr33', '192.0.2.65', 'bogus=1'], refuse: "invalid resource option 'bogus'"},
  {name: 'refuse: add-remote unknown operation', cmd: [A, 'ppr34', '192.0.2.66', 'op', 'monitr', 'interval=10s'], refuse: "'monitr' is not a valid operation name value"},
  {name: 'refuse: add-remote duplicate monitor intervals', cmd: [A, 'ppr35', '192.0.2.67', 'op', 'monitor', 'interval=10', 'monitor', 'interval=10'], refuse: 'multiple specification of the same operation with the same interval'},
  {name: 'refuse: add-remote duplicate monitor intervals in different units', cmd: [A, 'ppr36', '192.0.2.68', 'op', 'monitor', 'interval=60s', 'monitor', 'interval=1min'], refuse: 'multiple specification of the same operation with the same interval'},
  {name: 'refuse: add-remote same monitor interval with different roles', cmd: [A, 'ppr37', '192.0.2.69', 'op', 'monitor', 'interval=10', 'role=Started', 'monitor', 'interval=10', 'role=Stopped'], refuse: 'multiple specification of the same operation with the same interval'},
  {name: 'refuse: add-remote duplicate start', cmd: [A, 'ppr38', '192.0.2.79', 'op', 'start', 'timeout=10', 'start', 'timeout=20'], refuse: 'multiple specification of the same operation with the same interval'},
  {name: 'refuse: add-remote op id already in use', cmd: [A, 'ppr39', '192.0.2.80', 'op', 'monitor', 'id=d1', 'interval=20s'], refuse: "'d1' already exists"},
  {name: 'refuse: add-remote op id not an XML id', cmd: [A, 'ppr39b', '192.0.2.81', 'op', 'monitor', 'id=1bad', 'interval=20s'], refuse: "invalid operation id '1bad'"},
  {name: 'refuse: add-remote op name= different from the action', cmd: [A, 'ppr39c', '192.0.2.82', 'op', 'monitor', 'name=start', 'interval=20s'], refuse: "duplicate option 'name' with different values 'monitor' and 'start'"},
  {name: 'refuse: add-guest on a resource that already is a guest', cmd: [G, 'ppg32', 'vmg'], fixture: {resources: res(guest('vmg', 'ppg-old'))}, refuse: "the resource 'vmg' is already a guest node"},
  {name: 'refuse: add-guest on a group', cmd: [G, 'ppg33', 'grp'], refuse: "'grp' is not a resource"},
  {name: 'refuse: add-guest remote-node option', cmd: [G, 'ppg34', 'vm', 'remote-node=x'], refuse: "invalid guest option 'remote-node'"},
  {name: 'refuse: add-guest bad remote-port and timeout', cmd: [G, 'ppg35', 'vm', 'remote-port=abc', 'remote-connect-timeout=def'], refuse: "'abc' is not a valid remote-port value"},
  {name: 'refuse: remove-remote of an unknown node', cmd: ['remove-remote', 'ppr-none'], refuse: "remote node 'ppr-none' does not appear to exist in configuration"},
  {name: 'refuse: remove-guest of an unknown node', cmd: ['remove-guest', 'ppg-none'], refuse: "guest node 'ppg-none' does not appear to exist in configuration"},
  {name: 'refuse: remove-remote of a guest', cmd: ['remove-remote', 'ppg-old'], fixture: {resources: res(guest('vmg', 'ppg-old'))}, refuse: "remote node 'ppg-old' does not appear to exist in configuration"},

  // ---- deliberate differences (pcs-behaviour.md §11)
  {
    name: 'differs: add-guest on a primitive inside a clone',
    cmd: [G, 'ppg40', 'cvm'],
    differs: {
      reason: 'W17: Pacemaker silently creates no guest from a cloned resource; pcmkctl refuses without --force',
      check: (o) => {
        assert.equal(o.pcs.code, 0, show('pcs', o.pcs));
        assert.notEqual(o.ours.code, 0, show('pcmkctl', o.ours));
        assert.match(o.ours.stderr, /inside clone 'cl'/);
        assert.ok(readFileSync(o.b).equals(o.start), 'pcmkctl left the file unchanged');
      },
    },
  },
  {
    name: 'differs: add-guest on a fence device',
    cmd: [G, 'ppg41', 'fence1'],
    differs: {
      reason: 'W17: a stonith primitive cannot be a guest; pcmkctl refuses without --force',
      check: (o) => {
        assert.equal(o.pcs.code, 0, show('pcs', o.pcs));
        assert.notEqual(o.ours.code, 0, show('pcmkctl', o.ours));
        assert.ok(readFileSync(o.b).equals(o.start), 'pcmkctl left the file unchanged');
      },
    },
  },
  {
    name: 'differs: add-remote port=abc',
    cmd: [A, 'ppr40', '192.0.2.70', 'port=abc'],
    differs: {
      reason: 'W18: pcs does not check instance values; pcmkctl validates the port',
      check: (o) => {
        assert.equal(o.pcs.code, 0, show('pcs', o.pcs));
        assert.notEqual(o.ours.code, 0, show('pcmkctl', o.ours));
        assert.match(o.ours.stderr, /'abc' is not a valid port value/);
        assert.ok(readFileSync(o.b).equals(o.start), 'pcmkctl left the file unchanged');
      },
    },
  },
  {
    name: 'differs: add-remote meta remote-node=x',
    cmd: [A, 'ppr41', '192.0.2.71', 'meta', 'remote-node=x'],
    differs: {
      reason: 'W18: guest meta on a connection resource is nonsense; pcs accepts it, pcmkctl refuses',
      check: (o) => {
        assert.equal(o.pcs.code, 0, show('pcs', o.pcs));
        assert.notEqual(o.ours.code, 0, show('pcmkctl', o.ours));
        assert.ok(readFileSync(o.b).equals(o.start), 'pcmkctl left the file unchanged');
      },
    },
  },
  {
    name: 'differs: add-remote of an identical existing remote',
    cmd: [A, 'ppr42', '192.0.2.72'],
    fixture: {resources: res(fullRemote('ppr42', '192.0.2.72'))},
    differs: {
      reason: "W8/W21: pcmkctl re-runs are idempotent ('unchanged') when the node is already configured; pcs says it already exists",
      check: (o) => {
        assert.notEqual(o.pcs.code, 0, show('pcs', o.pcs));
        assert.match(o.pcs.stderr, /'ppr42' already exists/);
        assert.ok(readFileSync(o.a).equals(o.start), 'pcs left the file unchanged');
        assert.equal(o.ours.code, 0, show('pcmkctl', o.ours));
        assert.ok(readFileSync(o.b).equals(o.start), 'pcmkctl left the file unchanged');
      },
    },
  },
  {
    name: 'differs: remove-remote with a <nodes> entry',
    cmd: ['remove-remote', 'ppr43'],
    fixture: {
      resources: res(remote('ppr43', '192.0.2.73')),
      nodes: '<nodes><node id="ppr43" uname="ppr43" type="remote"><instance_attributes id="nodes-ppr43"><nvpair id="nodes-ppr43-standby" name="standby" value="off"/></instance_attributes></node></nodes>',
    },
    differs: {
      reason: 'W15: pcs 0.11.5 leaves the <node type="remote"> entry in -f mode; pcmkctl purges it (otherwise done by crm_node live)',
      check: async (o) => {
        assert.equal(o.pcs.code, 0, show('pcs', o.pcs));
        assert.equal(o.ours.code, 0, show('pcmkctl', o.ours));
        assert.match(await query(o.a, 'nodes'), /uname="ppr43"/);
        assert.doesNotMatch(await query(o.b, 'nodes'), /uname="ppr43"/);
        await assertSameSections(o);
      },
    },
  },
];

// ---------------------------------------------------------------- tests

describe('CIB parity with pcs -f (cluster node add-remote/add-guest/remove-remote/remove-guest)', {concurrency: 4}, () => {
  it('has at least 30 cases, with unique names', () => {
    assert.ok(cases.length >= 30, `${cases.length} cases`);
    assert.equal(new Set(cases.map((c) => c.name)).size, cases.length);
  });
  for (const c of cases) {
    const label = c.differs ? `${c.name} [expected difference: ${c.differs.reason}]` : c.name;
    it(`${label}: ${c.cmd.join(' ')}`, {timeout: 240_000}, async (t) => {
      if (skipReason) return t.skip(skipReason);
      const o = await runBoth(c.fixture ?? {}, c.cmd);
      if (c.differs) await c.differs.check(o);
      else if (c.refuse) assertBothRefuse(o, c.refuse === true ? undefined : c.refuse);
      else await assertSameCib(o);
    });
  }
});
