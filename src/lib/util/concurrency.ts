// Bounded parallel fan-out: run fn for every item with at most `limit` in
// flight; never rejects, every item gets its own settled result, in order.

/** Hosts contacted at once by multi-host steps. */
export const DEFAULT_HOST_CONCURRENCY = 8;

export type Settled<T> = {ok: true; value: T} | {ok: false; error: unknown};

export async function mapLimit<I, T>(items: readonly I[], limit: number, fn: (item: I, index: number) => Promise<T>): Promise<Settled<T>[]> {
  const results: Settled<T>[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({length: Math.max(1, Math.min(limit, items.length))}, async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = {ok: true, value: await fn(items[i], i)};
      } catch (error) {
        results[i] = {ok: false, error};
      }
    }
  });
  await Promise.all(workers);
  return results;
}
