import { describe, expect, it } from 'vitest';
import { createMessageHandler, type TicketHandling } from '../../src/app/handle-message.ts';
import type { StoredDelivery } from '../../src/app/ports.ts';
import type { ConversationMemory } from '../../src/nlu/context.ts';
import type { Parse } from '../../src/nlu/contract.ts';
import type { Sender } from '../../src/store/identities.repo.ts';

/** What the classifier would say of "转人工": a person is asked for. */
const humanAgent = (text: string): Parse => ({
  text,
  intents: [{ id: 'human_agent', score: 1 }],
  primary: 'human_agent',
  entities: [],
  urgency: { level: 'normal', cues: [] },
  confidence: 1,
  notes: [],
  escalateToManager: false,
});

const delivery: StoredDelivery = {
  id: 'd1',
  channel: 'wecom_kf',
  platformMsgId: 'm1',
  userRef: 'wmA',
  role: 'customer',
  text: '转人工',
  replyContext: { open_kfid: 'wkSHOP' },
  status: 'processing',
  attempts: 1,
  receivedAt: new Date(),
};

/**
 * The message handler for customer cust1, whose classifier says `parse` and whose conversation state is kept in
 * memory (the context resolver passes messages through as parsed); `extra` adds the dependencies a test needs.
 */
function customerHandler(
  parse: (text: string) => Parse,
  tickets: TicketHandling,
  extra: Partial<Parameters<typeof createMessageHandler>[0]> = {},
) {
  const memory = new Map<string, ConversationMemory>();
  return createMessageHandler({
    resolveSender: async (): Promise<Sender> => ({ kind: 'customer', id: 'cust1', role: 'customer' }),
    parser: { parse } as never,
    resolveContext: (p, mem) => ({ parse: p, memory: mem ?? { version: 1 } }),
    memory: { load: async (k) => memory.get(k), save: async (k, m) => void memory.set(k, m) },
    recordParse: async () => {},
    tickets,
    ...extra,
  });
}

/** The handler with a fake ticket side that records what it was told, at work or not. */
function handler(atWork: boolean, handoffAfterHours = false) {
  const told: Parameters<TicketHandling['onCustomerMessage']>[1][] = [];
  const tickets: TicketHandling = {
    async onCustomerMessage(_input, opts) {
      told.push(opts);
      return { text: opts?.afterHours ? '工单 #7（下班后）' : '工单 #7（转接中）' };
    },
    onFollowUp: async () => undefined,
    onStaffMessage: async () => undefined,
  };
  const respond = customerHandler(humanAgent, tickets, {
    atWork: () => atWork,
    serviceHours: () => '人工客服工作时间：…下次上班是 明天 09:00。',
    handoffAfterHours,
  });
  return { respond, told };
}

describe('asking for a person (转人工) and the service hours', () => {
  it('at work: the reply hands the conversation over (微信客服 queues it for a person)', async () => {
    const { respond, told } = handler(true);
    const [reply] = await respond(delivery);
    expect(reply).toMatchObject({ text: '工单 #7（转接中）', handoff: true });
    expect(told[0]?.afterHours).toBe(false);
  });

  it('after hours: no hand-over (nobody would pick it up, and the bot would have to stay silent); the ticket says so', async () => {
    const { respond, told } = handler(false);
    const [reply] = await respond(delivery);
    expect(reply?.handoff).toBeUndefined();
    // …and when people are next in, from the service calendar.
    expect(reply?.text).toBe('工单 #7（下班后）\n人工客服工作时间：…下次上班是 明天 09:00。');
    expect(told[0]?.afterHours).toBe(true);
  });

  it('after hours, a complaint keeps the deadline its ticket gives: no service hours beside it to contradict it', async () => {
    const complaint = (text: string): Parse => ({
      ...humanAgent(text),
      intents: [{ id: 'complaint', score: 0.95 }],
      primary: 'complaint',
      escalateToManager: true,
    });
    const tickets: TicketHandling = {
      onCustomerMessage: async () => ({ text: '工单 #8（投诉），客服会在 12/1 01:40 前联系您。' }),
      onFollowUp: async () => undefined,
      onStaffMessage: async () => undefined,
    };
    const respond = customerHandler(complaint, tickets, {
      atWork: () => false,
      serviceHours: () => '人工客服工作时间：…下次上班是 明天 09:00。',
    });
    const [reply] = await respond({ ...delivery, text: '我要投诉 再不处理就去12315' });
    expect(reply?.text).toBe('工单 #8（投诉），客服会在 12/1 01:40 前联系您。');
    expect(reply?.handoff).toBeUndefined();
  });

  it('after hours, 转人工 on a ticket whose reply names its deadline gets no service hours beside it', async () => {
    const tickets: TicketHandling = {
      onCustomerMessage: async () => ({
        text: '您的工单 #9 目前状态：待处理。客服最晚 12/1 00:13 前联系您。',
        promised: true,
      }),
      onFollowUp: async () => undefined,
      onStaffMessage: async () => undefined,
    };
    const respond = customerHandler(humanAgent, tickets, {
      atWork: () => false,
      serviceHours: () => '人工客服工作时间：…下次上班是 明天 09:00。',
    });
    const [reply] = await respond(delivery);
    expect(reply?.text).toBe('您的工单 #9 目前状态：待处理。客服最晚 12/1 00:13 前联系您。');
  });

  it('after hours with WECOM_KF_HANDOFF_AFTER_HOURS: handed over as during the day', async () => {
    const { respond } = handler(false, true);
    const [reply] = await respond(delivery);
    expect(reply).toMatchObject({ handoff: true });
  });
});

describe('a message that only says OK', () => {
  const other = (text: string): Parse => ({ ...humanAgent(text), intents: [], primary: 'other', confidence: 0.3 });
  /** The handler with `open` tickets under way; `opened` counts the tickets it would open. */
  function okHandler(open: { id: number; problem: string; problemZh: string; statusZh: string }[], parse = other) {
    const counts = { opened: 0 };
    const tickets: TicketHandling = {
      // Like the real service: a problem opens a ticket, small talk does not.
      onCustomerMessage: async (input) => {
        if (input.parse.primary === 'other') return undefined;
        counts.opened++;
        return { text: '已为您登记售后工单 #9' };
      },
      onFollowUp: async () => undefined,
      onStaffMessage: async () => undefined,
      openTickets: async () => open,
    };
    const respond = customerHandler(parse, tickets, {
      smalltalk: { thanks: ['谢谢'], okay: ['好的', '嗯嗯', 'ok', '收到'] },
    });
    const say = async (text: string) => (await respond({ ...delivery, text }))[0]?.text;
    return { say, counts };
  }

  it('with tickets under way: they are named, and the result will reach the customer', async () => {
    const { say } = okHandler([{ id: 12, problem: 'damaged', problemZh: '商品破损', statusZh: '处理中' }]);
    expect(await say('好的')).toBe('好的～工单 #12（商品破损）有结果会第一时间告诉您。');
    expect(await say('OK!')).toBe('好的～工单 #12（商品破损）有结果会第一时间告诉您。');
    expect(await say('👍')).toBe('好的～工单 #12（商品破损）有结果会第一时间告诉您。');
  });

  it('with nothing under way: a plain OK, not the greeting; a longer message is not an OK', async () => {
    const { say } = okHandler([]);
    expect(await say('嗯嗯。')).toBe('好的，有需要随时找我～');
    expect(await say('好的我再看看别的')).toMatch(/^您好，我是售后助手/);
  });

  it('whatever the classifier guesses for it: 「收到」 alone opens no ticket', async () => {
    const damaged = (text: string): Parse => ({
      ...humanAgent(text),
      intents: [{ id: 'damaged', score: 0.55 }],
      primary: 'damaged',
    });
    const { say, counts } = okHandler([], damaged);
    expect(await say('收到')).toBe('好的，有需要随时找我～');
    expect(counts.opened).toBe(0);
    expect(await say('收到就是碎的')).toBe('已为您登记售后工单 #9');
    expect(counts.opened).toBe(1);
  });
});

describe('rating a resolved ticket', () => {
  it('a tapped choice names its ticket; typed words rate without one; other words are no rating', async () => {
    const asked: { level: string; ticketId?: number }[] = [];
    const tickets: TicketHandling = {
      onCustomerMessage: async () => undefined,
      onFollowUp: async () => undefined,
      onStaffMessage: async () => undefined,
      onRating: async (_input, rating) => {
        asked.push(rating);
        return { text: '感谢您的评价' };
      },
    };
    const other = (text: string): Parse => ({ ...humanAgent(text), intents: [], primary: 'other' });
    const respond = customerHandler(other, tickets, {
      smalltalk: { thanks: [], ratings: { good: ['满意'], okay: ['一般'], bad: ['不满意'] } },
    });
    // The tap on an older ticket's notice: its words say 一般, the menu id says which ticket.
    await respond({ ...delivery, text: '一般', replyContext: { open_kfid: 'wkSHOP', menu_id: 'rate_7_okay' } });
    await respond({ ...delivery, text: '不满意！', replyContext: { open_kfid: 'wkSHOP' } });
    await respond({ ...delivery, text: '还不错吧', replyContext: { open_kfid: 'wkSHOP' } });
    // A particle at the end is still the rating (「还行吧」 once reopened the ticket instead).
    await respond({ ...delivery, text: '一般吧～', replyContext: { open_kfid: 'wkSHOP' } });
    expect(asked).toEqual([{ level: 'okay', ticketId: 7 }, { level: 'bad' }, { level: 'okay' }]);
  });
});

describe('a message only about photos the customer sent', () => {
  /** What the classifier once made of 「照片发给你们了，你们看一下」: a complaint. */
  const complaint = (text: string): Parse => ({
    ...humanAgent(text),
    intents: [{ id: 'complaint', score: 0.52 }],
    primary: 'complaint',
  });
  function photoHandler(openTicket: boolean) {
    const seen = { opened: 0, noted: [] as string[] };
    const tickets: TicketHandling = {
      onCustomerMessage: async () => {
        seen.opened++;
        return { text: '已为您登记售后工单 #9（投诉）' };
      },
      onFollowUp: async (input, opts) => {
        if (!openTicket) return undefined;
        // The words are no matter of their own: the ticket the customer is in takes them, as a note.
        expect(opts).toMatchObject({ chase: false, anyProblem: true });
        seen.noted.push(`${input.parse.primary}:${input.delivery.text}`);
        return { text: '收到，已补充到工单 #3，处理的同事会看到。' };
      },
      onStaffMessage: async () => undefined,
      onCustomerMedia: async () => (openTicket ? { text: '收到您的图片，已补充到工单 #3' } : undefined),
      openTickets: async () =>
        openTicket ? [{ id: 3, problem: 'damaged', problemZh: '商品破损', statusZh: '待处理' }] : [],
    };
    const respond = customerHandler(complaint, tickets, {
      questionWords: ['吗'],
      fillerWords: ['你们', '麻烦', '吗'],
      evidence: { media: ['照片', '图片', '图'], words: ['发给', '发的', '发', '看一下', '收到', '了', '我'] },
    });
    let n = 0;
    const say = async (text: string) => (await respond({ ...delivery, id: `d${++n}`, text }))[0]?.text;
    const photo = async () =>
      (await respond({ ...delivery, id: `d${++n}`, text: '', media: { kind: 'image' } }))[0]?.text;
    return { say, photo, seen };
  }

  it('is noted on the open ticket, whatever the classifier guessed; a problem written with it still opens one', async () => {
    const { say, seen } = photoHandler(true);
    expect(await say('照片发给你们了，你们看一下')).toBe('收到，已补充到工单 #3，处理的同事会看到。');
    expect(seen).toEqual({ opened: 0, noted: ['other:照片发给你们了，你们看一下'] });
    expect(await say('杯子碎了，照片发给你们了')).toBe('已为您登记售后工单 #9（投诉）');
    expect(seen.opened).toBe(1);
  });

  it('「收到我发的图片了吗」 is answered truthfully: not seen before a photo came, noted after', async () => {
    const { say, photo, seen } = photoHandler(true);
    expect(await say('收到我发的图片了吗')).toMatch(/^暂时还没看到您发的图片或视频.*会补充到工单 #3/);
    expect(seen.noted).toEqual([]);
    expect(await photo()).toBe('收到您的图片，已补充到工单 #3');
    expect(await say('收到我发的图片了吗')).toBe('收到，已补充到工单 #3，处理的同事会看到。');
    expect(seen.opened).toBe(0);
  });

  it('with no ticket: asked what happened, no ticket opened on the guess', async () => {
    const { say, seen } = photoHandler(false);
    expect(await say('图片发了')).toMatch(/^暂时还没看到您发的图片或视频.*说说遇到了什么问题/);
    expect(seen.opened).toBe(0);
  });
});

describe('asking who answers, and questions before buying', () => {
  /** The parse the classifier might give: `primary` at `confidence`. */
  const guess =
    (primary: string, confidence: number) =>
    (text: string): Parse => ({
      ...humanAgent(text),
      intents: [{ id: primary, score: confidence }],
      primary,
      confidence,
    });
  function botHandler(parse: (text: string) => Parse) {
    const seen = { tickets: 0, handoffs: 0 };
    const tickets: TicketHandling = {
      onCustomerMessage: async () => {
        seen.tickets++;
        return { text: '已为您登记售后工单 #9' };
      },
      onFollowUp: async () => undefined,
      onStaffMessage: async () => undefined,
    };
    const respond = customerHandler(parse, tickets, {
      atWork: () => true,
      questionWords: ['吗'],
      fillerWords: ['你们', '吗'],
      smalltalk: {
        thanks: [],
        bot: { ask: ['机器人', '真人', '人工'], words: ['在', '回复', '是', '你'] },
        presales: ['尺码表', '有货吗'],
      },
    });
    const say = async (text: string) => {
      const [r] = await respond({ ...delivery, text });
      if (r?.handoff) seen.handoffs++;
      return r?.text;
    };
    return { say, seen };
  }

  it('「你们是机器人吗」 is answered with how to reach a person, not handed over with a ticket; 「人工」 still is', async () => {
    const { say, seen } = botHandler(guess('human_agent', 0.88));
    expect(await say('你们是机器人吗')).toMatch(/^我是售后助手（智能机器人）.*回复「转人工」就行。$/);
    expect(await say('是真人在回复吗？')).toMatch(/^我是售后助手（智能机器人）/);
    expect(seen).toEqual({ tickets: 0, handoffs: 0 });
    expect(await say('人工')).toBe('已为您登记售后工单 #9');
    expect(seen).toEqual({ tickets: 1, handoffs: 1 });
  });

  it('「尺码表在哪看」 is pointed to the product page; with a clear after-sales request it is that request', async () => {
    const unsure = botHandler(guess('logistics_query', 0.43));
    expect(await unsure.say('尺码表在哪看')).toMatch(
      /^商品的尺码、库存、材质、用法洗护、正品防伪和优惠，请以商品详情页为准/,
    );
    const exchange = botHandler(guess('exchange', 0.9));
    expect(await exchange.say('还有货吗 我想换个颜色')).toBe('已为您登记售后工单 #9');
  });
});
