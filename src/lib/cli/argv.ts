// pcs users type global flags before the command (`pcs -f cib.xml resource
// update ...`); oclif only accepts them after the command id. Move the
// leading flags behind the command words so both orders mean the same.

/** Flags that take a separate value token when written without '='. */
const VALUE_FLAGS = new Set([
  '-f',
  '--file',
  '-u',
  '-p',
  '--request-timeout',
  '--transport',
  '--ssh-user',
  '--ssh-identity',
  '--ssh-port',
  '--ssh-known-hosts',
  '--token',
]);

/**
 * pcs's optional-value flags (`--wait` or `--wait=30`): oclif has no optional
 * values, so a bare one becomes `--wait=default`, which the command resolves.
 */
const OPTIONAL_VALUE_FLAGS = new Set(['--wait']);

export function normalizeArgv(input: string[]): string[] {
  const end = input.indexOf('--');
  const argv = input.map((t, i) => (OPTIONAL_VALUE_FLAGS.has(t) && (end === -1 || i < end) ? `${t}=default` : t));
  const leading: string[] = [];
  let i = 0;
  while (i < argv.length && argv[i].startsWith('-') && argv[i] !== '--' && argv[i] !== '-') {
    const token = argv[i];
    leading.push(token);
    i++;
    if (VALUE_FLAGS.has(token) && i < argv.length) {
      leading.push(argv[i]);
      i++;
    }
  }
  if (leading.length === 0 || i >= argv.length) return argv;
  // Flags go after everything else (oclif parses flags anywhere after the
  // command id) but before a `--` separator, which ends flag parsing.
  const rest = argv.slice(i);
  const separator = rest.indexOf('--');
  if (separator === -1) return [...rest, ...leading];
  return [...rest.slice(0, separator), ...leading, ...rest.slice(separator)];
}
