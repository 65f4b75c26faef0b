/**
 * Lines appended to one file in batches: lines added while a write is out wait and go together in
 * the next write. Used by the lowdb store's log segments and tally journal, which append through
 * kept handles (append-files.ts).
 */
export interface LineBatches<T> {
  /** Resolves once `line` (with its `item`) is written; rejects, with the rest of its batch, if that write fails. */
  add(line: string, item: T): Promise<void>;
  /** Resolves once nothing is waiting or being written. */
  idle(): Promise<void>;
}

/**
 * `write` writes one batch (the lines joined, and their items in order) and throws if it failed;
 * `written`, if given, runs after the batch's adds have resolved and before the next batch, and
 * must not reject (it would stop the batches: nobody is there to hear it).
 */
export function lineBatches<T>(write: (text: string, items: T[]) => Promise<void>, written?: () => Promise<void>): LineBatches<T> {
  let waiting: { line: string; item: T; done: () => void; failed: (err: unknown) => void }[] = [];
  let writing: Promise<void> | null = null;
  const pump = async () => {
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      try {
        await write(
          batch.map((w) => w.line).join(''),
          batch.map((w) => w.item),
        );
      } catch (err) {
        for (const w of batch) w.failed(err);
        continue;
      }
      for (const w of batch) w.done();
      if (written) await written();
    }
    writing = null;
  };
  return {
    add: (line, item) =>
      new Promise<void>((done, failed) => {
        waiting.push({ line, item, done, failed });
        writing ??= pump();
      }),
    async idle() {
      while (writing) await writing;
    },
  };
}
