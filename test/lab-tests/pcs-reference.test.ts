// Reference run of the REAL pcs against the lab: host auth, add-remote →
// RemoteOnline, key and service on the host; remove-remote → gone. This is
// the behaviour pcmkctl is compared with.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {describe, test} from 'node:test';
import {exec} from '../../src/lib/util/exec.js';
import {crmMon, hostFileInfo, lab, labHost, labReady, serviceState, useLab, waitFor} from '../lab/lab.js';

const ready = labReady();
const pcs = (...args: string[]) => exec('pcs', args, {timeoutMs: 180_000, cwd: '/'});

describe('real pcs: add-remote / remove-remote', () => {
  useLab();

  test('remote1: host auth, add-remote, remove-remote', async (t) => {
    if (!ready.ok) return t.skip(ready.reason);
    const {name, addr} = labHost('remote1');

    await t.test('pcs host auth', async () => {
      const r = await pcs('host', 'auth', name, `addr=${addr}`, '-u', lab.user, '-p', lab.password);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout + r.stderr, new RegExp(`${name}: Authorized`));
    });

    await t.test('pcs cluster node add-remote → RemoteOnline, key and service on the host', async () => {
      const r = await pcs('cluster', 'node', 'add-remote', name, addr);
      assert.equal(r.code, 0, r.stderr);
      await waitFor(async () => (await crmMon()).node(name)?.online, {timeoutMs: 60_000, intervalMs: 500, what: `${name} RemoteOnline`});
      const mon = await crmMon();
      assert.equal(mon.node(name)?.type, 'remote');
      assert.equal(mon.resource(name)?.agent, 'ocf:pacemaker:remote');
      assert.deepEqual(mon.resource(name)?.nodes, [lab.clusterNode]);
      const key = hostFileInfo(name, '/etc/pacemaker/authkey');
      assert.equal(key.exists, true);
      assert.deepEqual(key.content, readFileSync('/etc/pacemaker/authkey'), 'the cluster key');
      assert.deepEqual([key.user, key.group, key.mode], ['hacluster', 'haclient', 0o400]);
      assert.deepEqual(await serviceState(name, 'pacemaker_remote'), {active: true, enabled: true});
    });

    await t.test('pcs cluster node remove-remote → node gone, service stopped+disabled, key removed', async () => {
      const r = await pcs('cluster', 'node', 'remove-remote', name);
      assert.equal(r.code, 0, r.stderr);
      await waitFor(async () => {
        const m = await crmMon();
        return !m.node(name) && !m.resource(name);
      }, {timeoutMs: 90_000, intervalMs: 500, what: `${name} gone from crm_mon`});
      assert.equal(hostFileInfo(name, '/etc/pacemaker/authkey').exists, false);
      assert.deepEqual(await serviceState(name, 'pacemaker_remote'), {active: false, enabled: false});
    });
  });
});
