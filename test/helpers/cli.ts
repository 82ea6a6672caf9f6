// Running the built CLI (bin/run.js) as a user would, and making throw-away
// CIB files with Pacemaker's own tools.
import assert from 'node:assert/strict';
import {spawn, spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'run.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  cwd?: string;
  /** Kill the CLI after this long (default 60 s); a timeout is a test failure. */
  timeoutMs?: number;
}

/** Environment of the CLI: no tsx loader from the test runner, no colour. */
function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {...process.env, NODE_OPTIONS: '', NO_COLOR: '1', LC_ALL: 'C'};
  delete env.CIB_file;
  delete env.FORCE_COLOR;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/**
 * Run `node bin/run.js ...args`; never through a shell. When dist/ is
 * being rebuilt by a concurrent `npm run build` in the same tree, the CLI
 * fails to load before doing anything: that (and only that) is retried.
 */
export async function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  for (let attempt = 1; ; attempt++) {
    const r = await runCliOnce(args, options);
    const loadFailure =
      r.code !== 0 && /MODULE_NOT_FOUND|ModuleLoadError|SyntaxError|Unexpected end of JSON/.test(r.stderr) && /[/]dist[/]|oclif\.manifest\.json/.test(r.stderr);
    if (!loadFailure || attempt >= 5) return r;
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }
}

function runCliOnce(args: readonly string[], options: CliOptions): Promise<CliResult> {
  const {env, input, cwd = ROOT, timeoutMs = 60_000} = options;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {cwd, env: cliEnv(env), stdio: ['pipe', 'pipe', 'pipe']});
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pcmkctl ${args.join(' ')} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8')});
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

/** Is a program on PATH? */
export function have(command: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], {stdio: 'ignore'}).status === 0;
}

export const PACEMAKER_TOOLS = ['cibadmin', 'crm_verify', 'crm_diff', 'crm_attribute', 'crm_resource'];
/** Why Pacemaker-based tests cannot run here, or undefined when they can. */
export function missingPacemaker(): string | undefined {
  const missing = PACEMAKER_TOOLS.filter((t) => !have(t));
  return missing.length > 0 ? `Pacemaker tools not installed: ${missing.join(', ')}` : undefined;
}

/** Run a Pacemaker tool on a CIB file (CIB_file=...), synchronously. */
export function pcmk(file: string, command: string, args: string[], input?: string): {code: number; stdout: string; stderr: string} {
  const r = spawnSync(command, args, {env: {...process.env, CIB_file: file, LC_ALL: 'C'}, input, encoding: 'utf8', timeout: 60_000});
  return {code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? ''};
}

/** Resources every temp CIB starts with: a primitive, a group, a clone, a promotable clone, a bundle and a guest. */
export const BASE_RESOURCES = `<resources>
  <primitive id="d1" class="ocf" provider="pacemaker" type="Dummy">
    <operations>
      <op id="d1-monitor-interval-10s" name="monitor" interval="10s" timeout="20s"/>
    </operations>
  </primitive>
  <primitive id="d2" class="ocf" provider="pacemaker" type="Dummy">
    <meta_attributes id="d2-meta_attributes">
      <nvpair id="d2-meta_attributes-priority" name="priority" value="5"/>
    </meta_attributes>
  </primitive>
  <group id="g1">
    <primitive id="g1d1" class="ocf" provider="pacemaker" type="Dummy"/>
    <primitive id="g1d2" class="ocf" provider="pacemaker" type="Dummy"/>
  </group>
  <clone id="c1">
    <primitive id="c1d" class="ocf" provider="pacemaker" type="Dummy"/>
  </clone>
  <clone id="p1">
    <meta_attributes id="p1-meta_attributes">
      <nvpair id="p1-meta_attributes-promotable" name="promotable" value="true"/>
    </meta_attributes>
    <primitive id="p1s" class="ocf" provider="pacemaker" type="Stateful"/>
  </clone>
  <bundle id="b1">
    <podman image="localhost/pcmkctl-test:latest" replicas="1"/>
    <network control-port="3121"/>
    <primitive id="b1d" class="ocf" provider="pacemaker" type="Dummy"/>
  </bundle>
  <primitive id="vm1" class="ocf" provider="pacemaker" type="Dummy">
    <meta_attributes id="vm1-meta_attributes">
      <nvpair id="vm1-meta_attributes-remote-node" name="remote-node" value="guest1"/>
      <nvpair id="vm1-meta_attributes-remote-addr" name="remote-addr" value="192.0.2.10"/>
    </meta_attributes>
  </primitive>
</resources>`;

export interface TempCib {
  dir: string;
  file: string;
  /** Current bytes of the file. */
  bytes(): Buffer;
  text(): string;
  cleanup(): void;
}

const tempDirs: string[] = [];
process.on('exit', () => {
  for (const d of tempDirs) rmSync(d, {recursive: true, force: true});
});

export function tempDir(prefix = 'pcmkctl-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/**
 * A CIB file made by `cibadmin --empty`, with stonith-enabled=false and
 * BASE_RESOURCES (or `resources`) added through cibadmin, as a user would.
 */
export function makeCib(options: {resources?: string; name?: string; dir?: string} = {}): TempCib {
  const dir = options.dir ?? tempDir();
  const file = join(dir, options.name ?? 'cib.xml');
  const empty = spawnSync('cibadmin', ['--empty'], {encoding: 'utf8'});
  assert.equal(empty.status, 0, `cibadmin --empty failed: ${empty.stderr}`);
  writeFileSync(file, empty.stdout);
  const prop = pcmk(file, 'crm_attribute', ['--type', 'crm_config', '--name', 'stonith-enabled', '--update', 'false']);
  assert.equal(prop.code, 0, `crm_attribute failed: ${prop.stderr}`);
  const rsc = pcmk(file, 'cibadmin', ['--replace', '--scope', 'resources', '--xml-text', options.resources ?? BASE_RESOURCES]);
  assert.equal(rsc.code, 0, `cibadmin --replace failed: ${rsc.stderr}`);
  assertCibValid(file);
  return {
    dir,
    file,
    bytes: () => readFileSync(file),
    text: () => readFileSync(file, 'utf8'),
    cleanup: () => rmSync(dir, {recursive: true, force: true}),
  };
}

/** The file passes `crm_verify --xml-file` (exit 0; warnings allowed). */
export function assertCibValid(file: string): void {
  const r = spawnSync('crm_verify', ['--xml-file', file], {encoding: 'utf8', timeout: 120_000});
  assert.equal(r.status, 0, `crm_verify --xml-file ${file} failed (${r.status}):\n${r.stdout}${r.stderr}`);
}

/** A meta attribute as Pacemaker reads it back (`crm_resource --meta -g`), or undefined when unset. */
export function metaOf(file: string, resource: string, name: string): string | undefined {
  const r = pcmk(file, 'crm_resource', ['--resource', resource, '--meta', '--get-parameter', name, '--quiet']);
  if (r.code !== 0) return undefined;
  return r.stdout.endsWith('\n') ? r.stdout.slice(0, -1) : r.stdout;
}

/** A command that was refused: non-zero exit, one `Error:` line, nothing on stdout, file byte-identical. */
export function assertRefused(r: CliResult, before: Buffer | undefined, file: string | undefined, options: {code?: number; json?: boolean; message?: RegExp} = {}): void {
  const where = `stdout=${JSON.stringify(r.stdout)} stderr=${JSON.stringify(r.stderr)}`;
  assert.notEqual(r.code, 0, `expected a non-zero exit: ${where}`);
  if (options.code !== undefined) assert.equal(r.code, options.code, `exit code: ${where}`);
  if (options.json) {
    const doc = JSON.parse(r.stdout) as {ok: boolean; error: {message: string; exitCode: number}};
    assert.equal(doc.ok, false);
    assert.equal(doc.error.exitCode, r.code);
    if (options.message) assert.match(doc.error.message, options.message);
  } else {
    assert.equal(r.stdout, '', `nothing on stdout: ${where}`);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 1, `exactly one stderr line: ${where}`);
    assert.match(lines[0], /^Error: \S/, `starts with 'Error:': ${where}`);
    assert.ok(!/^\s+at /m.test(r.stderr), `no stack trace: ${where}`);
    if (options.message) assert.match(lines[0], options.message, where);
  }
  if (before !== undefined && file !== undefined) assertSameBytes(file, before);
}

export function assertSameBytes(file: string, before: Buffer): void {
  assert.ok(existsSync(file), `${file} still exists`);
  assert.ok(readFileSync(file).equals(before), `${file} must be byte-identical`);
}

/** After a successful write: the file is a valid CIB. */
export function assertWritten(r: CliResult, file: string): void {
  assert.equal(r.code, 0, `expected success: stdout=${JSON.stringify(r.stdout)} stderr=${JSON.stringify(r.stderr)}`);
  assertCibValid(file);
}

/** <cib epoch="N"> of a file. */
export function epochOf(text: string): number {
  const m = /<cib\b[^>]*\bepoch="(\d+)"/.exec(text);
  assert.ok(m, 'the CIB has an epoch');
  return Number(m[1]);
}
