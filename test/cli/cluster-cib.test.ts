// `cluster cib`: with -f it prints the file's CIB; `cluster cib FILE` needs
// the live cluster, so without one it is a one-line error with exit 1 (the
// live behaviour is tested in the lab).
import assert from 'node:assert/strict';
import {chmodSync, existsSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, test} from 'node:test';
import {parseXml, serializeDocument} from '../../src/lib/cib/xml.js';
import {assertRefused, makeCib, missingPacemaker, runCli, tempDir} from '../helpers/cli.js';

const noPacemaker = missingPacemaker();

/** A PATH whose cibadmin fails like one on a node where Pacemaker is not running. */
function noClusterPath(): string {
  const dir = tempDir('pcmkctl-fakebin-');
  const fake = join(dir, 'cibadmin');
  writeFileSync(fake, '#!/bin/sh\necho "Could not connect to the CIB: Transport endpoint is not connected" >&2\necho "Init failed, could not perform requested operations" >&2\nexit 102\n');
  chmodSync(fake, 0o755);
  return `${dir}:${process.env.PATH ?? '/usr/bin:/bin'}`;
}

describe('cluster cib', {concurrency: 4}, () => {
  test('-f FILE cluster cib prints the CIB of the file (same document), exit 0', async (t) => {
    if (noPacemaker) return t.skip(noPacemaker);
    const cib = makeCib();
    const before = cib.bytes();
    const r = await runCli(['-f', cib.file, 'cluster', 'cib']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, serializeDocument(await parseXml(cib.text())));
    assert.ok(cib.bytes().equals(before));
    const json = JSON.parse((await runCli(['cluster', 'cib', '-f', cib.file, '--json'])).stdout);
    assert.equal(json.ok, true);
    assert.equal(json.result.xml, r.stdout);
    assert.match(json.result.version, /^0\.\d+\.0$/);
  });

  test('cluster cib FILE without a running cluster: one Error line, exit 1, no file written', async () => {
    const out = join(tempDir('pcmkctl-cib-'), 'taken.xml');
    const r = await runCli(['cluster', 'cib', out], {env: {PATH: noClusterPath()}});
    assertRefused(r, undefined, undefined, {code: 1, message: /^Error: cannot read the live CIB: Could not connect to the CIB: Transport endpoint is not connected \(is pacemaker running on this node\? use -f FILE/});
    assert.ok(!existsSync(out));
    const j = await runCli(['cluster', 'cib', out, '--json'], {env: {PATH: noClusterPath()}});
    assert.equal(j.code, 1);
    assert.equal(JSON.parse(j.stdout).error.code, 'CIB_LIVE_UNAVAILABLE');
  });

  test('cluster cib without Pacemaker installed: one Error line, exit 1', async () => {
    const empty = tempDir('pcmkctl-nobin-');
    const r = await runCli(['cluster', 'cib'], {env: {PATH: empty}});
    assertRefused(r, undefined, undefined, {code: 1, message: /^Error: cibadmin is not installed \(install pacemaker-cli-utils, or use -f FILE\)$/});
  });
});
