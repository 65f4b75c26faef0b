/** In-memory store for tests and ephemeral runs; values are deep-copied so callers cannot alias them. */
import { inRange, localCoordination } from './local-coordination.js';
import type { DocumentStore, LogStore, Store, TallyStore, Versioned } from './ports.js';
import { checkCounts, createTallyMaps, type TallyMaps } from './tally-maps.js';

const copy = <T>(v: T): T => structuredClone(v);

export function createMemoryStore(): Store {
  const collections = new Map<string, Map<string, unknown>>();
  const logs = new Map<string, unknown[]>();
  const tallies = new Map<string, TallyMaps>();
  const logList = (name: string): unknown[] => {
    let l = logs.get(name);
    if (!l) logs.set(name, (l = []));
    return l;
  };
  const tallyMaps = (name: string): TallyMaps => {
    let t = tallies.get(name);
    if (!t) tallies.set(name, (t = createTallyMaps()));
    return t;
  };
  return {
    kind: 'memory',
    ...localCoordination(),
    documents<T>(collection: string): DocumentStore<T> {
      let m = collections.get(collection);
      if (!m) collections.set(collection, (m = new Map()));
      const map = m as Map<string, Versioned<unknown>>;
      const put = (key: string, value: unknown) => map.set(key, { value: copy(value), version: (map.get(key)?.version ?? 0) + 1 });
      return {
        read: async (key) => (map.has(key) ? copy(map.get(key)!.value as T) : undefined),
        // undefined is not JSON: writing it leaves no document, as in the other stores.
        write: async (key, value) => void (value === undefined ? map.delete(key) : put(key, value)),
        delete: async (key) => void map.delete(key),
        readVersioned: async (key) => (map.has(key) ? copy(map.get(key) as Versioned<T>) : undefined),
        async commit(key, { version, value, appends = [], tally }) {
          if (tally) checkCounts(tally.counts);
          if ((map.get(key)?.version ?? 0) !== version) return false;
          put(key, value);
          if (tally) tallyMaps(tally.name).apply(tally.counts);
          for (const a of appends) logList(a.log).push(copy(a.record));
          return true;
        },
      };
    },
    log<T>(name: string): LogStore<T> {
      const list = logList(name);
      return {
        append: async (record) => void list.push(copy(record)),
        recent: async (limit) => copy(list.slice(-limit).reverse() as T[]),
        between: async (from, to) => copy(inRange([...list].reverse() as T[], from, to)),
        async *newestFirst(from, to, size) {
          const all = inRange([...list].reverse() as T[], from, to).reverse();
          for (let i = 0; i < all.length; i += Math.max(1, size)) yield copy(all.slice(i, i + Math.max(1, size)));
        },
      };
    },
    readTogether(items) {
      return Promise.all(items.map((i) => this.documents(i.collection).readVersioned(i.key)));
    },
    tallies(name: string): TallyStore {
      const maps = tallyMaps(name);
      return {
        add: async (counts) => (checkCounts(counts), maps.apply(counts)),
        read: async (buckets) => maps.read(buckets),
        sum: async (buckets) => maps.sum(buckets),
      };
    },
    writable: async () => true,
    flush: async () => {},
    close: async () => {},
  };
}
