import { describe, expect, it } from 'vitest';
import { createAnalyzer } from '../../src/nlp/analyze.js';
import { createJiebaTokenizer } from '../../src/adapters/jieba-tokenizer.js';

const tokenizer = createJiebaTokenizer().withWords(['个体工商户', '开小卖部', '烟草证']);
const analyzer = createAnalyzer(tokenizer, [
  { canonical: '社保卡', variants: ['社会保障卡', '社保咭'] },
  { canonical: '营业执照', variants: ['执照'] },
]);

describe('segmentation', () => {
  it('keeps words of the knowledge base whole', () => {
    expect(analyzer.analyze('我想开小卖部还想卖烟').tokens).toContain('开小卖部');
    expect(analyzer.analyze('个体工商户怎么登记').tokens).toContain('个体工商户');
    expect(analyzer.analyze('烟草证去哪办').tokens).toContain('烟草证');
  });

  it('segments ordinary words with the trimmed jieba dictionary', () => {
    expect(analyzer.analyze('营业执照去哪里办理').tokens).toEqual(['营业执照', '去', '哪里', '办理']);
  });
});

describe('lexicon variants', () => {
  const shop = createAnalyzer(tokenizer, [{ canonical: '小卖部', variants: ['士多'] }]);
  it('are read as their everyday word, but not when cut out of a longer word jieba knows (士多 in 亚里士多德)', () => {
    expect(shop.analyze('开间士多要办咩证').text).toContain('小卖部');
    expect(shop.analyze('亚里士多德把强迫运动称为什么').text).not.toContain('小卖部');
  });
});

describe('analyze', () => {
  it('reads a question ending in 不 as one ending in 吗, and keeps 不 everywhere else', () => {
    expect(analyzer.analyze('收费不').tokens).toEqual(['收费', '吗']);
    expect(analyzer.analyze('收费不？').tokens).toEqual(['收费', '吗']);
    expect(analyzer.analyze('要钱不').content).not.toContain('不');
    expect(analyzer.analyze('不收费吗').tokens).toContain('不');
    expect(analyzer.analyze('也不卖烟').tokens).toContain('不');
    // Too short to be a question about something: left alone.
    expect(analyzer.analyze('好不').tokens).toContain('不');
  });

  it('reads 哪 before a verb or at the end as 哪里 (在哪交, 去哪), and leaves 哪个, 哪些, 哪里 alone', () => {
    expect(analyzer.analyze('在哪交').tokens).toEqual(['在', '哪里', '交']);
    expect(analyzer.analyze('去哪').tokens).toEqual(['去', '哪里']);
    expect(analyzer.analyze('哪个窗口').tokens).toContain('哪个');
    expect(analyzer.analyze('要哪些材料').tokens).toContain('哪些');
    expect(analyzer.analyze('在哪里办').tokens).toEqual(['在', '哪里', '办']);
    // 哪几 and 哪一 are words of their own too (要跑哪几个地方).
    expect(analyzer.analyze('要跑哪几个地方').original).toBe('要跑哪几个地方');
    expect(analyzer.analyze('去哪一个窗口').original).toBe('去哪一个窗口');
  });

  it('finds a variant with 了, a number or a measure word between its verb and object (请了两个工人), or 的 inside it', () => {
    const hiring = createAnalyzer(tokenizer, [{ canonical: '招员工', variants: ['请工人'] }]);
    expect(hiring.analyze('厂里刚请工人').text).toBe('厂里刚请工人 招员工');
    expect(hiring.analyze('厂里刚请了两个工人').text).toBe('厂里刚请了两个工人 招员工');
    expect(hiring.analyze('厂里请了工人').text).toBe('厂里请了工人 招员工');
    expect(hiring.analyze('厂里请3名工人').text).toBe('厂里请3名工人 招员工');
    const subsidy = createAnalyzer(tokenizer, [{ canonical: '育儿补贴', variants: ['养娃补贴'] }]);
    expect(subsidy.analyze('养娃的补贴怎么领').text).toBe('养娃的补贴怎么领 育儿补贴');
    // Only between characters: nothing else is removed.
    expect(hiring.analyze('请人帮忙').text).toBe('请人帮忙');
  });

  it('appends the canonical term of a recognised variant', () => {
    const a = analyzer.analyze('社会保障卡丢了');
    expect(a.text).toBe('社会保障卡丢了 社保卡');
    expect(a.tokens).toContain('社保卡');
  });

  it('does not append a canonical term that is already there', () => {
    expect(analyzer.analyze('营业执照').text).toBe('营业执照');
    expect(analyzer.analyze('办执照').text).toBe('办执照 营业执照');
  });

  it('drops function words and aspect words from the content words', () => {
    const a = analyzer.analyze('请问烟草证需要什么材料多少钱');
    expect(a.content).toEqual(['烟草证']);
  });

  it('gives character pairs and sound pairs for typo and homophone matching', () => {
    const a = analyzer.analyze('社报卡');
    expect(a.charGrams).toEqual(['社报', '报卡']);
    expect(a.soundGrams).toEqual(analyzer.analyze('社保卡').soundGrams);
    expect(a.soundText).toBe(' se bao ka ');
  });

  it('treats a single Chinese character as its own gram', () => {
    expect(analyzer.analyze('烟').charGrams).toEqual(['烟']);
  });
});

describe('dialect', () => {
  const cantonese = createAnalyzer(tokenizer, [{ canonical: '营业执照', variants: ['执照'] }], {
    dialect: {
      唔: '不',
      咗: '了',
      点样: '怎么',
      边度: '哪里',
      唔使: '不用',
    },
  });

  it('rewrites Cantonese words to Mandarin before segmenting, longest first', () => {
    expect(cantonese.analyze('执照喺边度点样办').text).toBe('执照喺哪里怎么办 营业执照');
    expect(cantonese.analyze('唔使交钱').text).toBe('不用交钱');
    expect(cantonese.analyze('公司唔做咗').text).toBe('公司不做了');
  });

  it('does not rewrite from inside a Mandarin word (重点办理 holds 点办, 打开档案 holds 开档)', () => {
    const more = createAnalyzer(tokenizer, [], { dialect: { 点办: '怎么办', 开档: '开店', 伙记: '伙计' } });
    expect(more.analyze('重点办理').original).toBe('重点办理');
    expect(more.analyze('打开档案').original).toBe('打开档案');
    expect(more.analyze('呢个点办').original).toBe('呢个怎么办');
    expect(more.analyze('想开档').original).toBe('想开店');
    // A word the segmenter would only guess (新伙记) is no Mandarin word to protect.
    expect(more.analyze('请了新伙记').original).toBe('请了新伙计');
  });

  it('leaves text alone when no dialect map is given', () => {
    expect(analyzer.analyze('公司唔做咗').text).toBe('公司唔做咗');
  });
});

describe('typed pinyin beyond the names', () => {
  it("reads pinyin as the knowledge base's other words when no name sounds alike, and says what is asked", () => {
    let asked = 0;
    const reading = createAnalyzer(tokenizer, [], {
      vocabulary: ['开小卖部'],
      readingWords: () => {
        asked++;
        return ['发票', '入学', '报名'];
      },
    });
    expect(reading.analyze('fapiao zenme ling').tokens).toEqual(['发票', '怎么']);
    expect(reading.analyze('ruxue baoming yao shenme cailiao').text).toBe('入学报名什么材料');
    // The names still come first, and the other words are asked for once.
    expect(reading.analyze('kai xiao mai bu').tokens).toEqual(['开小卖部']);
    expect(asked).toBe(1);
  });

  it('asks again later when the other words are not known yet (the index is being built)', () => {
    let ready = false;
    const reading = createAnalyzer(tokenizer, [], { vocabulary: ['开小卖部'], readingWords: () => (ready ? ['发票'] : []) });
    expect(reading.analyze('fapiao').text).toBe('fapiao');
    ready = true;
    expect(reading.analyze('fapiao').text).toBe('发票');
  });

  it('builds the reading table when prepared, so the first pinyin question does not (the engine prepares it)', () => {
    let asked = 0;
    const reading = createAnalyzer(tokenizer, [], { vocabulary: ['开小卖部'], readingWords: () => (asked++, ['发票']) });
    reading.prepare();
    expect(asked).toBe(1);
    expect(reading.analyze('fapiao').text).toBe('发票');
    reading.prepare();
    expect(asked).toBe(1);
  });

  it('leaves Latin text alone without any known words', () => {
    expect(createAnalyzer(tokenizer, []).analyze('fapiao zenme ling').text).toBe('fapiao zenme ling');
  });

  it('reads a word across a space only from one typed group\'s start to another\'s end (jiazhao daoqi is no 找到)', () => {
    const reading = createAnalyzer(tokenizer, [], { vocabulary: ['开小卖部'], readingWords: () => ['找到', '到期'] });
    // zhao + dao would take the end of 「jiazhao」 and the start of 「daoqi」.
    expect(reading.analyze('jiazhao daoqi').tokens).toEqual(['到期']);
    // Inside one group, or over whole groups, words are read as before.
    expect(reading.analyze('zhaodao').tokens).toEqual(['找到']);
    expect(reading.analyze('zhao dao').tokens).toEqual(['找到']);
    expect(reading.analyze('kai xiaomaibu').tokens).toEqual(['开小卖部']);
  });
});

describe('homophone slips in the knowledge base\'s words', () => {
  const words = ['公积金', '养老金', '营业执照', '社保卡', '开公司', '计算器', '出生了要办'];
  const correcting = () => {
    const a = createAnalyzer(tokenizer, [], { vocabulary: ['开小卖部'], readingWords: () => words });
    a.prepare();
    return a;
  };

  it('reads a word typed with one homophone wrong as the word (公基金 → 公积金, 营业执招 → 营业执照)', () => {
    const a = correcting();
    expect(a.analyze('公基金怎么提出来').tokens[0]).toBe('公积金');
    expect(a.analyze('养老今什么时候发').tokens[0]).toBe('养老金');
    expect(a.analyze('营业执招上的地址要改吗').tokens[0]).toBe('营业执照');
    expect(a.analyze('社宝卡丢了').original).toBe('社保卡丢了');
  });

  it('leaves real words, words across the run, function words and sentences alone', () => {
    const a = correcting();
    // 公开公示: the run 开公示 starts inside 公开.
    expect(a.analyze('严重交通违法行为公开公示').original).toBe('严重交通违法行为公开公示');
    // Two characters differ: not a slip.
    expect(a.analyze('宫集金').original).toBe('宫集金');
    // A phrase with function characters is no word to put right.
    expect(a.analyze('出生了要半').original).toBe('出生了要半');
    // Not before the words are known (entry texts analysed while the index is built).
    expect(createAnalyzer(tokenizer, [], { readingWords: () => [] }).analyze('公基金').original).toBe('公基金');
  });
});
