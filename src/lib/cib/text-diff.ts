// A readable unified line diff for --dry-run (Myers' O(ND) algorithm:
// fast when the change is small, which it is for every pcmkctl command).
// Same output as GNU `diff -U<context>` for texts that end with a newline.

export function unifiedDiff(before: string, after: string, labels: [string, string], context = 3): string {
  const a = lines(before);
  const b = lines(after);
  const ops = diffLines(a, b);
  if (!ops.some((o) => o.kind !== ' ')) return '';
  const out = [`--- ${labels[0]}`, `+++ ${labels[1]}`];
  // group changes into hunks with `context` unchanged lines around them
  let i = 0;
  while (i < ops.length) {
    if (ops[i].kind === ' ') {
      i++;
      continue;
    }
    let start = Math.max(0, i - context);
    let end = i;
    while (end < ops.length) {
      if (ops[end].kind !== ' ') {
        end++;
        continue;
      }
      let run = 0;
      while (end + run < ops.length && ops[end + run].kind === ' ') run++;
      if (end + run >= ops.length || run > 2 * context) {
        end = Math.min(ops.length, end + context);
        break;
      }
      end += run;
    }
    const hunk = ops.slice(start, end);
    const aStart = hunk[0].aIndex + 1;
    const bStart = hunk[0].bIndex + 1;
    const aLen = hunk.filter((o) => o.kind !== '+').length;
    const bLen = hunk.filter((o) => o.kind !== '-').length;
    out.push(`@@ -${range(aStart, aLen)} +${range(bStart, bLen)} @@`);
    for (const o of hunk) out.push(o.kind + o.line);
    i = end;
    start = end;
  }
  return out.join('\n') + '\n';
}

/** Lines of a text; the newline ending the last line does not start another one. */
function lines(text: string): string[] {
  const out = text.split('\n');
  if (out[out.length - 1] === '') out.pop();
  return out;
}

/** GNU diff's hunk ranges: `start` alone for one line, the line before for none. */
function range(start: number, length: number): string {
  return length === 1 ? `${start}` : `${length === 0 ? start - 1 : start},${length}`;
}

interface Op {
  kind: ' ' | '-' | '+';
  line: string;
  aIndex: number;
  bIndex: number;
}

function diffLines(a: string[], b: string[]): Op[] {
  // trim the common prefix and suffix first: keeps the search tiny on big CIBs
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const am = a.slice(pre, a.length - suf);
  const bm = b.slice(pre, b.length - suf);
  const middle = myers(am, bm).map((o) => ({...o, aIndex: o.aIndex + pre, bIndex: o.bIndex + pre}));
  const ops: Op[] = [];
  for (let k = 0; k < pre; k++) ops.push({kind: ' ', line: a[k], aIndex: k, bIndex: k});
  ops.push(...middle);
  for (let k = 0; k < suf; k++) {
    const ai = a.length - suf + k;
    const bi = b.length - suf + k;
    ops.push({kind: ' ', line: a[ai], aIndex: ai, bIndex: bi});
  }
  return ops;
}

function myers(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const v = new Map<number, number>([[1, 0]]);
  const trace: Map<number, number>[] = [];
  outer: for (let d = 0; d <= max; d++) {
    trace.push(new Map(v));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && (v.get(k - 1) ?? 0) < (v.get(k + 1) ?? 0)) ? (v.get(k + 1) ?? 0) : (v.get(k - 1) ?? 0) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v.set(k, x);
      if (x >= n && y >= m) break outer;
    }
  }
  // backtrack
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const vd = trace[d];
    const k = x - y;
    const prevK = k === -d || (k !== d && (vd.get(k - 1) ?? 0) < (vd.get(k + 1) ?? 0)) ? k + 1 : k - 1;
    const prevX = vd.get(prevK) ?? 0;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push({kind: ' ', line: a[x - 1], aIndex: x - 1, bIndex: y - 1});
      x--;
      y--;
    }
    if (d > 0) {
      if (x === prevX) ops.push({kind: '+', line: b[y - 1], aIndex: x, bIndex: y - 1});
      else ops.push({kind: '-', line: a[x - 1], aIndex: x - 1, bIndex: y});
    }
    x = prevX;
    y = prevY;
  }
  return ops.reverse();
}
