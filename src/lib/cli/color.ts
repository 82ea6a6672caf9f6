// One colour policy for everything pcmkctl prints itself: no colour when
// NO_COLOR is set (chalk ignores it on a TTY), TERM=dumb, or not a TTY.
import {Chalk, type ChalkInstance} from 'chalk';

export function colorFor(stream: NodeJS.WriteStream): ChalkInstance {
  const env = process.env;
  let level: 0 | 1 = stream.isTTY ? 1 : 0;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') level = 1;
  if ((env.NO_COLOR ?? '') !== '' || env.TERM === 'dumb' || process.argv.includes('--no-color')) level = 0;
  return new Chalk({level});
}
