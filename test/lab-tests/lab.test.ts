// The lab itself works: cluster node online, every host reachable by ssh and
// by pcsd, pacemaker-remoted starts and stops through the host's systemctl.
import assert from 'node:assert/strict';
import {request} from 'node:https';
import {describe, test} from 'node:test';
import {exec} from '../../src/lib/util/exec.js';
import {crmMon, lab, labReady, onHost, serviceState, sshArgv, useLab, waitFor} from '../lab/lab.js';

const ready = labReady();

/** POST /remote/auth on a host's pcsd (self-signed certificate: not verified, in this test only). */
function pcsdAuth(addr: string, username: string, password: string): Promise<{status: number; body: string}> {
  const body = new URLSearchParams({username, password}).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      {host: addr, port: lab.pcsdPort, method: 'POST', path: '/remote/auth', rejectUnauthorized: false, timeout: 15_000,
        headers: {'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body)}},
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8')}));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

async function listening(host: string, port: number): Promise<boolean> {
  const r = await onHost(host, ['ss', '-ltnH', `sport = :${port}`]);
  return r.code === 0 && r.stdout.trim() !== '';
}

describe('lab', () => {
  useLab();

  test(`cluster node ${lab.clusterNode} is Online`, async (t) => {
    if (!ready.ok) return t.skip(ready.reason);
    const mon = await crmMon();
    const node = mon.node(lab.clusterNode);
    assert.ok(node, `${lab.clusterNode} not in crm_mon: ${mon.nodes.map((n) => n.name).join(', ')}`);
    assert.equal(node.online, true);
    assert.equal(node.type, 'member');
    assert.deepEqual(mon.resources, []);
  });

  for (const h of lab.hosts) {
    test(`${h.name}: ssh as root with the lab key, the host's own view`, async (t) => {
      if (!ready.ok) return t.skip(ready.reason);
      const [cmd, ...args] = sshArgv(h.name, 'hostname; stat -c "%a %U:%G" /etc/pacemaker; ls -A /etc/pacemaker /etc/corosync | wc -w');
      const r = await exec(cmd!, args, {timeoutMs: 30_000});
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.trim().split('\n'), [h.name, '750 root:haclient', '2'], 'hostname, /etc/pacemaker owner/mode, empty dirs (2 headers)');
    });

    test(`${h.name}: pcsd answers /remote/auth (token for the right password, empty for a wrong one)`, async (t) => {
      if (!ready.ok) return t.skip(ready.reason);
      const good = await pcsdAuth(h.addr, lab.user, lab.password);
      assert.equal(good.status, 200);
      assert.match(good.body.trim(), /^[0-9a-f-]{36}$/, 'a token');
      const bad = await pcsdAuth(h.addr, lab.user, 'wrong-password');
      assert.equal(bad.status, 200);
      assert.equal(bad.body.trim(), '');
    });
  }

  test('pacemaker-remoted starts via systemctl on a host, listens on 3121, stops again', async (t) => {
    if (!ready.ok) return t.skip(ready.reason);
    const host = lab.hosts[lab.hosts.length - 1]!.name;
    assert.deepEqual(await serviceState(host, 'pacemaker_remote'), {active: false, enabled: false});
    const start = await onHost(host, ['systemctl', 'start', 'pacemaker_remote']);
    assert.equal(start.code, 0, start.stderr);
    assert.equal((await serviceState(host, 'pacemaker_remote')).active, true);
    await waitFor(() => listening(host, lab.remotePort), {timeoutMs: 15_000, intervalMs: 200, what: `pacemaker-remoted listening on ${host}:${lab.remotePort}`});
    const stop = await onHost(host, ['systemctl', 'stop', 'pacemaker_remote']);
    assert.equal(stop.code, 0, stop.stderr);
    assert.deepEqual(await serviceState(host, 'pacemaker_remote'), {active: false, enabled: false});
    assert.equal(await listening(host, lab.remotePort), false);
  });
});
