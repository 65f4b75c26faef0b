/** In-memory store for tests and ephemeral runs; values are deep-copied so callers cannot alias them. */
import { inRange, localCoordination } from './local-coordination.js';
import type { DocumentStore, LogStore, Store, TallyStore } from './ports.js';
import { checkCounts, createTallyMaps, type TallyMaps } from './tally-maps.js';

const copy = <T>(v: T): T => structuredClone(v);

export function createMemoryStore(): Store {
  const collections = new Map<string, Map<string, unknown>>();
  const logs = new Map<string, unknown[]>();
  const tallies = new Map<string, TallyMaps>();
  return {
    kind: 'memory',
    ...localCoordination(),
    documents<T>(collection: string): DocumentStore<T> {
      let m = collections.get(collection);
      if (!m) collections.set(collection, (m = new Map()));
      const map = m;
      return {
        read: async (key) => (map.has(key) ? copy(map.get(key) as T) : undefined),
        write: async (key, value) => void map.set(key, copy(value)),
        delete: async (key) => void map.delete(key),
      };
    },
    log<T>(name: string): LogStore<T> {
      let l = logs.get(name);
      if (!l) logs.set(name, (l = []));
      const list = l;
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
    tallies(name: string): TallyStore {
      let t = tallies.get(name);
      if (!t) tallies.set(name, (t = createTallyMaps()));
      const maps = t;
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
