// --version, --help, per-command help (with exit codes), and the committed
// oclif.manifest.json matching what the build produces.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {existsSync, readdirSync, readFileSync} from 'node:fs';
import {join, sep} from 'node:path';
import {describe, test} from 'node:test';
import {ROOT, runCli} from '../helpers/cli.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {version: string};

describe('basics', {concurrency: 4}, () => {
  test('--version prints the package version, exit 0', async () => {
    const r = await runCli(['--version']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^pcmkctl/${pkg.version.replace(/\./g, '\\.')} `));
  });

  test('--help lists the topics, exit 0', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.code, 0, r.stderr);
    for (const topic of ['cluster', 'resource', 'node', 'host']) assert.match(r.stdout, new RegExp(`^ {2}${topic} `, 'm'));
  });

  for (const command of [['resource', 'update'], ['node', 'remove'], ['cluster', 'cib'], ['cluster', 'cib-push']]) {
    test(`${command.join(' ')} --help: usage, flags and the exit codes, exit 0`, async () => {
      const r = await runCli([...command, '--help']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /USAGE/);
      assert.match(r.stdout, /-f, --file=<value>/);
      assert.match(r.stdout, /--json/);
      const flat = r.stdout.replace(/\s+/g, ' ');
      assert.match(flat, /EXIT CODES: 0 ok; 1 error .*2 usage error; 3 .*4 partial failure/);
    });
  }

  test('topic help shows the topic, for nested topics too', async () => {
    for (const [topic, text] of [[['cluster'], /^Cluster-wide operations/], [['cluster', 'node'], /^Add and remove Pacemaker Remote and guest nodes/]] as const) {
      const r = await runCli([...topic, '--help']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, text, topic.join(' '));
    }
  });

  test('help works with global flags before the command too', async () => {
    const r = await runCli(['-f', '/nonexistent', 'resource', 'update', '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /pcs resource update/);
  });

  test("the manifest's version is package.json's; it, src/cli.ts's COMMANDS and src/commands list the same commands", async () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {version: string; commands: Record<string, unknown>};
    assert.equal(manifest.version, pkg.version);
    const dir = join(ROOT, 'src', 'commands');
    const files = (readdirSync(dir, {recursive: true}) as string[]).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3).split(sep).join(':')).sort();
    const {COMMANDS} = await import('../../src/cli.js');
    assert.deepEqual(Object.keys(COMMANDS).sort(), files, 'COMMANDS in src/cli.ts: one entry per file in src/commands, keyed by its path');
    assert.deepEqual(Object.keys(manifest.commands).sort(), files);
  });

  test('oclif.manifest.json is not stale: the build (run before the tests) left it as committed', (t) => {
    if (!existsSync(join(ROOT, '.git'))) return t.skip('not a git checkout');
    const git = spawnSync('git', ['diff', '--quiet', '--', 'oclif.manifest.json'], {cwd: ROOT, encoding: 'utf8'});
    if (git.error) return t.skip(`git is not available: ${git.error.message}`);
    assert.equal(git.status, 0, "oclif.manifest.json differs from the committed one: run 'npm run build' and commit it");
  });
});
