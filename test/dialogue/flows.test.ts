/** Walkthroughs on the fixture knowledge base: validation, slot filling, checklist, going back. */
import { describe, expect, it } from 'vitest';
import type { Reply } from '../../src/core/types.js';
import { FLOW_CHOICE, prefill, readAnswer, type FlowState } from '../../src/dialogue/flow-engine.js';
import { formatProblem } from '../../src/knowledge/parse-knowledge.js';
import { parseFlows, type Flow } from '../../src/dialogue/parse-flows.js';
import { initialState, step, type ConversationState } from '../../src/dialogue/step.js';
import { fixtureEngine } from '../helpers/fixture-engine.js';

const engine = fixtureEngine();

const SHOP = `
id: shop
title: 开小商店
entry: bundle-shop
intro: 我来帮您理一理。
slots:
  tobacco: { type: boolean }
  entity: { type: choice, values: [individual, company] }
prefill:
  - words: [卖烟, 香烟]
    set: { tobacco: true }
  - words: [不卖烟]
    set: { tobacco: false }
start: entity
steps:
  entity:
    ask: 个体户还是公司？
    label: 经营主体
    why: 登记事项不同。
    slot: entity
    choices:
      - { label: 个体户, value: individual }
      - { label: 公司, value: company, next: company-note }
    next: tobacco
  company-note:
    say: 公司登记在本示例里同样走个体户设立。
    next: tobacco
  tobacco:
    ask: 要卖香烟吗？
    label: 卖香烟
    why: 卖烟要办烟草证。
    slot: tobacco
    next: route
  route:
    branch:
      - when: entity == "company" and not tobacco
        goto: human
      - else: done
  human:
    handoff: 这种情况请工作人员帮您判断。
  done:
    checklist:
      title: 开小商店清单
      items:
        - { id: item-licence }
        - { id: item-tobacco, when: tobacco }
      exclude:
        - { nameIncludes: 申请表, when: not tobacco, reason: 示例规则 }
`;

const parse = (content: string, path = 'shop.yaml') => parseFlows([{ path, content }], engine.kb);
const flows = (() => {
  const r = parse(SHOP);
  if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
  return r.flows;
})();
const ctx = { engine, flows, now: () => new Date('2026-11-26T08:00:00Z'), newId: () => 'testlist1' };
const say = (s: ConversationState, text: string) => step(s, { text }, ctx);
const press = (s: ConversationState, choice: string) => step(s, { choice }, ctx);
const question = (replies: Reply[]) => replies.find((r) => r.type === 'choices');

describe('flow validation', () => {
  const problems = (content: string) => {
    const r = parse(content);
    return r.ok ? [] : r.problems.map(formatProblem);
  };
  it('accepts the example', () => expect(problems(SHOP)).toEqual([]));

  it.each([
    ['an unknown step', SHOP.replace('next: route', 'next: nowhere'), 'shop.yaml › shop › tobacco: goes to the unknown step nowhere'],
    ['an unknown slot in a condition', SHOP.replace('entity == "company" and not tobacco', 'kind == "x"'), 'reads the unknown slot kind'],
    ['an unknown slot asked', SHOP.replace('slot: tobacco', 'slot: smoke'), 'shop.yaml › shop › tobacco: asks for the unknown slot smoke'],
    ['a condition that does not parse', SHOP.replace('entity == "company" and not tobacco', 'entity = company'), 'does not parse'],
    ['a branch without else', SHOP.replace('      - else: done\n', ''), 'the branch has no else'],
    ['an unreachable step', SHOP.replace('goto: human', 'goto: done'), 'shop.yaml › shop › human: cannot be reached from the start'],
    ['a choice for a value the slot does not have', SHOP.replace('value: company, next', 'value: firm, next'), 'offers the value firm, which entity does not have'],
    ['an item that does not exist', SHOP.replace('id: item-licence', 'id: item-nope'), 'no item has the id item-nope'],
    ['a prefill of an unknown slot', SHOP.replace('set: { tobacco: true }', 'set: { smoke: true }'), 'sets the unknown slot smoke'],
    ['a prefill rule that sets nothing', SHOP.replace('set: { tobacco: false }', 'set: {}'), 'shop.yaml › shop › prefill: the rule for 不卖烟 sets nothing'],
    ['a denial that sets a yes/no slot to a word', SHOP.replace('set: { tobacco: true }', 'set: { tobacco: true }\n    negated: { tobacco: "no" }'), 'sets the yes/no slot tobacco to "no"'],
    ['an entry that does not exist', SHOP.replace('entry: bundle-shop', 'entry: bundle-nope'), 'no knowledge entry has the id bundle-nope'],
    ['a step of no known kind', SHOP.replace('    say: 公司登记', '    tell: 公司登记'), 'a step is exactly one of'],
  ])('refuses %s', (_what, content, message) => {
    expect(problems(content).join('\n')).toContain(message);
  });

  it('reports YAML syntax errors with the line', () => {
    expect(problems('id: x\nsteps: [\n').join('\n')).toMatch(/shop\.yaml › line \d+ › \(yaml\)/);
  });
});

describe('slot filling', () => {
  it('takes answers from the first message, later rules overriding earlier ones', () => {
    const flow = flows[0] as Flow;
    expect(prefill(flow, '我想开店，还想卖烟').slots).toEqual({ tobacco: true });
    expect(prefill(flow, '开店但不卖烟').slots).toEqual({ tobacco: false });
    expect(prefill(flow, '開店賣香煙').slots).toEqual({ tobacco: true }); // traditional characters
    expect(prefill(flow, '开店，香烟就不卖了').slots).toEqual({}); // denied, and this rule declares no negated meaning
  });

  it('skips questions the first message answered and says what it understood', () => {
    const out = say(initialState(), '我想开小卖部，还想卖烟');
    expect(out.state.mode).toBe('flow');
    expect(out.events[0]).toMatchObject({ type: 'flow_started', flowId: 'shop', prefilled: ['tobacco'] });
    expect(out.replies[0]).toMatchObject({ type: 'text' });
    expect((out.replies[0] as { text: string }).text).toContain('卖香烟：是');
    expect(question(out.replies)).toMatchObject({ text: expect.stringContaining('个体户还是公司') });
    const done = press(out.state, FLOW_CHOICE.answer('individual'));
    expect(done.events.map((e) => e.type)).toContain('checklist_created'); // tobacco was not asked again
  });
});

describe('a walkthrough in the dialogue', () => {
  const start = () => say(initialState(), '开小卖部');

  it('asks one question at a time with why, buttons, and no 上一步 on the first', () => {
    const q = question(start().replies);
    expect(q).toMatchObject({ text: expect.stringContaining('为什么问这个：登记事项不同') });
    expect(q?.type === 'choices' && q.choices.map((c) => c.label)).toEqual(['个体户', '公司', '重新开始']);
  });

  it('accepts typed labels and yes/no words', () => {
    const a = say(start().state, '个体户');
    expect(question(a.replies)?.type === 'choices' && question(a.replies)!.text).toContain('要卖香烟吗');
    const b = say(a.state, '要');
    expect(b.events.map((e) => e.type)).toContain('checklist_created');
  });

  it('ends in one checklist with every material once and the items that use it', () => {
    const a = press(start().state, FLOW_CHOICE.answer('individual'));
    const b = press(a.state, FLOW_CHOICE.answer('yes'));
    const list = b.replies.find((r) => r.type === 'checklist');
    expect(list).toMatchObject({ type: 'checklist', id: 'testlist1', url: '/checklist/testlist1', title: '开小商店清单' });
    if (list?.type !== 'checklist') return;
    const names = list.materials.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    expect(list.materials.find((m) => m.name === '身份证')?.usedBy).toEqual(['个体工商户设立登记', '烟草专卖零售许可证核发']);
    expect(b.state.mode).toBe('bot');
  });

  it('drops excluded materials and names them on the checklist', () => {
    const a = press(start().state, FLOW_CHOICE.answer('individual'));
    const b = press(a.state, FLOW_CHOICE.answer('no'));
    const created = b.events.find((e) => e.type === 'checklist_created');
    if (created?.type !== 'checklist_created') throw new Error('no checklist');
    expect(created.checklist.items.map((i) => i.id)).toEqual(['item-licence']);
    expect(created.checklist.excluded).toEqual([{ name: '申请表', reason: '示例规则' }]);
  });

  it('goes back, changes an answer, and says what was added or removed', () => {
    const a = press(start().state, FLOW_CHOICE.answer('individual'));
    const first = press(a.state, FLOW_CHOICE.answer('no'));
    const back = press(first.state, FLOW_CHOICE.back);
    expect(question(back.replies)?.type === 'choices' && question(back.replies)!.text).toContain('要卖香烟吗');
    const again = press(back.state, FLOW_CHOICE.answer('yes'));
    const text = again.replies.map((r) => ('text' in r ? r.text : '')).join('\n');
    expect(text).toContain('和上次相比：新增：申请表');
  });

  it('restarts from the first question, forgetting every answer', () => {
    const a = press(say(initialState(), '开小卖部还想卖烟').state, FLOW_CHOICE.answer('individual'));
    const r = press(a.state, FLOW_CHOICE.restart);
    expect(r.state.flow?.slots).toEqual({});
    expect(question(r.replies)?.type === 'choices' && question(r.replies)!.text).toContain('个体户还是公司');
  });

  it('answers a side question and returns to the question that was asked', () => {
    const a = start();
    const side = say(a.state, '烟草证要多少钱');
    expect(side.match?.id).toBe('item-tobacco');
    expect(side.state.mode).toBe('flow');
    const q = question(side.replies);
    expect(q?.type === 'choices' && q.text).toContain('回到刚才的问题：个体户还是公司');
    expect(press(side.state, FLOW_CHOICE.answer('individual')).state.flow?.slots.entity).toBe('individual');
  });

  it('runs say, branch and handoff steps', () => {
    const a = press(start().state, FLOW_CHOICE.answer('company'));
    expect(a.replies.map((r) => ('text' in r ? r.text : '')).join()).toContain('公司登记在本示例里');
    const b = press(a.state, FLOW_CHOICE.answer('no'));
    expect(b.replies.some((r) => r.type === 'handoff')).toBe(true);
    expect(b.replies.map((r) => ('text' in r ? r.text : '')).join()).toContain('这种情况请工作人员帮您判断');
  });

  it('leaves the walkthrough on 退出', () => {
    const out = say(start().state, '退出');
    expect(out.state.mode).toBe('bot');
    expect(out.state.flow?.at).toBeNull();
  });

  it('offers the walkthrough as a button on an answer about its entry', () => {
    const out = say(initialState(), '开小卖部多少钱'); // a fee question is answered directly
    const labels = out.replies.flatMap((r) => (r.type === 'choices' ? r.choices.map((c) => c.label) : []));
    expect(labels).toContain('帮我列材料清单');
  });
});

describe('number and text questions, and the step cap', () => {
  const FORM = `
id: form
title: 表单
entry: bundle-shop
intro: 试一试。
slots:
  staff: { type: number, min: 0, max: 500 }
  name: { type: text }
start: staff
steps:
  staff:
    ask: 店里有几个员工？
    why: 人数决定要不要办就业登记。
    slot: staff
    next: name
  name:
    ask: 店名叫什么？
    why: 清单上写店名。
    slot: name
    next: done
  done:
    checklist:
      title: 清单
      items: [{ id: item-licence, when: staff > 2 }, { id: item-tobacco }]
`;
  const LOOP = `
id: loop
title: 循环
entry: bundle-shop
intro: 试一试。
slots: {}
start: a
steps:
  a: { say: 一, next: b }
  b: { say: 二, next: a }
  c: { checklist: { title: 清单, items: [{ id: item-licence }] } }
`;
  const load = (content: string) => {
    const r = parseFlows([{ path: 'x.yaml', content }], engine.kb);
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
    return r.flows;
  };

  it('reads numbers within range and free text', () => {
    const c = { ...ctx, flows: load(FORM) };
    const s0 = step(initialState(), { choice: FLOW_CHOICE.start('form') }, c);
    expect(s0.state.flow?.at).toBe('staff');
    const bad = step(s0.state, { text: '一千个' }, c); // not a number in range: a side question, asked again
    expect(bad.state.flow?.at).toBe('staff');
    const s1 = step(s0.state, { text: '3个' }, c);
    expect(s1.state.flow?.slots.staff).toBe(3);
    const s2 = step(s1.state, { text: '老街便利店' }, c);
    const made = s2.events.find((e) => e.type === 'checklist_created');
    expect(made?.type === 'checklist_created' && made.checklist.items.map((i) => i.id)).toEqual(['item-licence', 'item-tobacco']);
    expect(made?.type === 'checklist_created' && made.checklist.answers).toContainEqual({ question: '店名叫什么？', answer: '老街便利店' });
  });

  it('stops a walkthrough that loops, reports it and offers a human', () => {
    const problems = parseFlows([{ path: 'loop.yaml', content: LOOP }], engine.kb);
    // The loop never reaches its checklist, so validation already refuses it …
    expect(problems.ok).toBe(false);
    // … and were such a flow to run, the per-turn cap stops it.
    const flow = { ...(parseFlows([{ path: 'l.yaml', content: LOOP.replace('b: { say: 二, next: a }', 'b: { say: 二, next: c }') }], engine.kb) as { ok: true; flows: Flow[] }).flows[0]! };
    flow.steps = { ...flow.steps, b: { say: '二', next: 'a' } };
    const out = step(initialState(), { choice: FLOW_CHOICE.start('loop') }, { ...ctx, flows: [flow] });
    expect(out.events).toContainEqual(expect.objectContaining({ type: 'flow_error', error: expect.stringContaining('more than 25 steps') }));
    expect(out.replies.some((r) => r.type === 'handoff')).toBe(true);
  });
});

describe('a bare denial typed as the answer', () => {
  const FOOD = `
id: food
title: 卖吃的
entry: bundle-shop
intro: 我来帮您理一理。
slots:
  food: { type: choice, values: [none, packed, bulk] }
  licence: { type: choice, values: [have, individual, company] }
start: food
steps:
  food:
    ask: 卖不卖吃的？卖的话，是只卖包装好的，还是也卖散装的？
    label: 卖食品
    why: 卖的食品不同，要办的不同。
    slot: food
    choices:
      - { label: 不卖食品, value: none }
      - { label: 只卖包装好的, value: packed }
      - { label: 也卖散装的, value: bulk }
    next: licence
  licence:
    ask: 办好营业执照了吗？
    label: 营业执照
    why: 许可要先有执照。
    slot: licence
    choices:
      - { label: 已经有了, value: have }
      - { label: 还没有，办个体户, value: individual }
      - { label: 还没有，办公司, value: company }
    next: done
  done:
    checklist:
      title: 清单
      items:
        - { id: item-licence }
`;
  const r = parse(FOOD, 'food.yaml');
  if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
  const flow = r.flows[0]!;
  const at = (step: string, id = flow.id): FlowState => ({ id, at: step, slots: {}, asked: [], prefilled: [], lastMaterials: null, lastChecklistId: null });
  // The yes/no question: the example's 「要卖香烟吗？」.
  const shop = flows[0]!;
  const tobacco = at('tobacco', shop.id);

  it('answers with the one choice that is itself a denial (「不卖」「都不卖」)', () => {
    expect(readAnswer(flow, at('food'), { text: '不卖' })).toBe('none');
    expect(readAnswer(flow, at('food'), { text: '都不卖的' })).toBe('none');
    expect(readAnswer(shop, tobacco, { text: '也不卖' })).toBe(false);
  });
  it('reads an affirmation: the one choice that is done, or the question’s own verb for yes', () => {
    expect(readAnswer(flow, at('licence'), { text: '有了' })).toBe('have');
    expect(readAnswer(flow, at('licence'), { text: '已经办好了' })).toBe('have');
    expect(readAnswer(shop, tobacco, { text: '要卖的' })).toBe(true);
  });
  it('answers nothing when it is unsure, asks, or several choices deny', () => {
    expect(readAnswer(flow, at('food'), { text: '不知道' })).toBeNull();
    expect(readAnswer(flow, at('food'), { text: '不卖会怎样？' })).toBeNull();
    expect(readAnswer(shop, tobacco, { text: '没想好' })).toBeNull();
    expect(readAnswer(flow, at('licence'), { text: '没有' })).toBeNull();
  });
});
