// One report type for every outcome a command can have, and the error that
// carries error reports out of the library. The CLI renders both as text
// lines on stderr or inside the single --json document.

export type Severity = 'error' | 'warning' | 'info';

/** Which flag turns an error report into a warning (pcs semantics). */
export type Forceable = 'force' | 'skip-offline';

export interface Report {
  /** Stable machine-readable code, e.g. CIB_ID_EXISTS, HOST_UNREACHABLE. */
  code: string;
  severity: Severity;
  message: string;
  /** Host the report is about, when it is about one. */
  host?: string;
  /** Set when the error can be overridden by the named flag. */
  forceable?: Forceable;
  /** What to try next, shown after the message. */
  hint?: string;
}

/** Documented exit codes (also printed by --help of every command). */
export const ExitCode = {
  ok: 0,
  error: 1,
  usage: 2,
  /** The CIB kept changing underneath and the compare-and-swap retries ran out. */
  cibConflict: 3,
  /** Several hosts were involved and some of them failed. */
  partial: 4,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODE_HELP =
  'EXIT CODES: 0 ok; 1 error (nothing changed unless reported); 2 usage error; ' +
  '3 the CIB changed concurrently and retries ran out; 4 partial failure across hosts.';

export function report(
  severity: Severity,
  code: string,
  message: string,
  extra: Partial<Pick<Report, 'host' | 'forceable' | 'hint'>> = {},
): Report {
  return {code, severity, message, ...extra};
}

export const errorReport = (code: string, message: string, extra?: Partial<Report>) => report('error', code, message, extra);
export const warningReport = (code: string, message: string, extra?: Partial<Report>) => report('warning', code, message, extra);
export const infoReport = (code: string, message: string, extra?: Partial<Report>) => report('info', code, message, extra);

/**
 * An expected failure: user error, unreachable host, rejected CIB... Rendered
 * as one line per report, never with a stack trace (unless --debug).
 */
export class PcmkctlError extends Error {
  readonly code: string;
  readonly exitCode: ExitCodeValue;
  readonly reports: Report[];

  constructor(reports: Report | Report[], exitCode: ExitCodeValue = ExitCode.error) {
    const list = Array.isArray(reports) ? reports : [reports];
    if (list.length === 0) throw new Error('PcmkctlError needs at least one report');
    super(list.map((r) => r.message).join('; '));
    this.name = 'PcmkctlError';
    this.code = list[0].code;
    this.exitCode = exitCode;
    this.reports = list;
  }
}

/** Shorthand for the common single-report user error. */
export function fail(code: string, message: string, extra?: Partial<Report>, exitCode: ExitCodeValue = ExitCode.error): never {
  throw new PcmkctlError(errorReport(code, message, extra), exitCode);
}

/**
 * Collects reports during validation so that all problems are reported
 * together; `force` flags downgrade forceable errors to warnings.
 */
export class ReportList {
  readonly items: Report[] = [];
  constructor(private readonly overrides: {force?: boolean; skipOffline?: boolean} = {}) {}

  add(r: Report): this {
    if (r.severity === 'error' && r.forceable) {
      const overridden = r.forceable === 'force' ? this.overrides.force : this.overrides.skipOffline;
      if (overridden) {
        this.items.push({...r, severity: 'warning'});
        return this;
      }
      const flag = r.forceable === 'force' ? '--force' : '--skip-offline';
      this.items.push({...r, hint: r.hint ?? `use ${flag} to override`});
      return this;
    }
    this.items.push(r);
    return this;
  }

  error(code: string, message: string, extra?: Partial<Report>): this {
    return this.add(errorReport(code, message, extra));
  }

  warning(code: string, message: string, extra?: Partial<Report>): this {
    return this.add(warningReport(code, message, extra));
  }

  info(code: string, message: string, extra?: Partial<Report>): this {
    return this.add(infoReport(code, message, extra));
  }

  get errors(): Report[] {
    return this.items.filter((r) => r.severity === 'error');
  }

  /** Throws all collected errors at once (with the warnings gathered so far). */
  throwIfErrors(exitCode: ExitCodeValue = ExitCode.error): void {
    if (this.errors.length > 0) throw new PcmkctlError(this.items, exitCode);
  }
}

/** Progress sink the library writes to; the CLI prints it on stderr. */
export interface Reporter {
  emit(r: Report): void;
  /** Diagnostic detail shown only with --debug; callers must never pass secrets. */
  debug(message: string): void;
}

export const silentReporter: Reporter = {emit() {}, debug() {}};
