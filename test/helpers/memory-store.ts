// A CibStore over a string, for workflow tests that need no file and no
// crm_verify: same transform contract (fresh parse, epoch+1 on change).
import {cibVersion, formatVersion} from '../../src/lib/cib/query.js';
import {snapshotOf, type CibSnapshot, type CibStore, type CibTransform, type CommitResult, type UpdateOptions} from '../../src/lib/cib/store.js';
import {unifiedDiff} from '../../src/lib/cib/text-diff.js';
import {parseXml, serializeDocument} from '../../src/lib/cib/xml.js';

export class MemoryCibStore implements CibStore {
  readonly kind = 'file' as const;
  readonly label = 'memory';
  writes = 0;

  constructor(public text: string) {}

  async read(): Promise<CibSnapshot> {
    return snapshotOf(this.text, this.label);
  }

  async update(transform: CibTransform, options: UpdateOptions): Promise<CommitResult> {
    const before = await parseXml(this.text);
    const work = await parseXml(this.text);
    const r = await transform(work);
    const v = cibVersion(before);
    const result: CommitResult = {
      changed: r.changed,
      dryRun: options.dryRun ?? false,
      diff: '',
      before: formatVersion(v),
      after: formatVersion(v),
      attempts: 1,
      validation: 'not-needed',
      reports: r.reports ?? [],
    };
    if (!r.changed) return result;
    work.root.attrs.epoch = String(v.epoch + 1);
    const next = serializeDocument(work);
    result.diff = unifiedDiff(serializeDocument(before), next, ['before', 'after']);
    result.after = formatVersion({...v, epoch: v.epoch + 1});
    if (!result.dryRun) {
      this.text = next;
      this.writes++;
    }
    return result;
  }
}
