// Validation before any write: the new CIB must pass Pacemaker's own
// crm_verify (schema + scheduler checks). Problems the CIB already had
// before our change (e.g. no STONITH configured yet) are not ours to refuse
// over: only errors the change introduces block it.
import {exec, haveCommand} from '../util/exec.js';
import {errorReport, PcmkctlError, type Reporter} from '../report.js';

export type ValidationOutcome = 'crm_verify' | 'skipped';

async function verifyErrors(xml: string, reporter?: Reporter, onInputWritten?: () => void): Promise<string[] | null> {
  const r = await exec('crm_verify', ['-V', '--xml-pipe'], {input: xml, reporter, timeoutMs: 300_000, onInputWritten});
  if (r.code === 0) return null;
  const lines = (r.stdout + '\n' + r.stderr).split('\n').map((l) => l.trim());
  const errors = lines
    .filter((l) => /\berror:|validity error|parser error/i.test(l))
    // crm_verify numbers schema errors by line of the piped document; drop that prefix to compare
    .map((l) => l.replace(/^Entity: line \d+:\s*/, '').replace(/^[^:]*:\d+:\s*/, '').replace(/^\([^)]*\)\s*/, ''));
  if (errors.length > 0) return errors;
  if (/Errors found during check/.test(r.stderr)) return [r.stderr.trim().split('\n')[0]];
  return null; // warnings only
}

export interface StartedValidation {
  /**
   * 'crm_verify' or 'skipped'; rejects with PcmkctlError(CIB_INVALID) listing
   * the errors the change introduces (errors the original already had do not count).
   */
  verdict: Promise<ValidationOutcome>;
}

/**
 * Starts validating the new CIB and returns as soon as crm_verify has been handed the
 * whole document, so the caller can do other work while it checks.
 * Await `verdict` before writing anything.
 */
export async function startValidation(xml: string, original: string | (() => string), reporter?: Reporter): Promise<StartedValidation> {
  if (!(await haveCommand('crm_verify'))) return {verdict: Promise.resolve('skipped')};
  let fed: () => void = () => {};
  const inputWritten = new Promise<void>((resolve) => (fed = resolve));
  const verdict = (async (): Promise<ValidationOutcome> => {
    const after = await verifyErrors(xml, reporter, fed).finally(() => fed());
    if (!after) return 'crm_verify';
    const before = new Set((await verifyErrors(typeof original === 'string' ? original : original(), reporter)) ?? []);
    const introduced = [...new Set(after)].filter((e) => !before.has(e));
    if (introduced.length === 0) return 'crm_verify';
    throw new PcmkctlError(
      introduced.slice(0, 10).map((e) => errorReport('CIB_INVALID', `the change would make the CIB invalid: ${e}`)),
    );
  })();
  await Promise.race([inputWritten, verdict.then(() => undefined, () => undefined)]);
  return {verdict};
}
