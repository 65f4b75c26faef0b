/**
 * Live events heard on every instance that shares a bus: a case changed, a message added to a
 * transcript, a staff session ended. Each event is emitted once, by the instance where the change
 * was made, and reaches each listener on each instance exactly once:
 *
 *  - on the emitting instance, its own listeners are called at once (`here` true), and the event is
 *    published on the bus as `{ origin: instanceId, event }`;
 *  - every instance's subscription calls its own listeners (`here` false) for messages of another
 *    origin, and ignores its own — the emitter has already told its listeners.
 *
 * Local delivery does not wait for the bus, so one instance without Redis, or with Redis down, still
 * delivers to its own sockets. The event must survive JSON (Redis carries it as JSON).
 *
 * Listeners that act on this instance's own connections (officer and citizen sockets) act on every
 * event; listeners that act on the world outside (a Teams message, a notification) act only when
 * `here` is true, so the world hears it once, not once per instance.
 */
import type { Bus } from './ports.js';

export interface Relay<T> {
  /**
   * Tells every listener on every instance; returns at once (the bus is not awaited). With scope
   * `here`, only this instance's listeners: for an event the emitter knows no other instance
   * needs, which then costs the bus nothing.
   */
  emit(event: T, scope?: 'everywhere' | 'here'): void;
  /** `here`: the event was emitted on this instance. Returns the function that stops listening. */
  on(listener: (event: T, here: boolean) => void | Promise<void>): () => void;
}

export interface Relays {
  /** The relay of one kind of event; every call with the same topic shares one set of listeners. */
  of<T>(topic: string): Relay<T>;
  /** Stops hearing other instances (ends every bus subscription made here). */
  close(): void;
}

export interface RelayOptions {
  /**
   * The bus to the other instances. Absent when there are none (an instance on its own local
   * bus): its own listeners are all there is, so an event is not copied onto a bus only to be
   * dropped by this instance's own subscription.
   */
  bus?: Bus;
  /** Unique per running instance: messages of this origin are this instance's own. */
  instanceId: string;
  /** A listener that failed, or a publish the bus refused. */
  onError?: (error: unknown, topic: string) => void;
}

/** Relays over a bus; without one (a single instance, a unit test), listeners here only. */
export function createRelays(options?: RelayOptions): Relays {
  const relays = new Map<string, Relay<unknown>>();
  const unsubscribes: (() => void)[] = [];
  const failed = (topic: string) => (err: unknown) => options?.onError?.(err, topic);

  const make = <T>(topic: string): Relay<T> => {
    const listeners = new Set<(event: T, here: boolean) => void | Promise<void>>();
    const call = (event: T, here: boolean) => {
      for (const listener of [...listeners]) {
        // A listener's failure is its own: the change is made, and the other listeners still hear it.
        try {
          const out = listener(event, here);
          if (out instanceof Promise) out.catch(failed(topic));
        } catch (err) {
          failed(topic)(err);
        }
      }
    };
    if (options?.bus) {
      const { bus } = options;
      unsubscribes.push(
        bus.subscribe(topic, (message) => {
          const m = message as { origin?: unknown; event?: unknown } | null;
          if (!m || typeof m !== 'object' || typeof m.origin !== 'string' || !('event' in m)) return;
          if (m.origin !== options.instanceId) call(m.event as T, false);
        }),
      );
    }
    return {
      emit(event, scope = 'everywhere') {
        call(event, true);
        if (options?.bus && scope === 'everywhere') options.bus.publish(topic, { origin: options.instanceId, event }).catch(failed(topic));
      },
      on(listener) {
        listeners.add(listener);
        return () => void listeners.delete(listener);
      },
    };
  };

  return {
    of<T>(topic: string): Relay<T> {
      let relay = relays.get(topic);
      if (!relay) relays.set(topic, (relay = make<unknown>(topic)));
      return relay as Relay<T>;
    },
    close() {
      for (const unsubscribe of unsubscribes.splice(0)) unsubscribe();
    },
  };
}
