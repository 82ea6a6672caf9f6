// Reading credentials: flag, environment, piped stdin, or a hidden prompt on
// a TTY. Never echoed, never logged, never passed on to a child's argv.

/** Whole stdin (for piped passwords), one trailing newline stripped. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Prompt on stderr and read one line from the TTY without echo. */
export async function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = '';
    const wasRaw = stdin.isRaw;
    stdin.setRawMode?.(true);
    stdin.resume();
    const done = (err?: Error) => {
      stdin.removeListener('data', onData);
      stdin.setRawMode?.(wasRaw ?? false);
      stdin.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (b: Buffer) => {
      for (const ch of b.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new Error('interrupted'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** Prompt with echo (user names). */
export async function promptLine(prompt: string): Promise<string> {
  const {createInterface} = await import('node:readline/promises');
  const rl = createInterface({input: process.stdin, output: process.stderr});
  try {
    return (await rl.question(prompt)).trim();
  } finally {
    rl.close();
  }
}

/** Password from the flag, then env `envName`, then stdin (not a TTY), then a hidden prompt. */
export async function readPassword(flagValue: string | undefined, envName: string, prompt = 'Password: '): Promise<string> {
  if (flagValue !== undefined) return flagValue;
  const env = process.env[envName];
  if (env !== undefined) return env;
  if (!process.stdin.isTTY) return readStdin();
  return promptHidden(prompt);
}
