// Request bodies byte-identical to pcs 0.11.5: Python json.dumps() defaults
// (", " and ": " separators, ensure_ascii, insertion order) inside a
// form-urlencoded field (Python quote_plus ~ WHATWG URLSearchParams for the
// characters these payloads contain).

export function pyJsonDumps(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error('pyJsonDumps: non-finite number');
    return String(v);
  }
  if (typeof v === 'string') {
    // JSON.stringify escapes control characters like Python; ensure_ascii
    // additionally escapes everything above 0x7f (UTF-16 units, as Python does).
    return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  }
  if (Array.isArray(v)) return '[' + v.map(pyJsonDumps).join(', ') + ']';
  if (typeof v === 'object') {
    return (
      '{' +
      Object.entries(v as Record<string, unknown>)
        .map(([k, x]) => pyJsonDumps(k) + ': ' + pyJsonDumps(x))
        .join(', ') +
      '}'
    );
  }
  throw new Error(`pyJsonDumps: unsupported type ${typeof v}`);
}

/** `data_json=<python json>` form body as pcs sends it. */
export function dataJsonBody(data: unknown): string {
  return new URLSearchParams({data_json: pyJsonDumps(data)}).toString();
}

/** Any form body (`username=..&password=..`). */
export function formBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}
