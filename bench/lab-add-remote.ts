// Live add-remote benchmark against the test lab (root only): wall time of ONE
// `cluster node add-remote remote1 10.88.0.11` until remote1 is RemoteOnline,
// real pcs vs pcmkctl over pcsd vs pcmkctl over ssh, interleaved.
//
//   npm run build && npm run bench:lab [-- --reps N] [--no-profile] [--only VARIANT]
//   (= node --import tsx bench/lab-add-remote.ts)
//
// Host auth is done before each pcsd run and not timed. Every run starts from
// resetLab() and is undone with the tool's own remove-remote + resetLab().
// The lab lock is held for the whole run. Results: a table on stdout,
// bench/out/lab-results.json and bench/out/lab-results.md. See bench/README.md.
import {spawn} from 'node:child_process';
import {existsSync, mkdirSync, rmSync, writeFileSync} from 'node:fs';
import {cpus, loadavg} from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const outDir = join(here, 'out');
const runJs = join(root, 'bin', 'run.js');
const NODE = 'remote1';
const ADDR = '10.88.0.11';

// ---- options -----------------------------------------------------------------
const opts = {reps: 3, profile: true, only: '' as string};
{
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--no-profile') opts.profile = false;
    else if (args[i] === '--only' && ['pcs', 'pcmkctl-pcsd', 'pcmkctl-ssh'].includes(args[i + 1] ?? '')) opts.only = args[++i]!;
    else if (args[i] === '--reps' && /^\d{1,2}$/.test(args[i + 1] ?? '') && Number(args[i + 1]) >= 1) opts.reps = Number(args[++i]);
    else {
      console.error('usage: node --import tsx bench/lab-add-remote.ts [--reps N(1-99)] [--no-profile] [--only pcs|pcmkctl-pcsd|pcmkctl-ssh]');
      process.exit(2);
    }
  }
}

/** Bounds: one command, waiting for online, and the whole benchmark. */
const RUN_TIMEOUT_MS = 180_000;
const ONLINE_TIMEOUT_MS = 120_000;
const POLL_MS = 100;
const TOTAL_BUDGET_MS = 30 * 60_000;
const started = Date.now();

if (process.getuid?.() !== 0) {
  console.log('bench:lab: SKIPPED — needs root (the lab is a real cluster in network namespaces)');
  process.exit(0);
}
if (!existsSync(join(root, 'dist', 'cli.js'))) {
  console.error('bench:lab: dist/ is missing. Build pcmkctl first:  npm run build');
  process.exit(1);
}

// lab helpers are imported after the root check (they read lab state at import)
const {crmMon, lab, labHost, labReady, lockLab, resetLab} = await import('../test/lab/lab.js');

// ---- helpers -----------------------------------------------------------------
interface Line {
  /** ms since spawn */
  t: number;
  text: string;
}
interface RunResult {
  ms: number;
  code: number | string;
  stdout: string;
  stderr: string;
  /** stderr lines, timestamped when they arrived */
  lines: Line[];
  t0: bigint;
}

/** Runs a command (no shell), timestamps each stderr line; bounded by RUN_TIMEOUT_MS. */
function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const since = () => Number(process.hrtime.bigint() - t0) / 1e6;
    const child = spawn(cmd, args, {env: {...process.env, ...env}, cwd: '/', stdio: ['ignore', 'pipe', 'pipe']});
    let stdout = '';
    let stderr = '';
    let partial = '';
    const lines: Line[] = [];
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      const t = since();
      stderr += d;
      partial += d;
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      for (const p of parts) lines.push({t, text: p});
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ms: NaN, code: -1, stdout, stderr: String(err), lines, t0});
    });
    child.on('close', (code, signal) => {
      const ms = since();
      clearTimeout(timer);
      if (partial) lines.push({t: ms, text: partial});
      resolve({ms, code: signal ? `signal ${signal}` : (code ?? -1), stdout, stderr, lines, t0});
    });
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const pcs = (...args: string[]) => run('pcs', args);
// NODE_OPTIONS cleared: a parent's '--import tsx' must not leak into the measured process
const pcmkctl = (args: string[], env: Record<string, string> = {}) => run(process.execPath, [runJs, ...args], {NODE_OPTIONS: '', ...env});
const sshFlags = ['--transport', 'ssh', '--ssh-identity', lab.ssh.key, '--ssh-known-hosts', lab.ssh.knownHosts];

/** Same criterion for every variant (and as pcmkctl --wait): node online and its connection resource Started. */
async function isOnline(): Promise<boolean> {
  const m = await crmMon();
  return Boolean(m.node(NODE)?.online && m.resource(NODE)?.role === 'Started');
}

/** ms since t0 at which remote1 was first seen online, polling every POLL_MS; NaN on timeout. */
async function pollOnline(t0: bigint): Promise<number> {
  const deadline = Date.now() + ONLINE_TIMEOUT_MS;
  for (let i = 0; i < ONLINE_TIMEOUT_MS / POLL_MS + 2 && Date.now() < deadline; i++) {
    try {
      if (await isOnline()) return Number(process.hrtime.bigint() - t0) / 1e6;
    } catch {
      // crm_mon hiccup: try again
    }
    await sleep(POLL_MS);
  }
  return NaN;
}

const failureLog: string[] = [];
function must(what: string, r: RunResult): void {
  if (r.code === 0) return;
  failureLog.push(`=== ${what}: exit ${r.code}\n${r.stdout}${r.stderr}`);
  const text = (r.stderr || r.stdout).trim().split('\n');
  const first = text.find((l) => /error/i.test(l)) ?? text[0] ?? '';
  throw new Error(`${what}: exit ${r.code}: ${first.trim().slice(0, 300)}`);
}

function checkBudget(): void {
  if (Date.now() - started > TOTAL_BUDGET_MS) throw new Error(`over the total budget of ${TOTAL_BUDGET_MS / 60_000} minutes`);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const stats = (xs: number[]) => (xs.length ? {median: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs: xs} : null);
const fmt = (ms: number | null | undefined) => (ms === undefined || ms === null || Number.isNaN(ms) ? 'n/a' : `${(ms / 1000).toFixed(2)} s`);

// ---- the three variants ---------------------------------------------------------
interface Sample {
  /** command start → remote1 online */
  onlineMs: number;
  /** command start → the command's own work done (pcs: exit; pcmkctl: CIB committed, waiting begins) */
  commandMs: number;
  /** command start → exit */
  exitMs: number;
}

interface Variant {
  key: 'pcs' | 'pcmkctl-pcsd' | 'pcmkctl-ssh';
  label: string;
  once: (debug: boolean) => Promise<{sample: Sample; result: RunResult}>;
}

/** pcmkctl prints "Waiting up to Ns ..." right after the CIB commit: that is where its command-only time ends. */
function pcmkctlSample(r: RunResult): Sample {
  const waiting = r.lines.find((l) => /Waiting up to \d+s/.test(l.text));
  return {onlineMs: r.ms, exitMs: r.ms, commandMs: waiting?.t ?? NaN};
}

async function authPcmkctl(): Promise<void> {
  must('pcmkctl host auth', await pcmkctl(['host', 'auth', NODE, `addr=${ADDR}`, '-u', lab.user], {PCMKCTL_PASSWORD: lab.password}));
}

const allVariants: Variant[] = [
  {
    key: 'pcs',
    label: `pcs cluster node add-remote ${NODE} ${ADDR} + poll crm_mon (${POLL_MS} ms)`,
    once: async () => {
      must('pcs host auth', await pcs('host', 'auth', NODE, `addr=${ADDR}`, '-u', lab.user, '-p', lab.password));
      const r = await pcs('cluster', 'node', 'add-remote', NODE, ADDR);
      must('pcs cluster node add-remote', r);
      const onlineMs = await pollOnline(r.t0);
      if (Number.isNaN(onlineMs)) throw new Error(`pcs: ${NODE} not online within ${ONLINE_TIMEOUT_MS / 1000}s`);
      return {sample: {onlineMs, commandMs: r.ms, exitMs: r.ms}, result: r};
    },
  },
  {
    key: 'pcmkctl-pcsd',
    label: `pcmkctl cluster node add-remote ${NODE} ${ADDR} --wait`,
    once: async (debug) => {
      await authPcmkctl();
      const r = await pcmkctl(['cluster', 'node', 'add-remote', NODE, ADDR, '--wait', ...(debug ? ['--debug'] : [])]);
      must('pcmkctl cluster node add-remote', r);
      return {sample: pcmkctlSample(r), result: r};
    },
  },
  {
    key: 'pcmkctl-ssh',
    label: `pcmkctl cluster node add-remote ${NODE} ${ADDR} --wait --transport ssh`,
    once: async (debug) => {
      const r = await pcmkctl(['cluster', 'node', 'add-remote', NODE, ADDR, '--wait', ...sshFlags, ...(debug ? ['--debug'] : [])]);
      must('pcmkctl cluster node add-remote --transport ssh', r);
      return {sample: pcmkctlSample(r), result: r};
    },
  },
];

const variants = allVariants.filter((v) => !opts.only || v.key === opts.only);

async function removeWith(key: Variant['key']): Promise<void> {
  const r = key === 'pcs'
    ? await pcs('cluster', 'node', 'remove-remote', NODE)
    : await pcmkctl(['cluster', 'node', 'remove-remote', NODE, ...(key === 'pcmkctl-ssh' ? sshFlags : [])]);
  if (r.code === 0) return;
  failureLog.push(`=== ${key} remove-remote: exit ${r.code}\n${r.stdout}${r.stderr}`);
  console.error(`\nbench:lab: ${key} remove-remote failed (resetLab cleans up; output in bench/out/lab-failures.log)`);
}

/** One measured add: fresh lab, add, sanity check, the tool's own remove, reset. */
async function measure(v: Variant, debug: boolean): Promise<{sample: Sample; result: RunResult}> {
  checkBudget();
  try {
    const out = await v.once(debug);
    if (!(await isOnline())) throw new Error(`${v.key}: exited 0 but ${NODE} is not online`);
    await removeWith(v.key);
    return out;
  } finally {
    await resetLab();
  }
}

// ---- main ----------------------------------------------------------------------
mkdirSync(outDir, {recursive: true});
let setUpByUs = false;
if (!labReady().ok) {
  console.log(`bench:lab: lab not up (${labReady().reason}); setting it up`);
  const s = await run(process.execPath, ['--import', 'tsx', join(root, 'test', 'lab', 'ctl.ts'), 'setup'], {NODE_OPTIONS: ''});
  if (s.code !== 0 || !labReady().ok) {
    console.log(`bench:lab: SKIPPED — the lab cannot be set up: ${(s.stderr || s.stdout).trim().split('\n').slice(-3).join(' | ') || labReady().reason}`);
    process.exit(0);
  }
  setUpByUs = true;
}
labHost(NODE); // throws if the lab has no remote1

const versionOf = async (cmd: string, args: string[]) => (await run(cmd, args)).stdout.trim().split('\n')[0] || null;
const env = {
  date: new Date().toISOString(),
  node: process.version,
  pcmkctl: await versionOf(process.execPath, [runJs, '--version']),
  pcs: await versionOf('pcs', ['--version']),
  pacemaker: await versionOf('crm_mon', ['--version']),
  cpu: `${cpus()[0]?.model ?? 'unknown'} x${cpus().length}`,
  loadAvgAtStart: Number(loadavg()[0]!.toFixed(2)),
  loadAvgAtEnd: 0,
};

const samples: Record<Variant['key'], Sample[]> = {pcs: [], 'pcmkctl-pcsd': [], 'pcmkctl-ssh': []};
const failures: string[] = [];
const profiles: Record<string, {exitMs: number; lines: Line[]}> = {};
let release: () => Promise<void> = async () => {};
let exitCode = 0;
try {
  release = await lockLab();
  await resetLab();
  process.stdout.write(`bench:lab: ${opts.reps} interleaved rounds of pcs / pcmkctl (pcsd) / pcmkctl (ssh) `);
  for (let rep = 0; rep < opts.reps; rep++) {
    for (const v of variants) {
      try {
        samples[v.key].push((await measure(v, false)).sample);
      } catch (e) {
        failures.push(`${v.key} round ${rep + 1}: ${(e as Error).message}`);
        if (failures.length >= 4) throw new Error(`too many failed runs:\n  ${failures.join('\n  ')}`);
      }
      process.stdout.write('.');
    }
  }
  process.stdout.write(' done\n');
  if (opts.profile) {
    // one extra, untimed-for-the-stats run each with --debug: where pcmkctl's time goes
    process.stdout.write('bench:lab: profiling pcmkctl with --debug ');
    for (const v of variants.filter((x) => x.key !== 'pcs')) {
      try {
        const {result} = await measure(v, true);
        profiles[v.key] = {exitMs: result.ms, lines: result.lines};
      } catch (e) {
        failures.push(`${v.key} profile: ${(e as Error).message}`);
      }
      process.stdout.write('.');
    }
    process.stdout.write(' done\n');
  }
} catch (e) {
  console.error(`\nbench:lab: ${(e as Error).message}`);
  exitCode = 1;
} finally {
  try {
    await resetLab();
  } finally {
    await release();
  }
  if (setUpByUs) await run(process.execPath, ['--import', 'tsx', join(root, 'test', 'lab', 'ctl.ts'), 'teardown'], {NODE_OPTIONS: ''});
}
env.loadAvgAtEnd = Number(loadavg()[0]!.toFixed(2));

// ---- report ----------------------------------------------------------------------
const agg = Object.fromEntries(
  allVariants.map((v) => {
    const s = samples[v.key];
    return [v.key, {
      label: v.label,
      online: stats(s.map((x) => x.onlineMs)),
      command: stats(s.map((x) => x.commandMs).filter((x) => !Number.isNaN(x))),
      samples: s,
    }];
  }),
) as Record<Variant['key'], {label: string; online: ReturnType<typeof stats>; command: ReturnType<typeof stats>; samples: Sample[]}>;

const LIMIT = 0.5;
const ratio = (a?: number, b?: number) => (a && b ? a / b : null);
const targets = (['pcmkctl-pcsd', 'pcmkctl-ssh'] as const).map((k) => {
  const value = ratio(agg[k].online?.median, agg.pcs.online?.median);
  return {name: `add-remote until online: ${k} / pcs (median)`, value, limit: LIMIT, verdict: value === null ? 'n/a' : value <= LIMIT ? 'PASS' : 'MISS', shown: value === null ? 'n/a' : `${value.toFixed(2)}x`};
});

/** Profile: each stderr line with its time since spawn and the gap to the previous line. */
const profileText = (key: string) => {
  const p = profiles[key];
  if (!p) return [];
  let prev = 0;
  return [
    `--- ${key} --debug (exit ${fmt(p.exitMs)}); +gap = time since the previous line`,
    ...p.lines.map((l) => {
      const s = `${(l.t / 1000).toFixed(3).padStart(7)} s  +${String(Math.round(l.t - prev)).padStart(5)} ms  ${l.text.replace(/\u001b\[[0-9;]*m/g, '').slice(0, 160)}`;
      prev = l.t;
      return s;
    }),
  ];
};

const rows = variants.map((v) => {
  const a = agg[v.key];
  return [v.key, fmt(a.online?.median), fmt(a.online?.min), fmt(a.command?.median), fmt(a.command?.min), String(a.samples.length)];
});
const header = ['variant', 'to online (median)', 'min', 'command only (median)', 'min', 'runs'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (r: string[]) => r.map((x, i) => x.padEnd(widths[i]!)).join('  ');
console.log(`\n${env.cpu}; node ${env.node}; pcs ${env.pcs ?? 'n/a'}; ${env.pacemaker ?? ''}; load ${env.loadAvgAtStart} → ${env.loadAvgAtEnd}\n`);
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));
console.log('\nTargets');
for (const t of targets) console.log(`  ${t.verdict.padEnd(4)}  ${t.name}  ${t.shown}  (target <= ${LIMIT}x)`);
if (failures.length) console.log(`\nFailed runs (not timed):\n  ${failures.join('\n  ')}`);
for (const k of Object.keys(profiles)) console.log('\n' + profileText(k).join('\n'));

const results = {env, options: {...opts, pollMs: POLL_MS, onlineTimeoutMs: ONLINE_TIMEOUT_MS}, variants: agg, targets, failures, profiles};
if (failureLog.length) writeFileSync(join(outDir, 'lab-failures.log'), failureLog.join('\n'));
else rmSync(join(outDir, 'lab-failures.log'), {force: true});
writeFileSync(join(outDir, 'lab-results.json'), JSON.stringify(results, null, 2) + '\n');
const md = [
  `Measured ${env.date.slice(0, 10)} on ${env.cpu} (load ${env.loadAvgAtStart} → ${env.loadAvgAtEnd}), pcs ${env.pcs ?? 'n/a'}, ${env.pacemaker ?? ''}; lab cluster pcmk-1 + ${NODE}; ${opts.reps} interleaved runs each, median (min). "to online": command start until ${NODE} is online with its connection Started (pcs: polled with crm_mon every ${POLL_MS} ms after pcs exits; pcmkctl: --wait, its exit). "command only": pcs exit; pcmkctl until the CIB is committed (its "Waiting…" line). Host auth beforehand, not timed.`,
  '',
  '| variant | command | to online | command only | runs |',
  '|---|---|---:|---:|---:|',
  ...variants.map((v) => {
    const a = agg[v.key];
    return `| ${v.key} | \`${v.label}\` | ${fmt(a.online?.median)} (${fmt(a.online?.min)}) | ${fmt(a.command?.median)} (${fmt(a.command?.min)}) | ${a.samples.length} |`;
  }),
  '',
  '| target | measured | limit | verdict |',
  '|---|---:|---:|---|',
  ...targets.map((t) => `| ${t.name} | ${t.shown} | ≤ ${LIMIT}× | ${t.verdict} |`),
  '',
  ...(Object.keys(profiles).length ? ['```', ...Object.keys(profiles).flatMap((k) => [...profileText(k), '']), '```', ''] : []),
].join('\n');
writeFileSync(join(outDir, 'lab-results.md'), md);
console.log(`\nbench:lab: wrote ${join(outDir, 'lab-results.json')} and ${join(outDir, 'lab-results.md')} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
process.exit(exitCode || (failures.length && !samples.pcs.length ? 1 : 0));
