// pcs-style `name=value` argument lists, parsed and checked once for all commands.
import {isXmlSafe} from '../cib/xml.js';
import {isOptionName} from '../cib/values.js';
import {ReportList} from '../report.js';

export interface ParsedOption {
  name: string;
  value: string;
}

/** Parse `name=value` tokens; problems are added to `reports` (all at once). */
export function parseNameValues(tokens: readonly string[], what: string, reports: ReportList): ParsedOption[] {
  const seen = new Set<string>();
  const out: ParsedOption[] = [];
  for (const token of tokens) {
    const eq = token.indexOf('=');
    if (eq === -1) {
      reports.error('INVALID_OPTION', `invalid ${what} '${printable(token)}', use name=value`);
      continue;
    }
    const name = token.slice(0, eq);
    const value = token.slice(eq + 1);
    if (!isOptionName(name)) {
      reports.error('INVALID_OPTION_NAME', `invalid ${what} name '${printable(name)}'`);
      continue;
    }
    if (!isXmlSafe(value)) {
      reports.error('INVALID_OPTION_VALUE', `the value of '${name}' contains characters a CIB cannot store`);
      continue;
    }
    if (seen.has(name)) {
      reports.error('DUPLICATE_OPTION', `${what} '${name}' is given more than once`);
      continue;
    }
    seen.add(name);
    out.push({name, value});
  }
  return out;
}

/** Show user input in a one-line message: control characters escaped, long input cut. */
export function printable(text: string, max = 80): string {
  const escaped = JSON.stringify(text).slice(1, -1);
  return escaped.length > max ? `${escaped.slice(0, max)}...` : escaped;
}
