import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appXml, botTextJson, buildCallback } from '../support/fake-wecom-server.ts';
import { eventually } from '../support/service.ts';
import {
  WECOM_APP as creds,
  startWecomService,
  WECOM_AES_KEY,
  type WecomCallback,
  type WecomTestService,
} from '../support/wecom-service.ts';

/** WeCom's kf_msg_or_event push for `openKfId` with `token` (default: a fresh one): the service then pulls. */
async function pushKfEvent(svc: WecomTestService, openKfId: string, token = svc.fake.kfCallbackToken()) {
  return (await svc.postCallback(buildCallback(creds, appXml.kfEvent({ openKfId, token })))).status;
}

/** The customer writes `text` in 微信客服 and the bot answers: the ticket that answer names, and the message's msgid. */
async function kfTicket(svc: WecomTestService, openKfId: string, user: string, text: string) {
  svc.fake.customerWrites(openKfId, user, text);
  const msgid = svc.fake.kfLog.at(-1)?.msgid ?? '';
  expect(await pushKfEvent(svc, openKfId)).toBe(200);
  const [opened] = await kfSent(svc, user, 1);
  return { id: Number(/工单 #(\d+)/.exec(opened?.content ?? '')?.[1]), msgid };
}

/** What the bot sent `user` in 微信客服, once there are at least `count` messages. */
function kfSent(svc: WecomTestService, user: string, count: number) {
  return eventually(
    async () => svc.fake.kfSent.filter((m) => m.touser === user),
    (m) => m.length >= count,
    15_000,
  );
}

describe('WeCom through the running service (fake WeCom server, real PostgreSQL + Redis)', () => {
  let svc: WecomTestService;
  beforeAll(async () => {
    // Hand-overs to the kf queue whatever the hour the suite runs at (outside the service calendar's hours the
    // bot keeps the conversation by default; tests/app/handle-message.test.ts covers that).
    // Keep-alive reminders at any hour, swept every half second (the default is 8–22 China time, every 10 min).
    svc = await startWecomService({
      kf: true,
      staffGroup: true,
      env: {
        WECOM_KF_HANDOFF_AFTER_HOURS: 'true',
        WECOM_KF_KEEPALIVE_HOURS: '0-24',
        WECOM_KF_KEEPALIVE_SWEEP_MS: '500',
      },
    });
  });
  afterAll(async () => {
    await svc?.stop();
  });
  const post = async (cb: WecomCallback) => (await svc.postCallback(cb)).status;
  const kfEvent = (openKfId: string, token?: string) => pushKfEvent(svc, openKfId, token);
  /** The kf session state of `user` once the bot has moved it (e.g. 2, queued for a person). */
  const sessionState = (openKfId: string, user: string) =>
    eventually(
      async () => svc.fake.serviceStates.get(`${openKfId}/${user}`),
      (s) => s !== undefined,
      15_000,
    );
  const kfSentTo = (user: string, count: number) => kfSent(svc, user, count);

  it('a staff member messages the app: one reply through message/send, even when WeCom retries the callback', async () => {
    const xml = appXml.text({ from: 'zhangsan', content: '帮我看看快递到哪了', msgId: '7318203948571234567' });
    expect(await post(buildCallback(creds, xml))).toBe(200);
    expect(await post(buildCallback(creds, xml))).toBe(200); // WeCom's retry: new nonce, same MsgId
    const got = await eventually(
      async () => svc.fake.appMessages.filter((m) => m.touser === 'zhangsan'),
      (m) => m.length >= 1,
      15_000,
    );
    await new Promise((r) => setTimeout(r, 800));
    expect(svc.fake.appMessages.filter((m) => m.touser === 'zhangsan')).toHaveLength(1);
    expect(got[0]?.content.length).toBeGreaterThan(0);
  });

  it('a customer writes to 微信客服: the kf event pulls the message and the reply goes out through kf/send_msg', async () => {
    svc.fake.customerWrites('wkOPEN1', 'wmCUSTOMER1', '我的订单什么时候发货');
    const token = svc.fake.kfCallbackToken();
    expect(await kfEvent('wkOPEN1', token)).toBe(200);
    const sent = await kfSent(svc, 'wmCUSTOMER1', 1);
    expect(sent).toHaveLength(1);
    const cursor = await svc.db.prisma.syncCursor.findUnique({ where: { id: 'wecom_kf:wkOPEN1' } });
    expect(cursor?.cursor).toBeTruthy();
  });

  it('a photo in 微信客服 is evidence on the ticket the customer is in, and its owner hears of it', async () => {
    svc.fake.customerWrites('wkOPEN1', 'wmPHOTO1', '杯子收到就是碎的');
    expect(await kfEvent('wkOPEN1')).toBe(200);
    const opened = await kfSentTo('wmPHOTO1', 1);
    const id = Number(/工单 #(\d+)/.exec(opened[0]?.content ?? '')?.[1]);
    expect(id).toBeGreaterThan(0);
    svc.fake.customerSends('wkOPEN1', 'wmPHOTO1', 'image', { media_id: 'MEDIA_CUP_1' });
    expect(await kfEvent('wkOPEN1')).toBe(200);
    const replies = await kfSentTo('wmPHOTO1', 2);
    expect(replies[1]?.content).toBe(`收到您的图片，已补充到工单 #${id}，处理的同事会看到。`);
    const [delivery] = await svc.db.sql.query<{ payload: { media?: unknown } }>(
      `SELECT payload FROM "InboundDelivery" WHERE text = '[图片]' AND "userRef" = 'wmPHOTO1'`,
    );
    expect(delivery?.payload.media).toEqual({ kind: 'image', ref: 'MEDIA_CUP_1' });
    const notes = await svc.db.sql.query<{ reason: string }>(
      `SELECT reason FROM "TicketEvent" WHERE "ticketId" = $1 AND type = 'note'`,
      [id],
    );
    expect(notes.map((n) => n.reason)).toEqual(['顾客补充：[图片]']);
  });

  it('a customer asks 微信客服 for a person: the reply goes out, then the session joins the human queue', async () => {
    svc.fake.customerWrites('wkOPEN3', 'wmHUMAN1', '转人工');
    const token = svc.fake.kfCallbackToken();
    expect(await kfEvent('wkOPEN3', token)).toBe(200);
    const state = await sessionState('wkOPEN3', 'wmHUMAN1');
    expect(state).toBe(2); // 待接入池排队中: WeCom assigns a 接待人员
    const sent = svc.fake.kfSent.filter((m) => m.touser === 'wmHUMAN1');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.content).toMatch(/正在为您转接人工客服（工单 #\d+）/);

    // Waiting for the person, the customer writes again: it counts as a reminder on the ticket, the bot stays quiet.
    svc.fake.customerWrites('wkOPEN3', 'wmHUMAN1', '人呢？还要等多久');
    const again = svc.fake.kfCallbackToken();
    expect(await kfEvent('wkOPEN3', again)).toBe(200);
    const withheld = await eventually(
      async () =>
        svc.db.sql.query<{ status: string }>(
          `SELECT o.status FROM "OutboundMessage" o JOIN "InboundDelivery" d ON d.id = o."deliveryId"
           WHERE d.text = '人呢？还要等多久'`,
        ),
      (rows) => rows.length > 0 && rows.every((r) => r.status !== 'pending'),
      15_000,
    );
    expect(withheld.map((r) => r.status)).toEqual(['withheld']);
    const ticketNo = Number(/工单 #(\d+)/.exec(sent[0]?.content ?? '')?.[1]);
    const events = await svc.db.sql.query<{ type: string; actor: string }>(
      `SELECT type, actor FROM "TicketEvent" WHERE "ticketId" = $1 ORDER BY at`,
      [ticketNo],
    );
    expect(events.filter((e) => e.actor.startsWith('customer:')).map((e) => e.type)).toContain('reminder');
    expect(svc.fake.kfSent.filter((m) => m.touser === 'wmHUMAN1')).toHaveLength(1);
    expect(svc.fake.robotMessages.filter((m) => m.content.includes('wmHUMAN1'))).toEqual([]);

    // A 接待人员 takes the session: the customer is told who joined (sent on the event's code, as the
    // session is now a person's). Then they answer in the WeCom client: that is the ticket's first response.
    const joined = svc.fake.personTakesSession('wkOPEN3', 'wmHUMAN1', 'lisi');
    expect(await kfEvent('wkOPEN3', joined)).toBe(200);
    const [, hello] = await kfSentTo('wmHUMAN1', 2);
    expect(hello).toMatchObject({ via: 'event', content: '您好，人工客服已接入，马上为您处理。' });
    svc.fake.kfEntry({
      open_kfid: 'wkOPEN3',
      external_userid: 'wmHUMAN1',
      origin: 5,
      servicer_userid: 'lisi',
      msgtype: 'text',
      text: { content: '您好，我是售后小李，马上帮您处理' },
    });
    const synced = svc.fake.kfCallbackToken();
    expect(await kfEvent('wkOPEN3', synced)).toBe(200);
    const answered = await eventually(
      () => svc.db.prisma.ticket.findUniqueOrThrow({ where: { id: ticketNo } }),
      (t) => t.firstRespondedAt !== null,
      15_000,
    );
    expect(answered.status).toBe('in_progress');
    const reply = await svc.db.prisma.ticketEvent.findFirstOrThrow({ where: { ticketId: ticketNo, type: 'reply' } });
    expect(reply.reason).toContain('在平台上回复顾客：您好，我是售后小李');
    // The bot answers nobody: not the customer (beyond the hand-off reply and who joined), not the 接待人员.
    expect(svc.fake.kfSent.filter((m) => m.touser === 'wmHUMAN1')).toHaveLength(2);
    expect(svc.fake.appMessages.filter((m) => m.touser === 'lisi')).toEqual([]);

    // The 接待人员 ends the session: the customer hears the bot is back, and the bot answers them again
    // without first asking WeCom whether a person still has the session.
    const stateCalls = () => svc.fake.received.filter((r) => r.path === '/cgi-bin/kf/service_state/get').length;
    const callsBefore = stateCalls();
    const ended = svc.fake.personEndsSession('wkOPEN3', 'wmHUMAN1', 'lisi');
    expect(await kfEvent('wkOPEN3', ended)).toBe(200);
    const [, , back] = await kfSentTo('wmHUMAN1', 3);
    expect(back).toMatchObject({ via: 'event', content: expect.stringContaining('本次人工服务已结束') });
    svc.fake.customerWrites('wkOPEN3', 'wmHUMAN1', '我的工单怎么样了');
    expect(await kfEvent('wkOPEN3')).toBe(200);
    const [, , , status] = await kfSentTo('wmHUMAN1', 4);
    expect(status).toMatchObject({ msgtype: 'text' });
    expect(status?.content).toContain(`工单 #${ticketNo}`);
    expect(stateCalls()).toBe(callsBefore);
  });

  it('a customer opening 微信客服 is greeted once with answers to tap; a tap is answered like typed words', async () => {
    const token = svc.fake.customerEnters('wkOPEN5', 'wmHELLO1');
    const code = (svc.fake.kfLog.at(-1)?.event as { welcome_code?: string } | undefined)?.welcome_code;
    expect(code).toBeDefined();
    expect(await kfEvent('wkOPEN5', token)).toBe(200);
    expect(await kfEvent('wkOPEN5', token)).toBe(200); // a retry
    const [welcome] = await kfSentTo('wmHELLO1', 1);
    expect(welcome).toMatchObject({ via: 'event', msgtype: 'msgmenu' });
    expect(welcome?.content).toMatch(/^您好，我是售后助手/);
    expect(welcome?.content).toContain('人工客服工作时间：');
    expect(welcome?.menu?.map((i) => i.content)).toEqual([
      '我的快递到哪了',
      '催一下发货',
      '我要退款',
      '商品有质量问题',
      '转人工客服',
    ]);
    // The customer taps 转人工客服: WeCom sends its words with the item's id, and the bot hands over.
    svc.fake.customerWrites('wkOPEN5', 'wmHELLO1', '转人工客服', { menuId: 'welcome_human' });
    expect(await kfEvent('wkOPEN5')).toBe(200);
    const state = await sessionState('wkOPEN5', 'wmHELLO1');
    expect(state).toBe(2);
    const sent = svc.fake.kfSent.filter((m) => m.touser === 'wmHELLO1');
    expect(sent).toHaveLength(2);
    // WeCom's retry of the enter_session callback made no second attempt at the welcome (the fake would refuse
    // a second use of the code, so the sent messages alone could not show it).
    const tries = svc.fake.received.filter((r) => r.path.endsWith('kf/send_msg_on_event'));
    expect(tries.filter((r) => (r.body as { code?: string } | undefined)?.code === code)).toHaveLength(1);
    expect(sent[1]).toMatchObject({ msgtype: 'text' });
    expect(sent[1]?.content).toMatch(/正在为您转接人工客服/);
  });

  it('an order card sent in 微信客服 is read for its number, not left unanswered', async () => {
    svc.fake.customerSends('wkOPEN6', 'wmCARD1', 'channels_shop_order', {
      order_id: '3705115058471208928',
      product_titles: '儿童保温杯',
      state: '已发货',
    });
    expect(await kfEvent('wkOPEN6')).toBe(200);
    const [answer] = await kfSentTo('wmCARD1', 1);
    expect(answer?.content).toContain('3705115058471208928');
  });

  it('a card with no words gets the clarifying question as a kf menu; tapping an option answers it', async () => {
    svc.fake.customerSends('wkOPEN6', 'wmCARD2', 'business_card', { userid: 'someone' });
    expect(await kfEvent('wkOPEN6')).toBe(200);
    const [question] = await kfSentTo('wmCARD2', 1);
    expect(question).toMatchObject({ msgtype: 'msgmenu' });
    expect(question?.menu?.map((i) => i.content)).toEqual(['物流查询', '退货退款', '换货', '转人工']);
    svc.fake.customerWrites('wkOPEN6', 'wmCARD2', '转人工', { menuId: question?.menu?.[3]?.id ?? '' });
    expect(await kfEvent('wkOPEN6')).toBe(200);
    const state = await sessionState('wkOPEN6', 'wmCARD2');
    expect(state).toBe(2);
  });

  it('a reply WeCom accepted but could not deliver (msg_send_fail) goes to the staff group once, and is marked failed', async () => {
    svc.fake.customerWrites('wkOPEN7', 'wmGONE1', '杯子收到就是碎的');
    expect(await kfEvent('wkOPEN7')).toBe(200);
    const [reply] = await kfSentTo('wmGONE1', 1);
    expect(reply?.content).toMatch(/工单 #\d+/);
    const token = svc.fake.sendFails(reply?.msgid ?? '', 10);
    expect(await kfEvent('wkOPEN7', token)).toBe(200);
    const staffSaw = () => svc.fake.robotMessages.filter((m) => m.key === 'KEY-STAFF' && m.content.includes('wmGONE1'));
    const notes = await eventually(
      async () => staffSaw(),
      (m) => m.length >= 1,
      15_000,
    );
    expect(notes[0]?.content).toContain('【客户消息未送达，请人工跟进】微信客服报告这条消息没有送达顾客');
    expect(notes[0]?.content).toContain(reply?.content);
    expect(notes[0]?.content).toContain('未送达原因：顾客拒收');
    const rows = await eventually(
      () =>
        svc.db.sql.query<{ status: string; error: string }>(
          `SELECT status, error FROM "OutboundMessage" WHERE channel = 'wecom_kf' AND target = 'user:wmGONE1'`,
        ),
      (r) => r[0]?.status === 'failed',
      15_000,
    );
    expect(rows).toEqual([{ status: 'failed', error: '微信客服报告未送达：顾客拒收' }]);
    // WeCom reports the same message again: nothing more for staff.
    const again = svc.fake.sendFails(reply?.msgid ?? '', 10);
    expect(await kfEvent('wkOPEN7', again)).toBe(200);
    await new Promise((r) => setTimeout(r, 800));
    expect(staffSaw()).toHaveLength(1);
  });

  it('a customer whose 48 h window closes soon while their ticket is open is reminded once; 「好的」 renews it', async () => {
    const HOUR = 3_600_000;
    // Both customers last wrote 45 hours ago, so their windows close in 3 hours; only one has a ticket.
    svc.fake.customerWrites('wkOPEN8', 'wmQUIET1', '杯子收到就是碎的', { atMs: Date.now() - 45 * HOUR });
    svc.fake.customerWrites('wkOPEN8', 'wmQUIET2', '你好', { atMs: Date.now() - 45 * HOUR });
    expect(await kfEvent('wkOPEN8')).toBe(200);
    const first = await kfSentTo('wmQUIET1', 2);
    const opened = first.find((m) => m.msgtype === 'text');
    const ticket = /工单 #(\d+)/.exec(opened?.content ?? '')?.[1];
    expect(ticket).toBeDefined();
    const reminder = first.find((m) => m.msgtype === 'msgmenu');
    expect(reminder?.content).toContain(`您好，您的工单 #${ticket}（商品破损）还在处理中。`);
    expect(reminder?.content).toContain('回复任意一句');
    expect(reminder?.menu?.map((i) => i.content)).toEqual(['好的', '我的工单怎么样了']);
    // Many sweeps later: still one reminder, and none for the customer with nothing under way.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(svc.fake.kfSent.filter((m) => m.touser === 'wmQUIET1')).toHaveLength(2);
    expect(svc.fake.kfSent.filter((m) => m.touser === 'wmQUIET2')).toHaveLength(1);
    // The customer taps 好的: the answer names the ticket, and the fresh window needs no reminder.
    svc.fake.customerWrites('wkOPEN8', 'wmQUIET1', '好的', { menuId: 'keepalive_ok' });
    expect(await kfEvent('wkOPEN8')).toBe(200);
    const after = await kfSentTo('wmQUIET1', 3);
    expect(after[2]?.content).toBe(`好的～工单 #${ticket}（商品破损）有结果会第一时间告诉您。`);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(svc.fake.kfSent.filter((m) => m.touser === 'wmQUIET1')).toHaveLength(3);
  });

  it('rejects a forged callback with 401 and stores nothing', async () => {
    const cb = buildCallback({ ...creds, token: 'wrong-token' }, appXml.text({ from: 'x', content: 'hi', msgId: '1' }));
    expect(await post(cb)).toBe(401);
    const rows = await svc.db.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "InboundDelivery" WHERE "platformMsgId" = '1'`,
    );
    expect(rows[0]?.n).toBe(0);
  });
});

describe('WeCom: a complaint through 微信客服 reaches a WeCom manager as a card; the card button acknowledges it', () => {
  let svc: WecomTestService;
  beforeAll(async () => {
    svc = await startWecomService({ kf: true, env: { ADMIN_TOKEN: 'admin-token-0123456789abcdef' } });
    const res = await fetch(`${svc.base}/api/admin/staff/wecom/lisi`, {
      method: 'PUT',
      headers: { authorization: 'Bearer admin-token-0123456789abcdef', 'content-type': 'application/json' },
      body: JSON.stringify({ name: '李经理', role: 'manager' }),
    });
    expect(res.status).toBe(200);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('escalates to the manager with a template card and the click stops the climb', async () => {
    const post = async (cb: WecomCallback) => (await svc.postCallback(cb)).status;
    svc.fake.customerWrites('wkOPEN2', 'wmANGRY1', '东西坏了一个礼拜没人管 我要去12315投诉你们');
    expect(await pushKfEvent(svc, 'wkOPEN2')).toBe(200);
    const cards = await eventually(
      async () => svc.fake.appMessages.filter((m) => m.touser === 'lisi' && m.msgtype === 'template_card'),
      (m) => m.length > 0,
      15_000,
    );
    const card = cards[0]?.body as { template_card: { button_list: { key: string }[] } };
    const key = card.template_card.button_list[0]?.key ?? '';
    expect(key).toMatch(/^ack:\d+:3$/);
    const ticketId = Number(key.split(':')[1]);

    expect(await post(buildCallback(creds, appXml.cardEvent({ from: 'lisi', eventKey: key })))).toBe(200);
    const pending = await eventually(
      () => svc.db.prisma.escalation.count({ where: { ticketId, status: 'pending' } }),
      (n) => n === 0,
      15_000,
    );
    expect(pending).toBe(0);
    const acked = await svc.db.prisma.escalation.findFirst({ where: { ticketId, status: 'acked' } });
    expect(acked?.ackedBy).toBeTruthy();
  });

  it('the manager resolves it from the app; the customer rates it from the kf menu, and the rating is on the ticket', async () => {
    const post = async (cb: WecomCallback) => (await svc.postCallback(cb)).status;
    const { id } = await kfTicket(svc, 'wkOPEN2', 'wmRATE1', '收到的杯子是碎的');
    const command = appXml.text({ from: 'lisi', content: `解决 #${id} 已安排补发`, msgId: `7318203948571${id}000` });
    expect(await post(buildCallback(creds, command))).toBe(200);
    const [, notice] = await kfSent(svc, 'wmRATE1', 2);
    expect(notice).toMatchObject({ msgtype: 'msgmenu' });
    expect(notice?.content).toContain(`您的工单 #${id}（商品破损）已处理完成`);
    expect(notice?.menu).toEqual([
      { id: `rate_${id}_good`, content: '满意' },
      { id: `rate_${id}_okay`, content: '一般' },
      { id: `rate_${id}_bad`, content: '不满意' },
    ]);
    svc.fake.customerWrites('wkOPEN2', 'wmRATE1', '一般', { menuId: `rate_${id}_okay` });
    expect(await pushKfEvent(svc, 'wkOPEN2')).toBe(200);
    const [, , thanks] = await kfSent(svc, 'wmRATE1', 3);
    expect(thanks?.content).toContain('感谢您的评价');
    const rating = await svc.db.prisma.ticketEvent.findFirst({ where: { ticketId: id, type: 'rating' } });
    expect(rating?.reason).toBe('评价本次处理：一般');
    expect((await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } })).status).toBe('resolved');
  });

  it('a message the customer takes back (撤回) leaves the stored conversation; the ticket view says it was recalled', async () => {
    const post = async (cb: WecomCallback) => (await svc.postCallback(cb)).status;
    const { id, msgid } = await kfTicket(
      svc,
      'wkOPEN2',
      'wmOOPS1',
      '杯子碎了 我电话13912345678 地址杭州市西湖区文三路100号',
    );
    expect(await pushKfEvent(svc, 'wkOPEN2', svc.fake.customerRecalls(msgid))).toBe(200);
    const stored = await eventually(
      () =>
        svc.db.sql.query<{ text: string; payload: { recalled?: boolean; parse?: unknown } }>(
          `SELECT text, payload FROM "InboundDelivery" WHERE channel = 'wecom_kf' AND "platformMsgId" = $1`,
          [msgid],
        ),
      (r) => r[0]?.payload.recalled === true,
      15_000,
    );
    expect(stored[0]?.text).toBe('');
    expect(stored[0]?.payload.parse).toBeUndefined();
    // The manager opens the ticket: the conversation shows that a message was recalled, not its words.
    const command = appXml.text({ from: 'lisi', content: `工单 #${id}`, msgId: `7318203948574${id}000` });
    expect(await post(buildCallback(creds, command))).toBe(200);
    const [view] = await eventually(
      async () => svc.fake.appMessages.filter((m) => m.touser === 'lisi' && m.content.startsWith(`工单 #${id} ·`)),
      (m) => m.length >= 1,
      15_000,
    );
    const lines = view?.content.split('\n') ?? [];
    const talk = lines.slice(lines.indexOf('最近对话：'), lines.indexOf('记录：')).filter((l) => / 顾客：/.test(l));
    expect(talk).toEqual([expect.stringMatching(/ 顾客：（撤回了一条消息）$/)]);
    // Nor does the ticket that message opened keep its words.
    expect(lines).toContain('问题：（顾客撤回了这条消息）');
    expect(view?.content).not.toContain('文三路');
    expect(view?.content).not.toContain('杯子碎了');
    // A message that only added to the ticket, taken back: its note on the ticket no longer quotes it.
    svc.fake.customerWrites('wkOPEN2', 'wmOOPS1', '补充下 新电话13812340000');
    const second = svc.fake.kfLog.at(-1)?.msgid ?? '';
    expect(await pushKfEvent(svc, 'wkOPEN2')).toBe(200);
    await kfSent(svc, 'wmOOPS1', 2);
    expect(await pushKfEvent(svc, 'wkOPEN2', svc.fake.customerRecalls(second))).toBe(200);
    const notes = await eventually(
      () => svc.db.prisma.ticketEvent.findMany({ where: { ticketId: id, type: 'note' } }),
      (n) => n.length === 1 && n[0]?.reason === '顾客补充：（顾客撤回了这条消息）',
      15_000,
    );
    expect(JSON.stringify(notes)).not.toContain('13812340000');
    // The recalls themselves are no messages: nothing more went to the customer than the two answers.
    expect(svc.fake.kfSent.filter((m) => m.touser === 'wmOOPS1')).toHaveLength(2);
  });

  it('a customer whose messages a 接待人员 rejects (拒收) gets no answers and no reminders until that stops', async () => {
    const { id } = await kfTicket(svc, 'wkOPEN2', 'wmREJECT1', '杯子碎了 你们赶紧处理');
    // The same event read twice (a retried sync) records it once.
    const token = svc.fake.servicerRejects('wkOPEN2', 'wmREJECT1', 'zhangsan');
    expect(await pushKfEvent(svc, 'wkOPEN2', token)).toBe(200);
    const rejected = await eventually(
      () => svc.db.prisma.identity.findFirst({ where: { platform: 'wecom_kf', externalId: 'wmREJECT1' } }),
      (i) => i?.rejectedAt != null,
      15_000,
    );
    expect(rejected?.rejectedBy).toBe('zhangsan');
    const notes = await svc.db.prisma.ticketEvent.findMany({ where: { ticketId: id, type: 'note', actor: 'system' } });
    expect(notes.map((n) => n.reason)).toEqual([expect.stringMatching(/拒收了这位顾客的消息：机器人不再回复他/)]);
    // The customer writes again: stored, but nothing is answered and no keep-alive reminder goes out.
    svc.fake.customerWrites('wkOPEN2', 'wmREJECT1', '人呢？？？');
    const ignored = svc.fake.kfLog.at(-1)?.msgid ?? '';
    expect(await pushKfEvent(svc, 'wkOPEN2')).toBe(200);
    await eventually(
      () => svc.db.prisma.inboundDelivery.findFirst({ where: { channel: 'wecom_kf', platformMsgId: ignored } }),
      (d) => d?.status === 'done',
      15_000,
    );
    await new Promise((r) => setTimeout(r, 1500)); // time for an answer, were one sent
    expect(svc.fake.kfSent.filter((m) => m.touser === 'wmREJECT1')).toHaveLength(1);
    // The 接待人员 stops rejecting: the next message is answered again.
    expect(await pushKfEvent(svc, 'wkOPEN2', svc.fake.servicerRejects('wkOPEN2', 'wmREJECT1', 'zhangsan', false))).toBe(
      200,
    );
    await eventually(
      () => svc.db.prisma.identity.findFirst({ where: { platform: 'wecom_kf', externalId: 'wmREJECT1' } }),
      (i) => i?.rejectedAt == null,
      15_000,
    );
    svc.fake.customerWrites('wkOPEN2', 'wmREJECT1', '工单怎么样了');
    expect(await pushKfEvent(svc, 'wkOPEN2')).toBe(200);
    const [, answer] = await kfSent(svc, 'wmREJECT1', 2);
    expect(answer?.content).toContain(`工单 #${id}`);
    const after = await svc.db.prisma.ticketEvent.findMany({ where: { ticketId: id, type: 'note', actor: 'system' } });
    expect(after.map((n) => n.reason)).toEqual([expect.stringMatching(/拒收/), expect.stringMatching(/取消了拒收/)]);
  });

  it('a 回复 #N that cannot reach a customer silent for 48 h says so, is no response, and goes with the bot’s next answer', async () => {
    const post = async (cb: WecomCallback) => (await svc.postCallback(cb)).status;
    const { id } = await kfTicket(svc, 'wkOPEN2', 'wmLATE1', '杯子收到就是碎的');
    // 工单 #N shows whoever is about to answer whether the customer can still be reached in 微信客服.
    const view = async (n: number) => {
      const msgId = `7318203948573${id}00${n}`;
      expect(await post(buildCallback(creds, appXml.text({ from: 'lisi', content: `工单 #${id}`, msgId })))).toBe(200);
      const views = await eventually(
        async () => svc.fake.appMessages.filter((m) => m.touser === 'lisi' && m.content.startsWith(`工单 #${id} ·`)),
        (m) => m.length >= n,
        15_000,
      );
      return views[n - 1]?.content.split('\n').find((l) => l.startsWith('微信客服：'));
    };
    expect(await view(1)).toMatch(/^微信客服：\d+\/\d+ \d+:\d+ 前可以给顾客发消息（还能发 4 条）$/);
    svc.fake.advance(49 * 3_600_000); // the customer says nothing for two days: WeCom now answers 95002
    const command = appXml.text({
      from: 'lisi',
      content: `回复 #${id} 补发的杯子明天到`,
      msgId: `7318203948572${id}000`,
    });
    expect(await post(buildCallback(creds, command))).toBe(200);
    const answers = await eventually(
      async () => svc.fake.appMessages.filter((m) => m.touser === 'lisi' && m.content.includes(`工单 #${id} 的回复`)),
      (m) => m.length >= 1,
      15_000,
    );
    expect(answers[0]?.content).toBe(
      `工单 #${id} 的回复没有发给顾客。顾客现在收不到：客户超过 48 小时未发言，微信客服已无法主动发送，且未配置接收转交消息的员工群。顾客下次发消息时，机器人会先把这条转告给他；着急的话请换个方式联系（例如电话）。`,
    );
    expect(svc.fake.kfSent.filter((m) => m.touser === 'wmLATE1')).toHaveLength(1);
    const events = await svc.db.prisma.ticketEvent.findMany({ where: { ticketId: id }, orderBy: { at: 'asc' } });
    expect(events.map((e) => e.type)).not.toContain('reply');
    expect(events.at(-1)?.reason).toMatch(/^回复顾客未送达（客户超过 48 小时未发言.*）：补发的杯子明天到$/);
    expect((await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } })).firstRespondedAt).toBeNull();
    expect(await view(2)).toBe('微信客服：顾客超过 48 小时没有发言，消息发不出去，请电话联系或等顾客再来消息');
    // The customer opens the chat, but the welcome's event code ran out (WeCom allows 20 s): that welcome carried
    // nothing to them, so what the manager wrote is still kept.
    const late = svc.fake.customerEnters('wkOPEN2', 'wmLATE1');
    svc.fake.advance(30_000);
    expect(await pushKfEvent(svc, 'wkOPEN2', late)).toBe(200);
    await eventually(
      () =>
        svc.db.prisma.outboundMessage.findMany({ where: { target: 'user:wmLATE1', kind: 'reply', status: 'failed' } }),
      (rows) => rows.length === 1,
      15_000,
    );
    expect(svc.fake.kfSent.filter((m) => m.touser === 'wmLATE1')).toHaveLength(1);
    // Opened again: the welcome starts with what the manager wrote, once.
    expect(await pushKfEvent(svc, 'wkOPEN2', svc.fake.customerEnters('wkOPEN2', 'wmLATE1'))).toBe(200);
    const [, back] = await kfSent(svc, 'wmLATE1', 2);
    expect(back).toMatchObject({ via: 'event' });
    expect(back?.content).toMatch(
      new RegExp(
        `^您不在的这段时间，客服给您留了言：\n【工单 #${id}】补发的杯子明天到\n\n您好，我是售后助手 🙂 您有 1 张工单在处理`,
      ),
    );
    svc.fake.customerWrites('wkOPEN2', 'wmLATE1', '你好 还在吗');
    expect(await pushKfEvent(svc, 'wkOPEN2')).toBe(200);
    const [, , third] = await kfSent(svc, 'wmLATE1', 3);
    expect(third?.content).not.toContain('补发的杯子明天到');
  });
});

describe('WeCom 智能机器人: staff @-query in a group', () => {
  let svc: WecomTestService;
  const bot = { token: 'BotTok9', encodingAesKey: WECOM_AES_KEY, receiveId: '' };
  beforeAll(async () => {
    svc = await startWecomService({
      env: {
        WECOM_BOT_TOKEN: bot.token,
        WECOM_BOT_ENCODING_AES_KEY: WECOM_AES_KEY,
        WECOM_BOT_NAME: '售后助手',
        PUBLIC_BASE_URL: 'https://aftersales.example.com/',
      },
    });
  });
  afterAll(async () => {
    await svc?.stop();
  });
  /** zhangsan @-mentions the bot in a group; the reply that comes back through the fake's response_url. */
  const askBot = async (msgId: string, content: string, responseCode: string) => {
    const json = botTextJson({
      msgId,
      from: 'zhangsan',
      chatId: 'wrGroup1',
      content,
      responseUrl: svc.fake.responseUrl(responseCode),
    });
    const cb = buildCallback(bot, json, { path: '/wecom/bot/callback', format: 'json' });
    expect((await svc.postCallback(cb)).status).toBe(200);
    const [reply] = await eventually(
      async () => svc.fake.botReplies.filter((r) => r.responseCode === responseCode),
      (r) => r.length > 0,
      20_000,
    );
    return reply?.content ?? '';
  };

  it('@售后助手 健康日报 answers with the report and its chart linked from the public address, which serves the PNG', async () => {
    const reply = await askBot('bot-msg-report', '@售后助手 健康日报', 'rc-report');
    expect(reply).toMatch(/^订单与售后健康日报（近 7 天/);
    const link =
      /\n\n!\[订单健康日报\]\((https:\/\/aftersales\.example\.com\/pictures\/[A-Za-z0-9_-]{24}\.png)\)$/.exec(
        reply,
      )?.[1];
    expect(link).toBeDefined();
    // WeCom fetches the link from the public address; here the service answers on its local port.
    const res = await fetch(svc.base + new URL(link ?? '').pathname);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await res.arrayBuffer());
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBeGreaterThan(300); // IHDR width: a chart, not a placeholder

    const missing = await fetch(`${svc.base}/pictures/${'A'.repeat(24)}.png`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: { code: 'not_found', message: '图片不存在或已过期（图表链接保留 30 天）' },
    });
  });

  it('@售后助手 查 <order> reaches the NLU + order lookup and the answer goes back through response_url, masked', async () => {
    await svc.db.prisma.order.create({
      data: {
        orderNo: 'SO202611239001',
        source: 'own',
        status: 'shipped',
        phone: '13611112222',
        phoneLast4: '2222',
        address: '广州市天河区体育西路1号',
        carrier: 'sf',
        trackingNo: 'SF9876543210123',
        amountCents: 9900,
      },
    });
    const reply = await askBot('bot-msg-1', '@售后助手 查 SO202611239001', 'rc-1');
    expect(reply).toContain('SO202611239001');
    expect(reply).toContain('136****2222');
    expect(reply).not.toContain('13611112222');
  });
});
