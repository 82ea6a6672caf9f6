// Runs after `ctl.ts teardown`: nothing of the lab may be left on the machine
// (process, namespace, link, address, /etc/hosts block, changed system file).
import assert from 'node:assert/strict';
import {existsSync} from 'node:fs';
import {join} from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {exec} from '../../src/lib/util/exec.js';
import {paths} from '../lab/config.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('after teardown the machine is clean (ctl.ts verify-clean)', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root');
  if (existsSync(paths.labJson)) return t.skip('the lab is up: run ctl.ts teardown first');
  const r = await exec(process.execPath, ['--import', 'tsx', join(root, 'test/lab/ctl.ts'), 'verify-clean'], {cwd: root, timeoutMs: 60_000});
  assert.equal(r.code, 0, `verify-clean found leftovers:\n${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /^clean/);
});
