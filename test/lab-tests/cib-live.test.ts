// The foundation commands against the live cluster: resource update on a
// live resource, 20 concurrent writers without a lost update, and the
// cluster cib -> edit with -f -> cluster cib-push workflow racing another
// writer (refused; with diff-against applied on top).
import assert from 'node:assert/strict';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, test} from 'node:test';
import {exec} from '../../src/lib/util/exec.js';
import {labReady, useLab} from '../lab/lab.js';

const ready = labReady();
const BIN = new URL('../../bin/run.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'pcmkctl-cib-live-'));

function pcmkctl(args: string[]) {
  // NODE_OPTIONS: the test runner's '--import tsx' is not wanted in the CLI
  return exec('node', [BIN, ...args], {env: {NODE_OPTIONS: ''}, timeoutMs: 300_000});
}

async function liveMeta(rsc: string, name: string): Promise<string | undefined> {
  // crm_resource exits 0 with an empty stdout when the attribute is not set
  const r = await exec('crm_resource', ['--resource', rsc, '--meta', '--get-parameter', name], {timeoutMs: 30_000});
  return r.code === 0 && !/not found/.test(r.stderr) ? r.stdout.replace(/\n$/, '') : undefined;
}

async function createDummy(id: string): Promise<void> {
  const r = await exec('cibadmin', ['--create', '--scope', 'resources', '--xml-text', `<primitive id="${id}" class="ocf" provider="pacemaker" type="Dummy"/>`]);
  assert.equal(r.code, 0, r.stderr);
}

describe('foundation commands on the live CIB', () => {
  useLab(() => rmSync(dir, {recursive: true, force: true}));

  test('resource update … meta on a live resource; the same update again is unchanged', async (t) => {
    if (!ready.ok) return t.skip(ready.reason);
    await createDummy('live-d1');
    const r = await pcmkctl(['resource', 'update', 'live-d1', 'meta', 'target-role=Stopped', 'note=a&b<"c">', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.changed, true);
    assert.equal(doc.result.cib.target, 'live');
    assert.equal(await liveMeta('live-d1', 'target-role'), 'Stopped');
    assert.equal(await liveMeta('live-d1', 'note'), 'a&b<"c">');
    const again = await pcmkctl(['resource', 'update', 'live-d1', 'meta', 'target-role=Stopped', '--json']);
    assert.equal(JSON.parse(again.stdout).changed, false);
    const bad = await pcmkctl(['resource', 'update', 'live-d1', 'meta', 'x=a\nb']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^Error: .*newline or tab/);
  });

  test('20 concurrent live resource updates from separate processes: all 20 attributes present', async (t) => {
    if (!ready.ok) return t.skip(ready.reason);
    for (let i = 0; i < 20; i++) await createDummy(`cc${i}`);
    const runs = await Promise.all(Array.from({length: 20}, (_, i) => pcmkctl(['resource', 'update', `cc${i}`, 'meta', `k${i}=v${i}`])));
    runs.forEach((r, i) => assert.equal(r.code, 0, `writer ${i}: ${r.stderr}`));
    for (let i = 0; i < 20; i++) assert.equal(await liveMeta(`cc${i}`, `k${i}`), `v${i}`, `k${i} on cc${i}`);
    const verify = await exec('crm_verify', ['--live-check']);
    assert.equal(verify.code, 0, verify.stderr);
  });

  test('cluster cib → -f edit → cib-push is refused after a concurrent change; diff-against applies on top', async (t) => {
    if (!ready.ok) return t.skip(ready.reason);
    await createDummy('push-d1');
    await createDummy('push-d2');
    const file = join(dir, 'vm_cfg');
    const orig = join(dir, 'vm_cfg.orig');
    assert.equal((await pcmkctl(['cluster', 'cib', file])).code, 0);
    assert.equal((await pcmkctl(['cluster', 'cib', orig])).code, 0);
    const edit = await pcmkctl(['-f', file, 'resource', 'update', 'push-d1', 'meta', 'from-file=1']);
    assert.equal(edit.code, 0, edit.stderr);

    // another writer changes the live CIB meanwhile
    const other = await exec('crm_resource', ['--resource', 'push-d2', '--meta', '--set-parameter', 'from-other', '--parameter-value', '1']);
    assert.equal(other.code, 0, other.stderr);

    const refused = await pcmkctl(['cluster', 'cib-push', file, '--config']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^Error: the live CIB changed since/m);
    assert.equal(await liveMeta('push-d1', 'from-file'), undefined, 'nothing pushed');

    const merged = await pcmkctl(['cluster', 'cib-push', file, `diff-against=${orig}`]);
    assert.equal(merged.code, 0, merged.stderr);
    assert.equal(await liveMeta('push-d1', 'from-file'), '1', 'our change applied');
    assert.equal(await liveMeta('push-d2', 'from-other'), '1', 'the concurrent change survived');

    // a fresh copy, edited and pushed without a race, goes through
    assert.equal((await pcmkctl(['cluster', 'cib', file])).code, 0);
    assert.match(readFileSync(file, 'utf8'), /pcmkctl-base admin_epoch=\d+ epoch=\d+/);
    assert.equal((await pcmkctl(['-f', file, 'resource', 'update', 'push-d1', 'meta', 'second=2'])).code, 0);
    const pushed = await pcmkctl(['cluster', 'cib-push', file, '--config']);
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.equal(await liveMeta('push-d1', 'second'), '2');
  });
});
