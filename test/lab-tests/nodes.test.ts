// Remote and guest nodes end to end against the real lab cluster:
// add-remote over pcsd and over ssh, add-guest, removals, idempotent re-runs,
// and a failure injected at each step leaving cluster and host as they were.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {describe, test} from 'node:test';
import {exec} from '../../src/lib/util/exec.js';
import {crmMon, hostFileInfo, lab, labHost, labReady, onHost, serviceState, startPcsd, startSshd, stopPcsd, stopSshd, useLab, waitFor} from '../lab/lab.js';

const ready = labReady();
const BIN = new URL('../../bin/run.js', import.meta.url).pathname;
const KEY = '/etc/pacemaker/authkey';

function pcmkctl(args: string[], env: Record<string, string> = {}) {
  // NODE_OPTIONS: the test runner's '--import tsx' cannot resolve from cwd /
  return exec('node', [BIN, ...args], {env: {PCMKCTL_TEST: '1', NODE_OPTIONS: '', ...env}, timeoutMs: 300_000, cwd: '/'});
}

const ssh = () => ['--transport', 'ssh', '--ssh-identity', lab.ssh.key, '--ssh-known-hosts', lab.ssh.knownHosts];

async function auth(name: string): Promise<void> {
  const r = await pcmkctl(['host', 'auth', name, `addr=${labHost(name).addr}`, '-u', lab.user], {PCMKCTL_PASSWORD: lab.password});
  assert.equal(r.code, 0, r.stderr);
}

async function cib(scope?: string): Promise<string> {
  const r = await exec('cibadmin', ['--query', ...(scope ? ['--scope', scope] : [])], {timeoutMs: 30_000});
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

async function epoch(): Promise<string> {
  const m = /<cib [^>]*\bepoch="(\d+)"[^>]*\badmin_epoch="(\d+)"/.exec(await cib());
  return m ? `${m[2]}.${m[1]}` : '';
}

/** What a failed run must leave exactly as it was. */
async function snapshot(host: string) {
  const key = hostFileInfo(host, KEY);
  return {
    configuration: await cib('configuration'),
    key: key.exists ? key.content.toString('base64') : null,
    service: await serviceState(host, 'pacemaker_remote'),
  };
}

/**
 * Run `fn` while pacemaker-remoted on `host` starts with an extra environment
 * line (the lab's systemctl adds /run/pcmkctl-units/env to every daemon).
 */
async function withRemotedEnv(host: string, line: string, fn: () => Promise<void>): Promise<void> {
  const env = '/run/pcmkctl-units/env';
  await onHost(host, ['sh', '-c', `echo '${line}' > ${env}`]);
  try {
    await fn();
  } finally {
    await onHost(host, ['rm', '-f', env]);
  }
}

async function addDummyOn(node: string): Promise<void> {
  const id = `dummy-${node}`;
  assert.equal((await exec('cibadmin', ['--create', '--scope', 'resources', '--xml-text', `<primitive id="${id}" class="ocf" provider="pacemaker" type="Dummy"/>`])).code, 0);
  assert.equal((await exec('cibadmin', ['--create', '--scope', 'constraints', '--xml-text', `<rsc_location id="loc-${id}" rsc="${id}" node="${node}" score="INFINITY"/>`])).code, 0);
  await waitFor(async () => (await crmMon()).resource(id)?.nodes.includes(node), {timeoutMs: 90_000, intervalMs: 500, what: `${id} running on ${node}`});
}

async function assertOnline(node: string, type: 'remote' | 'guest'): Promise<void> {
  const mon = await crmMon();
  const n = mon.node(node);
  assert.ok(n?.online, `${node} online`);
  assert.equal(n?.type, 'remote');
  if (type === 'guest') assert.ok(n?.idAsResource, 'a guest node names its container');
}

async function assertPrepared(host: string): Promise<void> {
  const key = hostFileInfo(host, KEY);
  assert.equal(key.exists, true, 'key on the host');
  assert.deepEqual(key.content, readFileSync(KEY), "the cluster's key");
  assert.deepEqual([key.mode, key.user, key.group], [0o400, 'hacluster', 'haclient']);
  assert.deepEqual(await serviceState(host, 'pacemaker_remote'), {active: true, enabled: true});
}

async function assertGone(node: string): Promise<void> {
  await waitFor(async () => !(await crmMon()).node(node), {timeoutMs: 90_000, intervalMs: 500, what: `${node} gone from crm_mon`});
  const text = await cib();
  assert.doesNotMatch(text, new RegExp(`<node [^>]*uname="${node}"`), 'no <node> entry');
  assert.doesNotMatch(text, new RegExp(`<node_state [^>]*uname="${node}"`), 'no <node_state> entry');
  assert.deepEqual(await serviceState(node, 'pacemaker_remote'), {active: false, enabled: false});
  assert.equal(hostFileInfo(node, KEY).exists, false, 'key removed');
}

describe('pcmkctl cluster node add/remove against the real cluster', () => {
  useLab();

  test('add-remote over pcsd: RemoteOnline, a Dummy runs there, key and service on the host; re-run is unchanged; remove-remote', async (t) => {
    if (!ready.ok) return t.skip(ready.reason);
    const {name, addr} = labHost('remote1');
    await auth(name);
    const add = await pcmkctl(['cluster', 'node', 'add-remote', name, addr, '--wait=90']);
    assert.equal(add.code, 0, add.stderr);
    await assertOnline(name, 'remote');
    await assertPrepared(name);
    await addDummyOn(name);

    const before = await epoch();
    const again = await pcmkctl(['cluster', 'node', 'add-remote', name, addr, '--json']);
    assert.equal(again.code, 0, again.stderr);
    const doc = JSON.parse(again.stdout);
    assert.equal(doc.changed, false, 'second identical add changes nothing');
    assert.equal(await epoch(), before, 'CIB epoch unchanged');

    const different = await pcmkctl(['cluster', 'node', 'add-remote', name, addr, 'port=3122']);
    assert.equal(different.code, 1);
    assert.match(different.stderr, /already exists with different settings: port/);

    const rm = await pcmkctl(['cluster', 'node', 'remove-remote', name, '--deauth']);
    assert.equal(rm.code, 0, rm.stderr);
    await assertGone(name);
    assert.doesNotMatch(await cib('constraints'), /loc-dummy-remote1/, 'constraints on the node removed with it');
  });

  test('add-remote over ssh (no pcsd involved): RemoteOnline, Dummy, key and service; remove-remote over ssh', async (t) => {
    if (!ready.ok) return t.skip(ready.reason);
    const {name, addr} = labHost('remote2');
    await stopPcsd(name);
    try {
      const add = await pcmkctl(['cluster', 'node', 'add-remote', name, addr, ...ssh(), '--wait=90']);
      assert.equal(add.code, 0, add.stderr);
      await assertOnline(name, 'remote');
      await assertPrepared(name);
      await addDummyOn(name);
      const rm = await pcmkctl(['cluster', 'node', 'remove-remote', addr, ...ssh()]);
      assert.equal(rm.code, 0, rm.stderr);
      await assertGone(name);
    } finally {
      await startPcsd(name);
    }
  });

  test('add-guest over ssh with a Dummy as the VM: GuestOnline, a resource runs there; remove-guest keeps the VM', async (t) => {
    if (!ready.ok) return t.skip(ready.reason);
    const {name, addr} = labHost('guest1');
    assert.equal((await exec('cibadmin', ['--create', '--scope', 'resources', '--xml-text', '<primitive id="vm-guest1" class="ocf" provider="pacemaker" type="Dummy"/>'])).code, 0);
    const add = await pcmkctl(['cluster', 'node', 'add-guest', name, 'vm-guest1', `remote-addr=${addr}`, ...ssh(), '--wait=90']);
    assert.equal(add.code, 0, add.stderr);
    await assertOnline(name, 'guest');
    await assertPrepared(name);
    await addDummyOn(name);
    const rm = await pcmkctl(['cluster', 'node', 'remove-guest', name, ...ssh()]);
    assert.equal(rm.code, 0, rm.stderr);
    assert.match(rm.stderr, /still referenced: guest1: location constraint 'loc-dummy-guest1'/, 'dangling constraint reported');
    await assertGone(name);
    const resources = await cib('resources');
    assert.match(resources, /<primitive id="vm-guest1"/, 'the VM resource stays');
    assert.doesNotMatch(resources, /remote-node|remote-addr/);
  });

  describe('a failure at each step leaves the cluster and the host as they were', () => {
    const {name, addr} = labHost('remote1');

    test('pcsd down on the host', async (t) => {
      if (!ready.ok) return t.skip(ready.reason);
      await auth(name);
      const was = await snapshot(name);
      await stopPcsd(name);
      try {
        const r = await pcmkctl(['cluster', 'node', 'add-remote', name, addr]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /^Error: remote1: .*(refused|connect)/im);
      } finally {
        await startPcsd(name);
      }
      assert.deepEqual(await snapshot(name), was);
    });

    test('sshd down on the host', async (t) => {
      if (!ready.ok) return t.skip(ready.reason);
      const was = await snapshot(name);
      await stopSshd(name);
      try {
        const r = await pcmkctl(['cluster', 'node', 'add-remote', name, addr, ...ssh()]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /^Error: remote1: .*refused/im);
      } finally {
        await startSshd(name);
      }
      assert.deepEqual(await snapshot(name), was);
    });

    test('a host with cluster configuration is refused before anything is written (pcsd and ssh)', async (t) => {
      if (!ready.ok) return t.skip(ready.reason);
      await auth(name);
      const was = await snapshot(name);
      const w = await onHost(name, ['sh', '-c', 'printf "totem {\\n}\\n" > /etc/corosync/corosync.conf']);
      assert.equal(w.code, 0, w.stderr);
      try {
        for (const transport of [[], ssh()]) {
          const r = await pcmkctl(['cluster', 'node', 'add-remote', name, addr, ...transport]);
          assert.equal(r.code, 1, r.stderr);
          assert.match(r.stderr, /^Error: remote1: The host seems to be in a cluster already as cluster configuration files have been found on the host \(if it is not part of a cluster, remove /m);
          assert.doesNotMatch(r.stderr, /Sending|Requesting/, 'no host step was started');
          assert.deepEqual(await snapshot(name), was);
        }
      } finally {
        await onHost(name, ['rm', '-f', '/etc/corosync/corosync.conf']);
      }
    });

    test('a different authkey on the host is refused; nothing is written', async (t) => {
      if (!ready.ok) return t.skip(ready.reason);
      const other = Buffer.alloc(256, 7);
      const w = await onHost(name, ['sh', '-c', `umask 077; cat > ${KEY} && chown hacluster:haclient ${KEY} && chmod 0400 ${KEY}`], {input: other});
      assert.equal(w.code, 0, w.stderr);
      try {
        const was = await snapshot(name);
        const r = await pcmkctl(['cluster', 'node', 'add-remote', name, addr, ...ssh()]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /different Pacemaker authkey/);
        assert.deepEqual(await snapshot(name), was);
      } finally {
        await onHost(name, ['rm', '-f', KEY]);
      }
    });

    test('pacemaker_remote fails to start: the key written by this run is removed again', async (t) => {
      if (!ready.ok) return t.skip(ready.reason);
      await auth(name);
      const was = await snapshot(name);
      // a real start failure: pacemaker-remoted exits when it cannot bind its address
      await withRemotedEnv(name, 'PCMK_remote_address=192.0.2.1', async () => {
        const r = await pcmkctl(['cluster', 'node', 'add-remote', name, addr]);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /pacemaker_remote (start|does not accept connections)/);
        assert.match(r.stderr, /undone/);
      });
      assert.deepEqual(await snapshot(name), was);
    });

    test('pacemaker_remote runs but not on the port the CIB names: the CIB is not changed, the host steps are undone', async (t) => {
      if (!ready.ok) return t.skip(ready.reason);
      await auth(name);
      const was = await snapshot(name);
      await withRemotedEnv(name, 'PCMK_remote_port=3199', async () => {
        const r = await pcmkctl(['cluster', 'node', 'add-remote', name, addr]);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /does not accept connections on 10\.88\.0\.\d+:3121/);
        assert.match(r.stderr, /undone: started and enabled pacemaker_remote/);
        assert.doesNotMatch(r.stderr, /CIB/);
      });
      assert.deepEqual(await snapshot(name), was);
    });

    test('the CIB changes underneath at every attempt: exit 3, host steps undone', async (t) => {
      if (!ready.ok) return t.skip(ready.reason);
      await auth(name);
      const was = await snapshot(name);
      const r = await pcmkctl(['cluster', 'node', 'add-remote', name, addr], {
        PCMKCTL_CAS_ATTEMPTS: '2',
        // a real concurrent writer between our query and our patch
        PCMKCTL_TEST_BEFORE_CIB_PATCH: 'crm_attribute --type crm_config --name pcmkctl-test-writer --update "$(date +%s%N)"',
      });
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /kept changing/);
      assert.match(r.stderr, /undone/);
      const now = await snapshot(name);
      assert.deepEqual({key: now.key, service: now.service}, {key: was.key, service: was.service});
      assert.doesNotMatch(now.configuration, /<primitive id="remote1"/);
      await exec('crm_attribute', ['--type', 'crm_config', '--name', 'pcmkctl-test-writer', '--delete']);
    });

    test('the CIB push fails (the name was taken meanwhile): host steps undone', async (t) => {
      if (!ready.ok) return t.skip(ready.reason);
      await auth(name);
      const was = await snapshot(name);
      const r = await pcmkctl(['cluster', 'node', 'add-remote', name, addr], {
        PCMKCTL_TEST_BEFORE_CIB_PATCH: `cibadmin --create --scope resources --xml-text '<primitive id="${name}" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="taken-meta"><nvpair id="taken-meta-target-role" name="target-role" value="Stopped"/></meta_attributes></primitive>'`,
      });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /'remote1' already exists/);
      assert.match(r.stderr, /undone/);
      await exec('cibadmin', ['--delete', '--xml-text', `<primitive id="${name}"/>`]);
      assert.deepEqual(await snapshot(name), was);
    });
  });
});
