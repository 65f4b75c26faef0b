/**
 * A store that answers like a database across a network: every read, write and delete of the
 * store it wraps waits for the event loop first (setImmediate). Over the memory store, whose calls
 * are all settled within one tick, two requests could never interleave their read-change-write —
 * a test of the store's locks would pass without them. Locks and leases are the wrapped store's.
 */
import type { DocumentStore, LogStore, Store } from '../../src/storage/ports.js';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function withLatency(store: Store): Store {
  return {
    kind: store.kind,
    documents<T>(collection: string): DocumentStore<T> {
      const docs = store.documents<T>(collection);
      return {
        read: async (key) => (await turn(), docs.read(key)),
        write: async (key, value) => (await turn(), docs.write(key, value)),
        delete: async (key) => (await turn(), docs.delete(key)),
        readVersioned: async (key) => (await turn(), docs.readVersioned(key)),
        commit: async (key, update) => (await turn(), docs.commit(key, update)),
      };
    },
    readTogether: async (items) => (await turn(), store.readTogether(items)),
    log<T>(name: string): LogStore<T> {
      const log = store.log<T>(name);
      return {
        append: async (record) => (await turn(), log.append(record)),
        recent: async (limit) => (await turn(), log.recent(limit)),
        between: async (from, to) => (await turn(), log.between(from, to)),
        async *newestFirst(from, to, size) {
          for await (const page of log.newestFirst(from, to, size)) {
            await turn();
            yield page;
          }
        },
      };
    },
    tallies(name) {
      const tally = store.tallies(name);
      return {
        add: async (counts) => (await turn(), tally.add(counts)),
        read: async (buckets) => (await turn(), tally.read(buckets)),
        sum: async (buckets) => (await turn(), tally.sum(buckets)),
      };
    },
    exclusive: (name, task) => store.exclusive(name, task),
    lease: (name, holder, ttlMs) => store.lease(name, holder, ttlMs),
    writable: () => store.writable(),
    flush: () => store.flush(),
    close: () => store.close(),
  };
}
