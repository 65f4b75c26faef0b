/**
 * One task at a time: a promise-chain mutex, so that two requests arriving together cannot both
 * read the old version and one overwrite the other. In one process only: a document that several
 * instances share is changed under the store's lock (Store.exclusive), which the embedded stores
 * implement with these (storage/local-coordination.ts).
 */

/** Runs the tasks given to it one after another, in the order given. */
export type Serial = <T>(task: () => Promise<T>) => Promise<T>;

/**
 * A fresh line of tasks. A task starts when the one before it has settled; a task that fails
 * rejects its own promise and does not stop the next.
 */
export function serializer(): Serial {
  let chain: Promise<unknown> = Promise.resolve();
  return (task) => {
    const run = chain.then(task, task);
    chain = run.catch(() => {});
    return run;
  };
}

/**
 * One line of tasks per key (a conversation, say): tasks of one key wait for each other, tasks of
 * different keys do not. A key is forgotten when its line runs empty, so the map holds only keys
 * with work in flight.
 */
export function keyedSerializer(): <T>(key: string, task: () => Promise<T>) => Promise<T> {
  const lines = new Map<string, Promise<unknown>>();
  return (key, task) => {
    const run = (lines.get(key) ?? Promise.resolve()).then(task, task);
    const tail = run.catch(() => {});
    lines.set(key, tail);
    void tail.then(() => {
      if (lines.get(key) === tail) lines.delete(key);
    });
    return run;
  };
}
