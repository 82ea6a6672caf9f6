// The live CIB: `cibadmin --query`, transform, epoch+1, `crm_diff` WITH
// versions, `cibadmin --patch`. Pacemaker rejects a versioned patch whose
// source version is no longer current (exit 103), which makes the commit a
// compare-and-swap: on rejection we re-query and re-run the transform on
// fresh data, a bounded number of times. Never --no-version diffs (blind
// merge), never a scoped --replace (no version check at all). A dry run's
// prepared patch can be committed later as the first attempt (`basis`):
// workflows validate first, touch hosts, then commit without preparing again.
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {errorReport, ExitCode, fail, PcmkctlError, type Reporter} from '../report.js';
import {exec, ExecNotFoundError} from '../util/exec.js';
import {formatVersion} from './query.js';
import {commitResultOf, prepareChange, snapshotOf, type CibSnapshot, type CibStore, type CibTransform, type CommitResult, type UpdateOptions} from './store.js';

const CRM_EX_OLD = 103;
const CRM_EX_CONFIG = 78;

export interface LiveStoreOptions {
  maxAttempts?: number;
  /** Overall time budget for all attempts. */
  deadlineMs?: number;
}

export class LiveCibStore implements CibStore {
  readonly kind = 'live' as const;
  readonly label = 'the live CIB';
  private readonly maxAttempts: number;
  private readonly deadlineMs: number;
  /** What dry runs prepared, for a later update with that result as its basis. */
  private readonly prepared = new WeakMap<CommitResult, ReadyChange>();

  constructor(options: LiveStoreOptions = {}) {
    this.maxAttempts = options.maxAttempts ?? Number(process.env.PCMKCTL_CAS_ATTEMPTS ?? 30);
    this.deadlineMs = options.deadlineMs ?? 120_000;
  }

  async read(reporter: Reporter): Promise<CibSnapshot> {
    const r = await runTool('cibadmin', ['--query'], reporter);
    if (r.code !== 0) {
      fail('CIB_LIVE_UNAVAILABLE', `cannot read the live CIB: ${firstLine(r.stderr) || `cibadmin exited with ${r.code}`}`, {
        hint: 'is pacemaker running on this node? use -f FILE to work on a CIB file',
      });
    }
    return snapshotOf(r.stdout, this.label);
  }

  async update(transform: CibTransform, options: UpdateOptions): Promise<CommitResult> {
    const {reporter, dryRun = false} = options;
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      const ready = (attempt === 1 && options.basis && this.prepared.get(options.basis)) || (await this.prepare(transform, attempt, reporter));
      if (dryRun) {
        const result = {...ready.result, dryRun: true};
        this.prepared.set(result, ready);
        return result;
      }
      if (ready.patch === undefined) return ready.result;

      await testSeam('PCMKCTL_TEST_BEFORE_CIB_PATCH');
      const patch = await runTool('cibadmin', ['--patch', '--xml-pipe'], reporter, ready.patch);
      if (patch.code === 0) {
        // the cluster sets the version itself (it bumps the epoch again): ask
        // for it; the change is made, so failing to ask is not a failure
        const now = await this.read(reporter).catch(() => undefined);
        return {...ready.result, after: now ? formatVersion(now.version) : 'unknown'};
      }
      const why = firstLine(patch.stderr) || `exit ${patch.code}`;
      if (patch.code === CRM_EX_CONFIG) {
        fail('CIB_REJECTED', `the cluster rejected the change: ${why}`, {hint: 'the CIB is unchanged; run with --debug for details'});
      }
      const retryable = patch.code === CRM_EX_OLD || /Application of update diff failed/i.test(patch.stderr);
      if (!retryable) fail('CIB_PUSH_FAILED', `cannot update the live CIB: ${why}`);
      const outOfTime = Date.now() - started > this.deadlineMs;
      if (attempt >= this.maxAttempts || outOfTime) {
        throw new PcmkctlError(
          errorReport(
            'CIB_CONFLICT',
            `the live CIB kept changing underneath (${attempt} attempts${outOfTime ? `, ${Math.round((Date.now() - started) / 1000)}s` : ''}); nothing was changed`,
            {hint: 'retry when the cluster is quieter'},
          ),
          ExitCode.cibConflict,
        );
      }
      reporter.debug(`CIB changed concurrently (cibadmin exit ${patch.code}); retrying, attempt ${attempt + 1}`);
      // full jitter: concurrent writers spread out instead of colliding again
      await sleep(Math.random() * Math.min(3000, 100 * 2 ** attempt));
    }
  }

  /**
   * One attempt's preparation, nothing written: read, transform, validate,
   * and the versioned patch (undefined when nothing changes).
   */
  private async prepare(transform: CibTransform, attempt: number, reporter: Reporter): Promise<ReadyChange> {
    const snapshot = await this.read(reporter);
    const prepared = await prepareChange(snapshot, transform, this.label, reporter);
    const result = commitResultOf(snapshot, prepared, false, attempt);
    if (!prepared.next) return {result};
    const dir = await mkdtemp(join(tmpdir(), 'pcmkctl-cib-'));
    try {
      const originalPath = join(dir, 'original.xml');
      const nextPath = join(dir, 'new.xml');
      await writeFile(originalPath, prepared.original, {mode: 0o600});
      await writeFile(nextPath, prepared.next, {mode: 0o600});
      const diff = await runTool('crm_diff', ['--original', originalPath, '--new', nextPath], reporter);
      if (diff.code === 0) return {result: {...result, changed: false}};
      if (diff.code !== 1) fail('CIB_DIFF_FAILED', `crm_diff failed: ${firstLine(diff.stderr) || `exit ${diff.code}`}`);
      return {result, patch: diff.stdout};
    } finally {
      await rm(dir, {recursive: true, force: true});
    }
  }
}

/** A prepared attempt: its result if committed, and the versioned patch that commits it. */
interface ReadyChange {
  result: CommitResult;
  patch?: string;
}

async function runTool(command: string, args: string[], reporter: Reporter, input?: string) {
  try {
    return await exec(command, args, {input, reporter, timeoutMs: 120_000});
  } catch (e) {
    if (e instanceof ExecNotFoundError) {
      fail('PACEMAKER_TOOLS_MISSING', `${command} is not installed`, {hint: 'install pacemaker-cli-utils, or use -f FILE'});
    }
    throw e;
  }
}

function firstLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '';
}

/**
 * Test seam: lets the lab tests act as a concurrent writer between our query
 * and our patch (a real conflict, deterministically). Only with PCMKCTL_TEST=1.
 */
async function testSeam(variable: string): Promise<void> {
  const command = process.env[variable];
  if (!command || process.env.PCMKCTL_TEST !== '1') return;
  await exec('sh', ['-c', command], {timeoutMs: 60_000});
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
