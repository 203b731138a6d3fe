import { describe, expect, it } from 'vitest';
import { fixedParser, miniTrainedParser } from '../support/nlu.ts';

describe('primary by precedence (shared/docs/intents.md)', () => {
  const parser = fixedParser({
    衣服洗后掉色发错尺码要退货退款: { quality_issue: 0.95, wrong_item: 0.9, return_refund: 0.7 },
    杯子碎了我要投诉: { damaged: 0.97, complaint: 0.6 },
    转人工查快递: { human_agent: 0.9, logistics_query: 0.55 },
    退货还是换货: { exchange: 0.8, return_refund: 0.9 },
  });

  it('a request beats stronger problems', () => {
    const p = parser.parse('衣服洗后掉色发错尺码要退货退款');
    expect(p.primary).toBe('return_refund');
    expect(p.intents.map((i) => i.id)).toEqual(['quality_issue', 'wrong_item', 'return_refund']);
    expect(p.confidence).toBe(0.7);
  });

  it('a complaint beats a problem', () => {
    expect(parser.parse('杯子碎了我要投诉').primary).toBe('complaint');
  });

  it('a query beats a request for a human', () => {
    expect(parser.parse('转人工查快递').primary).toBe('logistics_query');
  });

  it('inside one precedence group the higher score wins', () => {
    expect(parser.parse('退货还是换货').primary).toBe('return_refund');
  });
});

describe('rules override the model', () => {
  it('过敏 makes safety_issue primary and the message critical, whatever the model said', () => {
    const parser = fixedParser({ 用了这个面霜过敏起疹子了想退货: { return_refund: 0.9, quality_issue: 0.8 } });
    const p = parser.parse('用了这个面霜过敏起疹子了想退货');
    expect(p.primary).toBe('safety_issue');
    expect(p.urgency).toEqual({ level: 'critical', cues: ['过敏', '起疹子'] });
    expect(p.notes).toContain('rule:safety-harm');
  });

  it('does not fire on a negated cue', () => {
    const p = fixedParser({ 这款面霜会不会过敏: { other: 0.7 } }).parse('这款面霜会不会过敏');
    expect(p.primary).toBe('other');
    expect(p.notes).toEqual([]);
  });

  it('「什么时候到」 asks when the parcel arrives; a refund that is to arrive stays a refund question', () => {
    const parser = fixedParser({
      这个什么时候到: { refund_progress: 0.51, other: 0.57 },
      退款什么时候到: { refund_progress: 0.99 },
      退款什么时候到账: { refund_progress: 0.99 },
    });
    const arrival = parser.parse('这个什么时候到');
    expect(arrival.primary).toBe('logistics_query');
    expect(arrival.notes).toContain('rule:arrival-question');
    expect(parser.parse('退款什么时候到').primary).toBe('refund_progress');
    expect(parser.parse('退款什么时候到账').notes).not.toContain('rule:arrival-question');
  });

  it('「快递员态度太差了」 is a complaint, though it says no 投诉; 「态度不错」 is none', () => {
    const parser = fixedParser({
      快递员态度太差了: { logistics_query: 0.14 },
      快递员态度不错就是东西坏了: { damaged: 0.44 },
    });
    const rude = parser.parse('快递员态度太差了');
    expect(rude.primary).toBe('complaint');
    expect(rude.notes).toContain('rule:complaint-attitude');
    expect(parser.parse('快递员态度不错就是东西坏了').primary).toBe('damaged');
  });

  it('「那怎么办 我要退款」 asks for a refund, not how one under way is doing; 「我申请退款好几天了」 still does', () => {
    const parser = fixedParser({
      那怎么办我要退款: { refund_progress: 0.58 },
      我申请退款好几天一直没到账: { refund_progress: 0.9 },
      我要退款的钱什么时候到: { refund_progress: 0.97 },
    });
    const wants = parser.parse('那怎么办我要退款');
    expect(wants.primary).toBe('refund_only');
    expect(wants.intents.map((i) => i.id)).not.toContain('refund_progress');
    expect(wants.notes).toContain('rule:refund-request');
    expect(parser.parse('我申请退款好几天一直没到账').primary).toBe('refund_progress');
    expect(parser.parse('我要退款的钱什么时候到').primary).toBe('refund_progress');
  });

  it('goods past their shelf life are a quality problem, not a wrong item; 「没过期」 is none', () => {
    const parser = fixedParser({
      我收到的洗面奶是过期的: { wrong_item: 0.49 },
      洗面奶没过期就是发错了: { wrong_item: 0.9 },
    });
    expect(parser.parse('我收到的洗面奶是过期的').primary).toBe('quality_issue');
    expect(parser.parse('洗面奶没过期就是发错了').primary).toBe('wrong_item');
  });

  it('a dented can or cup (「罐子是瘪的」, 「凹进去一块」) is damage; asking whether it is dented is not', () => {
    const parser = fixedParser({
      上次买的茶叶罐子是瘪的: { wrong_item: 0.16 },
      保温杯凹进去一块: { quality_issue: 0.3 },
      收到的盒子是瘪的吗: { other: 0.3 },
    });
    expect(parser.parse('上次买的茶叶罐子是瘪的').primary).toBe('damaged');
    expect(parser.parse('保温杯凹进去一块').primary).toBe('damaged');
    expect(parser.parse('收到的盒子是瘪的吗').notes).not.toContain('rule:dented');
  });

  it('「我急用 明天要送人的」 asks for the goods soon; a problem said beside it stays the primary', () => {
    const parser = fixedParser({
      我急用明天要送人的: { human_agent: 0.14 },
      收到就坏了我急用的: { damaged: 0.79 },
    });
    expect(parser.parse('我急用明天要送人的').primary).toBe('urge_shipment');
    expect(parser.parse('收到就坏了我急用的').primary).toBe('damaged');
  });

  it('「能发顺丰吗 我补运费」 asks to change the carrier, not for a reshipment or the return address', () => {
    const parser = fixedParser({ 能发顺丰吗我补运费: { return_info: 0.75, reship: 0.72 } });
    const carrier = parser.parse('能发顺丰吗我补运费');
    expect(carrier.primary).toBe('change_order');
    expect(carrier.intents.map((i) => i.id)).toEqual(['change_order']);
  });

  it('goods not liked or not fitting ask 「退货退款，还是换货？」; a rule stands back when the classifier heard a matter', () => {
    const parser = fixedParser({
      东西收到了但是不喜欢: { return_refund: 0.22 },
      买大了: { price_protection: 0.24 },
      不喜欢能退吗: { return_info: 0.95 },
      不合适想换小一码: { exchange: 0.95 },
      补发急用: { reship: 0.99 },
    });
    for (const text of ['东西收到了但是不喜欢', '买大了']) {
      const p = parser.parse(text);
      expect(p.clarify?.question).toBe('请问您是想退货退款，还是换货？');
      expect(p.notes).toEqual(expect.arrayContaining(['rule:dislike-return', 'rule:dislike-exchange']));
    }
    const how = parser.parse('不喜欢能退吗');
    expect(how.primary).toBe('return_info');
    expect(how.intents.map((i) => i.id)).toEqual(['return_info']);
    expect(parser.parse('不合适想换小一码').intents.map((i) => i.id)).toEqual(['exchange']);
    // 「急用」 beside a request of its own adds no 催发货.
    expect(parser.parse('补发急用').intents.map((i) => i.id)).toEqual(['reship']);
  });

  it('「可以送货上门吗」 asks about the delivery, not the return policy; a parcel already left at the 驿站 is not this', () => {
    const parser = fixedParser({
      可以送货上门吗: { other: 0.63, return_info: 0.53 },
      快递放驿站了我没收到: { not_received: 0.99 },
      帮我改成送货上门别放驿站: { change_order: 0.8 },
    });
    const door = parser.parse('可以送货上门吗');
    expect(door.primary).toBe('logistics_query');
    expect(door.intents.map((i) => i.id)).not.toContain('return_info');
    expect(parser.parse('快递放驿站了我没收到').notes).not.toContain('rule:delivery-request');
    expect(parser.parse('帮我改成送货上门别放驿站').intents.map((i) => i.id)).toEqual(['change_order']);
  });

  it('goods that leaked in the parcel are damage; something left out (「漏了一件」) or written wrong (「写漏了」) is not', () => {
    const parser = fixedParser({
      洗衣液漏了整个箱子都湿了: { missing_item: 0.24 },
      漏了一件: { missing_item: 0.85 },
      小区门牌号写漏了: { change_order: 0.8 },
    });
    expect(parser.parse('洗衣液漏了整个箱子都湿了').primary).toBe('damaged');
    expect(parser.parse('漏了一件').primary).toBe('missing_item');
    expect(parser.parse('小区门牌号写漏了').primary).toBe('change_order');
  });

  it('a long wait (「都一个星期了」) raises the urgency', () => {
    const parser = fixedParser({ 怎么还没退款都一个星期了: { refund_progress: 0.9 } });
    expect(parser.parse('怎么还没退款都一个星期了').urgency).toEqual({ level: 'high', cues: ['一个星期了'] });
  });

  it('「我买的龙井到哪了」 asks where the parcel is; a weak 发错货 beside it does not make it a problem', () => {
    const parser = fixedParser({
      我买的龙井到哪了: { logistics_query: 0.94, wrong_item: 0.51 },
      抖音买的退款到哪了: { refund_progress: 0.7 },
    });
    const where = parser.parse('我买的龙井到哪了');
    expect(where.primary).toBe('logistics_query');
    expect(where.intents.map((i) => i.id)).toEqual(['logistics_query']);
    expect(parser.parse('抖音买的退款到哪了').primary).toBe('refund_progress');
  });

  it("a parcel the courier sent back (「地址不详 退回去了」) is not received, not the customer's return", () => {
    const parser = fixedParser({
      快递员说地址不详退回去了: { return_info: 0.6, return_refund: 0.55 },
      我已经退回了单号在这: { return_refund: 0.6 },
    });
    const back = parser.parse('快递员说地址不详退回去了');
    expect(back.primary).toBe('not_received');
    expect(back.intents.map((i) => i.id)).toEqual(['not_received']);
    expect(parser.parse('我已经退回了单号在这').primary).toBe('return_refund');
  });

  it('「商品和描述不符」 is a quality problem', () => {
    expect(fixedParser({ 商品和描述不符: { other: 0.2 } }).parse('商品和描述不符').primary).toBe('quality_issue');
  });

  it('「怎么还在东莞」 says the parcel is slow; 「怎么还在审核」 is about the order, not the parcel', () => {
    const parser = fixedParser({ 怎么还在东莞: { other: 0.2 }, 怎么还在审核: { order_status: 0.47 } });
    expect(parser.parse('怎么还在东莞').primary).toBe('logistics_delay');
    expect(parser.parse('怎么还在审核').notes).not.toContain('rule:parcel-still-at');
  });

  it('「能退吗」 asks whether the goods can go back: no price-protection ticket; a price word keeps it one', () => {
    const parser = fixedParser({
      能退吗: { return_info: 0.99, price_protection: 0.51 },
      退得了吗: { refund_progress: 0.6 },
      降价了能退吗: { price_protection: 0.99, return_info: 0.88 },
    });
    const asks = parser.parse('能退吗');
    expect(asks.primary).toBe('return_info');
    expect(asks.intents.map((i) => i.id)).toEqual(['return_info']);
    expect(parser.parse('退得了吗').primary).toBe('return_info');
    const price = parser.parse('降价了能退吗');
    expect(price.primary).toBe('price_protection');
    expect(price.notes).not.toContain('rule:return-question');
  });

  it('「坏了 能退吗」 keeps the fault; 「气坏了」, 「万一坏了」 and goods broken in transit do not add one', () => {
    const parser = fixedParser({
      东西坏了能退吗: { return_info: 0.95 },
      气坏了能退吗: { return_info: 0.95 },
      万一坏了能退吗: { return_info: 0.95 },
      摔坏了: { damaged: 0.9 },
    });
    const broken = parser.parse('东西坏了能退吗');
    expect(broken.primary).toBe('quality_issue');
    expect(broken.intents.map((i) => i.id).sort()).toEqual(['quality_issue', 'return_info']);
    for (const text of ['气坏了能退吗', '万一坏了能退吗']) expect(parser.parse(text).primary).toBe('return_info');
    expect(parser.parse('摔坏了').intents.map((i) => i.id)).toEqual(['damaged']);
  });

  it('praise is no complaint; a bad review threatened is one, one ruled out is not', () => {
    const parser = fixedParser({
      我给你们好评了: { complaint: 0.92 },
      不满意给差评: { quality_issue: 0.4 },
      不想给差评能不能换个: { exchange: 0.9 },
      好评返现什么时候给: { compensation: 0.6 },
    });
    const praise = parser.parse('我给你们好评了');
    expect(praise.primary).toBe('other');
    expect(praise.escalateToManager).toBe(false);
    expect(parser.parse('不满意给差评').primary).toBe('complaint');
    expect(parser.parse('不想给差评能不能换个').primary).toBe('exchange');
    expect(parser.parse('好评返现什么时候给').primary).toBe('compensation');
  });

  it('安全问题 needs a harm word unless the model is sure: 「用了一次就不想用了」 is no safety matter', () => {
    const parser = fixedParser({
      用了一次就不想用了: { quality_issue: 0.99, safety_issue: 0.63 },
      我用了三天: { safety_issue: 0.27, other: 0.1 },
      宝宝用了屁屁红了一片: { safety_issue: 0.7 },
      电热毯有点不对劲: { safety_issue: 0.95 },
    });
    const used = parser.parse('用了一次就不想用了');
    expect(used.primary).toBe('quality_issue');
    expect(used.intents.map((i) => i.id)).toEqual(['quality_issue']);
    expect(used.notes).toContain('rule:safety-needs-harm');
    expect(parser.parse('我用了三天').primary).toBe('other');
    expect(parser.parse('宝宝用了屁屁红了一片').primary).toBe('safety_issue');
    expect(parser.parse('电热毯有点不对劲').primary).toBe('safety_issue');
  });

  it('价保 needs a price word: 「我昨天买的东西今天能到吗」 asks when it arrives; 「换个地址」 changes the order', () => {
    const parser = fixedParser({
      我昨天买的东西今天能到吗: { price_protection: 0.56 },
      昨天买的今天降了20: { price_protection: 0.8 },
      我换手机号了: { exchange: 0.89 },
      换个地址: { exchange: 0.99, change_order: 0.69 },
    });
    const arrives = parser.parse('我昨天买的东西今天能到吗');
    expect(arrives.primary).toBe('logistics_query');
    expect(arrives.notes).toContain('rule:price-needs-price');
    expect(parser.parse('昨天买的今天降了20').primary).toBe('price_protection');
    for (const text of ['我换手机号了', '换个地址']) {
      expect(parser.parse(text).intents.map((i) => i.id)).toEqual(['change_order']);
    }
  });

  it('「过几天再发吧」 changes the order; 「取消的订单钱什么时候退回来」 asks about the refund; 「货没发全」 is 少件', () => {
    const parser = fixedParser({
      这几天出差过几天再发吧: { reship: 0.7 },
      先别发货等我通知: { urge_shipment: 0.8 },
      怎么还没发说好过几天再发: { urge_shipment: 0.9 },
      取消的订单钱什么时候退回来: { cancel_order: 0.9, refund_progress: 0.4 },
      取消订单钱多久能退回来: { cancel_order: 0.9, refund_progress: 0.6 },
      货没发全啊: { urge_shipment: 0.7 },
      收件人要换成我弟弟: { exchange: 0.8 },
    });
    expect(parser.parse('这几天出差过几天再发吧').intents.map((i) => i.id)).toEqual(['change_order']);
    expect(parser.parse('先别发货等我通知').primary).toBe('change_order');
    expect(parser.parse('怎么还没发说好过几天再发').primary).toBe('urge_shipment');
    expect(parser.parse('取消的订单钱什么时候退回来').intents.map((i) => i.id)).toEqual(['refund_progress']);
    expect(parser.parse('取消订单钱多久能退回来').primary).toBe('cancel_order');
    expect(parser.parse('货没发全啊').intents.map((i) => i.id)).toEqual(['missing_item']);
    expect(parser.parse('收件人要换成我弟弟').intents.map((i) => i.id)).toEqual(['change_order']);
  });

  it('a request said not to be wanted is dropped (「不要补偿」, 「我没说要退货」, 「不用转人工」); 「不补偿吗」 still asks', () => {
    const parser = fixedParser({
      我没说要退货我是要换货: { return_refund: 0.9, exchange: 0.6 },
      我不是要投诉就是问问: { complaint: 0.8, quality_issue: 0.2 },
      不用转人工我自己查吧: { human_agent: 0.9 },
      不补偿吗: { compensation: 0.99 },
      不是说好退款吗: { refund_only: 0.9 },
      不要换货直接退款: { exchange: 0.8, refund_only: 0.9 },
    });
    const exchange = parser.parse('我没说要退货我是要换货');
    expect(exchange.intents.map((i) => i.id)).toEqual(['exchange']);
    expect(exchange.notes).toContain('negated:return_refund');
    expect(parser.parse('我不是要投诉就是问问').primary).toBe('other');
    expect(parser.parse('不用转人工我自己查吧').primary).toBe('other');
    expect(parser.parse('不补偿吗').primary).toBe('compensation');
    expect(parser.parse('不是说好退款吗').primary).toBe('refund_only');
    expect(parser.parse('不要换货直接退款').intents.map((i) => i.id)).toEqual(['refund_only']);
  });

  it('a typo reads as the word meant (「退获」 is 退货, 「取肖」 is 取消); the parse keeps what the customer wrote', () => {
    const parser = fixedParser({ 退货地址发我: { return_info: 0.99 }, 订单取消一下: { cancel_order: 0.99 } });
    const address = parser.parse('退获地址发我');
    expect(address.primary).toBe('return_info');
    expect(address.text).toBe('退获地址发我');
    expect(parser.parse('定单取肖一下').primary).toBe('cancel_order');
  });

  it('12315 is a complaint that goes straight to a manager', () => {
    const p = miniTrainedParser().parse('再不处理我就打12315');
    expect(p.primary).toBe('complaint');
    expect(p.escalateToManager).toBe(true);
    expect(p.urgency.cues).toContain('12315');
  });
});

describe('urgency', () => {
  const parser = fixedParser({ 在吗: { other: 0.9 }, 不急慢慢来: { other: 0.9 } });

  it('is raised by repeated contact and VIP status given by the caller', () => {
    expect(parser.parse('在吗', { repeatContacts: 3, vip: true }).urgency).toEqual({
      level: 'high',
      cues: ['重复联系', 'VIP客户'],
    });
    expect(parser.parse('在吗').urgency).toEqual({ level: 'normal', cues: [] });
  });

  it('ignores 急 inside 不急', () => {
    expect(parser.parse('不急慢慢来').urgency.level).toBe('normal');
  });
});

describe('clarifying questions', () => {
  const parser = fixedParser({
    这个不太合适: { return_refund: 0.45, exchange: 0.4 },
    嗯嗯那个: { other: 0.2 },
    发错了还少了一件: { wrong_item: 0.9, missing_item: 0.88 },
  });

  it('asks when two confusable labels tie', () => {
    const p = parser.parse('这个不太合适');
    expect(p.clarify).toEqual({ question: '请问您是想退货退款，还是换货？', options: ['return_refund', 'exchange'] });
  });

  it('falls back to a general question when nothing is likely', () => {
    const p = parser.parse('嗯嗯那个');
    expect(p.clarify?.question).toContain('抱歉，我没太理解您的意思');
    expect(p.confidence).toBe(0.2);
  });

  it('does not ask when both labels are clearly present', () => {
    expect(parser.parse('发错了还少了一件').clarify).toBeUndefined();
  });
});

describe('bad input never crashes', () => {
  const parser = miniTrainedParser();

  it.each([
    ['empty', ''],
    ['emoji only', '😡😡😡'],
    ['binary', '\u0000\u0001\u0002\uFFFD\u0007abc'],
    ['10,000 characters', '退款'.repeat(5000)],
  ])('%s', (_name, text) => {
    const p = parser.parse(text);
    expect(p.text).toBe(text);
    expect(typeof p.primary).toBe('string');
    expect(p.confidence).toBeGreaterThanOrEqual(0);
    expect(p.confidence).toBeLessThanOrEqual(1);
  });

  it('an empty message is asked about, not guessed', () => {
    const p = parser.parse('   ');
    expect(p.primary).toBe('other');
    expect(p.clarify?.question).toContain('请问');
  });

  it('notes a truncated long paste', () => {
    expect(parser.parse('退'.repeat(10_000)).notes).toContain('truncated:2000');
  });

  it('reads full-width digits and traditional characters', () => {
    const p = parser.parse('貨到了 單號ＳＦ１２３４５６７８９０１２３ 轉人工');
    expect(p.entities).toContainEqual(expect.objectContaining({ type: 'trackingNo', value: 'SF1234567890123' }));
    expect(p.intents.map((i) => i.id)).toContain('human_agent');
  });
});
