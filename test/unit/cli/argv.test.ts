// pcs-style global flags before the command are moved behind it; pcs's
// optional-value --wait becomes --wait=default (oclif has no optional values).
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {normalizeArgv} from '../../../src/lib/cli/argv.js';

describe('normalizeArgv', () => {
  const cases: [string, string[], string[]][] = [
    ['nothing to move', ['resource', 'update', 'd1', 'meta', 'a=1'], ['resource', 'update', 'd1', 'meta', 'a=1']],
    ['-f FILE before the command', ['-f', 'x.xml', 'resource', 'update', 'd1', 'meta', 'a=1'], ['resource', 'update', 'd1', 'meta', 'a=1', '-f', 'x.xml']],
    ['--file FILE', ['--file', 'x.xml', 'cluster', 'cib'], ['cluster', 'cib', '--file', 'x.xml']],
    ['--file=FILE (one token)', ['--file=x.xml', 'cluster', 'cib'], ['cluster', 'cib', '--file=x.xml']],
    ['several flags, order kept', ['--debug', '-f', 'x', '--json', 'node', 'remove', 'n1'], ['node', 'remove', 'n1', '--debug', '-f', 'x', '--json']],
    ['a FILE that looks like a flag is still the value', ['-f', '--json', 'cluster', 'cib'], ['cluster', 'cib', '-f', '--json']],
    ['a FILE that looks like a command word', ['-f', 'resource', 'resource', 'update', 'd1'], ['resource', 'update', 'd1', '-f', 'resource']],
    ['flags stay before a -- separator', ['-f', 'x', 'resource', 'update', 'd1', 'meta', '--', '--json=1'], ['resource', 'update', 'd1', 'meta', '-f', 'x', '--', '--json=1']],
    ['a leading -- ends flag handling', ['--', '-f', 'x'], ['--', '-f', 'x']],
    ['only flags: unchanged', ['--version'], ['--version']],
    ['only a dangling value flag: unchanged', ['-f'], ['-f']],
    ['--help before the command', ['--help', 'resource', 'update'], ['resource', 'update', '--help']],
    ['a bare --wait (optional value) becomes --wait=default and takes no separate value', ['--wait', 'cluster', 'cib'], ['cluster', 'cib', '--wait=default']],
    ['a bare --wait after the command too', ['cluster', 'node', 'add-remote', 'r1', '--wait'], ['cluster', 'node', 'add-remote', 'r1', '--wait=default']],
    ['--wait after -- is an argument', ['resource', 'update', 'd1', '--', '--wait'], ['resource', 'update', 'd1', '--', '--wait']],
    ['--wait=30', ['--wait=30', 'cluster', 'cib'], ['cluster', 'cib', '--wait=30']],
    ['transport flags with values', ['--transport', 'ssh', '--ssh-port', '2222', 'host', 'auth', 'h1'], ['host', 'auth', 'h1', '--transport', 'ssh', '--ssh-port', '2222']],
    ['a lone - is an argument', ['-', 'x'], ['-', 'x']],
    ['empty', [], []],
  ];
  for (const [name, input, expected] of cases) {
    test(name, () => {
      const copy = [...input];
      assert.deepEqual(normalizeArgv(input), expected);
      assert.deepEqual(input, copy, 'the input is not modified');
    });
  }
});
