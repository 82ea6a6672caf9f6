// One interface over the two places a CIB lives: a file (`-f`, like pcs -f)
// and the live cluster. Both run the same pipeline: read, apply the
// transform to a fresh parse, bump the epoch, validate with crm_verify, then
// commit atomically (file: rename under a lock; live: versioned patch =
// compare-and-swap). The transform is a function so a retry re-runs it on
// fresh data; it must not have side effects outside the document.
import type {Report, Reporter} from '../report.js';
import {unifiedDiff} from './text-diff.js';
import {cibVersion, configuration, formatVersion, type CibVersion} from './query.js';
import {startValidation, type ValidationOutcome} from './validate.js';
import {cloneElement, parseXml, serializeDocument, serializeElement, type XmlDocument} from './xml.js';

export interface TransformResult {
  changed: boolean;
  /** Warnings/infos of the transform (from the attempt that was committed). */
  reports?: Report[];
}

export type CibTransform = (doc: XmlDocument) => TransformResult | Promise<TransformResult>;

export interface CommitResult {
  changed: boolean;
  dryRun: boolean;
  /** Readable diff of <configuration> (empty when unchanged). */
  diff: string;
  before: string;
  after: string;
  attempts: number;
  validation: ValidationOutcome | 'not-needed';
  reports: Report[];
}

export interface UpdateOptions {
  dryRun?: boolean;
  reporter: Reporter;
  /**
   * The result of an earlier dry run of the same transform, made to be
   * committed later: the live store then commits the change it prepared as
   * its first attempt (the version check still applies; a conflict re-reads
   * and re-runs the transform as usual). Ignored by the file store.
   */
  basis?: CommitResult;
}

export interface CibSnapshot {
  doc: XmlDocument;
  text: string;
  version: CibVersion;
}

export interface CibStore {
  readonly kind: 'file' | 'live';
  /** For messages: the file path or "the live CIB". */
  readonly label: string;
  read(reporter: Reporter): Promise<CibSnapshot>;
  update(transform: CibTransform, options: UpdateOptions): Promise<CommitResult>;
}

export async function snapshotOf(text: string, label: string): Promise<CibSnapshot> {
  const doc = await parseXml(text, label);
  configuration(doc); // throws a clear error when this is not a CIB
  return {doc, text, version: cibVersion(doc)};
}

export interface PreparedChange {
  transformed: TransformResult;
  /** The new CIB text with epoch+1 (undefined when the transform changed nothing). */
  next?: string;
  /** The original, serialized the same way (what validation and diffs compare against). */
  original: string;
  diff: string;
  validation: ValidationOutcome | 'not-needed';
  versionAfter?: string;
}

/**
 * Shared middle of both stores: transform a copy, bump, validate, diff.
 * Cheap on big CIBs (5,000 resources): the transform works on a deep copy of
 * the parsed snapshot instead of a second parse, `original` is serialized
 * only when something asks for it (a failed validation, the live store's
 * crm_diff), and the readable diff is computed while crm_verify runs.
 */
export async function prepareChange(snapshot: CibSnapshot, transform: CibTransform, label: string, reporter: Reporter): Promise<PreparedChange> {
  let original: string | undefined;
  const originalText = (): string => (original ??= serializeDocument(snapshot.doc));
  const lazyOriginal = <T extends object>(value: T): T & {original: string} =>
    Object.defineProperty(value, 'original', {get: originalText, enumerable: true}) as T & {original: string};
  const work = cloneDocument(snapshot.doc);
  const transformed = await transform(work);
  if (!transformed.changed) return lazyOriginal({transformed, diff: '', validation: 'not-needed' as const});
  const v = snapshot.version;
  work.root.attrs.epoch = String(v.epoch + 1);
  work.root.attrs.num_updates = '0';
  const next = serializeDocument(work);
  // crm_verify runs in its own process: start it, then diff while it works
  const validating = (await startValidation(next, originalText, reporter)).verdict;
  let diff: string;
  try {
    diff = unifiedDiff(serializeElement(configuration(snapshot.doc)), serializeElement(configuration(work)), [`${label} (epoch ${v.epoch})`, `${label} (epoch ${v.epoch + 1})`]);
  } catch (e) {
    await validating.catch(() => undefined); // never leave the check running unobserved
    throw e;
  }
  const validation = await validating;
  return lazyOriginal({transformed, next, diff, validation, versionAfter: formatVersion({...v, epoch: v.epoch + 1, numUpdates: 0})});
}

function cloneDocument(doc: XmlDocument): XmlDocument {
  return {
    ...(doc.declaration ? {declaration: {...doc.declaration}} : {}),
    prolog: doc.prolog.map((c) => ({...c})),
    root: cloneElement(doc.root),
  };
}

/** The result of one attempt, before the store writes anything. */
export function commitResultOf(snapshot: CibSnapshot, prepared: PreparedChange, dryRun: boolean, attempts: number): CommitResult {
  const before = formatVersion(snapshot.version);
  return {
    changed: Boolean(prepared.next),
    dryRun,
    diff: prepared.diff,
    before,
    after: prepared.versionAfter ?? before,
    attempts,
    validation: prepared.validation,
    reports: prepared.transformed.reports ?? [],
  };
}
