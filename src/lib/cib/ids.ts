// Element ids made the way pcs makes them (`<rsc>-meta_attributes`,
// `<set>-<name>`, `<rsc>-<op>-interval-<interval>`), sanitised to a valid
// XML ID and made unique across the whole document with -1, -2, ... pcs
// 0.11.5 skipped the uniqueness step for nvpairs, producing CIBs the schema
// rejects; one IdAllocator per transform avoids that, including for ids
// created earlier in the same transform.
import {idsInUse} from './query.js';
import type {XmlDocument} from './xml.js';

const ID_START = /[A-Za-z_]/;
const ID_CHAR = /[A-Za-z0-9_.-]/;

/** pcs's sanitising: drop characters that cannot be in an ID, and leading ones that cannot start it. */
export function sanitizeId(candidate: string): string {
  let out = '';
  for (const ch of candidate) {
    if (out === '' ? ID_START.test(ch) : ID_CHAR.test(ch)) out += ch;
  }
  return out === '' ? 'id' : out;
}

/** Is this a valid XML ID (NCName) as Pacemaker's schema requires for resource ids? */
export function isValidId(id: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(id);
}

/** The reason `id` is not a valid resource id, pcs wording; undefined when valid. */
export function invalidIdReason(id: string, what = 'resource name'): string | undefined {
  if (id === '') return `${what} cannot be empty`;
  const first = id[0];
  if (!/[A-Za-z_]/.test(first)) return `invalid ${what} '${id}', '${first}' is not a valid first character for a ${what}`;
  for (const ch of id) {
    if (!/[A-Za-z0-9_.-]/.test(ch)) return `invalid ${what} '${id}', '${ch}' is not a valid character for a ${what}`;
  }
  return undefined;
}

export class IdAllocator {
  private readonly used: Set<string>;

  constructor(doc: XmlDocument) {
    this.used = idsInUse(doc);
  }

  has(id: string): boolean {
    return this.used.has(id);
  }

  /** Sanitise, make unique, and reserve. */
  allocate(candidate: string): string {
    const base = sanitizeId(candidate);
    let id = base;
    for (let n = 1; this.used.has(id); n++) id = `${base}-${n}`;
    this.used.add(id);
    return id;
  }

  /** Reserve an id given by the user (already validated). */
  reserve(id: string): void {
    this.used.add(id);
  }
}
