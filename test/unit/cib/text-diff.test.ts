// The --dry-run diff: a correct unified diff (GNU hunk format), checked by
// applying it with patch(1) without fuzz.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, test} from 'node:test';
import {unifiedDiff} from '../../../src/lib/cib/text-diff.js';
import {have, tempDir} from '../../helpers/cli.js';

const L = (...lines: string[]) => lines.map((l) => `${l}\n`).join('');
const body = (d: string) => d.split('\n').slice(2).join('\n');

describe('unifiedDiff', () => {
  test('no change: empty string', () => {
    assert.equal(unifiedDiff(L('a', 'b'), L('a', 'b'), ['x', 'y']), '');
    assert.equal(unifiedDiff('', '', ['x', 'y']), '');
  });

  test('labels and one changed line with 3 lines of context', () => {
    const d = unifiedDiff(L('1', '2', '3', '4', '5', '6', '7', '8', '9'), L('1', '2', '3', '4', 'five', '6', '7', '8', '9'), ['old (epoch 1)', 'new (epoch 2)']);
    assert.equal(d, ['--- old (epoch 1)', '+++ new (epoch 2)', '@@ -2,7 +2,7 @@', ' 2', ' 3', ' 4', '-5', '+five', ' 6', ' 7', ' 8', ''].join('\n'));
  });

  test('GNU ranges: one line is written without a length, none as the line before', () => {
    assert.equal(body(unifiedDiff(L('a'), L('b'), ['x', 'y'])), '@@ -1 +1 @@\n-a\n+b\n');
    assert.equal(body(unifiedDiff('', L('a'), ['x', 'y'])), '@@ -0,0 +1 @@\n+a\n');
    assert.equal(body(unifiedDiff(L('a', 'b'), L('a'), ['x', 'y'])), '@@ -1,2 +1 @@\n a\n-b\n');
  });

  test('the final newline is not an extra (blank) line', () => {
    const d = unifiedDiff(L('a', 'b', 'c'), L('a', 'b', 'c', 'd'), ['x', 'y']);
    assert.equal(body(d), '@@ -1,3 +1,4 @@\n a\n b\n c\n+d\n');
  });

  test('distant changes make separate hunks, close ones share one', () => {
    const a = Array.from({length: 30}, (_, i) => `l${i}`);
    const far = [...a];
    far[2] = 'X';
    far[25] = 'Y';
    assert.equal((unifiedDiff(L(...a), L(...far), ['x', 'y']).match(/^@@/gm) ?? []).length, 2);
    const near = [...a];
    near[10] = 'X';
    near[16] = 'Y'; // 5 unchanged lines between: within 2 x 3 context
    assert.equal((unifiedDiff(L(...a), L(...near), ['x', 'y']).match(/^@@/gm) ?? []).length, 1);
  });

  test('a one-line change in a 100,000-line text is fast', () => {
    const a = Array.from({length: 100_000}, (_, i) => `<nvpair id="n${i}"/>`);
    const b = [...a];
    b[50_000] = '<nvpair id="changed"/>';
    const started = Date.now();
    const d = unifiedDiff(L(...a), L(...b), ['x', 'y']);
    assert.ok(Date.now() - started < 2000);
    assert.match(d, /^@@ -49998,7 \+49998,7 @@$/m);
  });

  test('300 random edits: patch(1) turns the old text into the new one with the diff', (t) => {
    if (!have('patch')) return t.skip('patch is not installed');
    const dir = tempDir('pcmkctl-diff-');
    let s = 11;
    const rnd = (n: number) => {
      s = (s + 0x6d2b79f5) | 0;
      let x = Math.imul(s ^ (s >>> 15), 1 | s);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return ((x ^ (x >>> 14)) >>> 0) % n;
    };
    for (let it = 0; it < 300; it++) {
      const a = Array.from({length: rnd(40)}, () => `line${rnd(8)}`);
      const b = [...a];
      for (let e = rnd(6); e > 0; e--) {
        const kind = rnd(3);
        const at = rnd(b.length + 1);
        if (kind === 0) b.splice(at, 0, `new${rnd(5)}`);
        else if (kind === 1 && b.length > 0) b.splice(at % b.length, 1);
        else if (b.length > 0) b[at % b.length] = `chg${rnd(5)}`;
      }
      const d = unifiedDiff(L(...a), L(...b), ['a', 'b']);
      if (L(...a) === L(...b)) {
        assert.equal(d, '');
        continue;
      }
      writeFileSync(join(dir, 'a'), L(...a));
      const r = spawnSync('patch', ['--silent', '--fuzz=0', '-o', join(dir, 'out'), join(dir, 'a')], {input: d, encoding: 'utf8'});
      assert.equal(r.status, 0, `patch failed on case ${it}: ${r.stdout}${r.stderr}\n${d}`);
      assert.equal(readFileSync(join(dir, 'out'), 'utf8'), L(...b), `case ${it}`);
    }
  });
});
