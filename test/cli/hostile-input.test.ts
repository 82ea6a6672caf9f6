// Hostile and broken input, table-driven: every case must exit non-zero,
// print exactly one `Error:` line on stderr (no stack trace) and nothing on
// stdout -- or, with --json, exactly one JSON document with ok:false and
// nothing on stderr -- and leave the CIB file byte-identical. Nothing runs
// through a shell: `$(touch /tmp/pwned)` must never create the file.
import assert from 'node:assert/strict';
import {copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {before, describe, test} from 'node:test';
import {assertRefused, assertSameBytes, makeCib, missingPacemaker, runCli, tempDir, type TempCib} from '../helpers/cli.js';

const PWNED = '/tmp/pwned';
const pwnedBefore = existsSync(PWNED);
const noPacemaker = missingPacemaker();

interface Case {
  name: string;
  /** Arguments; FILE is replaced by the case's CIB file, OTHER by a second valid CIB file. */
  args: string[];
  /** Expected exit code (1 error, 2 usage). */
  code: 1 | 2;
  /** The one error line must match this. */
  message: RegExp;
  /** Replace the case's CIB file by this content (a string, bytes, or a directory / nothing). */
  content?: string | Buffer | 'directory' | 'missing';
  /** Also run with --json appended (default true). */
  json?: boolean;
}

const update = (id: string, ...rest: string[]) => ['-f', 'FILE', 'resource', 'update', id, ...rest];
const meta = (...pairs: string[]) => update('d1', 'meta', ...pairs);
const VALID_START = '<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="3" num_updates="0" admin_epoch="0">\n  <configuration>\n    <crm_config/>\n    <nodes/>\n    <resources>\n      <primitive id="d1" class="ocf" provider="pacemaker" type="Dummy"/>\n';
const LAUGHS = '<?xml version="1.0"?>\n<!DOCTYPE cib [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>\n<cib epoch="1" num_updates="0" admin_epoch="0"><configuration><crm_config/><nodes/><resources><primitive id="d1" class="ocf" provider="pacemaker" type="Dummy" description="&d;"/></resources><constraints/></configuration></cib>\n';
const XXE = '<!DOCTYPE cib [<!ENTITY x SYSTEM "file:///etc/shadow">]>\n<cib epoch="1" num_updates="0" admin_epoch="0"><configuration><crm_config/><nodes/><resources><primitive id="d1" class="ocf" provider="pacemaker" type="Dummy" description="&x;"/></resources><constraints/></configuration></cib>\n';
const NOT_FOUND = /^Error: resource '.*' does not exist$/;
const BAD_NAME = /^Error: invalid meta option name /;

const cases: Case[] = [
  // bad resource ids
  {name: "id: single quote", args: update("'", 'meta', 'a=1'), code: 1, message: NOT_FOUND},
  {name: 'id: double quote', args: update('"', 'meta', 'a=1'), code: 1, message: /^Error: resource '\\"' does not exist$/},
  {name: 'id: $(touch /tmp/pwned)', args: update('$(touch /tmp/pwned)', 'meta', 'a=1'), code: 1, message: NOT_FOUND},
  {name: 'id: ;rm -rf /', args: update(';rm -rf /', 'meta', 'a=1'), code: 1, message: NOT_FOUND},
  {name: 'id: backticks', args: update('`touch /tmp/pwned`', 'meta', 'a=1'), code: 1, message: NOT_FOUND},
  {name: 'id: newline', args: update('d1\nd2', 'meta', 'a=1'), code: 1, message: /^Error: resource 'd1\\nd2' does not exist$/},
  {name: 'id: ANSI escape', args: update('\u001b[31mred', 'meta', 'a=1'), code: 1, message: /^Error: resource '\\u001b\[31mred' does not exist$/},
  {name: 'id: control character', args: update('a\u0001b', 'meta', 'a=1'), code: 1, message: NOT_FOUND},
  {name: 'id: 10,000 characters', args: update('x'.repeat(10_000), 'meta', 'a=1'), code: 1, message: /^Error: resource 'x{80}\.\.\.' does not exist$/},
  {name: 'id: unicode', args: update('é😀', 'meta', 'a=1'), code: 1, message: NOT_FOUND},
  {name: 'id: empty', args: update('', 'meta', 'a=1'), code: 1, message: /^Error: resource '' does not exist$/},
  {name: 'id: XML markup', args: update('<evil a="1"/>', 'meta', 'a=1'), code: 1, message: NOT_FOUND},
  {name: 'id: XPath injection', args: update("d1' or '1'='1", 'meta', 'a=1'), code: 1, message: NOT_FOUND},
  {name: 'id: path traversal', args: update('../../etc/passwd', 'meta', 'a=1'), code: 1, message: NOT_FOUND},
  {name: 'id: trailing space', args: update('d1 ', 'meta', 'a=1'), code: 1, message: NOT_FOUND},
  // names and values
  {name: 'meta =x (empty name)', args: meta('=x'), code: 1, message: /^Error: invalid meta option name ''$/},
  {name: 'name with a space', args: meta('a b=1'), code: 1, message: BAD_NAME},
  {name: 'name with a double quote', args: meta('a"=1'), code: 1, message: BAD_NAME},
  {name: 'name with a single quote', args: meta("a'=1"), code: 1, message: BAD_NAME},
  {name: 'name with markup', args: meta('<x>=1'), code: 1, message: BAD_NAME},
  {name: 'name with an ampersand', args: meta('a&b=1'), code: 1, message: BAD_NAME},
  {name: 'name with $(...)', args: meta('$(touch /tmp/pwned)=1'), code: 1, message: BAD_NAME},
  {name: 'name with unicode', args: meta('é=1'), code: 1, message: BAD_NAME},
  {name: 'name with a newline', args: meta('a\nb=1'), code: 1, message: /^Error: invalid meta option name 'a\\nb'$/},
  {name: 'name of 300 characters', args: meta(`${'n'.repeat(300)}=1`), code: 1, message: BAD_NAME},
  {name: 'duplicate names', args: meta('a=1', 'a=2'), code: 1, message: /^Error: meta option 'a' is given more than once$/},
  {name: 'meta alone', args: update('d1', 'meta'), code: 1, message: /^Error: nothing to update: 'meta' needs <name>=<value>/},
  {name: 'missing meta keyword', args: update('d1', 'a=1'), code: 1, message: /^Error: pcmkctl resource update changes meta attributes only: unexpected 'a=1'/},
  {name: 'nothing after the id', args: update('d1'), code: 1, message: /^Error: nothing to update/},
  {name: 'op section (unsupported)', args: update('d1', 'op', 'monitor', 'interval=10s'), code: 1, message: /meta attributes only: unexpected 'op'/},
  {name: 'a token without =', args: meta('a=1', 'extra'), code: 1, message: /^Error: invalid meta option 'extra', use name=value$/},
  {name: 'value with a control character', args: meta('a=x\u0001y'), code: 1, message: /^Error: the value of 'a' contains characters a CIB cannot store$/},
  {name: 'value with an ANSI escape', args: meta('a=\u001b[2J'), code: 1, message: /characters a CIB cannot store/},
  // (a lone surrogate cannot be passed at all: argv is UTF-8, it arrives as U+FFFD)
  {name: 'value with U+FFFE (not an XML character)', args: meta('a=x\uFFFE'), code: 1, message: /characters a CIB cannot store/},
  {name: 'remote-port not a port', args: update('vm1', 'meta', 'remote-port=99999'), code: 1, message: /^Error: '99999' is not a valid remote-port value/},
  {name: 'remote-connect-timeout not a duration', args: update('vm1', 'meta', 'remote-connect-timeout=soon'), code: 1, message: /not a valid remote-connect-timeout value/},
  {name: 'guest rename without --force', args: update('vm1', 'meta', 'remote-node=guest2'), code: 1, message: /^Error: changing the name of guest node 'guest1'.*\(use --force to override\)$/},
  // malformed CIB files
  {name: 'CIB: truncated', args: meta('a=1'), content: VALID_START, code: 1, message: /is not well-formed XML/},
  {name: 'CIB: not XML', args: meta('a=1'), content: 'this is not a CIB\n', code: 1, message: /is not well-formed XML/},
  {name: 'CIB: JSON', args: meta('a=1'), content: '{"cib": {"configuration": {}}}\n', code: 1, message: /is not well-formed XML/},
  {name: 'CIB: empty file', args: meta('a=1'), content: '', code: 1, message: /^Error: CIB file '.*' is empty$/},
  {name: 'CIB: a directory', args: meta('a=1'), content: 'directory', code: 1, message: /is a directory, not a CIB file$/},
  {name: 'CIB: missing file', args: meta('a=1'), content: 'missing', code: 1, message: /^Error: CIB file '.*' does not exist \(create one with/},
  {name: 'CIB: binary garbage', args: meta('a=1'), content: Buffer.from(Array.from({length: 4096}, (_, i) => (i * 7919 + 13) % 256)), code: 1, message: /is not well-formed XML|not a CIB/},
  {name: 'CIB: not a <cib> root', args: meta('a=1'), content: '<configuration><resources/></configuration>\n', code: 1, message: /^Error: not a CIB: the root element is <configuration>, expected <cib>$/},
  {name: 'CIB: no <configuration>', args: meta('a=1'), content: '<cib epoch="1" num_updates="0" admin_epoch="0"><status/></cib>\n', code: 1, message: /^Error: not a CIB: <configuration> is missing$/},
  {name: 'CIB: two roots', args: meta('a=1'), content: '<cib/><cib/>\n', code: 1, message: /more than one root element/},
  {name: 'CIB: entity expansion (billion laughs)', args: meta('a=1'), content: LAUGHS, code: 1, message: /DOCTYPE declarations are not allowed/},
  {name: 'CIB: external entity (XXE)', args: meta('a=1'), content: XXE, code: 1, message: /DOCTYPE declarations are not allowed/},
  {name: 'CIB: invalid character reference', args: meta('a=1'), content: VALID_START.replace('type="Dummy"', 'type="Dummy" description="&#1;"') + '    </resources>\n    <constraints/>\n  </configuration>\n</cib>\n', code: 1, message: /invalid or undefined reference '&#1;'/},
  {name: 'CIB: epoch is not a number', args: meta('a=1'), content: VALID_START.replace('epoch="3"', 'epoch="three"') + '    </resources>\n    <constraints/>\n  </configuration>\n</cib>\n', code: 1, message: /epoch is not a number: 'three'/},
  {name: 'CIB: /dev/null', args: ['-f', '/dev/null', 'resource', 'update', 'd1', 'meta', 'a=1'], code: 1, message: /^Error: '\/dev\/null' is not a regular file$/},
  // usage errors
  {name: 'unknown option --bogus', args: meta('a=1', '--bogus'), code: 2, message: /^Error: Nonexistent flag: --bogus \(see --help\)$/},
  {name: 'unknown option -z', args: meta('a=1', '-z'), code: 2, message: /^Error: Nonexistent flag: -z \(see --help\)$/},
  {name: 'unknown option before the command', args: ['--bogus', '-f', 'FILE', 'resource', 'update', 'd1', 'meta', 'a=1'], code: 2, message: /^Error: Nonexistent flag: --bogus/},
  {name: 'unknown command', args: ['-f', 'FILE', 'nosuch'], code: 2, message: /^Error: command nosuch not found \(see --help\)$/},
  {name: 'unknown subcommand', args: ['-f', 'FILE', 'resource', 'delete', 'd1'], code: 2, message: /^Error: command resource delete d1 not found/},
  {name: 'resource update without an id', args: ['-f', 'FILE', 'resource', 'update'], code: 2, message: /^Error: Missing 1 required arg: resource \(see --help\)$/},
  {name: '-f without a value', args: ['resource', 'update', 'd1', 'meta', 'a=1', '-f'], code: 2, message: /^Error: Flag --file expects a value/, json: false},
  // node remove
  {name: 'node remove without a name', args: ['-f', 'FILE', 'node', 'remove'], code: 2, message: /^Error: Missing 1 required arg: name/},
  {name: 'node remove: empty name', args: ['-f', 'FILE', 'node', 'remove', ''], code: 1, message: /^Error: invalid node name ''$/},
  {name: 'node remove: leading space', args: ['-f', 'FILE', 'node', 'remove', ' n1'], code: 1, message: /^Error: invalid node name ' n1'$/},
  {name: 'node remove: newline', args: ['-f', 'FILE', 'node', 'remove', 'n1\n--force'], code: 1, message: /^Error: invalid node name 'n1\\n--force'$/},
  {name: 'node remove: control character', args: ['-f', 'FILE', 'node', 'remove', 'n\u0007'], code: 1, message: /^Error: invalid node name/},
  {name: 'node remove: 300 characters', args: ['-f', 'FILE', 'node', 'remove', 'n'.repeat(300)], code: 1, message: /^Error: invalid node name/},
  {name: 'node remove: still referenced', args: ['-f', 'FILE', 'node', 'remove', 'guest1'], code: 1, message: /^Error: node 'guest1' is still referenced in the CIB: guest node resource 'vm1'/},
  // cluster cib-push
  {name: 'cib-push with -f', args: ['-f', 'FILE', 'cluster', 'cib-push', 'OTHER'], code: 1, message: /^Error: cib-push works on the live cluster; it cannot be combined with -f$/},
  {name: 'cib-push without a file', args: ['-f', 'FILE', 'cluster', 'cib-push'], code: 2, message: /^Error: Missing 1 required arg: file/},
  {name: 'cib-push scope=', args: ['cluster', 'cib-push', 'FILE', 'scope=resources'], code: 1, message: /^Error: 'scope=resources' is not supported/},
  {name: 'cib-push unknown argument', args: ['cluster', 'cib-push', 'FILE', 'bogus'], code: 1, message: /^Error: unexpected argument 'bogus' \(expected diff-against=ORIGINAL\)$/},
  {name: 'cib-push empty diff-against=', args: ['cluster', 'cib-push', 'FILE', 'diff-against='], code: 1, message: /unexpected argument 'diff-against='/},
  {name: 'cib-push two diff-against=', args: ['cluster', 'cib-push', 'FILE', 'diff-against=OTHER', 'diff-against=OTHER'], code: 1, message: /unexpected argument 'diff-against=/},
  {name: 'cib-push unknown option', args: ['cluster', 'cib-push', 'FILE', '--bogus'], code: 2, message: /Nonexistent flag: --bogus/},
];

let master: TempCib;
before(() => {
  if (!noPacemaker) master = makeCib();
});

describe(`hostile input (${cases.length} cases, each in text and --json mode)`, {concurrency: 8}, () => {
  test('there are at least 50 cases', () => assert.ok(cases.length >= 50, String(cases.length)));

  for (const c of cases) {
    for (const json of c.json === false ? [false] : [false, true]) {
      test(`${c.name}${json ? ' (--json)' : ''}`, async (t) => {
        if (noPacemaker) return t.skip(noPacemaker);
        const dir = tempDir('pcmkctl-hostile-');
        const file = join(dir, 'cib.xml');
        const other = join(dir, 'other.xml');
        copyFileSync(master.file, other);
        if (c.content === 'directory') mkdirSync(file);
        else if (c.content === undefined) copyFileSync(master.file, file);
        else if (c.content !== 'missing') writeFileSync(file, c.content);
        const beforeBytes = c.content === 'directory' || c.content === 'missing' ? undefined : readFileSync(file);
        const otherBytes = readFileSync(other);
        const args = c.args.map((a) => a.replace(/FILE/g, file).replace(/OTHER/g, other));
        const r = await runCli(json ? [...args, '--json'] : args);
        if (json) {
          assert.equal(r.code, c.code, `exit code: ${r.stdout}${r.stderr}`);
          assert.equal(r.stderr, '', 'nothing on stderr with --json');
          const doc = JSON.parse(r.stdout);
          assert.equal(doc.ok, false);
          assert.equal(doc.error.exitCode, c.code);
          assert.ok(!String(doc.error.message).includes('\n'));
        } else {
          assertRefused(r, undefined, undefined, {code: c.code, message: c.message});
        }
        if (beforeBytes) assertSameBytes(file, beforeBytes);
        if (c.content === 'missing') assert.ok(!existsSync(file), 'no file was created');
        assertSameBytes(other, otherBytes);
      });
    }
  }
});

describe('shell injection canary', () => {
  test(`${PWNED} does not exist after the hostile cases`, (t) => {
    if (pwnedBefore) return t.skip(`${PWNED} existed before the tests started; cannot tell`);
    assert.ok(!existsSync(PWNED));
  });
});
