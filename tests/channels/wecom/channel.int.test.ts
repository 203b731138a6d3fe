import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../../src/channels/channel.ts';
import type { SendBudget } from '../../../src/channels/outbound/budget-store.ts';
import { createWecomClients, syncKf, type WecomChannel } from '../../../src/channels/wecom/index.ts';
import { FakeWecomServer } from '../../support/fake-wecom-server.ts';
import { fakeWecomChannel, MemoryCursorStore, MemoryIngest, testRedis } from './helpers.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
let fake: FakeWecomServer;
let redis: Redis;
let prefix: string;
let cleanup: () => Promise<void>;
let channel: WecomChannel;
let budget: SendBudget;

beforeEach(async () => {
  fake = await new FakeWecomServer().start();
  ({ redis, prefix, cleanup } = await testRedis());
  ingest = new MemoryIngest();
  cursors = new MemoryCursorStore();
  ({ budget, channel } = fakeWecomChannel(fake, redis, prefix, {
    groupWebhooks: {
      managers: fake.webhookUrl('KEY-MGR'),
      staff: fake.webhookUrl('KEY-STAFF'),
      wrGRP: fake.webhookUrl('KEY-GRP'),
    },
    staffGroup: 'staff',
  }));
});
afterEach(async () => {
  await channel.stop();
  await fake.stop();
  await cleanup();
});

/** The bot pulls what kf has for the callback `token`, as the kf sync job does. */
async function pull(token: string) {
  const { api: _unused, kfApi } = createWecomClients({
    baseUrl: fake.baseUrl,
    redis,
    corpId: 'wwcorp',
    secret: 'app-secret',
    kfSecret: 'kf-secret',
    keyPrefix: prefix,
  });
  await syncKf({
    client: kfApi,
    cursors,
    ingest: ingest.ingest,
    openKfId: 'wkSHOP',
    token,
    onCustomerMessage: async (m) => budget.noteCustomerMessage('wkSHOP', m.userRef, m.sentAt?.getTime() ?? fake.nowMs),
  });
}

/** The customer writes in kf and the bot pulls it. */
const customerWrites = (text: string) => pull(fake.customerWrites('wkSHOP', 'wmVIP', text));

let ingest: MemoryIngest;
let cursors: MemoryCursorStore;
let seq = 0;
const kfMessage = (text: string, kind: OutboundMessage['kind'] = 'reply'): OutboundMessage => ({
  channel: 'wecom_kf',
  target: { userRef: 'wmVIP' },
  kind,
  text,
  replyContext: { open_kfid: 'wkSHOP' },
  dedupeKey: `kf-${++seq}`,
});
const robotSaw = (key: string) => fake.robotMessages.filter((m) => m.key === key).map((m) => m.content);

describe('微信客服 replies', () => {
  it('a reply reaches the customer', async () => {
    await customerWrites('我的退款到哪了');
    expect(await channel.send(kfMessage('您的退款已在处理中，预计 1-3 个工作日到账。'))).toMatchObject({
      status: 'sent',
    });
    expect(fake.kfSent.map((s) => s.content)).toEqual(['您的退款已在处理中，预计 1-3 个工作日到账。']);
  });

  it('a push with no open_kfid (a resolution notice) goes to the kf account the customer last wrote to', async () => {
    await customerWrites('杯子碎了');
    const push: OutboundMessage = { ...kfMessage('您的工单 #3 已处理完成。', 'push'), replyContext: undefined };
    expect(await channel.send(push)).toMatchObject({ status: 'sent' });
    expect(fake.kfSent).toEqual([expect.objectContaining({ open_kfid: 'wkSHOP', touser: 'wmVIP' })]);
  });

  it('a long Chinese reply is split by bytes (≤ 2048 each), in order, nothing lost', async () => {
    await customerWrites('物流详情');
    const text = '物流轨迹：包裹已到达杭州转运中心，正在发往下一站。'.repeat(70);
    const result = await channel.send(kfMessage(text));
    expect(result.platformIds).toHaveLength(3);
    expect(fake.kfSent.every((s) => Buffer.byteLength(s.content) <= 2048)).toBe(true);
    expect(fake.kfSent.map((s) => s.content).join('')).toBe(text);
  });

  it('markdown is flattened for kf, which shows text only', async () => {
    await customerWrites('怎么退货');
    await channel.send({ ...kfMessage(''), markdown: '### 退货步骤\n1. **申请退货**\n2. 寄回 [地址](https://x.cn)' });
    expect(fake.kfSent[0]?.content).toBe('退货步骤\n1. 申请退货\n2. 寄回 地址（https://x.cn）');
  });

  it('a customer who opens the chat gets one welcome menu through send_msg_on_event, outside the 5-message budget', async () => {
    await pull(fake.customerEnters('wkSHOP', 'wmVIP'));
    const entered = ingest.rows[0];
    expect(entered?.event).toBe('session_start');
    const welcome: OutboundMessage = {
      ...kfMessage('您好\n· 我的快递到哪了\n· 转人工客服'),
      replyContext: entered?.replyContext,
      choices: {
        head: '您好，请直接说问题，或点一下：',
        items: [
          { id: 'welcome_logistics', label: '我的快递到哪了' },
          { id: 'welcome_human', label: '转人工客服' },
        ],
        tail: '人工客服工作时间：周一至周五 09:00–18:00',
      },
    };
    expect(await channel.send(welcome)).toMatchObject({ status: 'sent' });
    expect(await channel.send(welcome)).toMatchObject({ status: 'sent' }); // a retried job: same dedupeKey
    expect(fake.kfSent).toEqual([
      expect.objectContaining({
        touser: 'wmVIP',
        via: 'event',
        msgtype: 'msgmenu',
        content: '您好，请直接说问题，或点一下：\n我的快递到哪了\n转人工客服\n人工客服工作时间：周一至周五 09:00–18:00',
        menu: [
          { id: 'welcome_logistics', content: '我的快递到哪了' },
          { id: 'welcome_human', content: '转人工客服' },
        ],
      }),
    ]);
    // The customer taps an answer, which WeCom sends as their message; all five replies it allows still go out.
    await customerWrites('我的快递到哪了');
    for (let i = 1; i <= 5; i++) await channel.send(kfMessage(`回复 ${i}`));
    expect(fake.kfSent.filter((s) => s.via !== 'event').map((s) => s.content)).toEqual([
      '回复 1',
      '回复 2',
      '回复 3',
      '回复 4',
      '回复 5',
    ]);
  });

  it('a welcome code older than 20 s: no greeting, nothing sent to staff, the next reply is unaffected', async () => {
    await pull(fake.customerEnters('wkSHOP', 'wmVIP'));
    fake.advance(21_000);
    const result = await channel.send({ ...kfMessage('您好'), replyContext: ingest.rows[0]?.replyContext });
    expect(result).toMatchObject({ status: 'failed', error: expect.stringContaining('会话事件消息未发出') });
    expect(fake.kfSent).toEqual([]);
    expect(robotSaw('KEY-STAFF')).toEqual([]);
    await customerWrites('在吗');
    expect(await channel.send(kfMessage('在的，请说'))).toMatchObject({ status: 'sent' });
  });

  it('choices on a reply become a kf menu; choices kf cannot show (over 10) leave the text', async () => {
    await customerWrites('我要退货');
    const items = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `opt${i}`, label: `选项${i + 1}` }));
    await channel.send({ ...kfMessage('请问是哪一单？'), choices: { head: '请问是哪一单？', items: items(2) } });
    await channel.send({
      ...kfMessage('请问是哪一单？（共 11 单，请发订单号）'),
      choices: { head: '请问是哪一单？', items: items(11) },
    });
    expect(fake.kfSent.map((s) => [s.msgtype, s.content])).toEqual([
      ['msgmenu', '请问是哪一单？\n选项1\n选项2'],
      ['text', '请问是哪一单？（共 11 单，请发订单号）'],
    ]);
  });

  it('VIP updates every 15 min for 2 h never exceed the 5-message budget; after 48 h silence they go to staff', async () => {
    await customerWrites('加急！什么时候发货');
    await channel.send(kfMessage('已为您加急，有进展会第一时间通知您。'));
    const results = [];
    for (let t = 15; t <= 120; t += 15) {
      fake.advance(15 * MIN);
      await channel.flushDue();
      results.push(await channel.send(kfMessage(`进展：仓库处理中（第 ${t} 分钟）`, 'push')));
    }
    for (let i = 0; i < 12; i++) {
      fake.advance(5 * MIN);
      await channel.flushDue();
    }
    expect(fake.kfSent.length).toBeLessThanOrEqual(4);
    expect(fake.kfSent.some((s) => s.content.startsWith('【进展汇总】'))).toBe(true);
    expect(results.filter((r) => r.status === 'deferred').length).toBeGreaterThan(0);
    // The reserved fifth send still answers the customer's next question.
    expect(await channel.send(kfMessage('您的包裹已发出，单号 SF123。'))).toMatchObject({ status: 'sent' });
    expect(fake.kfSent).toHaveLength(5);
    fake.advance(48 * HOUR);
    expect(await channel.send(kfMessage('进展：已签收', 'push'))).toMatchObject({ status: 'rerouted' });
    expect(robotSaw('KEY-STAFF').at(-1)).toContain('客户超过 48 小时未发言');
    expect(robotSaw('KEY-STAFF').at(-1)).toContain('进展：已签收');
    expect(fake.kfSent).toHaveLength(5);
  });

  it('what a person writes for the customer goes out at once, where an automatic update would wait its turn', async () => {
    await customerWrites('发货了吗');
    expect(await channel.send(kfMessage('进展：仓库已拣货', 'push'))).toMatchObject({ status: 'sent' });
    expect(await channel.send(kfMessage('进展：已打包', 'push'))).toMatchObject({ status: 'deferred' });
    const personal = { ...kfMessage('【工单 #3】今天下午发出，单号晚点发您', 'push'), personal: true };
    expect(await channel.send(personal)).toMatchObject({ status: 'sent' });
    expect(fake.kfSent.map((m) => m.content)).toEqual(['进展：仓库已拣货', '【工单 #3】今天下午发出，单号晚点发您']);
  });

  it('a keep-alive may use the send kept back from pushes, and is never rerouted to staff', async () => {
    await customerWrites('杯子碎了');
    const wroteAt = Math.floor(fake.nowMs / 1000) * 1000; // kf send_time is in seconds
    for (let i = 1; i <= 4; i++) await channel.send(kfMessage(`回复 ${i}`));
    expect(await budget.kfWindow('wmVIP')).toEqual({
      openKfId: 'wkSHOP',
      lastCustomerAt: wroteAt,
      sentSinceCustomer: 4,
    });
    // One send left: a push may not take it (it is the reserve), a keep-alive may.
    expect(await channel.send(kfMessage('进展：仓库处理中', 'push'))).toMatchObject({ status: 'rerouted' });
    const notes = robotSaw('KEY-STAFF').length;
    const keepalive = { ...kfMessage('回复任意一句，处理结果出来就能第一时间告诉您。', 'push'), keepalive: true };
    expect(await channel.send(keepalive)).toMatchObject({ status: 'sent' });
    // Nothing left, then the window closed: the keep-alive does not go out, and staff are not told.
    expect(await channel.send({ ...keepalive, dedupeKey: 'ka-2' })).toMatchObject({ status: 'failed' });
    fake.advance(48 * HOUR);
    expect(await channel.send({ ...keepalive, dedupeKey: 'ka-3' })).toMatchObject({ status: 'failed' });
    expect(fake.kfSent.map((m) => m.content).at(-1)).toBe('回复任意一句，处理结果出来就能第一时间告诉您。');
    expect(fake.kfSent).toHaveLength(5);
    expect(robotSaw('KEY-STAFF')).toHaveLength(notes);
  });

  it('a keep-alive to a customer a person is serving is withheld without a staff note', async () => {
    await customerWrites('你好');
    fake.serviceStates.set('wkSHOP/wmVIP', 3);
    expect(await channel.send(kfMessage('您好'))).toMatchObject({ status: 'withheld' }); // 95018: now known
    const keepalive = { ...kfMessage('回复任意一句', 'push'), keepalive: true };
    expect(await channel.send(keepalive)).toMatchObject({ status: 'withheld' });
    expect(fake.kfSent).toEqual([]);
    expect(robotSaw('KEY-STAFF')).toEqual([]);
  });

  it('while a person serves the customer the bot keeps quiet; staff text for the customer goes to the staff group', async () => {
    await customerWrites('你好');
    fake.serviceStates.set('wkSHOP/wmVIP', 3); // a 接待人员 took the session in their own client
    await customerWrites('我的快递到哪了');
    // The platform refuses (95018): the automatic reply is withheld, and nobody is bothered about it.
    expect(await channel.send(kfMessage('您的包裹在杭州转运中心'))).toMatchObject({ status: 'withheld' });
    await customerWrites('还有发票');
    const sendsBefore = fake.received.filter((r) => r.path.endsWith('kf/send_msg')).length;
    expect(await channel.send(kfMessage('发票会随包裹寄出'))).toMatchObject({ status: 'withheld' });
    // Known to be with a person: no doomed send_msg, one service_state/get to confirm.
    expect(fake.received.filter((r) => r.path.endsWith('kf/send_msg'))).toHaveLength(sendsBefore);
    expect(fake.kfSent).toEqual([]);
    expect(robotSaw('KEY-STAFF')).toEqual([]);
    // What staff wrote for the customer (回复 #N, a progress update) must not vanish: it goes to the staff group.
    expect(await channel.send(kfMessage('退款已到账', 'push'))).toMatchObject({ status: 'rerouted' });
    expect(robotSaw('KEY-STAFF').at(-1)).toContain('人工客服接待');
    expect(robotSaw('KEY-STAFF').at(-1)).toContain('退款已到账');
    // The person ends the session; the customer's next message is the bot's again.
    fake.serviceStates.set('wkSHOP/wmVIP', 4);
    await customerWrites('再问一下，什么时候到');
    expect(await channel.send(kfMessage('预计明天送达'))).toMatchObject({ status: 'sent' });
    expect(fake.kfSent.map((s) => s.content)).toEqual(['预计明天送达']);
  });

  it('after the bot hands over, the customer waiting in the queue gets no further bot replies', async () => {
    await customerWrites('转人工');
    expect(await channel.send({ ...kfMessage('好的，正在为您转接人工客服'), handoff: true })).toMatchObject({
      status: 'sent',
    });
    await customerWrites('人呢？');
    expect(await channel.send({ ...kfMessage('正在为您转接'), handoff: true })).toMatchObject({ status: 'withheld' });
    expect(fake.kfSent.map((s) => s.content)).toEqual(['好的，正在为您转接人工客服']);
    expect(fake.received.filter((r) => r.path.endsWith('service_state/trans'))).toHaveLength(1);
  });

  it('a hand-off reply is sent, then the session is queued for a person; already with one (95016) is fine', async () => {
    await customerWrites('转人工');
    const result = await channel.send({ ...kfMessage('好的，正在为您转接人工客服'), handoff: true });
    expect(result).toMatchObject({ status: 'sent' });
    expect(fake.serviceStates.get('wkSHOP/wmVIP')).toBe(2);
    // Asked again, in a state that cannot move to the queue (e.g. the session just ended): no alarm.
    await customerWrites('人呢');
    fake.serviceStates.set('wkSHOP/wmVIP', 1);
    fake.script('kf/service_state/trans', { errcode: 95016, errmsg: 'invalid service state transition' });
    expect(await channel.send({ ...kfMessage('正在转接'), handoff: true })).toMatchObject({ status: 'sent' });
    expect(robotSaw('KEY-STAFF')).toEqual([]);
  });

  it('the hand-off happens even when the reply itself cannot go out (the 5-message budget is spent)', async () => {
    await customerWrites('东西坏了');
    for (let i = 1; i <= 5; i++) await channel.send(kfMessage(`第 ${i} 条回复`));
    expect(fake.kfSent).toHaveLength(5);
    const result = await channel.send({ ...kfMessage('好的，正在为您转接人工客服'), handoff: true });
    expect(result.status).toBe('rerouted'); // the text goes to the staff group instead
    expect(fake.kfSent).toHaveLength(5);
    expect(fake.serviceStates.get('wkSHOP/wmVIP')).toBe(2); // but the customer is in the human queue
  });

  it('when the hand-off call fails, the staff group is asked to take the customer over by hand', async () => {
    await customerWrites('我要人工客服');
    fake.script('kf/service_state/trans', { errcode: 95000, errmsg: 'system error' });
    expect(await channel.send({ ...kfMessage('好的，正在为您转接人工客服'), handoff: true })).toMatchObject({
      status: 'sent',
    });
    expect(fake.kfSent.map((s) => s.content)).toEqual(['好的，正在为您转接人工客服']);
    const note = robotSaw('KEY-STAFF').at(-1) ?? '';
    expect(note).toContain('转人工未成功');
    expect(note).toContain('wmVIP');
  });

  it('a dedupeKey is sent once, even when send() is called twice', async () => {
    await customerWrites('在吗');
    const message = kfMessage('在的，请问有什么可以帮您？');
    const first = await channel.send(message);
    expect(await channel.send(message)).toEqual(first);
    expect(fake.kfSent).toHaveLength(1);
  });

  it('transient failure (502 ×3) is thrown for the job to retry; the retry sends exactly once', async () => {
    await customerWrites('你好');
    await channel.send(kfMessage('预热'));
    fake.script('kf/send_msg', { status: 502 }, { status: 502 }, { status: 502 });
    const message = kfMessage('稍等，马上为您查询');
    await expect(channel.send(message)).rejects.toMatchObject({ details: { transient: true } });
    expect(await channel.send(message)).toMatchObject({ status: 'sent' });
    expect(fake.kfSent.map((s) => s.content)).toEqual(['预热', '稍等，马上为您查询']);
  });
});

describe('staff and managers', () => {
  it('an escalation card reaches the manager with ack buttons; a long body is sent in full first', async () => {
    const body = `工单 #T1 已超时 2 小时未处理。${'客户反复催促，情绪激动。'.repeat(12)}`;
    const card = { title: '升级提醒：VIP 工单超时', body, buttons: [{ id: 'ack:T1:2', label: '收到' }] };
    const result = await channel.send({
      channel: 'wecom',
      target: { userRef: 'manager1' },
      kind: 'alert',
      text: body,
      card,
      dedupeKey: 'esc-T1-2',
    });
    expect(result).toMatchObject({ status: 'sent' });
    expect(fake.appMessages.map((m) => m.msgtype)).toEqual(['text', 'template_card']);
    expect(fake.appMessages[0]?.content).toContain(body);
    const sent = fake.appMessages[1]?.body as {
      template_card: { button_list: Array<{ key: string; text: string }>; main_title: { title: string } };
    };
    expect(sent.template_card.button_list).toEqual([{ key: 'ack:T1:2', text: '收到', style: 1 }]);
    expect(sent.template_card.main_title.title).toBe('升级提醒：VIP 工单超时');
    expect(fake.appMessages.every((m) => m.touser === 'manager1')).toBe(true);
  });

  it('25 alerts to the managers group in a minute: 20 delivered, then one digest, never a 45009', async () => {
    const results = [];
    for (let i = 0; i < 25; i++) {
      results.push(
        await channel.send({
          channel: 'wecom',
          target: { chatId: 'managers' },
          kind: 'alert',
          text: `工单 #T${i} 即将超时`,
          dedupeKey: `g-${i}`,
        }),
      );
    }
    expect(results.filter((r) => r.status === 'sent')).toHaveLength(20);
    expect(robotSaw('KEY-MGR')).toHaveLength(20);
    fake.advance(61_000);
    expect(await channel.flushDue()).toBe(1);
    expect(robotSaw('KEY-MGR')).toHaveLength(21);
    expect(robotSaw('KEY-MGR').at(-1)).toContain('共 5 条更新');
    expect(robotSaw('KEY-MGR').at(-1)).toContain('工单 #T24 即将超时');
  });

  it('an unknown group name fails with the config hint', async () => {
    const result = await channel.send({
      channel: 'wecom',
      target: { chatId: 'nope' },
      kind: 'push',
      text: 'x',
      dedupeKey: 'nope-1',
    });
    expect(result).toMatchObject({ status: 'failed', error: expect.stringContaining('WEBHOOK') });
  });
});

describe('智能机器人 group replies', () => {
  it('answers through response_url once; a second answer to the same message falls back to the group robot', async () => {
    const replyContext = { responseUrl: fake.responseUrl('RC1'), chatId: 'wrGRP' };
    const base = {
      channel: 'wecom_bot' as const,
      target: { chatId: 'wrGRP', userRef: 'wangwu' },
      kind: 'reply' as const,
      replyContext,
    };
    await channel.send({ ...base, text: '订单 SO777：已发货', markdown: '**订单 SO777**：已发货', dedupeKey: 'b1' });
    await channel.send({ ...base, text: '补充：预计明天送达', dedupeKey: 'b2' });
    expect(fake.botReplies).toEqual([{ responseCode: 'RC1', content: '**订单 SO777**：已发货' }]);
    expect(robotSaw('KEY-GRP')).toEqual(['补充：预计明天送达']);
  });

  it('a response_url on a foreign host is never called', async () => {
    const replyContext = { responseUrl: 'http://127.0.0.1:9/steal', chatId: 'none' };
    const result = await channel.send({
      channel: 'wecom_bot',
      target: { chatId: 'none' },
      kind: 'reply',
      text: 'x',
      replyContext,
      dedupeKey: 'b3',
    });
    expect(result.status).toBe('failed');
  });
});
