/** The embedded stores' lease: one holder at a time until it lapses, so a periodic job runs once. */
import { describe, expect, it } from 'vitest';
import { localCoordination } from '../../src/storage/local-coordination.js';

describe('an in-process lease', () => {
  it('is held by one holder until it lapses; the holder renews it, another takes it after', async () => {
    let t = 0;
    const { lease } = localCoordination(() => t);
    expect(await lease('job', 'a', 100)).toBe(true);
    expect(await lease('job', 'b', 100)).toBe(false);
    expect(await lease('other-job', 'b', 100)).toBe(true);
    t = 90;
    expect(await lease('job', 'a', 100)).toBe(true); // renewed until 190
    t = 150;
    expect(await lease('job', 'b', 100)).toBe(false);
    t = 190;
    expect(await lease('job', 'b', 100)).toBe(true);
    expect(await lease('job', 'a', 100)).toBe(false);
  });
});
