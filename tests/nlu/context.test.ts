import { describe, expect, it } from 'vitest';
import { type ConversationMemory, createContextResolver, rememberOrders } from '../../src/nlu/context.ts';
import { fixedParser, realSpec } from '../support/nlu.ts';

const resolve = createContextResolver(realSpec());
const parser = fixedParser({
  这个不太合适: { return_refund: 0.45, exchange: 0.4 },
  换货: { exchange: 0.3, return_refund: 0.1 },
  后者吧: { other: 0.3 },
  物流三天没更新了: { logistics_delay: 0.95 },
  '单号是 sf1234567890123': { logistics_query: 0.3 },
  还是没到: { not_received: 0.55 },
  你们店几点下班: { other: 0.9 },
  '还是没到 我要投诉': { complaint: 0.95 },
  第二个碎了: { damaged: 0.95 },
  '2个杯子碎了': { damaged: 0.95 },
  另外锅的内胆有划痕: { quality_issue: 0.45, damaged: 0.4 },
  另外地址没变: { other: 0.3 },
  收到的裙子颜色不对: { wrong_item: 0.9 },
  杯子碎了: { damaged: 0.95 },
  我想改一下收货地址: { change_order: 0.95 },
  还有我要开发票: { invoice: 0.99 },
  还有多久到: { logistics_query: 0.9 },
  还是不行: { other: 0.3 },
});
const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);
const MIN = 60_000;

/** Feeds messages one by one through parse + context, like the worker does for one user. */
function converse(lines: Array<[string, number]>) {
  let memory: ConversationMemory | undefined;
  return lines.map(([text, at]) => {
    const r = resolve(parser.parse(text), memory, at);
    memory = JSON.parse(JSON.stringify(r.memory)) as ConversationMemory; // stored as JSON by the caller
    return r.parse;
  });
}

describe('clarifying question answered in context', () => {
  it('换货 after 请问您是想退货退款，还是换货？ resolves to exchange', () => {
    const [ask, answer] = converse([
      ['这个不太合适', T0],
      ['换货', T0 + MIN],
    ]);
    expect(ask?.clarify?.question).toBe('请问您是想退货退款，还是换货？');
    expect(answer?.primary).toBe('exchange');
    expect(answer?.clarify).toBeUndefined();
    expect(answer?.notes).toContain('context:clarify-answer:exchange');
  });

  it('an ordinal answer picks that option', () => {
    const [, answer] = converse([
      ['这个不太合适', T0],
      ['后者吧', T0 + MIN],
    ]);
    expect(answer?.primary).toBe('exchange');
  });

  it('an answer after the session window is a new message', () => {
    const [, answer] = converse([
      ['这个不太合适', T0],
      ['后者吧', T0 + 31 * MIN],
    ]);
    expect(answer?.primary).toBe('other');
    expect(answer?.notes).toEqual([]);
  });
});

describe('follow-ups attach to the previous parse', () => {
  it('a bare tracking number inherits the intent and keeps the new entity', () => {
    const [, followUp] = converse([
      ['物流三天没更新了', T0],
      ['单号是 SF1234567890123', T0 + 2 * MIN],
    ]);
    expect(followUp?.primary).toBe('logistics_delay');
    expect(followUp?.entities).toContainEqual(
      expect.objectContaining({ type: 'trackingNo', value: 'SF1234567890123', source: 'sf', start: 4 }),
    );
    expect(followUp?.notes).toContain('context:followup:logistics_delay');
  });

  it('还是没到 carries the earlier tracking number along', () => {
    const [, , again] = converse([
      ['物流三天没更新了', T0],
      ['单号是 SF1234567890123', T0 + 2 * MIN],
      ['还是没到', T0 + 20 * MIN],
    ]);
    expect(again?.primary).toBe('logistics_delay');
    expect(again?.entities).toEqual([
      expect.objectContaining({ type: 'trackingNo', value: 'SF1234567890123', start: -1, end: -1 }),
    ]);
  });

  it('a message on a new topic does not attach', () => {
    const [, other] = converse([
      ['物流三天没更新了', T0],
      ['你们店几点下班', T0 + MIN],
    ]);
    expect(other?.primary).toBe('other');
    expect(other?.notes).toEqual([]);
  });

  it('"另外 …" that names a matter of its own is that matter, asked about; "另外 …" that adds nothing new attaches', () => {
    const [, own] = converse([
      ['物流三天没更新了', T0],
      ['另外锅的内胆有划痕', T0 + MIN],
    ]);
    // 划痕 may be damage or a quality problem: the question asks which (rules marks-damaged / marks-quality).
    expect(own?.primary).toBe('damaged');
    expect(own?.clarify?.options).toEqual(expect.arrayContaining(['damaged', 'quality_issue']));
    expect(own?.notes).toEqual(['rule:marks-damaged', 'rule:marks-quality']);
    const [, adds] = converse([
      ['物流三天没更新了', T0],
      ['另外地址没变', T0 + MIN],
    ]);
    expect(adds?.primary).toBe('logistics_delay');
    expect(adds?.notes).toContain('context:followup:logistics_delay');
  });

  it('"还有 …" stating a matter of its own is that matter; "还是 …" continues', () => {
    const [, invoice] = converse([
      ['我想改一下收货地址', T0],
      ['还有我要开发票', T0 + MIN],
    ]);
    expect(invoice?.primary).toBe('invoice');
    expect(invoice?.notes.some((n) => n.startsWith('context:followup:'))).toBe(false);
    const [, eta] = converse([
      ['物流三天没更新了', T0],
      ['还有多久到', T0 + MIN],
    ]);
    expect(eta?.primary).toBe('logistics_query');
    const [, still] = converse([
      ['我想改一下收货地址', T0],
      ['还是不行', T0 + MIN],
    ]);
    expect(still?.primary).toBe('change_order');
    expect(still?.notes).toContain('context:followup:change_order');
  });

  it('"杯子碎了" after "裙子颜色不对" is a problem of its own, though it is little more than a product name', () => {
    const [, cup] = converse([
      ['收到的裙子颜色不对', T0],
      ['杯子碎了', T0 + MIN],
    ]);
    expect(cup?.primary).toBe('damaged');
    expect(cup?.notes).toEqual([]);
  });

  it('a stronger intent in a follow-up wins by precedence', () => {
    const [, , complaint] = converse([
      ['物流三天没更新了', T0],
      ['单号是 SF1234567890123', T0 + MIN],
      ['还是没到 我要投诉', T0 + 2 * MIN],
    ]);
    expect(complaint?.primary).toBe('complaint');
    expect(complaint?.intents.map((i) => i.id)).toEqual(['logistics_delay', 'complaint']);
    expect(complaint?.entities).toEqual([expect.objectContaining({ type: 'trackingNo', start: -1 })]);
  });

  it('nothing attaches after the window', () => {
    const [, late] = converse([
      ['物流三天没更新了', T0],
      ['还是没到', T0 + 45 * MIN],
    ]);
    expect(late?.primary).toBe('not_received');
  });
});

describe('the orders a reply was about', () => {
  const LISTED = ['261129-198095770000003', '3909821096840000001', '6982130955850000002'];

  /** One message after a reply that listed `orderNos` (or named one), as the handler stores it. */
  function nextAfter(orderNos: string[], first: string, next: string, gapMs = MIN) {
    const r = resolve(parser.parse(first), undefined, T0);
    const memory = JSON.parse(JSON.stringify(rememberOrders(r.memory, orderNos, T0))) as ConversationMemory;
    return resolve(parser.parse(next), memory, T0 + gapMs);
  }

  it.each([
    ['第二个', 1],
    ['2', 1],
    ['要第一单吧', 0],
    ['第3个订单', 2],
    ['@bot 第三个', 2],
    ['就查第二笔', 1],
  ])('%s picks that order from the list the reply showed', (text, index) => {
    const { parse } = nextAfter(LISTED, '查一下我的订单', text);
    expect(parse.primary).toBe('order_status');
    expect(parse.clarify).toBeUndefined();
    expect(parse.entities).toEqual([expect.objectContaining({ type: 'orderNo', value: LISTED[index] })]);
    expect(parse.entities[0]?.start).toBeGreaterThanOrEqual(0); // named now, not carried
  });

  it('an ordinal inside a sentence, a number past the list, or a late answer picks nothing', () => {
    for (const [text, gap] of [
      ['我买的第二个杯子碎了', MIN],
      ['第五个', MIN],
      ['第二个', 31 * MIN],
    ] as const) {
      const { parse } = nextAfter(LISTED, '查一下我的订单', text, gap);
      expect(parse.notes.some((n) => n.startsWith('context:offered-pick'))).toBe(false);
      expect(parse.entities.some((e) => e.value === LISTED[1])).toBe(false);
    }
  });

  it('a message that opens with an ordinal ("第二个碎了") keeps its meaning and is about that order', () => {
    const { parse } = nextAfter(LISTED, '查一下我的订单', '第二个碎了');
    expect(parse.primary).toBe('damaged');
    expect(parse.entities).toEqual([expect.objectContaining({ type: 'orderNo', value: LISTED[1], start: 0 })]);
    for (const text of ['2个杯子碎了', '后面的事我不管了']) {
      const other = nextAfter(LISTED, '查一下我的订单', text).parse;
      expect(other.entities.some((e) => e.type === 'orderNo')).toBe(false);
    }
  });

  it('the list is offered for the next message only', () => {
    const first = resolve(parser.parse('查一下我的订单'), undefined, T0);
    const listed = rememberOrders(first.memory, LISTED, T0);
    const between = resolve(parser.parse('你们店几点下班'), listed, T0 + MIN);
    const late = resolve(parser.parse('第二个'), between.memory, T0 + 2 * MIN);
    expect(late.parse.entities).toEqual([]);
  });

  it('one order answered becomes the order the next message is about', () => {
    const { parse } = nextAfter(['3909821096840000001'], '物流三天没更新了', '你们店几点下班');
    expect(parse.entities).toEqual([
      expect.objectContaining({ type: 'orderNo', value: '3909821096840000001', start: -1 }),
    ]);
  });
});
