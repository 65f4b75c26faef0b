/** In-memory store for tests and ephemeral runs; values are deep-copied so callers cannot alias them. */
import { inRange, localCoordination } from './local-coordination.js';
import type { DocumentStore, LogStore, Store } from './ports.js';

const copy = <T>(v: T): T => structuredClone(v);

export function createMemoryStore(): Store {
  const collections = new Map<string, Map<string, unknown>>();
  const logs = new Map<string, unknown[]>();
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
      };
    },
    writable: async () => true,
    flush: async () => {},
    close: async () => {},
  };
}
