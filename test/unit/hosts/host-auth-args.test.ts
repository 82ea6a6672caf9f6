import assert from 'node:assert/strict';
import {test} from 'node:test';
import {PcmkctlError} from '../../../src/lib/report.js';
import {parseAddr, parseHostAuthArgs} from '../../../src/lib/workflows/host-auth.js';

const usageError = (re: RegExp) => (e: unknown) => e instanceof PcmkctlError && e.exitCode === 2 && re.test(e.message);

test('host auth: hosts with and without addr=', () => {
  assert.deepEqual(parseHostAuthArgs(['r1', 'addr=10.0.0.1', 'r2', 'r3', 'addr=h3:2225']), [
    {name: 'r1', addr: '10.0.0.1', port: 2224, explicitAddr: true},
    {name: 'r2', addr: 'r2', port: 2224, explicitAddr: false},
    {name: 'r3', addr: 'h3', port: 2225, explicitAddr: true},
  ]);
});

test('addr parsing: IPv6 bare and bracketed, ports', () => {
  assert.deepEqual(parseAddr('fd00::1'), {addr: 'fd00::1', port: 2224});
  assert.deepEqual(parseAddr('[fd00::1]'), {addr: 'fd00::1', port: 2224});
  assert.deepEqual(parseAddr('[fd00::1]:3000'), {addr: 'fd00::1', port: 3000});
  assert.deepEqual(parseAddr('host:1'), {addr: 'host', port: 1});
  assert.deepEqual(parseAddr('host:65535'), {addr: 'host', port: 65535});
  for (const bad of ['host:0', 'host:65536', 'host:abc', 'host:', '[::1]:0', '[::1]:x']) {
    assert.throws(() => parseAddr(bad), usageError(new RegExp(`^Invalid port number in address '${bad.replace(/[[\]]/g, '\\$&')}', use 1\\.\\.65535$`)), bad);
  }
});

test('host auth grammar errors', () => {
  assert.throws(() => parseHostAuthArgs(['addr=1.2.3.4']), usageError(/Invalid character '=' in host name/));
  assert.throws(() => parseHostAuthArgs(['r1', 'port=1']), usageError(/Unknown options 'port' for host 'r1'/));
  assert.throws(() => parseHostAuthArgs(['r1', 'addr=a', 'addr=b']), usageError(/more than once/));
  assert.throws(() => parseHostAuthArgs(['r1', 'r1']), usageError(/more than once/));
  assert.throws(() => parseHostAuthArgs([]), usageError(/At least one host/));
  assert.throws(() => parseHostAuthArgs(['a b']), usageError(/Invalid host name/));
});
