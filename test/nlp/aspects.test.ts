import { describe, expect, it } from 'vitest';
import { createAspectDetector } from '../../src/nlp/aspects.js';
import { createJiebaTokenizer } from '../../src/adapters/jieba-tokenizer.js';

const tokenizer = createJiebaTokenizer();
const detector = createAspectDetector();
const detect = (q: string) => detector.detect(tokenizer.cut(q));

describe('aspect detection', () => {
  it.each([
    ['需要带什么材料', 'materials'],
    ['要准备啥资料', 'materials'],
    ['那要多少钱', 'fee'],
    ['收费吗', 'fee'],
    ['要多久才能拿到', 'time'],
    ['几天能办好', 'time'],
    ['在哪里办', 'place'],
    ['可以网上办吗', 'place'],
    ['办理流程是怎样的', 'steps'],
    ['有什么条件', 'conditions'],
    ['依据什么法律', 'legal'],
    ['食经证是什么意思', 'explain'],
  ])('%s → %s', (q, aspect) => {
    expect(detect(q)).toBe(aspect);
  });

  it('is general when the question has no aspect cue', () => {
    expect(detect('个体户营业执照怎么办')).toBe('general');
    expect(detect('烟草证')).toBe('general');
  });
});
