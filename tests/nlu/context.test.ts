import { describe, expect, it } from 'vitest';
import { type ConversationMemory, createContextResolver } from '../../src/nlu/context.ts';
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
