/** The bus of a single instance: publish delivers to this process's subscribers, in order. */
import type { Bus } from './ports.js';

export function createLocalBus(): Bus {
  const topics = new Map<string, Set<(message: unknown) => void>>();
  return {
    kind: 'local',
    async publish(topic, message) {
      // A copy, as a message through Redis would be: no subscriber can alias the publisher's object.
      const copy = structuredClone(message);
      for (const handler of [...(topics.get(topic) ?? [])]) handler(copy);
    },
    subscribe(topic, handler) {
      let set = topics.get(topic);
      if (!set) topics.set(topic, (set = new Set()));
      set.add(handler);
      return () => set.delete(handler);
    },
    healthy: async () => true,
    close: async () => {},
  };
}
