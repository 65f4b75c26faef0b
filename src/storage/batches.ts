/**
 * Work that goes to a database in batches: while `inFlight` batches are out, the items asked for
 * meanwhile wait and then go together, in one statement (at most `maxItems` to a batch). Under
 * load one round trip — and one transaction — serves several chat messages; alone, an item goes
 * at once, so nothing waits for a timer.
 *
 * `send` answers each item of a batch in the order given (or rejects for the whole batch).
 */
export function batches<I, O>(inFlight: number, maxItems: number, send: (items: I[]) => Promise<O[]>): (item: I) => Promise<O> {
  type Waiting = { item: I; resolve: (v: O) => void; reject: (e: unknown) => void };
  let queue: Waiting[] = [];
  let out = 0;
  const go = async (batch: Waiting[]): Promise<void> => {
    out++;
    try {
      const answers = await send(batch.map((w) => w.item));
      batch.forEach((w, i) => w.resolve(answers[i]!));
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      out--;
      if (queue.length > 0 && out < inFlight) {
        const next = queue.slice(0, maxItems);
        queue = queue.slice(maxItems);
        void go(next);
      }
    }
  };
  return (item) =>
    new Promise<O>((resolve, reject) => {
      const w = { item, resolve, reject };
      if (out < inFlight) void go([w]);
      else queue.push(w);
    });
}
