// Remote commands run through a shell on the host: every argument is
// single-quoted so that no byte of it (names, paths) is ever interpreted.

export function shellQuote(arg: string): string {
  if (arg.includes('\u0000')) throw new Error('shell argument contains a NUL byte');
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function shellCommand(args: readonly string[]): string {
  return args.map(shellQuote).join(' ');
}
