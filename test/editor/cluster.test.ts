import { describe, expect, it } from 'vitest';
import { clusterQuestions, clusterQuestionsInSlices, contentFeatures } from '../../src/editor/cluster.js';
import { createAnalyzer } from '../../src/nlp/analyze.js';
import { createJiebaTokenizer } from '../../src/adapters/jieba-tokenizer.js';

const analyzer = createAnalyzer(createJiebaTokenizer(), []);
const features = (t: string) => contentFeatures(analyzer.analyze(t).content);

describe('clustering unanswered questions', () => {
  const questions = [
    '护照怎么办理',
    '办护照要什么材料',
    '护照过期了怎么换',
    '驾驶证到期换证去哪里',
    '驾驶证换证要体检吗',
    '明天天气怎么样',
    '港澳通行证续签',
    '港澳通行证怎么续签',
  ];
  const clusters = clusterQuestions(questions, features);

  it('groups questions about the same need, largest first', () => {
    expect(clusters[0]!.count).toBe(3);
    expect(clusters[0]!.examples).toEqual(['护照怎么办理', '办护照要什么材料', '护照过期了怎么换']);
    const sizes = clusters.map((c) => c.count);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
  });

  it('keeps different needs apart', () => {
    const of = (q: string) => clusters.findIndex((c) => c.examples.includes(q));
    expect(of('驾驶证到期换证去哪里')).toBe(of('驾驶证换证要体检吗'));
    expect(of('港澳通行证续签')).toBe(of('港澳通行证怎么续签'));
    expect(new Set([of('护照怎么办理'), of('驾驶证换证要体检吗'), of('明天天气怎么样'), of('港澳通行证续签')]).size).toBe(4);
    expect(clusters.reduce((s, c) => s + c.count, 0)).toBe(questions.length);
  });

  it('names the shared words of a group', () => {
    expect(clusters[0]!.terms).toContain('护照');
  });

  it('puts a short question with the longer one that contains its words, but not on one shared word', () => {
    const qs = ['电动车上牌在哪里办', '电动自行车上牌要带什么', '房产证怎么办', '养狗要办什么证'];
    const cs = clusterQuestions(qs, features);
    const of = (q: string) => cs.findIndex((c) => c.examples.includes(q));
    expect(of('电动车上牌在哪里办')).toBe(of('电动自行车上牌要带什么'));
    expect(of('房产证怎么办')).not.toBe(of('养狗要办什么证'));
  });
});

describe('clustering in slices', () => {
  it('groups exactly as in one go, pausing within a question compared with hundreds of groups', async () => {
    // 600 distinct questions (600 groups) and 450 copies of one (a group of 450 members to label).
    const texts = [...Array.from({ length: 600 }, (_, i) => `编号${i}号窗口第${i}项业务`), ...Array.from({ length: 450 }, () => '护照怎么办理')];
    const byHand = (t: string) => new Set(t.match(/\d+|[^\d]{2}/g) ?? []);
    let pauses = 0;
    const sliced = await clusterQuestionsInSlices(texts, byHand, async () => {
      pauses++;
    });
    expect(sliced).toEqual(clusterQuestions(texts, byHand));
    // One pause per question and per label at least, and more within the long comparisons.
    expect(pauses).toBeGreaterThan(texts.length + sliced.length);
  });
});
