/**
 * Issue 10: a letter of several questions, one of which asks about something no entry covers
 * (公证), is about the matter its other questions name (search-index.ts › search: the questions
 * without that side question are searched again when it alone bars the first result). Our own phrasing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/knowledge/engine.js';
import { realEngine } from '../helpers/real-engine.js';

let engine: Engine;
beforeAll(async () => {
  engine = await realEngine();
});

const letter =
  '尊敬的不动产登记中心：您好！我母亲打算把她名下的一套房子赠与给我，房子在万秀区。请问赠与过户要准备哪些材料？是否需要先去办赠与公证？大概要交哪些税费？';

describe('a letter with a side question no entry covers', () => {
  it('is answered with the matter its other questions name', () => {
    const r = engine.search(letter, 3);
    expect(r.results[0]?.entry.id).toBe('item-real-estate-transfer');
    expect(r.band).toBe('answer');
  });

  it('keeps the side question barring the matter when it is asked alone', () => {
    const r = engine.search('赠与房子一定要先办公证吗', 3);
    expect(r.band).not.toBe('answer');
  });
});
