// Element ids made the pcs way, valid and unique across the whole document.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {IdAllocator, invalidIdReason, isValidId, sanitizeId} from '../../../src/lib/cib/ids.js';
import {parseXml} from '../../../src/lib/cib/xml.js';

const CIB = `<cib epoch="1" num_updates="0" admin_epoch="0"><configuration><crm_config/><nodes><node id="1" uname="n1"/></nodes>
<resources><primitive id="d1" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="d1-meta_attributes"/></primitive>
<primitive id="d1-meta_attributes-1" class="ocf" provider="pacemaker" type="Dummy"/></resources><constraints/></configuration>
<status><node_state id="status-only" uname="n1"/></status></cib>`;

describe('sanitizeId (pcs rules)', () => {
  for (const [input, expected] of [
    ['d1-meta_attributes', 'd1-meta_attributes'],
    ['d1-meta_attributes-target-role', 'd1-meta_attributes-target-role'],
    ['1abc', 'abc'],
    ['-.9x', 'x'],
    ['a b/c:d', 'abcd'],
    ['é-rsc', 'rsc'],
    ['x-é', 'x-'],
    ["$(touch /tmp/pwned)", 'touchtmppwned'],
    ['', 'id'],
    ['123', 'id'],
    ['_ok.id-1', '_ok.id-1'],
  ] as const) {
    test(`${JSON.stringify(input)} -> ${expected}`, () => assert.equal(sanitizeId(input), expected));
  }
  test('a sanitised id is always valid', () => {
    for (const s of ['', '"', "'", '\n', '😀', '<x>', '--', '9', 'a'.repeat(300)]) assert.ok(isValidId(sanitizeId(s)), JSON.stringify(s));
  });
});

describe('isValidId / invalidIdReason', () => {
  for (const ok of ['d1', '_x', 'a.b-c_d', 'A9']) {
    test(`valid: ${ok}`, () => {
      assert.equal(isValidId(ok), true);
      assert.equal(invalidIdReason(ok), undefined);
    });
  }
  for (const [bad, reason] of [
    ['', /cannot be empty/],
    ['1d', /'1' is not a valid first character/],
    ['-d', /'-' is not a valid first character/],
    ['d 1', /' ' is not a valid character/],
    ["d'", /''' is not a valid character/],
    ['d"', /'"' is not a valid character/],
    ['dé', /'é' is not a valid character/],
    ['d\n', /is not a valid character/],
  ] as const) {
    test(`invalid: ${JSON.stringify(bad)}`, () => {
      assert.equal(isValidId(bad), false);
      assert.match(invalidIdReason(bad) ?? '', reason);
    });
  }
  test('the subject is named', () => assert.match(invalidIdReason('1', 'node name') ?? '', /invalid node name '1'/));
});

describe('IdAllocator', () => {
  test('unused candidates are used as they are', async () => {
    const ids = new IdAllocator(await parseXml(CIB));
    assert.equal(ids.allocate('d2-meta_attributes'), 'd2-meta_attributes');
  });
  test('taken ids get -1, -2, ... (ids anywhere in the configuration count)', async () => {
    const ids = new IdAllocator(await parseXml(CIB));
    assert.equal(ids.has('d1-meta_attributes'), true);
    // d1-meta_attributes and d1-meta_attributes-1 (a resource) are taken
    assert.equal(ids.allocate('d1-meta_attributes'), 'd1-meta_attributes-2');
    assert.equal(ids.allocate('d1'), 'd1-1');
  });
  test('ids allocated earlier in the same transform are taken too', async () => {
    const ids = new IdAllocator(await parseXml(CIB));
    assert.deepEqual([ids.allocate('x'), ids.allocate('x'), ids.allocate('x')], ['x', 'x-1', 'x-2']);
    ids.reserve('y');
    assert.equal(ids.allocate('y'), 'y-1');
  });
  test('ids in the status section do not count (not xsd:ID there)', async () => {
    const ids = new IdAllocator(await parseXml(CIB));
    assert.equal(ids.has('status-only'), false);
    assert.equal(ids.allocate('status-only'), 'status-only');
  });
  test('candidates are sanitised before being made unique', async () => {
    const ids = new IdAllocator(await parseXml(CIB));
    assert.equal(ids.allocate('d1 meta_attributes'), 'd1meta_attributes');
    assert.equal(ids.allocate('9d1-meta_attributes'), 'd1-meta_attributes-2');
  });
});
