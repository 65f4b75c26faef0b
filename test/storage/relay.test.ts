/** Relays: each event reaches each listener on each instance once, `here` only where it was emitted. */
import { describe, expect, it } from 'vitest';
import { createLocalBus } from '../../src/storage/local-bus.js';
import { createRelays } from '../../src/storage/relay.js';

/** Two instances on one bus, each with a listener on topic 't'. */
function pair() {
  const bus = createLocalBus();
  const errors: unknown[] = [];
  const [a, b] = ['a', 'b'].map((instanceId) => createRelays({ bus, instanceId, onError: (err) => errors.push(err) })) as [ReturnType<typeof createRelays>, ReturnType<typeof createRelays>];
  const heard: { at: string; event: unknown; here: boolean }[] = [];
  a.of<{ n: number }>('t').on((event, here) => void heard.push({ at: 'a', event, here }));
  b.of<{ n: number }>('t').on((event, here) => void heard.push({ at: 'b', event, here }));
  return { a, b, heard, errors, bus };
}

describe('relays over a bus', () => {
  it('deliver every event once to the listeners of every instance, here only where it was emitted', () => {
    const { a, b, heard } = pair();
    a.of<{ n: number }>('t').emit({ n: 1 });
    b.of<{ n: number }>('t').emit({ n: 2 });
    expect(heard).toEqual([
      { at: 'a', event: { n: 1 }, here: true },
      { at: 'b', event: { n: 1 }, here: false },
      { at: 'b', event: { n: 2 }, here: true },
      { at: 'a', event: { n: 2 }, here: false },
    ]);
  });

  it('keep topics apart, and stop hearing other instances once closed', () => {
    const { a, b, heard } = pair();
    a.of('other').emit({ n: 0 });
    expect(heard).toEqual([]);
    b.close();
    a.of<{ n: number }>('t').emit({ n: 3 });
    expect(heard).toEqual([{ at: 'a', event: { n: 3 }, here: true }]);
  });

  it('let no failing listener keep the others from hearing, nor the emitter from going on', async () => {
    const { a, heard, errors } = pair();
    a.of('t').on(() => {
      throw new Error('sync failure');
    });
    a.of('t').on(async () => {
      throw new Error('async failure');
    });
    expect(() => a.of<{ n: number }>('t').emit({ n: 4 })).not.toThrow();
    await new Promise((r) => setImmediate(r));
    expect(heard.map((h) => h.at)).toEqual(['a', 'b']);
    expect(errors.map((e) => (e as Error).message).sort()).toEqual(['async failure', 'sync failure']);
  });

  it('tell only this instance’s listeners, and put nothing on the bus, for an event emitted `here`', () => {
    const { a, heard, bus } = pair();
    const published: string[] = [];
    const publish = bus.publish.bind(bus);
    bus.publish = (topic, message) => (published.push(topic), publish(topic, message));
    a.of<{ n: number }>('t').emit({ n: 5 }, 'here');
    expect(heard).toEqual([{ at: 'a', event: { n: 5 }, here: true }]);
    expect(published).toEqual([]);
  });

  it('call only this instance’s listeners without a bus', () => {
    const relays = createRelays();
    const heard: boolean[] = [];
    relays.of('t').on((_e, here) => void heard.push(here));
    relays.of('t').emit({});
    expect(heard).toEqual([true]);
  });
});
