// The CIB as a small ordered tree: parsed with fast-xml-parser (order kept,
// entities and character references decoded), written by our own serializer
// so escaping is exact (newlines and tabs in attribute values survive as
// character references, which libxml2 would otherwise turn into spaces).
// Whitespace-only text is formatting: it is dropped on parse and the output
// is indented the way cibadmin writes it. Everything else survives: element
// and attribute order, comments, CDATA, unknown elements and attributes.
import {fail} from '../report.js';

export interface XmlElement {
  type: 'element';
  name: string;
  /** Insertion order = document order (XML names never look like array indexes). */
  attrs: Record<string, string>;
  children: XmlNode[];
}
export interface XmlText {
  type: 'text';
  text: string;
}
export interface XmlComment {
  type: 'comment';
  text: string;
}
export interface XmlCdata {
  type: 'cdata';
  text: string;
}
export type XmlNode = XmlElement | XmlText | XmlComment | XmlCdata;

export interface XmlDocument {
  /** The XML declaration's attributes, when the input had one. */
  declaration?: Record<string, string>;
  /** Comments before the root element. */
  prolog: XmlComment[];
  root: XmlElement;
  /** Comments after the root element. */
  epilog?: XmlComment[];
}

type FxpNode = Record<string, unknown>;

/** Parse an XML document; malformed input is a user error naming the problem. */
export async function parseXml(text: string, source = 'input'): Promise<XmlDocument> {
  const {XMLParser, XMLValidator} = await import('fast-xml-parser');
  if (hasDoctype(text)) fail('XML_DOCTYPE', `${source}: DOCTYPE declarations are not allowed in a CIB`);
  const verdict = XMLValidator.validate(text, {allowBooleanAttributes: false});
  if (verdict !== true) {
    const {msg, line, col} = verdict.err;
    fail('XML_MALFORMED', `${source} is not well-formed XML: ${msg} (line ${line}, column ${col})`);
  }
  checkReferences(text, source);
  if (!/>\s*$/.test(text)) fail('XML_MALFORMED', `${source} is not well-formed XML: text outside the root element`);
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    commentPropName: '#comment',
    cdataPropName: '#cdata',
    processEntities: true,
    htmlEntities: true,
    ignoreDeclaration: false,
    ignorePiTags: false, // true would drop the XML declaration too; other PIs are skipped in convert()
  });
  const nodes = parser.parse(text) as FxpNode[];
  const doc: Partial<XmlDocument> & {prolog: XmlComment[]} = {prolog: []};
  for (const node of nodes) {
    if ('?xml' in node) {
      doc.declaration = {...((node[':@'] as Record<string, string>) ?? {})};
      continue;
    }
    const converted = convert(node);
    if (converted?.type === 'element') {
      if (doc.root) fail('XML_MALFORMED', `${source} has more than one root element`);
      doc.root = converted;
    } else if (converted?.type === 'comment') {
      if (doc.root) (doc.epilog ??= []).push(converted);
      else doc.prolog.push(converted);
    } else if (converted?.type === 'text' || converted?.type === 'cdata') {
      fail('XML_MALFORMED', `${source} is not well-formed XML: text outside the root element`);
    }
  }
  if (!doc.root) fail('XML_MALFORMED', `${source} has no root element`);
  return doc as XmlDocument;
}

/** A DOCTYPE anywhere in the prolog (after any number of comments, PIs and blanks). */
function hasDoctype(text: string): boolean {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (;;) {
    while (i < text.length && /\s/.test(text[i])) i++;
    const end = text.startsWith('<!--', i) ? text.indexOf('-->', i + 4) : text.startsWith('<?', i) ? text.indexOf('?>', i + 2) : -2;
    if (end === -2) return /^<!DOCTYPE/i.test(text.slice(i, i + 9));
    if (end === -1) return false; // unterminated: the validator reports it
    i = end + (text[end] === '-' ? 3 : 2);
  }
}

// fast-xml-parser leaves unknown entities and references without ';' as
// text (re-escaped to '&amp;...' on output) and drops references to
// characters XML cannot hold: libxml2 rejects all of these, so do we.
const REFERENCE = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z_][A-Za-z0-9_.-]*)?(;?)/g;
const PREDEFINED = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);

function checkReferences(text: string, source: string): void {
  for (const m of text.matchAll(REFERENCE)) {
    if (m[0][0] !== '&') continue;
    const [ref, body, semicolon] = m;
    let ok = Boolean(body) && semicolon === ';';
    if (ok && body.startsWith('#')) {
      const code = body[1] === 'x' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      ok = code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) && isXmlSafe(String.fromCodePoint(code));
    } else if (ok) {
      ok = PREDEFINED.has(body);
    }
    if (!ok) {
      const line = text.slice(0, m.index).split('\n').length;
      fail('XML_MALFORMED', `${source} is not well-formed XML: invalid or undefined reference '${ref.slice(0, 20)}' (line ${line})`);
    }
  }
}

function textOf(children: unknown): string {
  return (children as FxpNode[]).map((c) => String(c['#text'] ?? '')).join('');
}

function convert(node: FxpNode): XmlNode | undefined {
  if ('#text' in node) {
    const text = String(node['#text']);
    return text.trim() === '' ? undefined : {type: 'text', text};
  }
  if ('#comment' in node) return {type: 'comment', text: textOf(node['#comment'])};
  if ('#cdata' in node) return {type: 'cdata', text: textOf(node['#cdata'])};
  const name = Object.keys(node).find((k) => k !== ':@');
  if (!name || name.startsWith('?')) return undefined; // processing instructions are not kept
  const children: XmlNode[] = [];
  for (const child of node[name] as FxpNode[]) {
    const c = convert(child);
    if (c) children.push(c);
  }
  const attrs: Record<string, string> = {};
  const raw = node[':@'] as Record<string, unknown> | undefined;
  if (raw) for (const [k, v] of Object.entries(raw)) attrs[k] = String(v);
  return {type: 'element', name, attrs, children};
}

const XML_NAME = /^[A-Za-z_:][A-Za-z0-9_.:-]*$/;
// Characters XML 1.0 cannot carry at all, even as character references.
// eslint-disable-next-line no-control-regex
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** Can this string be stored in an XML attribute value or text? */
export function isXmlSafe(value: string): boolean {
  return !NOT_XML_CHAR.test(value) && !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value);
}

// Fast paths: most values need no escaping and the same few names repeat
// thousands of times in a big CIB (serializing must stay cheap at 5 MB).
const ATTR_SPECIAL = /[&<>"\n\r\t]/;
const TEXT_SPECIAL = /[&<>\r]/;
const checkedNames = new Set<string>();
const pads: string[] = [];
const padFor = (depth: number): string => (pads[depth] ??= '  '.repeat(depth));

function escapeAttr(value: string): string {
  if (!ATTR_SPECIAL.test(value)) return value;
  return value.replace(/[&<>"\n\r\t]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : c === '\n' ? '&#10;' : c === '\r' ? '&#13;' : '&#9;',
  );
}

function escapeText(value: string): string {
  if (!TEXT_SPECIAL.test(value)) return value;
  return value.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;'));
}

function checkName(name: string): string {
  // Names come from code constants or parsed documents; never emit anything else.
  if (checkedNames.has(name)) return name;
  if (!XML_NAME.test(name)) throw new Error(`invalid XML name ${JSON.stringify(name)}`);
  if (checkedNames.size < 10_000) checkedNames.add(name);
  return name;
}

/** Serialize an element, indented with two spaces per level (cibadmin style). */
export function serializeElement(el: XmlElement, indent = 0): string {
  const parts: string[] = [];
  writeElement(el, indent, parts);
  return parts.join('');
}

function writeElement(el: XmlElement, depth: number, out: string[]): void {
  const pad = padFor(depth);
  out.push(pad, '<', checkName(el.name));
  for (const [k, v] of Object.entries(el.attrs)) out.push(' ', checkName(k), '="', escapeAttr(v), '"');
  if (el.children.length === 0) {
    out.push('/>\n');
    return;
  }
  // Text content is written inline so that no whitespace is added to it.
  if (el.children.some((c) => c.type === 'text' || c.type === 'cdata')) {
    out.push('>');
    for (const c of el.children) writeInline(c, out);
    out.push('</', el.name, '>\n');
    return;
  }
  out.push('>\n');
  for (const c of el.children) {
    if (c.type === 'element') writeElement(c, depth + 1, out);
    else out.push(padFor(depth + 1), commentText(c.text), '\n');
  }
  out.push(pad, '</', el.name, '>\n');
}

function writeInline(node: XmlNode, out: string[]): void {
  if (node.type === 'text') out.push(escapeText(node.text));
  else if (node.type === 'cdata') out.push('<![CDATA[', node.text.replace(/]]>/g, ']]]]><![CDATA[>'), ']]>');
  else if (node.type === 'comment') out.push(commentText(node.text));
  else out.push(serializeElement(node).trimEnd());
}

function commentText(text: string): string {
  return `<!--${text.replace(/--/g, '- -').replace(/-$/, '- ')}-->`;
}

export function serializeDocument(doc: XmlDocument): string {
  const parts: string[] = [];
  if (doc.declaration) {
    parts.push('<?xml');
    for (const [k, v] of Object.entries(doc.declaration)) parts.push(' ', checkName(k), '="', escapeAttr(v), '"');
    parts.push('?>\n');
  }
  for (const c of doc.prolog) parts.push(commentText(c.text), '\n');
  writeElement(doc.root, 0, parts);
  for (const c of doc.epilog ?? []) parts.push(commentText(c.text), '\n');
  return parts.join('');
}

// ---- tree helpers (the only code that knows the node shape) ----------------

export function element(name: string, attrs: Record<string, string> = {}, children: XmlNode[] = []): XmlElement {
  return {type: 'element', name: checkName(name), attrs: {...attrs}, children};
}

export function childElements(el: XmlElement, name?: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) if (c.type === 'element' && (name === undefined || c.name === name)) out.push(c);
  return out;
}

export function firstChild(el: XmlElement, name: string): XmlElement | undefined {
  for (const c of el.children) if (c.type === 'element' && c.name === name) return c;
  return undefined;
}

/** Depth-first walk over elements; return false from visit to skip a subtree. */
export function walk(el: XmlElement, visit: (el: XmlElement, parent: XmlElement | undefined) => boolean | void, parent?: XmlElement): void {
  if (visit(el, parent) === false) return;
  for (const c of el.children) if (c.type === 'element') walk(c, visit, el);
}

export function removeChild(parent: XmlElement, child: XmlElement): boolean {
  const i = parent.children.indexOf(child);
  if (i === -1) return false;
  parent.children.splice(i, 1);
  return true;
}

export function insertChild(parent: XmlElement, child: XmlElement, position: 'first' | 'last' = 'last'): XmlElement {
  if (position === 'first') parent.children.unshift(child);
  else parent.children.push(child);
  return child;
}

export function cloneElement(el: XmlElement): XmlElement {
  return {
    type: 'element',
    name: el.name,
    attrs: {...el.attrs},
    children: el.children.map((c) => (c.type === 'element' ? cloneElement(c) : {...c})),
  };
}
