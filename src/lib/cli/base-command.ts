// The one base class of every pcmkctl command: global flags, output
// (text on stdout/stderr or exactly one JSON document), error rendering and
// exit codes. Commands stay thin: parse, call one library function, render.
import {Command, Errors, Flags, type Interfaces} from '@oclif/core';
import {EXIT_CODE_HELP, ExitCode, PcmkctlError, type Report, type Reporter} from '../report.js';
import {colorFor} from './color.js';

export type CommandFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>;

/** What a library call returns to a command. */
export interface Outcome<T> {
  /** Did this run change anything (CIB, files, hosts)? */
  changed: boolean;
  result: T;
  /** True when nothing was written because of --dry-run. */
  dryRun?: boolean;
}

export const dryRunFlag = Flags.boolean({
  description: 'show what would change (CIB diff and host actions) and change nothing',
  helpGroup: 'GLOBAL',
});

export const forceFlag = Flags.boolean({
  description: 'turn forceable errors into warnings (as in pcs)',
});

export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true;

  static override baseFlags = {
    file: Flags.string({
      char: 'f',
      description: 'work on this CIB file instead of the live cluster (like pcs -f)',
      helpGroup: 'GLOBAL',
    }),
    debug: Flags.boolean({
      description: 'show programs run, requests sent and stack traces (secrets redacted)',
      helpGroup: 'GLOBAL',
    }),
  };

  /** Appended to every command's help. */
  static exitCodesHelp = EXIT_CODE_HELP;

  /**
   * oclif sorts `argv` by the first position of each token, which groups
   * repeated tokens (`op monitor interval=10s op start …` became
   * `op op monitor …`); pcs grammar depends on the order, so `argv` is
   * rebuilt from the raw tokens in the order they were given.
   */
  protected override async parse<F extends Record<string, unknown>, B extends Record<string, unknown>, A extends Record<string, unknown>>(
    options?: Interfaces.Input<F, B, A>,
    argv?: string[],
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    const parsed = await super.parse(options, argv);
    return {...parsed, argv: argvInInputOrder(parsed.argv, parsed.raw)};
  }

  /** Reports emitted during this run, for the --json document. */
  private readonly emitted: Report[] = [];

  protected get debugEnabled(): boolean {
    return this.argv.includes('--debug');
  }

  /** Progress and warnings: stderr lines in text mode, collected in JSON mode. */
  protected get reporter(): Reporter {
    return {
      emit: (r) => {
        this.emitted.push(r);
        if (!this.jsonEnabled()) process.stderr.write(this.formatReport(r) + '\n');
      },
      debug: (message) => {
        if (this.debugEnabled) process.stderr.write(colorFor(process.stderr).dim(`debug: ${message}`) + '\n');
      },
    };
  }

  protected formatReport(r: Report): string {
    const c = colorFor(process.stderr);
    // Messages name their host themselves (pcs wording); `host` is for --json.
    const body = `${r.message}${r.hint ? ` (${r.hint})` : ''}`;
    if (r.severity === 'error') return `${c.red('Error:')} ${body}`;
    if (r.severity === 'warning') return `${c.yellow('Warning:')} ${body}`;
    return body;
  }

  /**
   * Print a successful outcome: `text` (the result for humans) on stdout, or
   * the single JSON document {ok, changed, dryRun, result, reports}.
   */
  protected finish<T>(outcome: Outcome<T>, text: (result: T) => string | undefined): void {
    if (this.jsonEnabled()) {
      const doc = {ok: true, changed: outcome.changed, dryRun: outcome.dryRun ?? false, result: outcome.result, reports: this.emitted};
      process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
      return;
    }
    const out = text(outcome.result);
    if (out) process.stdout.write(out.endsWith('\n') ? out : out + '\n');
  }

  protected override async catch(err: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<void> {
    const {reports, exitCode, unexpected} = classify(err);
    process.exitCode = exitCode;
    if (this.jsonEnabled()) {
      const doc = {
        ok: false,
        changed: false,
        error: {code: reports.find((r) => r.severity === 'error')?.code ?? 'E_UNEXPECTED', message: err.message.split('\n')[0], exitCode},
        reports: [...this.emitted, ...reports],
      };
      process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    } else {
      for (const r of reports) process.stderr.write(this.formatReport(r) + '\n');
    }
    if (this.debugEnabled || (unexpected && process.env.PCMKCTL_DEBUG)) process.stderr.write(`${err.stack ?? err}\n`);
  }
}

/** The positional tokens in input order (oclif's own list when the raw tokens do not account for it). */
export function argvInInputOrder(argv: readonly unknown[], raw: ReadonlyArray<{type: string; input: string}>): unknown[] {
  const rest = [...argv];
  const ordered: unknown[] = [];
  for (const token of raw) {
    if (token.type !== 'arg') continue;
    const i = rest.indexOf(token.input);
    if (i === -1) return [...argv];
    ordered.push(...rest.splice(i, 1));
  }
  return [...ordered, ...rest];
}

function classify(err: Error & {exitCode?: number; oclif?: {exit?: number}}): {
  reports: Report[];
  exitCode: number;
  unexpected: boolean;
} {
  if (err instanceof PcmkctlError) return {reports: err.reports, exitCode: err.exitCode, unexpected: false};
  if (err instanceof Errors.CLIError || err.oclif?.exit !== undefined) {
    // oclif parse errors: unknown flag, missing argument, bad integer...
    let first = err.message.split('\n').find((l) => l.trim() !== '') ?? err.message;
    // "Missing 1 required arg:" is followed by a table of the args: name them on the one line
    const missing = (err as {args?: {name?: string}[]}).args;
    if (/^Missing \d+ required args?:?$/.test(first.trim()) && Array.isArray(missing)) {
      first = `${first.trim().replace(/:$/, '')}: ${missing.map((a) => a.name).join(', ')}`;
    }
    const exitCode = err.oclif?.exit ?? ExitCode.usage;
    return {
      reports: [{code: exitCode === ExitCode.usage ? 'USAGE' : 'ERROR', severity: 'error', message: first.trim(), hint: exitCode === ExitCode.usage ? 'see --help' : undefined}],
      exitCode,
      unexpected: false,
    };
  }
  return {
    reports: [{code: 'E_UNEXPECTED', severity: 'error', message: `internal error: ${err.message.split('\n')[0]}`, hint: 'run again with --debug and report it'}],
    exitCode: ExitCode.error,
    unexpected: true,
  };
}
