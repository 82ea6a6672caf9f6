// The CIB XML tree: real CIBs survive parse -> serialize with the same
// meaning as Pacemaker sees it (checked with the real crm_diff: exit 0 =
// identical), order, comments, CDATA, unknown content and every escaping
// case are kept, and malformed input is a clear PcmkctlError.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, test} from 'node:test';
import {
  childElements,
  element,
  firstChild,
  isXmlSafe,
  parseXml,
  serializeDocument,
  serializeElement,
  walk,
  type XmlDocument,
  type XmlElement,
} from '../../../src/lib/cib/xml.js';
import {PcmkctlError} from '../../../src/lib/report.js';
import {have, missingPacemaker, pcmk, ROOT, tempDir} from '../../helpers/cli.js';

const RICH = readFileSync(join(ROOT, 'test', 'fixtures', 'rich-cib.xml'), 'utf8');
// crm_diff (Pacemaker 2.1.5) segfaults on any CDATA section, so crm_diff
// judges the fixture without its one CDATA element; CDATA is checked below.
const RICH_FOR_CRM_DIFF = RICH.replace(/\n\s*<x-script>[\s\S]*?<\/x-script>/, '');
const noPacemaker = missingPacemaker();
const dir = tempDir('pcmkctl-xml-');
let seq = 0;

function file(text: string, name = 'cib'): string {
  const path = join(dir, `${name}-${++seq}.xml`);
  writeFileSync(path, text);
  return path;
}

/** crm_diff's verdict on two documents: 0 identical, 1 different. */
function crmDiff(a: string, b: string): {code: number; out: string} {
  const r = spawnSync('crm_diff', ['--original', file(a, 'a'), '--new', file(b, 'b')], {encoding: 'utf8', timeout: 60_000});
  return {code: r.status ?? -1, out: r.stdout + r.stderr};
}

async function roundTrip(text: string): Promise<string> {
  return serializeDocument(await parseXml(text, 'test input'));
}

function byId(doc: XmlDocument, id: string): XmlElement {
  let found: XmlElement | undefined;
  walk(doc.root, (el) => {
    if (el.attrs.id === id && !found) found = el;
  });
  assert.ok(found, `element with id ${id}`);
  return found;
}

/** Start tags with their attribute names, in document order (comments and CDATA removed first). */
function tagSequence(text: string): string[] {
  const stripped = text.replace(/<!--[\s\S]*?-->/g, '').replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
  const out: string[] = [];
  for (const m of stripped.matchAll(/<([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*\/?>/g)) {
    const names = [...m[2].matchAll(/([\w.:-]+)\s*=/g)].map((a) => a[1]);
    out.push(`${m[1]}(${names.join(',')})`);
  }
  return out;
}

const comments = (text: string) => [...text.matchAll(/<!--([\s\S]*?)-->/g)].map((m) => m[1]);

describe('round trip of real CIBs, judged by crm_diff', () => {
  test('cibadmin --empty', async (t) => {
    if (noPacemaker) return t.skip(noPacemaker);
    const empty = spawnSync('cibadmin', ['--empty'], {encoding: 'utf8'});
    assert.equal(empty.status, 0);
    const out = await roundTrip(empty.stdout);
    const d = crmDiff(empty.stdout, out);
    assert.equal(d.code, 0, d.out);
    assert.equal(out, empty.stdout, 'cibadmin layout is reproduced exactly for an empty CIB');
  });

  test('a CIB written by pcs -f (resources, ops, meta, constraints)', async (t) => {
    if (noPacemaker) return t.skip(noPacemaker);
    if (!have('pcs')) return t.skip('pcs is not installed');
    const empty = spawnSync('cibadmin', ['--empty'], {encoding: 'utf8'});
    const path = file(empty.stdout, 'pcs');
    const pcs = (...args: string[]) => {
      const r = spawnSync('pcs', ['-f', path, ...args], {encoding: 'utf8', timeout: 60_000});
      assert.equal(r.status, 0, `pcs ${args.join(' ')}: ${r.stderr}`);
    };
    pcs('resource', 'create', 'd1', 'ocf:pacemaker:Dummy', 'op', 'monitor', 'interval=10s', 'meta', 'priority=2', '--no-default-ops');
    pcs('resource', 'group', 'add', 'g1', 'd1');
    pcs('constraint', 'location', 'g1', 'prefers', 'n1=100');
    const text = readFileSync(path, 'utf8');
    const out = await roundTrip(text);
    const d = crmDiff(text, out);
    assert.equal(d.code, 0, d.out);
  });

  test('the rich fixture: groups, clones, promotable, bundle, rules, sets, tags, alerts, ACLs, status', async (t) => {
    if (noPacemaker) return t.skip(noPacemaker);
    assert.notEqual(RICH_FOR_CRM_DIFF, RICH);
    const out = await roundTrip(RICH_FOR_CRM_DIFF);
    const d = crmDiff(RICH_FOR_CRM_DIFF, out);
    assert.equal(d.code, 0, d.out);
    // The check can fail: one changed character is seen by crm_diff.
    const changed = out.replace('value="north"', 'value="south"');
    assert.notEqual(changed, out);
    assert.equal(crmDiff(RICH_FOR_CRM_DIFF, changed).code, 1);
    // And serialising is stable: a second round trip gives the same bytes.
    assert.equal(await roundTrip(out), out);
  });

  test('a large CIB (1,500 primitives with status history) round-trips quickly', async (t) => {
    if (noPacemaker) return t.skip(noPacemaker);
    const prims: string[] = [];
    const ops: string[] = [];
    for (let i = 0; i < 1500; i++) {
      prims.push(`<primitive id="r${i}" class="ocf" provider="pacemaker" type="Dummy"><instance_attributes id="r${i}-ia"><nvpair id="r${i}-ia-x" name="x" value="v&amp;${i}"/></instance_attributes><meta_attributes id="r${i}-meta_attributes"><nvpair id="r${i}-meta_attributes-priority" name="priority" value="${i}"/></meta_attributes><operations><op id="r${i}-monitor" name="monitor" interval="10s"/></operations></primitive>`);
      ops.push(`<lrm_resource id="r${i}" type="Dummy" class="ocf" provider="pacemaker"><lrm_rsc_op id="r${i}_last_0" operation_key="r${i}_start_0" operation="start" call-id="${i}" rc-code="0" op-status="0" interval="0"/></lrm_resource>`);
    }
    const big = `<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="5" num_updates="0" admin_epoch="0"><configuration><crm_config/><nodes><node id="1" uname="n1"/></nodes><resources>${prims.join('')}</resources><constraints/></configuration><status><node_state id="1" uname="n1"><lrm id="1"><lrm_resources>${ops.join('')}</lrm_resources></lrm></node_state></status></cib>`;
    const started = Date.now();
    const out = await roundTrip(big);
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 10_000, `round trip took ${elapsed} ms`);
    const d = crmDiff(big, out);
    assert.equal(d.code, 0, d.out.slice(0, 2000));
  });
});

describe('what the tree keeps', () => {
  test('element order and attribute order are kept', async () => {
    const out = await roundTrip(RICH);
    assert.deepEqual(tagSequence(out), tagSequence(RICH).filter((t) => !t.startsWith('xml(')));
    // Mixed siblings stay interleaved (not regrouped by tag name).
    const doc = await parseXml(out);
    const rsc = firstChild(firstChild(doc.root, 'configuration')!, 'resources')!;
    assert.deepEqual(
      childElements(rsc).map((e) => e.attrs.id),
      ['ip1', 'web', 'dlm-clone', 'db-clone', 'httpd-bundle', 'remote1', 'vm-guest1', 'x-ext'],
    );
    assert.deepEqual(Object.keys(doc.root.attrs).slice(-2), ['dc-uuid', 'x-unknown-root-attr']);
    // A primitive's meta_attributes after <operations> stays after it, and the rule stays first in its set.
    assert.deepEqual(childElements(byId(doc, 'ip1')).map((e) => e.name), ['instance_attributes', 'operations', 'meta_attributes', 'meta_attributes']);
    assert.deepEqual(childElements(byId(doc, 'ip1-meta_attributes')).map((e) => e.name), ['rule', 'nvpair']);
  });

  test('comments are kept, in place (prolog, inside elements, after the root)', async () => {
    const withEpilog = RICH.trimEnd() + '\n<!-- after the root -->\n';
    const out = await roundTrip(withEpilog);
    assert.deepEqual(comments(out), comments(withEpilog));
    const doc = await parseXml(out);
    assert.equal(doc.prolog.length, 1);
    const conf = firstChild(doc.root, 'configuration')!;
    assert.equal(conf.children[0].type, 'comment');
    assert.match(out, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<!-- rich-cib.xml/);
  });

  test('CDATA, unknown elements and unknown attributes are kept', async () => {
    const doc = await parseXml(await roundTrip(RICH));
    const ext = byId(doc, 'x-ext');
    assert.equal(ext.attrs['x-attr'], 'unknown element, kept');
    const note = firstChild(ext, 'x-note')!;
    assert.deepEqual(note.children, [{type: 'text', text: 'free text <escaped> & kept'}]);
    const script = firstChild(ext, 'x-script')!;
    const text = script.children.map((c) => (c.type === 'cdata' ? c.text : '')).join('');
    assert.equal(text, 'if (a < b && c > d) { echo "]]>"; } <not-an-element/>');
    assert.equal(doc.root.attrs['x-unknown-root-attr'], 'kept');
  });

  test('entities, character references and unicode decode to the exact values', async () => {
    const doc = await parseXml(await roundTrip(RICH));
    const value = (id: string) => byId(doc, id).attrs.value;
    assert.equal(value('cib-bootstrap-options-cluster-name'), 'café & résumé 😀 😀 é');
    assert.equal(value('cib-bootstrap-options-quotes'), `a "double" and 'single' <tag> &amp;`);
    assert.equal(value('cib-bootstrap-options-multiline'), 'line one\nline two\ttabbed\n');
    assert.equal(value('cib-bootstrap-options-spaces'), '  leading and trailing  ');
    assert.equal(value('cib-bootstrap-options-empty'), '');
    assert.equal(byId(doc, 'httpd-bundle').children.length, 4);
    assert.equal((childElements(byId(doc, 'httpd-bundle'), 'podman')[0]).attrs.options, '--log-driver=journald -e A="b c"');
    assert.equal(byId(doc, 'readers-deny').attrs.xpath, "//nvpair[@name='password']");
  });

  test('newline and tab in attribute values are written as &#10; and &#9; (not raw)', async () => {
    const out = await roundTrip(RICH);
    assert.ok(out.includes('value="line one&#10;line two&#9;tabbed&#10;"'), 'character references in the output');
    const doc = await parseXml(RICH);
    const nv = byId(doc, 'cib-bootstrap-options-spaces');
    nv.attrs.value = 'cr\rlf\r\nend';
    const again = await parseXml(serializeDocument(doc));
    assert.equal(byId(again, 'cib-bootstrap-options-spaces').attrs.value, 'cr\rlf\r\nend');
  });

  test('Pacemaker reads our newline and tab as newline and tab', async (t) => {
    if (noPacemaker) return t.skip(noPacemaker);
    const cib = (value: string) =>
      `<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0"><configuration><crm_config><cluster_property_set id="o"><nvpair id="o-x" name="x" value="${value}"/></cluster_property_set></crm_config><nodes/><resources/><constraints/></configuration><status/></cib>`;
    const ours = await roundTrip(cib('a&#10;b&#9;c'));
    assert.match(ours, /value="a&#10;b&#9;c"/);
    assert.equal(crmDiff(ours, cib('a&#xA;b&#x9;c')).code, 0, 'same value as hex references');
    assert.equal(crmDiff(ours, cib('a b c')).code, 1, 'not the same as spaces');
    assert.equal(crmDiff(ours, cib('a\\nb    c')).code, 1, 'not the same as a literal backslash-n');
  });

  test('a value with newline and tab survives a trip through Pacemaker (CIB_file=... cibadmin --query)', async (t) => {
    if (noPacemaker) return t.skip(noPacemaker);
    const doc = await parseXml(spawnSync('cibadmin', ['--empty'], {encoding: 'utf8'}).stdout);
    const crm = firstChild(firstChild(doc.root, 'configuration')!, 'crm_config')!;
    crm.children.push(element('cluster_property_set', {id: 'o'}, [element('nvpair', {id: 'o-x', name: 'x', value: 'a\nb\tc'})]));
    const path = file(serializeDocument(doc), 'nl');
    const q = pcmk(path, 'cibadmin', ['--query']);
    assert.equal(q.code, 0, q.stderr);
    if (/value="a\\nb {4}c"/.test(q.stdout)) {
      const version = spawnSync('cibadmin', ['--version'], {encoding: 'utf8'}).stdout.split('\n')[0];
      // Pacemaker parsed a newline and a tab (see the crm_diff test above) but
      // its own serializer writes them as '\n' and four spaces: lossy in Pacemaker, not here.
      return t.skip(`${version} writes newline/tab in attribute values as a literal \\n and spaces when it serialises (Pacemaker limitation; pcmkctl's file holds &#10;/&#9;)`);
    }
    assert.match(q.stdout, /value="a(&#10;|&#xA;|&#x0A;)b(&#9;|&#x9;|&#x09;)c"/i);
  });

  test("an injection attempt in a value is stored and re-read exactly", async (t) => {
    const evil = `x" injected="1"/><evil a="&amp;</nvpair>'`;
    const doc = await parseXml('<cib><configuration><crm_config/><nodes/><resources/><constraints/></configuration><status/></cib>');
    const crm = firstChild(firstChild(doc.root, 'configuration')!, 'crm_config')!;
    crm.children.push(element('cluster_property_set', {id: 'o'}, [element('nvpair', {id: 'o-x', name: 'x', value: evil})]));
    const out = serializeDocument(doc);
    assert.ok(out.includes('value="x&quot; injected=&quot;1&quot;/&gt;&lt;evil a=&quot;&amp;amp;&lt;/nvpair&gt;\'"'), out);
    const back = await parseXml(out);
    const nv = byId(back, 'o-x');
    assert.equal(nv.attrs.value, evil);
    assert.deepEqual(Object.keys(nv.attrs), ['id', 'name', 'value']);
    let evils = 0;
    walk(back.root, (el) => {
      if (el.name === 'evil') evils++;
    });
    assert.equal(evils, 0);
    if (noPacemaker) return t.skip(`Pacemaker check: ${noPacemaker}`);
    // Pacemaker reads the same single attribute with the same value.
    const q = pcmk(file(out, 'evil'), 'cibadmin', ['--query', '--xpath', "//nvpair[@id='o-x']"]);
    assert.equal(q.code, 0, q.stderr);
    const fromPacemaker = await parseXml(q.stdout);
    assert.equal(fromPacemaker.root.attrs.value, evil);
  });

  test('text, comment and CDATA escaping cannot break out', async () => {
    const el = element('x-desc', {}, [{type: 'text', text: '</x-desc><evil/>&amp;'}]);
    const out = serializeElement(el);
    assert.equal(out, '<x-desc>&lt;/x-desc&gt;&lt;evil/&gt;&amp;amp;</x-desc>\n');
    const cdata = element('x-s', {}, [{type: 'cdata', text: 'a]]>b<c/>'}]);
    const back = await parseXml(serializeElement(cdata));
    assert.equal(back.root.children.map((c) => (c.type === 'cdata' ? c.text : '')).join(''), 'a]]>b<c/>');
    const withComment = element('x', {}, [{type: 'comment', text: ' a --> <evil/> '}, element('y')]);
    const parsed = await parseXml(serializeElement(withComment));
    assert.deepEqual(childElements(parsed.root).map((e) => e.name), ['y']);
  });

  test('invalid element or attribute names are never written', () => {
    assert.throws(() => element('a b'));
    const el = element('ok');
    el.attrs['a="1" b'] = 'x';
    assert.throws(() => serializeElement(el), /invalid XML name/);
  });

  test('isXmlSafe: control characters and lone surrogates cannot be stored', () => {
    for (const ok of ['', 'plain', 'a\nb\tc\r', 'é😀', '&<>"\'']) assert.equal(isXmlSafe(ok), true, JSON.stringify(ok));
    for (const bad of ['\u0000', 'a\u0001b', '\u001b[31m', '\uFFFE', '\uD800', 'x\uDC00']) assert.equal(isXmlSafe(bad), false, JSON.stringify(bad));
  });
});

describe('malformed input is a PcmkctlError with a clear message', () => {
  const longComment = `<!--${'x'.repeat(6000)}-->`;
  const laughs = `<!DOCTYPE cib [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><cib>&c;</cib>`;
  const cases: [string, string, RegExp][] = [
    ['empty', '', /is not well-formed XML/],
    ['only whitespace', '  \n\t\n', /is not well-formed XML/],
    ['not XML', 'this is not a CIB', /is not well-formed XML/],
    ['JSON', '{"cib": {}}', /is not well-formed XML/],
    ['truncated', '<cib epoch="1"><configuration><resources>', /is not well-formed XML/],
    ['truncated inside a tag', '<cib epoch="1"><configuration><resources><primitive id="d1', /is not well-formed XML/],
    ['mismatched end tag', '<cib><configuration></resources></cib>', /is not well-formed XML/],
    ['two roots', '<cib/><cib/>', /more than one root element/],
    ['text after the root', '<cib/>garbage', /text outside the root element/],
    ['DOCTYPE', '<!DOCTYPE cib><cib/>', /DOCTYPE declarations are not allowed/],
    ['DOCTYPE with entity expansion (billion laughs)', laughs, /DOCTYPE declarations are not allowed/],
    ['DOCTYPE hidden after a long comment', `${longComment}\n${laughs}`, /DOCTYPE declarations are not allowed/],
    ['DOCTYPE after the XML declaration and a PI', '<?xml version="1.0"?>\n<?pi x?>\n<!DOCTYPE cib SYSTEM "file:///etc/passwd"><cib/>', /DOCTYPE declarations are not allowed/],
    ['undefined entity', '<cib a="&nbsp;"/>', /undefined reference '&nbsp;'/],
    ['bare ampersand in a value', '<cib a="fish & chips"/>', /invalid or undefined reference/],
    ['reference without semicolon', '<cib a="&#65"/>', /invalid or undefined reference/],
    ['reference to NUL', '<cib a="&#0;"/>', /invalid or undefined reference '&#0;'/],
    ['reference to a control character', '<cib a="&#x1b;"/>', /invalid or undefined reference/],
    ['reference to a surrogate', '<cib a="&#xD800;"/>', /invalid or undefined reference/],
    ['duplicate attribute', '<cib a="1" a="2"/>', /is not well-formed XML: Attribute 'a' is repeated/],
    ['unquoted attribute', '<cib a=1/>', /is not well-formed XML/],
  ];
  for (const [name, text, message] of cases) {
    test(name, async () => {
      await assert.rejects(parseXml(text, 'cib.xml'), (e: unknown) => {
        assert.ok(e instanceof PcmkctlError, `PcmkctlError, got ${String(e)}`);
        assert.ok(['XML_MALFORMED', 'XML_DOCTYPE'].includes(e.code), e.code);
        assert.match(e.message, /^cib\.xml/);
        assert.match(e.message, message);
        assert.ok(!e.message.includes('\n'), 'one line');
        return true;
      });
    });
  }

  test('lenient but lossless: a raw < or > in an attribute value is read as the character and written escaped', async () => {
    assert.equal(await roundTrip('<cib a="<>"/>'), '<cib a="&lt;&gt;"/>\n');
  });

  test('references inside comments and CDATA are text, not errors', async () => {
    const doc = await parseXml('<cib><!-- &nbsp; & --><x><![CDATA[&foo; & bar]]></x></cib>');
    assert.equal((doc.root.children[0] as {text: string}).text, ' &nbsp; & ');
  });
});
