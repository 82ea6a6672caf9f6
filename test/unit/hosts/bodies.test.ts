import assert from 'node:assert/strict';
import {test} from 'node:test';
import {pcsdBodies} from '../../../src/lib/hosts/pcsd.js';
import {pyJsonDumps} from '../../../src/lib/hosts/py-json.js';

// Rows of pcsd-protocol.md §7, recorded from pcs 0.11.5. pcs sends start
// and enable (stop and disable) in one request; pcmkctl sends one request per
// command, side by side (pcsd runs one request's commands one after the
// other): the same JSON, split.
const START = 'data_json=%7B%22pacemaker_remote+start%22%3A+%7B%22type%22%3A+%22service_command%22%2C+%22service%22%3A+%22pacemaker_remote%22%2C+%22command%22%3A+%22start%22%7D%2C+%22pacemaker_remote+enable%22%3A+%7B%22type%22%3A+%22service_command%22%2C+%22service%22%3A+%22pacemaker_remote%22%2C+%22command%22%3A+%22enable%22%7D%7D';
const STOP = 'data_json=%7B%22pacemaker_remote+stop%22%3A+%7B%22type%22%3A+%22service_command%22%2C+%22service%22%3A+%22pacemaker_remote%22%2C+%22command%22%3A+%22stop%22%7D%2C+%22pacemaker_remote+disable%22%3A+%7B%22type%22%3A+%22service_command%22%2C+%22service%22%3A+%22pacemaker_remote%22%2C+%22command%22%3A+%22disable%22%7D%7D';
const REMOVE = 'data_json=%7B%22pacemaker_remote+authkey%22%3A+%7B%22type%22%3A+%22pcmk_remote_authkey%22%7D%7D';
const PUT = 'data_json=%7B%22pacemaker_remote+authkey%22%3A+%7B%22data%22%3A+%22AAFzZWNyZXQ%3D%22%2C+%22type%22%3A+%22pcmk_remote_authkey%22%2C+%22rewrite_existing%22%3A+true%7D%7D';

test('request bodies are byte-identical to pcs 0.11.5', () => {
  assert.equal(pcsdBodies.checkAuth(), 'check_auth_only=1');
  assert.equal(START.length, 318);
  assert.equal(STOP.length, 318);
  for (const [recorded, [first, second]] of [[START, ['start', 'enable']], [STOP, ['stop', 'disable']]] as const) {
    const one = (c: 'start' | 'enable' | 'stop' | 'disable') => decodeURIComponent(pcsdBodies.serviceCommand(c).slice('data_json='.length).replace(/\+/g, ' '));
    const both = decodeURIComponent(recorded.slice('data_json='.length).replace(/\+/g, ' '));
    assert.equal(`${one(first).slice(0, -1)}, ${one(second).slice(1)}`, both, `${first}+${second} split`);
  }
  assert.equal(pcsdBodies.serviceCommand('start'), START.slice(0, START.indexOf('%2C+%22pacemaker_remote+enable')) + '%7D');
  assert.equal(pcsdBodies.removeAuthkey(), REMOVE);
  assert.equal(REMOVE.length, 95);
  assert.equal(pcsdBodies.putAuthkey(Buffer.from([0, 1, 0x73, 0x65, 0x63, 0x72, 0x65, 0x74]), true), PUT);
  assert.equal(pcsdBodies.auth('hacluster', 'labpass'), 'username=hacluster&password=labpass');
  assert.equal(pcsdBodies.auth('hacluster', 'labpass').length, 35);
});

test('put_file framing for a 4096-byte key; rewrite_existing follows overwrite', () => {
  const key = Buffer.alloc(4096, 0xff); // base64 "////" → 3 url-encoded chars per '/'
  const body = pcsdBodies.putAuthkey(key, true);
  // Content-Length depends on the key bytes; check the frame around the data.
  assert.match(body, /^data_json=%7B%22pacemaker_remote\+authkey%22%3A\+%7B%22data%22%3A\+%22/);
  assert.ok(body.endsWith('%22%2C+%22type%22%3A+%22pcmk_remote_authkey%22%2C+%22rewrite_existing%22%3A+true%7D%7D'));
  assert.ok(pcsdBodies.putAuthkey(key, false).endsWith('rewrite_existing%22%3A+false%7D%7D'));
});

test('pyJsonDumps matches Python json.dumps defaults', () => {
  assert.equal(pyJsonDumps({a: [1, true, null], 'b c': 'x"y\\'}), '{"a": [1, true, null], "b c": "x\\"y\\\\"}');
  assert.equal(pyJsonDumps('žluť 😀'), '"\\u017elu\\u0165 \\ud83d\\ude00"');
  assert.equal(pyJsonDumps('\u0001\n\u007f'), '"\\u0001\\n\\u007f"');
  assert.equal(pyJsonDumps({}), '{}');
});
