// `pcmkctl resource update <id> meta ...` as a user runs it: every target
// kind, pcs-style flag order, --dry-run, --json, exact storage of awkward
// values (read back by Pacemaker), idempotence, and 20 concurrent writers.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {describe, test} from 'node:test';
import {parseXml, walk} from '../../src/lib/cib/xml.js';
import {assertSameBytes, assertWritten, epochOf, makeCib, metaOf, missingPacemaker, pcmk, runCli} from '../helpers/cli.js';

const noPacemaker = missingPacemaker();

/** The value of the nvpair `name` in the first meta set of `resource`, read with our parser from the file. */
async function storedMeta(file: string, resource: string, name: string): Promise<string | undefined> {
  const doc = await parseXml(readFileSync(file, 'utf8'));
  let value: string | undefined;
  walk(doc.root, (el) => {
    if (el.attrs.id !== resource) return;
    const set = el.children.find((c) => c.type === 'element' && c.name === 'meta_attributes');
    if (set?.type !== 'element') return false;
    for (const nv of set.children) if (nv.type === 'element' && nv.attrs.name === name) value = nv.attrs.value;
    return false;
  });
  return value;
}

describe('resource update meta on every kind of resource', {concurrency: 4}, () => {
  for (const [kind, id] of [
    ['primitive', 'd1'],
    ['primitive in a group', 'g1d1'],
    ['group', 'g1'],
    ['clone', 'c1'],
    ['promotable clone', 'p1'],
    ['bundle', 'b1'],
  ] as const) {
    test(`${kind} (${id}): set, modify, unset`, async (t) => {
      if (noPacemaker) return t.skip(noPacemaker);
      const cib = makeCib();
      let r = await runCli(['-f', cib.file, 'resource', 'update', id, 'meta', 'target-role=Stopped', 'resource-stickiness=10']);
      assertWritten(r, cib.file);
      assert.match(r.stdout, new RegExp(`^resource '${id}': updated the CIB file \\(version 0\\.\\d+\\.0 -> 0\\.\\d+\\.0\\)\\n$`));
      assert.equal(r.stderr, '');
      assert.equal(metaOf(cib.file, id, 'target-role'), 'Stopped');
      assert.equal(metaOf(cib.file, id, 'resource-stickiness'), '10');
      assert.match(cib.text(), new RegExp(`<nvpair id="${id}-meta_attributes-target-role" name="target-role" value="Stopped"/>`));
      r = await runCli(['-f', cib.file, 'resource', 'update', id, 'meta', 'resource-stickiness=20']);
      assertWritten(r, cib.file);
      assert.equal(metaOf(cib.file, id, 'resource-stickiness'), '20');
      r = await runCli(['-f', cib.file, 'resource', 'update', id, 'meta', 'target-role=', 'resource-stickiness=']);
      assertWritten(r, cib.file);
      assert.equal(await storedMeta(cib.file, id, 'target-role'), undefined);
      // the set stays (empty, unless it held other attributes before, like p1's promotable)
      assert.match(cib.text(), new RegExp(`<meta_attributes id="${id}-meta_attributes"${id === 'p1' ? '>' : '/>'}`), 'the set stays');
    });
  }
});

describe('resource update: output modes and flags', {concurrency: 4}, () => {
  test('global flags before the command and after it give identical results', async (t) => {
    if (noPacemaker) return t.skip(noPacemaker);
    const a = makeCib();
    const b = makeCib();
    const ra = await runCli(['-f', a.file, 'resource', 'update', 'd1', 'meta', 'priority=7']);
    const rb = await runCli(['resource', 'update', 'd1', 'meta', 'priority=7', '-f', b.file]);
    const c = makeCib();
    const rc = await runCli([`--file=${c.file}`, '--json', 'resource', 'update', 'd1', 'meta', 'priority=7']);
    assertWritten(ra, a.file);
    assertWritten(rb, b.file);
    assertWritten(rc, c.file);
    assert.equal(ra.stdout, rb.stdout);
    assert.equal(a.text(), b.text());
    assert.equal(a.text(), c.text());
    assert.equal(JSON.parse(rc.stdout).ok, true);
  });

  test('--dry-run prints a diff and leaves the file byte-identical', async (t) => {
    if (noPacemaker) return t.skip(noPacemaker);
    const cib = makeCib();
    const before = cib.bytes();
    const r = await runCli(['-f', cib.file, 'resource', 'update', 'd1', 'meta', 'priority=7', '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^--- .*cib\.xml \(epoch \d+\)\n\+\+\+ .*cib\.xml \(epoch \d+\)\n@@ /);
    assert.match(r.stdout, /^\+\s+<meta_attributes id="d1-meta_attributes">$/m);
    assert.match(r.stdout, /^\+\s+<nvpair id="d1-meta_attributes-priority" name="priority" value="7"\/>$/m);
    assert.match(r.stdout, /\(dry run: nothing was written\)\n$/);
    assertSameBytes(cib.file, before);
    const j = await runCli(['-f', cib.file, 'resource', 'update', 'd1', 'meta', 'priority=7', '--dry-run', '--json']);
    const doc = JSON.parse(j.stdout);
    assert.equal(doc.ok, true);
    assert.equal(doc.dryRun, true);
    assert.equal(doc.changed, false);
    assert.match(doc.result.cib.diff, /priority/);
    assertSameBytes(cib.file, before);
  });

  test('--json prints exactly one JSON document with ok/changed/result/reports', async (t) => {
    if (noPacemaker) return t.skip(noPacemaker);
    const cib = makeCib();
    const r = await runCli(['-f', cib.file, 'resource', 'update', 'd1', 'meta', 'priority=7', '--json']);
    assertWritten(r, cib.file);
    assert.equal(r.stderr, '');
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(doc).sort(), ['changed', 'dryRun', 'ok', 'reports', 'result']);
    assert.equal(doc.ok, true);
    assert.equal(doc.changed, true);
    assert.deepEqual(doc.result.changes, [{name: 'priority', value: '7', action: 'set'}]);
    assert.equal(doc.result.cib.target, 'file');
    assert.equal(doc.result.cib.validation, 'crm_verify');
    assert.ok(Array.isArray(doc.reports));
  });

  test('--json on errors: ok:false, the exit code inside and outside, nothing on stderr', async (t) => {
    if (noPacemaker) return t.skip(noPacemaker);
    const cib = makeCib();
    const before = cib.bytes();
    for (const [args, code, errorCode] of [
      [['resource', 'update', 'nope', 'meta', 'a=1'], 1, 'RESOURCE_NOT_FOUND'],
      [['resource', 'update', 'vm1', 'meta', 'remote-node=other'], 1, 'GUEST_RENAME'],
      [['resource', 'update', 'd1', 'meta', 'a=1', '--bogus'], 2, 'USAGE'],
      [['resource', 'update'], 2, 'USAGE'],
      [['resource', 'nosuch'], 2, 'USAGE'],
    ] as const) {
      const r = await runCli(['-f', cib.file, ...args, '--json']);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stderr, '', args.join(' '));
      const doc = JSON.parse(r.stdout);
      assert.equal(doc.ok, false);
      assert.equal(doc.changed, false);
      assert.equal(doc.error.code, errorCode);
      assert.equal(doc.error.exitCode, code);
      assert.ok(doc.reports.length >= 1);
      assertSameBytes(cib.file, before);
    }
  });

  test('a guest guard warning is shown with --force, and the change is applied', async (t) => {
    if (noPacemaker) return t.skip(noPacemaker);
    const cib = makeCib();
    const r = await runCli(['-f', cib.file, 'resource', 'update', 'vm1', 'meta', 'remote-addr=192.0.2.11', '--force']);
    assertWritten(r, cib.file);
    assert.match(r.stderr, /^Warning: changing the address of guest node 'guest1'/);
    assert.equal(metaOf(cib.file, 'vm1', 'remote-addr'), '192.0.2.11');
  });

  test('the same update twice: the second reports unchanged, file byte-identical, epoch unchanged', async (t) => {
    if (noPacemaker) return t.skip(noPacemaker);
    const cib = makeCib();
    const first = await runCli(['-f', cib.file, 'resource', 'update', 'd2', 'meta', 'priority=9', 'note=x']);
    assertWritten(first, cib.file);
    const before = cib.bytes();
    const epoch = epochOf(cib.text());
    const second = await runCli(['-f', cib.file, 'resource', 'update', 'd2', 'meta', 'priority=9', 'note=x']);
    assert.equal(second.code, 0);
    assert.equal(second.stdout, "resource 'd2': unchanged\n");
    assertSameBytes(cib.file, before);
    assert.equal(epochOf(cib.text()), epoch);
    const json = JSON.parse((await runCli(['-f', cib.file, 'resource', 'update', 'd2', 'meta', 'priority=9', '--json'])).stdout);
    assert.equal(json.changed, false);
    // Unsetting something absent is unchanged as well.
    const absent = await runCli(['-f', cib.file, 'resource', 'update', 'd1', 'meta', 'never-set=']);
    assert.equal(absent.stdout, "resource 'd1': unchanged\n");
    assertSameBytes(cib.file, before);
  });
});

describe('awkward values are stored exactly', {concurrency: 4}, () => {
  const values: [string, string][] = [
    ['XML metacharacters', `a & b < c > d " e ' f`],
    ['entity-looking text', '&amp; &lt; &#10; &#x41;'],
    ['unicode', 'café résumé 😀 日本語'],
    ['shell metacharacters', '$(touch /tmp/pwned); `id` | rm -rf / && echo $HOME'],
    ['injection', `x" injected="1"/><evil a="&amp;</nvpair>'`],
    ['leading and trailing spaces', '  padded  '],
    ['equals signs', 'a=b=c'],
    ['a 100 KiB value (near the OS limit for one argument)', 'v'.repeat(100 * 1024)],
  ];
  for (const [name, value] of values) {
    test(name, async (t) => {
      if (noPacemaker) return t.skip(noPacemaker);
      const cib = makeCib();
      const r = await runCli(['-f', cib.file, 'resource', 'update', 'd1', 'meta', `k=${value}`]);
      assertWritten(r, cib.file);
      assert.equal(await storedMeta(cib.file, 'd1', 'k'), value, 'our parser reads it back');
      assert.equal(metaOf(cib.file, 'd1', 'k'), value, 'crm_resource reads it back');
      // and a second identical update is a no-op (the comparison is exact)
      const before = cib.bytes();
      const again = await runCli(['-f', cib.file, 'resource', 'update', 'd1', 'meta', `k=${value}`]);
      assert.equal(again.stdout, "resource 'd1': unchanged\n");
      assertSameBytes(cib.file, before);
    });
  }

  test('newline and tab are stored as &#10; and &#9; and Pacemaker reads them as such', async (t) => {
    if (noPacemaker) return t.skip(noPacemaker);
    const cib = makeCib();
    const value = 'line1\nline2\tend';
    const r = await runCli(['-f', cib.file, 'resource', 'update', 'd1', 'meta', `k=${value}`]);
    assertWritten(r, cib.file);
    assert.match(cib.text(), /name="k" value="line1&#10;line2&#9;end"/);
    assert.equal(await storedMeta(cib.file, 'd1', 'k'), value);
    // Pacemaker's parse: an XPath match on the exact value (with a real newline and tab) finds it.
    const q = pcmk(cib.file, 'cibadmin', ['--query', '--xpath', `//nvpair[@name='k' and @value=concat('line1', '\n', 'line2', '\t', 'end')]`]);
    assert.equal(q.code, 0, `Pacemaker finds the exact value: ${q.stderr}`);
  });
});

describe('concurrent writers', () => {
  test('20 processes updating one file at once: all 20 attributes present, crm_verify passes', async (t) => {
    if (noPacemaker) return t.skip(noPacemaker);
    const cib = makeCib();
    const runs = Array.from({length: 20}, (_, i) => runCli(['-f', cib.file, 'resource', 'update', `r${i % 2 === 0 ? 'd1' : 'd2'}`.slice(1), 'meta', `k${i}=v${i}`], {timeoutMs: 120_000}));
    const results = await Promise.all(runs);
    for (const [i, r] of results.entries()) assert.equal(r.code, 0, `writer ${i}: ${r.stderr}`);
    assertWritten({code: 0, stdout: '', stderr: ''}, cib.file);
    for (let i = 0; i < 20; i++) assert.equal(await storedMeta(cib.file, i % 2 === 0 ? 'd1' : 'd2', `k${i}`), `v${i}`, `k${i}`);
    assert.equal(epochOf(cib.text()) - epochOf(makeCib().text()), 20, 'one epoch per write');
  });
});
