// CIB file store (`-f FILE`): read, transform, validate, then replace the
// file atomically (temp file in the same directory + rename) while holding
// a lock on the directory, so concurrent pcmkctl runs on one file serialise
// and never lose an edit. Mode and owner of the file are kept.
import {readFile, stat} from 'node:fs/promises';
import {dirname, resolve} from 'node:path';
import {errorReport, fail, PcmkctlError, type Reporter} from '../report.js';
import {writeFileAtomic} from '../util/atomic-write.js';
import {withLock} from '../util/lock.js';
import {commitResultOf, prepareChange, snapshotOf, type CibSnapshot, type CibStore, type CibTransform, type CommitResult, type UpdateOptions} from './store.js';

/** CIBs over this size are refused rather than exhausting memory. */
const MAX_CIB_BYTES = 256 * 1024 * 1024;

export class FileCibStore implements CibStore {
  readonly kind = 'file' as const;
  readonly path: string;

  constructor(path: string) {
    this.path = resolve(path);
  }

  get label(): string {
    return this.path;
  }

  async read(_reporter: Reporter): Promise<CibSnapshot> {
    await this.checkFile();
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      throw this.ioError(e as NodeJS.ErrnoException);
    }
    return snapshotOf(text, this.path);
  }

  /** Clear errors for a missing, empty, oversized or special file, before any lock is taken. */
  private async checkFile(): Promise<void> {
    let info;
    try {
      info = await stat(this.path);
    } catch (e) {
      throw this.ioError(e as NodeJS.ErrnoException);
    }
    if (info.isDirectory()) fail('CIB_FILE_UNREADABLE', `'${this.path}' is a directory, not a CIB file`);
    if (!info.isFile()) fail('CIB_FILE_UNREADABLE', `'${this.path}' is not a regular file`);
    if (info.size === 0) fail('CIB_FILE_EMPTY', `CIB file '${this.path}' is empty`);
    if (info.size > MAX_CIB_BYTES) fail('CIB_FILE_TOO_BIG', `'${this.path}' is larger than ${MAX_CIB_BYTES / 1024 / 1024} MiB`);
  }

  private ioError(err: NodeJS.ErrnoException): Error {
    const hint = {hint: "create one with 'pcmkctl cluster cib FILE' or 'cibadmin --empty > FILE'"};
    if (err.code === 'ENOENT') return new PcmkctlError(errorReport('CIB_FILE_MISSING', `CIB file '${this.path}' does not exist`, hint));
    if (err.code === 'ENOTDIR') return new PcmkctlError(errorReport('CIB_FILE_MISSING', `CIB file '${this.path}' does not exist (a parent is not a directory)`));
    if (err.code === 'EACCES') return new PcmkctlError(errorReport('CIB_FILE_UNREADABLE', `cannot read CIB file '${this.path}': permission denied`));
    if (err.code === 'EISDIR') return new PcmkctlError(errorReport('CIB_FILE_UNREADABLE', `'${this.path}' is a directory, not a CIB file`));
    return err;
  }

  async update(transform: CibTransform, options: UpdateOptions): Promise<CommitResult> {
    const {reporter, dryRun = false} = options;
    const run = async (): Promise<CommitResult> => {
      const snapshot = await this.read(reporter);
      const prepared = await prepareChange(snapshot, transform, this.path, reporter);
      const result = commitResultOf(snapshot, prepared, dryRun, 1);
      if (!prepared.next || dryRun) return result;
      const info = await stat(this.path);
      try {
        await writeFileAtomic(this.path, prepared.next, {mode: info.mode & 0o7777, uid: info.uid, gid: info.gid});
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (err.code === 'EACCES' || err.code === 'EROFS' || err.code === 'EPERM') {
          fail('CIB_FILE_UNWRITABLE', `cannot write '${this.path}': ${err.code === 'EROFS' ? 'read-only file system' : 'permission denied'} (the file is unchanged)`);
        }
        throw e;
      }
      return result;
    };
    if (dryRun) return run();
    await this.checkFile();
    return withLock(dirname(this.path), run);
  }
}
