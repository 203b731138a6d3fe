import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Prisma } from '../../src/generated/prisma/client.ts';
import { eventually, startTestService, type TestService } from '../support/service.ts';

type Msg = {
  text: string;
  card?: { buttons: { id: string; label: string }[] };
  choices?: { head: string; items: { id: string; label: string }[] };
  ticketId?: number;
};

/** The rating question under a resolution notice, as text (the choices are also offered to tap). */
const RATE = '方便的话，请为这次处理打个分：满意 / 一般 / 不满意';

/** A sandbox customer `userRef` with `orders`, bound to them as an import would bind them. */
/** Why each event of `type` on a ticket was recorded, in the order they happened. */
async function eventReasons(p: TestService['db']['prisma'], ticketId: number, type: string) {
  const events = await p.ticketEvent.findMany({ where: { ticketId, type }, orderBy: [{ at: 'asc' }, { id: 'asc' }] });
  return events.map((e) => e.reason);
}

async function customerWithOrders(
  p: TestService['db']['prisma'],
  userRef: string,
  orders: Prisma.OrderUncheckedCreateInput[],
) {
  const customer = await p.customer.create({ data: { name: '顾客' } });
  await p.identity.create({
    data: { platform: 'sandbox', externalId: userRef, kind: 'customer', customerId: customer.id },
  });
  const created = [];
  for (const data of orders) {
    const order = await p.order.create({ data });
    await p.orderBinding.create({ data: { customerId: customer.id, orderId: order.id, method: 'import' } });
    created.push(order);
  }
  return { customerId: customer.id, orders: created };
}
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000);

describe('tickets and escalations through the sandbox (real pipeline, PostgreSQL + Redis)', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => svc?.stop());

  const say = (user: string, text: string, role = 'customer') =>
    svc.post('/api/sandbox/messages', { user, role, text });
  const inbox = async (user: string): Promise<Msg[]> =>
    (await svc.get(`/api/sandbox/inbox?user=${user}`)).json.messages;

  it('an allergy report opens a P1 ticket, the customer is told, and an agent gets a push with an ack button', async () => {
    const res = await say('c-allergy', '用了你们的面霜 脸上过敏起疹子了');
    expect(res.json.parse.primary).toBe('safety_issue');
    expect(res.json.replies[0].text).toMatch(/已为您登记售后工单 #\d+（安全问题，优先级 P1）/);
    const id = Number(/#(\d+)/.exec(res.json.replies[0].text)?.[1]);
    const pushes = await eventually(
      async () => [...(await inbox('agent1')), ...(await inbox('agent2'))],
      (m) => m.some((x) => x.text.includes(`工单 #${id}`)),
      5000,
    );
    const push = pushes.find((x) => x.text.includes(`工单 #${id}`));
    expect(push?.card?.buttons[0]).toEqual({ id: `ack:${id}:1`, label: '收到' });

    const again = await say('c-allergy', '过敏越来越严重了 怎么还没人联系我');
    expect(again.json.replies[0].text).toContain(`您的工单 #${id}`);
  });

  it('a safety ticket tells the customer what to do meanwhile; a chase hears when someone will call; a new demand is noted', async () => {
    const opened = (await say('c-cat', '你们这个猫粮我家猫吃了吐了')).json.replies[0].text;
    const id = Number(/工单 #(\d+)（安全问题/.exec(opened)?.[1]);
    expect(id).toBeGreaterThan(0);
    expect(opened).toContain('请及时就医');
    const due = /客服会在 (\S+ \S+) 前联系您/.exec(opened)?.[1];
    expect(due).toBeDefined();

    const doctor = (await say('c-cat', '吐了好几次 要不要去医院')).json.replies[0].text;
    expect(doctor).toContain(`您的工单 #${id}`);
    expect(doctor).toContain(`客服最晚 ${due} 前联系您`);
    expect(doctor).toContain('请及时就医');

    const demand = (await say('c-cat', '我要你们赔偿医药费')).json.replies[0].text;
    expect(demand).toBe(`收到，已补充到工单 #${id}，处理的同事会看到。`);
    const view = (await say('sup1', `工单 #${id}`, 'staff')).json.replies[0].text;
    expect(view).toContain('我要你们赔偿医药费');
  });

  it('"医药费你们出吗" on a safety ticket is the settlement wanted (赔偿), noted; "给我个说法" presses it', async () => {
    const opened = (await say('c-amends', '用了面膜脸过敏了 红了一片')).json.replies[0].text;
    const id = Number(/工单 #(\d+)（安全问题/.exec(opened)?.[1]);
    expect(id).toBeGreaterThan(0);
    const noted = `收到，您希望赔偿，已记到工单 #${id}，处理的同事确认后会告诉您。`;
    expect((await say('c-amends', '医药费你们出吗')).json.replies[0].text).toBe(noted);
    expect((await say('c-amends', '我不要退款 我要赔偿')).json.replies[0].text).toBe(noted);
    const ticket = () => svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } });
    expect((await ticket()).reminderCount).toBe(0);
    expect((await say('sup1', `工单 #${id}`, 'staff')).json.replies[0].text).toContain('顾客希望：赔偿');
    expect((await say('c-amends', '你们必须给我个说法')).json.replies[0].text).toContain('已再次提醒负责同事');
    expect((await ticket()).reminderCount).toBe(1);
    expect(await svc.db.prisma.ticket.count({ where: { customerId: (await ticket()).customerId } })).toBe(1);
  });

  it.each([
    ['c-broken-1', '收到的杯子是碎的'],
    ['c-broken-2', '杯子裂了'],
    ['c-broken-3', '快递把东西压坏了'],
  ])('damage said any way ("%s": %s) takes the critical lane', async (user, text) => {
    const r = await say(user, text);
    expect(r.json.replies[0].text).toMatch(/（商品破损，优先级 P1）.*加急/);
  });

  it('a vague chase-up ("退换的事还没人管") counts as a reminder on the open ticket, not a question', async () => {
    const first = await say('c-chase', '收到的裙子尺码不对，我要换大一号');
    const id = Number(/工单 #(\d+)/.exec(first.json.replies[0].text)?.[1]);
    expect(id).toBeGreaterThan(0);
    const chase = await say('c-chase', '退换的事还没人管');
    expect(chase.json.replies[0].text).toContain(`您的工单 #${id} 目前状态`);
    const t = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } });
    expect(t.reminderCount).toBe(1);
    const stranger = await say('c-chase-2', '退换的事还没人管'); // too vague alone: without a ticket, the question
    expect(stranger.json.replies[0].text).toBe(stranger.json.parse.clarify.question);
  });

  it('a vague message that does not chase ("我问问家里人") is noted on the ticket for its owner, not counted as a reminder', async () => {
    const first = await say('c-note', '快递显示签收了 可是我没收到');
    const id = Number(/工单 #(\d+)/.exec(first.json.replies[0].text)?.[1]);
    expect(id).toBeGreaterThan(0);
    const before = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id }, include: { assignee: true } });
    // Where they looked ("快递柜也没有 问了门卫也没有") is a detail for the ticket, though it says 没收到 again.
    for (const text of ['我问问家里人', '那我先问问物业', '快递柜也没有 问了门卫也没有']) {
      const r = await say('c-note', text);
      expect(r.json.replies[0].text).toBe(`收到，已补充到工单 #${id}，处理的同事会看到。`);
    }
    const after = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } });
    expect(after.reminderCount).toBe(before.reminderCount);
    expect(after.priority).toBe(before.priority);
    const notes = await svc.db.prisma.ticketEvent.findMany({
      where: { ticketId: id, type: 'note' },
      orderBy: { at: 'asc' },
    });
    expect(notes.map((n) => n.reason)).toEqual([
      '顾客补充：我问问家里人',
      '顾客补充：那我先问问物业',
      '顾客补充：快递柜也没有 问了门卫也没有',
    ]);
    const owner = before.assignee?.name === '客服小李' ? 'agent2' : 'agent1';
    const pushes = (await inbox(owner)).map((m) => m.text).join('\n');
    expect(pushes).toContain(`工单 #${id} 顾客补充：那我先问问物业`);
    // Chasing is still chasing.
    const chase = await say('c-note', '包裹还是没收到 都好几天了');
    expect(chase.json.replies[0].text).toContain(`您的工单 #${id} 目前状态`);
    expect((await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } })).reminderCount).toBe(
      before.reminderCount + 1,
    );
  });

  it('"要拍照吗" hears which photos help; "拍好了" is asked to send them here — no return policy, no greeting', async () => {
    const opened = (await say('c-photos', '我上周买的洗衣液漏了 整个箱子都湿了')).json.replies[0].text;
    const id = Number(/工单 #(\d+)（商品破损/.exec(opened)?.[1]);
    expect(id).toBeGreaterThan(0);
    expect((await say('c-photos', '要拍照吗')).json.replies[0].text).toBe(
      `需要的：请拍商品有问题的地方（近景、整体各一张）、外包装和快递面单，直接发在这个对话里，会补充到工单 #${id}。`,
    );
    expect((await say('c-photos', '拍好了')).json.replies[0].text).toBe(
      `好的，直接把照片发在这个对话里就行，会补充到工单 #${id}。`,
    );
    expect((await say('c-photos-2', '需要拍照片给你们吗')).json.replies[0].text).toMatch(
      /再用一句话说说遇到了什么问题。$/,
    );
  });

  it("a 价保 request gets its ticket and the shop's price-protection rule", async () => {
    const reply = (await say('c-price', '我刚看到降价了 能退差价吗')).json.replies[0].text;
    expect(reply).toMatch(/工单 #\d+（价保，优先级 P\d）/);
    expect(reply).toContain('\n价保说明：付款后 7 天内同一商品降价，可申请退差价');
  });

  it('which item is missing ("少的是赠品 那个小勺子") is a detail on the 少件 ticket, not a reminder', async () => {
    const opened = (await say('c-which', '快递到了 但是少了一个')).json.replies[0].text;
    const id = Number(/工单 #(\d+)（少件漏发/.exec(opened)?.[1]);
    expect(id).toBeGreaterThan(0);
    expect((await say('c-which', '少的是赠品 那个小勺子')).json.replies[0].text).toBe(
      `收到，已补充到工单 #${id}，处理的同事会看到。`,
    );
    // Another item missing as well is news for the same ticket too.
    expect((await say('c-which', '说明书也没收到')).json.replies[0].text).toBe(
      `收到，已补充到工单 #${id}，处理的同事会看到。`,
    );
    expect((await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } })).reminderCount).toBe(0);
  });

  it('"能不能换个快递" asks to change the order, not to exchange the goods; a parcel already out says it cannot', async () => {
    await customerWithOrders(svc.db.prisma, 'c-carrier', [
      {
        orderNo: 'SO-CARRIER-1',
        source: 'own',
        status: 'shipped',
        carrier: 'zto',
        trackingNo: '731130000777',
        items: [{ sku: 'x', name: '保温杯', qty: 1, priceCents: 100 }],
      },
    ]);
    const r = (await say('c-carrier', '能不能换个快递')).json.replies[0].text;
    expect(r).toMatch(/^已为您登记售后工单 #\d+（修改订单，/);
    expect(r).toContain('订单 SO-CARRIER-1');
    expect(r).toContain('该订单已由中通发出（单号 731130000777），包裹到了快递手里就不能再换快递了');
  });

  it('"我明天不在家，能晚点送吗" gets how handing over is arranged (the delivery note), not a greeting', async () => {
    const r = (await say('c-late-drop', '我明天不在家，能晚点送吗')).json.replies[0].text;
    expect(r).toMatch(/^配送说明：.*由快递员安排/);
    expect(r).toContain('发订单号给我就行');
  });

  it('details and a changed mind are added to the ticket; asking again or "还没人处理" chases it, with no second ticket', async () => {
    const first = await say('c-addr', '下单地址写错了，能改吗');
    const id = Number(/工单 #(\d+)/.exec(first.json.replies[0].text)?.[1]);
    expect(id).toBeGreaterThan(0);
    const noted = `收到，已补充到工单 #${id}，处理的同事会看到。`;
    for (const text of ['改成上海市徐汇区漕溪北路88号 2栋301', '取消订单吧']) {
      expect((await say('c-addr', text)).json.replies[0].text).toBe(noted);
    }
    // Taking back the cancellation is news for the address change, which stays open.
    expect((await say('c-addr', '算了不取消了')).json.replies[0].text).toBe(
      `好的，已告诉处理工单 #${id} 的同事您这边不需要了，他们会据此处理。`,
    );
    expect((await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } })).status).toBe('open');
    const ticket = () => svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } });
    expect((await ticket()).reminderCount).toBe(0);
    const notes = await svc.db.prisma.ticketEvent.findMany({ where: { ticketId: id, type: 'note' } });
    expect(notes.map((n) => n.reason)).toContain('顾客补充：算了不取消了');
    // The same request again is a reminder; so is asking where the person is.
    expect((await say('c-addr', '地址写错了麻烦改一下')).json.replies[0].text).toContain(`您的工单 #${id} 目前状态`);
    expect((await say('c-addr', '怎么还没人处理')).json.replies[0].text).toContain(`您的工单 #${id} 目前状态`);
    expect((await ticket()).reminderCount).toBe(2);
    const customer = (await ticket()).customerId;
    expect(await svc.db.prisma.ticket.count({ where: { customerId: customer } })).toBe(1);
  });

  it('"钱什么时候退回来" while a cancellation is under way asks about that ticket: no refund-progress ticket, no 验货后退款', async () => {
    const opened = (await say('c-cancel-refund', '不想要了 帮我把订单取消')).json.replies[0].text;
    const id = Number(/工单 #(\d+)（取消订单/.exec(opened)?.[1]);
    expect(id).toBeGreaterThan(0);
    // "取消了吗" asks whether it is done: where the ticket stands, not a reminder.
    const done = (await say('c-cancel-refund', '取消了吗')).json.replies[0].text;
    expect(done).toMatch(new RegExp(`^您的工单 #${id}（修改/取消订单）目前「待处理」`));
    expect((await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } })).reminderCount).toBe(0);
    const when = (await say('c-cancel-refund', '钱什么时候退回来')).json.replies;
    expect(when).toHaveLength(1);
    expect(when[0].text).toBe(
      `您的取消订单工单 #${id} 目前状态：待处理。订单取消后，货款会按原支付方式全额退回，到账时间以支付平台为准；取消结果出来会第一时间告诉您。`,
    );
    const customer = await svc.db.prisma.identity.findFirstOrThrow({ where: { externalId: 'c-cancel-refund' } });
    expect(await svc.db.prisma.ticket.count({ where: { customerId: customer.customerId ?? '' } })).toBe(1);
    const view = (await say('sup1', `工单 #${id}`, 'staff')).json.replies[0].text;
    expect(view).toContain('钱什么时候退回来');
    // "那我不要了 直接退款": what cancelling comes to — kept on the cancellation, not a 仅退款 ticket beside it.
    const refund = (await say('c-cancel-refund', '那我不要了 直接退款')).json.replies[0].text;
    expect(refund).toBe(`收到，您希望退款，已记到工单 #${id}，处理的同事确认后会告诉您。`);
    expect(await svc.db.prisma.ticket.count({ where: { customerId: customer.customerId ?? '' } })).toBe(1);
  });

  it('"那你们给我重新发一个吧" during a broken-parcel ticket is how to settle it: noted there, no 补发 ticket', async () => {
    const opened = (await say('c-resend', '收到的杯子是碎的')).json.replies[0].text;
    const id = Number(/工单 #(\d+)（商品破损/.exec(opened)?.[1]);
    expect(id).toBeGreaterThan(0);
    const resend = (await say('c-resend', '那你们给我重新发一个吧')).json.replies[0].text;
    expect(resend).toBe(`收到，您希望补发，已记到工单 #${id}，处理的同事确认后会告诉您。`);
    // Asking when it comes is a question about the ticket, not the wish said again.
    expect((await say('c-resend', '多久能补发过来')).json.replies[0].text).toMatch(
      new RegExp(`^您的工单 #${id} 目前状态：待处理。您的问题已转给负责的同事，最晚 .+ 前联系您。$`),
    );
    const view = (await say('sup1', `工单 #${id}`, 'staff')).json.replies[0].text;
    expect(view).toContain('那你们给我重新发一个吧');
    // Asked with no ticket to settle, the same words open the 补发 ticket.
    expect((await say('c-resend-2', '那你们给我重新发一个吧')).json.replies[0].text).toMatch(/（补发，优先级/);
  });

  it('"能换个新的吗" or "直接退款吧" during a faulty-goods ticket is how to settle it: noted there, no second ticket', async () => {
    const opened = (await say('c-settle', '耳机左耳没声音')).json.replies[0].text;
    const id = Number(/工单 #(\d+)（质量问题/.exec(opened)?.[1]);
    expect(id).toBeGreaterThan(0);
    expect((await say('c-settle', '能换个新的吗')).json.replies[0].text).toBe(
      `收到，您希望换新，已记到工单 #${id}，处理的同事确认后会告诉您。`,
    );
    expect((await say('c-settle', '换新还是退款你们看着办')).json.replies[0].text).toBe(
      `收到，换新或退款您都可以接受，已记到工单 #${id}，处理的同事会按实际情况安排，确认后告诉您。`,
    );
    expect((await say('c-settle', '算了 直接退款吧')).json.replies[0].text).toBe(
      `收到，您希望退款，已记到工单 #${id}，处理的同事确认后会告诉您。`,
    );
    const customer = await svc.db.prisma.identity.findFirstOrThrow({ where: { externalId: 'c-settle' } });
    const tickets = await svc.db.prisma.ticket.findMany({ where: { customerId: customer.customerId ?? '' } });
    expect(tickets.map((t) => t.id)).toEqual([id]);
    expect(tickets[0]?.reminderCount).toBe(0);
    // Staff see what the customer wants now (the latest word), under the problem.
    const view = (await say('sup1', `工单 #${id}`, 'staff')).json.replies[0].text;
    expect(view).toContain('问题：耳机左耳没声音\n顾客希望：退款\n');
  });

  it('"另外 …" naming another kind of problem during a ticket is asked about, not noted on that ticket', async () => {
    const first = await say('c-another', '我买的电饭煲还没发货吗');
    const id = Number(/工单 #(\d+)/.exec(first.json.replies[0].text)?.[1]);
    expect(id).toBeGreaterThan(0);
    const other = (await say('c-another', '另外上次买的锅内胆收到就有划痕')).json.replies[0].text;
    expect(other).toBe('请问商品是收到时就破损了，还是使用后出现的质量问题？');
    const notes = await svc.db.prisma.ticketEvent.count({ where: { ticketId: id, type: 'note' } });
    expect(notes).toBe(0);
  });

  it('invoice details (抬头, 税号, e-mail) are notes on the invoice ticket, not reminders', async () => {
    const first = await say('c-invoice', '麻烦开个发票');
    const id = Number(/工单 #(\d+)/.exec(first.json.replies[0].text)?.[1]);
    expect(first.json.replies[0].text).toContain('发票');
    const noted = `收到，已补充到工单 #${id}，处理的同事会看到。`;
    for (const text of ['公司抬头 杭州某某科技有限公司 税号91330100MA2B3C4D5E', '发票发到邮箱 caiwu@example.com']) {
      expect((await say('c-invoice', text)).json.replies[0].text).toBe(noted);
    }
    expect((await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } })).reminderCount).toBe(0);
    expect((await say('c-invoice', '发票怎么还没开')).json.replies[0].text).toContain(`您的工单 #${id} 目前状态`);
  });

  it('"发票怎么开" gets the invoice rule (no ticket); on an invoice ticket it is a question, and only "怎么还没开" chases', async () => {
    const rule = '发票说明：确认收货后，在订单详情页点「申请开票」可自助开电子普通发票';
    const how = (await say('c-invoice-how', '发票怎么开')).json.replies[0].text;
    expect(how).toMatch(new RegExp(`^${rule}`));
    expect(how).toContain('需要我们开的话，直接把订单号和开票信息（抬头、税号、接收邮箱）发给我就行。');
    const customer = await svc.db.prisma.identity.findFirstOrThrow({ where: { externalId: 'c-invoice-how' } });
    const tickets = () => svc.db.prisma.ticket.findMany({ where: { customerId: customer.customerId ?? '' } });
    expect(await tickets()).toEqual([]);

    const opened = (await say('c-invoice-how', '我要开发票')).json.replies[0].text;
    const id = Number(/工单 #(\d+)（发票/.exec(opened)?.[1]);
    expect(id).toBeGreaterThan(0);
    expect(opened).toContain(rule);
    const again = (await say('c-invoice-how', '发票怎么开')).json.replies[0].text;
    expect(again).toMatch(new RegExp(`^您的工单 #${id} 目前状态：待处理。您的问题已转给负责的同事`));
    expect(again).toContain(rule);
    const special = (await say('c-invoice-how', '能开专票吗')).json.replies[0].text;
    expect(special).toMatch(new RegExp(`^您的工单 #${id} 目前状态：待处理。`));
    expect(special).not.toContain('发票说明'); // told once is enough
    expect((await tickets()).map((t) => [t.id, t.reminderCount])).toEqual([[id, 0]]);
    expect((await say('c-invoice-how', '发票怎么还没开')).json.replies[0].text).toContain('已再次提醒负责同事');
    expect((await tickets()).map((t) => [t.id, t.reminderCount])).toEqual([[id, 1]]);
  });

  it('"有没有L码" or "有现货吗" before buying points to the product page and the pre-sales staff; no ticket, no order list', async () => {
    for (const text of ['这个衣服有没有L码', '这款有现货吗', '有XL码吗']) {
      expect((await say('c1', text)).json.replies[0].text).toMatch(
        /^商品的尺码、库存、材质、用法洗护、正品防伪和优惠，请以商品详情页为准，也可以咨询店铺的售前客服。/,
      );
    }
  });

  it('questions before buying, praise and small talk open no ticket: 招代理, 花呗, 赠品, 好评, 能退吗, 今天能到吗', async () => {
    const user = 'c-no-ticket';
    const reply = async (text: string) => (await say(user, text)).json.replies[0].text as string;
    // A weak guess is not an answer: no return policy for 「我在外地出差」 (return_info was its best score, 0.08).
    expect(await reply('我在外地出差')).not.toMatch(/退货/);
    const presales = /^商品的尺码、库存、材质、用法洗护、正品防伪和优惠，请以商品详情页为准/;
    for (const text of ['你们招代理吗', '我用的是花呗', '你们是哪里发货']) expect(await reply(text)).toMatch(presales);
    expect(await reply('有没有赠品')).toMatch(/^赠品以下单时商品详情页的活动说明为准/);
    for (const text of ['我给你们好评了', '客服态度很好', '孩子很喜欢']) {
      expect(await reply(text)).toBe('不客气，有需要随时找我～');
    }
    expect(await reply('能退吗')).toMatch(/^退货说明：/);
    expect(await reply('那就这样吧')).not.toMatch(/破损|质量/);
    expect(await reply('没事了')).toBe('好的，有需要随时找我～');
    for (const text of ['我昨天买的东西今天能到吗', '我换手机号了 以后联系这个13912345678']) {
      expect(await reply(text)).not.toMatch(/价保|换货/);
    }
    const identity = await svc.db.prisma.identity.findFirstOrThrow({ where: { externalId: user } });
    const problems = await svc.db.prisma.ticket.findMany({ where: { customerId: identity.customerId ?? '' } });
    expect(problems.map((t) => t.problem)).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/complaint|price_protection|exchange|wrong_item|urge_shipment/)]),
    );
  });

  it('"退货寄到哪 / 运费谁出" is answered from the return policy without a ticket; "我要退货，寄到哪里" gets both', async () => {
    const reply = async (text: string) => (await say('c-return-info', text)).json.replies[0].text as string;
    // One thing asked gets that part of the policy.
    expect(await reply('退货地址是多少')).toBe(
      '退货寄回地址：浙江省杭州市余杭区仓前街道文一西路 1 号 售后仓，示例店铺售后仓 收，电话 0571-88880000。寄出后把快递单号发给我，我会登记到您的退货工单。',
    );
    for (const text of ['退货运费谁出', '运费险怎么赔']) {
      const r = await reply(text);
      expect(r).toMatch(/^退货运费：质量问题、破损、发错或漏发：寄回运费由我们承担/);
      expect(r).toContain('运费险');
      expect(r).not.toContain('寄回地址');
    }
    expect(await reply('几天内可以退')).toMatch(/^签收后 7 天内可申请无理由退换：商品及包装完好/);
    // Several things, or how a return goes, get the whole policy.
    for (const text of ['退货寄到哪，运费谁出', '怎么退货']) {
      const r = await reply(text);
      expect(r).toMatch(/^退货说明：/);
      expect(r).toContain('寄回地址：浙江省杭州市余杭区仓前街道文一西路 1 号 售后仓');
      expect(r).toContain('运费险');
    }
    const identity = await svc.db.prisma.identity.findFirst({ where: { externalId: 'c-return-info' } });
    expect(await svc.db.prisma.ticket.count({ where: { customerId: identity?.customerId ?? '' } })).toBe(0);
    const both = (await say('c-return-info', '我要退货，寄到哪里')).json.replies[0].text;
    expect(both).toMatch(/已为您登记售后工单 #\d+（退货退款/);
    expect(both).toContain('退货寄回地址：浙江省杭州市余杭区仓前街道文一西路 1 号 售后仓');
  });

  it('photos and voice notes: asked to say what happened, then recorded on the ticket; staff pictures get no reply', async () => {
    const media = (user: string, kind: string, role = 'customer') =>
      svc.post('/api/sandbox/messages', { user, role, media: kind });
    const first = await media('c-photo', 'image');
    expect(first.json.replies[0].text).toContain('请用文字说一下遇到了什么问题');
    const opened = (await say('c-photo', '就是这个 碗碎了')).json.replies[0].text;
    const id = Number(/工单 #(\d+)/.exec(opened)?.[1]);
    expect(opened).toContain('请发送订单号');
    expect(opened).not.toContain('照片'); // the photo came already
    expect((await media('c-photo', 'image')).json.replies[0].text).toBe(
      `收到您的图片，已补充到工单 #${id}，处理的同事会看到。`,
    );
    expect((await media('c-photo', 'voice')).json.replies[0].text).toContain('我暂时听不了语音');
    const notes = await svc.db.prisma.ticketEvent.findMany({
      where: { ticketId: id, type: 'note' },
      orderBy: { at: 'asc' },
    });
    expect(notes.map((n) => n.reason)).toEqual(['顾客补充：[图片]', '顾客补充：[语音]']);
    expect((await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } })).reminderCount).toBe(0);
    expect((await media('agent1', 'image', 'staff')).json.replies).toEqual([]);
    // A ticket waiting for the customer's photo resumes when it comes.
    await say('agent1', `@bot 接单 #${id}`, 'staff');
    await say('agent1', `@bot 等待客户 #${id}`, 'staff');
    expect((await media('c-photo', 'image')).json.replies[0].text).toContain('工单已继续处理');
    expect((await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } })).status).toBe('in_progress');
  });

  it('"照片发给你们了" is noted on the ticket the customer is in and opens no ticket; "收到了吗" is answered truthfully', async () => {
    const opened = (await say('c-photo-words', '收到的杯子是碎的')).json.replies[0].text;
    const id = Number(/工单 #(\d+)/.exec(opened)?.[1]);
    // Asked before any photo came: not claimed as received.
    expect((await say('c-photo-words', '你们收到我发的图片了吗')).json.replies[0].text).toBe(
      `暂时还没看到您发的图片或视频，麻烦直接在这个对话里发送一下，会补充到工单 #${id}，处理的同事会看到。`,
    );
    // The classifier heard a complaint in these words, and opened a second ticket on it.
    for (const words of ['照片发给你们了，你们看一下', '图片发你们了', '我拍了个视频 发给你们看看']) {
      expect((await say('c-photo-words', words)).json.replies[0].text).toBe(
        `收到，已补充到工单 #${id}，处理的同事会看到。`,
      );
    }
    const tickets = await svc.db.prisma.ticket.findMany({
      where: { customer: { identities: { some: { externalId: 'c-photo-words' } } } },
    });
    expect(tickets.map((t) => t.id)).toEqual([id]);
    expect(tickets[0]?.reminderCount).toBe(0);
    const notes = await svc.db.prisma.ticketEvent.findMany({ where: { ticketId: id, type: 'note' } });
    expect(notes.map((n) => n.reason)).toContain('顾客补充：照片发给你们了，你们看一下');
  });

  it('"补发的单号呢" on a 破损 ticket asks about that ticket; it opens no 补发 ticket', async () => {
    const opened = (await say('c-reship-no', '茶叶罐子压扁了')).json.replies[0].text;
    const id = Number(/工单 #(\d+)/.exec(opened)?.[1]);
    expect(opened).toContain('商品破损');
    // Nobody has answered yet: the deadline they must answer by.
    expect((await say('c-reship-no', '补发的单号呢')).json.replies[0].text).toMatch(
      new RegExp(
        `^您的工单 #${id} 目前状态：待处理。您的问题已转给负责的同事，最晚 \\d+/\\d+ \\d\\d:\\d\\d 前联系您。$`,
      ),
    );
    const tickets = await svc.db.prisma.ticket.findMany({
      where: { customer: { identities: { some: { externalId: 'c-reship-no' } } } },
    });
    expect(tickets.map((t) => t.id)).toEqual([id]);
    // Resolved with a replacement sent: "新的什么时候到" hears what was done, not the delivered order's timeline.
    await say('agent1', `@bot 解决 #${id} 已补发一罐，顺丰 SF1400000000001。`, 'staff');
    expect((await say('c-reship-no', '新的什么时候到')).json.replies[0].text).toBe(
      `您的工单 #${id}（商品破损）已处理完成，处理结果：已补发一罐，顺丰 SF1400000000001。如果一直没收到，直接回复我，工单会重新打开并加急处理。`,
    );
    expect((await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } })).status).toBe('resolved');
  });

  it('"你们打算怎么处理" asks about the ticket under way; it opens no 投诉 ticket of its own', async () => {
    const opened = (await say('c-how-handle', '宝宝用了纸尿裤 屁股红了一片')).json.replies[0].text;
    const id = Number(/工单 #(\d+)/.exec(opened)?.[1]);
    expect(opened).toContain('安全问题');
    for (const ask of ['你们打算怎么处理', '那现在怎么办']) {
      expect((await say('c-how-handle', ask)).json.replies[0].text).toMatch(
        new RegExp(`^您的工单 #${id} 目前状态：.+。您的问题已转给负责的同事，最晚 \\d+/\\d+ \\d\\d:\\d\\d 前联系您。$`),
      );
    }
    const tickets = await svc.db.prisma.ticket.findMany({
      where: { customer: { identities: { some: { externalId: 'c-how-handle' } } } },
    });
    expect(tickets.map((t) => t.id)).toEqual([id]);
  });

  it('a question that only adds to the ticket ("补发的单号多少") is answered with where the ticket stands', async () => {
    const first = await say('c-question', '东西到了，但是少了一件');
    const id = Number(/工单 #(\d+)/.exec(first.json.replies[0].text)?.[1]);
    expect(id).toBeGreaterThan(0);
    const r = await say('c-question', '补发的单号多少');
    expect(r.json.replies[0].text).toMatch(
      new RegExp(
        `^您的工单 #${id} 目前状态：待处理。您的问题已转给负责的同事，最晚 \\d+/\\d+ \\d\\d:\\d\\d 前联系您。$`,
      ),
    );
    const t = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } });
    expect(t.reminderCount).toBe(0);
    const notes = await svc.db.prisma.ticketEvent.findMany({ where: { ticketId: id, type: 'note' } });
    expect(notes.map((n) => n.reason)).toEqual(['顾客补充：补发的单号多少']);
    // Once someone has answered, the deadline is no longer the point: they will get back to the customer.
    await say('agent1', `@bot 受理 #${id}`, 'staff');
    expect((await say('c-question', '那补发的单号呢')).json.replies[0].text).toBe(
      `您的工单 #${id} 目前状态：已受理。您的问题已转给负责的同事，会尽快回复您。`,
    );
  });

  it('with a return under way, "运费你们出吗" names the ticket too, and "行 那我明天寄" hears where the number goes', async () => {
    const opened = (await say('c-send-later', '衣服不喜欢 我想退货')).json.replies[0].text;
    const id = Number(/工单 #(\d+)/.exec(opened)?.[1]);
    expect(opened).toContain('退货退款');
    const fee = (await say('c-send-later', '那寄回的运费你们出吗')).json.replies[0].text;
    expect(fee).toContain('运费：');
    expect(fee).toContain(`您的工单 #${id}（退货退款）已登记`);
    expect((await say('c-send-later', '行 那我明天寄')).json.replies[0].text).toBe(
      `好的～寄出后把快递单号发给我，我会登记到您的退货工单 #${id}。`,
    );
    // A greeting later hears of the ticket under way first.
    expect((await say('c-send-later', '你好')).json.replies[0].text).toBe(
      `您好，我是售后助手 🙂 您有 1 张工单在处理：#${id} 退货退款（待处理）。想看进度发「我的工单」；有新的问题直接告诉我。`,
    );
    expect((await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } })).reminderCount).toBe(0);
  });

  it('"运费谁出" from a customer whose ticket is a quality problem says the shipping is on the shop', async () => {
    const opened = (await say('c-fault', '衣服洗了一次就掉色 还起球')).json.replies[0].text;
    const id = Number(/工单 #(\d+)（质量问题/.exec(opened)?.[1]);
    expect(id).toBeGreaterThan(0);
    const who = (await say('c-fault', '运费谁出')).json.replies[0].text;
    expect(who).toMatch(/^退货运费：/);
    expect(who).toContain(
      `您的工单 #${id}（质量问题）属于我们的责任，运费按这一条：质量问题、破损、发错或漏发：寄回运费由我们承担`,
    );
    // Without such a ticket the policy is told as it is, for the customer to read.
    expect((await say('c-no-fault', '运费谁出')).json.replies[0].text).not.toContain('属于我们的责任');
  });

  it('"我已经寄出了 SF…" after reading the return policy opens the return ticket with the parcel on it', async () => {
    expect((await say('c-parcel-first', '退货寄到哪里')).json.replies[0].text).toContain('寄回地址：');
    const r = (await say('c-parcel-first', '好的 我已经寄出了 顺丰SF1234567890124')).json.replies[0].text;
    const id = Number(/工单 #(\d+)/.exec(r)?.[1]);
    expect(r).toMatch(/^已为您登记售后工单 #\d+（退货退款，/);
    expect(r).toContain(`收到寄回的单号 SF1234567890124，已登记到退货工单 #${id}。`);
    expect(r).not.toContain('核实后为您查询'); // the number is not taken for an order to look up
    const notes = await svc.db.prisma.ticketEvent.findMany({ where: { ticketId: id, type: 'note' } });
    expect(notes.map((n) => n.reason)).toEqual(['顾客寄回单号 SF1234567890124']);
    // The same number again is recorded once.
    expect((await say('c-parcel-first', '退货单号 SF1234567890124')).json.replies[0].text).toContain(
      `已登记到退货工单 #${id}`,
    );
    const again = await svc.db.prisma.ticketEvent.findMany({ where: { ticketId: id, type: 'note' } });
    expect(again).toHaveLength(1);
    expect(
      await svc.db.prisma.ticket.count({
        where: { customerId: (await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } })).customerId },
      }),
    ).toBe(1);
  });

  it('the tracking number of the parcel sent back is recorded on the return ticket, as the return policy asks', async () => {
    const opened = (await say('c-parcel', '衣服洗了一次就掉色了，我要退货')).json.replies[0].text;
    const id = Number(/工单 #(\d+)/.exec(opened)?.[1]);
    expect(opened).toContain('退货退款');
    const r = await say('c-parcel', '退货的快递单号是 SF1234567890123');
    expect(r.json.replies[0].text).toBe(
      `收到寄回的单号 SF1234567890123，已登记到退货工单 #${id}。仓库签收验货后会尽快为您处理。`,
    );
    const t = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } });
    expect(await svc.db.prisma.ticket.count({ where: { customerId: t.customerId } })).toBe(1);
    const notes = await svc.db.prisma.ticketEvent.findMany({ where: { ticketId: id, type: 'note' } });
    expect(notes.map((n) => n.reason)).toEqual(['顾客寄回单号 SF1234567890123']);
  });

  it('after 「我要退货」 on a faulty-goods ticket, the parcel sent back and "什么时候退款" belong to that ticket', async () => {
    const opened = (await say('c-faulty-back', '衣服穿了一次就起球，质量太差了')).json.replies[0].text;
    const id = Number(/工单 #(\d+)（质量问题/.exec(opened)?.[1]);
    expect(id).toBeGreaterThan(0);
    expect((await say('c-faulty-back', '我要退货')).json.replies[0].text).toBe(
      `收到，您希望退货退款，已记到工单 #${id}，处理的同事确认后会告诉您。`,
    );
    // A number with no sent-back words: still the parcel, since the customer asked to return the goods.
    expect((await say('c-faulty-back', '单号YT1234567890123')).json.replies[0].text).toBe(
      `收到寄回的单号 YT1234567890123，已登记到工单 #${id}（质量问题）。仓库签收验货后会尽快为您处理。`,
    );
    const refund = (await say('c-faulty-back', '什么时候退款')).json.replies[0].text;
    expect(refund).toMatch(new RegExp(`^您的工单 #${id} 目前状态：待处理。`));
    expect(refund).toContain('退款说明：仓库签收验货后 48 小时内退款，原路退回。');
    const t = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } });
    expect(await svc.db.prisma.ticket.count({ where: { customerId: t.customerId } })).toBe(1);
    expect(t.reminderCount).toBe(0);
    expect(await eventReasons(svc.db.prisma, id, 'note')).toEqual([
      '顾客补充：我要退货',
      '顾客寄回单号 YT1234567890123',
      '顾客补充：什么时候退款',
    ]);
  });

  it('"我寄回去了 SF…" on a broken-goods ticket records the parcel there, without a return ticket', async () => {
    const opened = (await say('c-broken-back', '收到的杯子碎了')).json.replies[0].text;
    const id = Number(/工单 #(\d+)（商品破损/.exec(opened)?.[1]);
    expect(id).toBeGreaterThan(0);
    expect((await say('c-broken-back', '我已经寄回去了 顺丰SF1234567890777')).json.replies[0].text).toContain(
      `收到寄回的单号 SF1234567890777，已登记到工单 #${id}（商品破损）。`,
    );
    const t = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } });
    expect(await svc.db.prisma.ticket.count({ where: { customerId: t.customerId } })).toBe(1);
  });

  it('the size or colour for an exchange is a detail on the ticket, not a reminder', async () => {
    const opened = (await say('c-exchange', '裤子小了，想换个大一码的')).json.replies[0].text;
    const id = Number(/工单 #(\d+)/.exec(opened)?.[1]);
    for (const text of ['换成XL的', '颜色也换成黑色吧']) {
      expect((await say('c-exchange', text)).json.replies[0].text).toBe(
        `收到，已补充到工单 #${id}，处理的同事会看到。`,
      );
    }
    expect((await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } })).reminderCount).toBe(0);
  });

  it('taking back a request nobody has picked up withdraws its ticket; one being worked on only hears of it', async () => {
    const opened = await say('c-withdraw', '我要取消订单');
    const id = Number(/工单 #(\d+)/.exec(opened.json.replies[0].text)?.[1]);
    expect((await say('c-withdraw', '算了不取消了')).json.replies[0].text).toBe(
      `好的，已为您撤销工单 #${id}（修改/取消订单）。之后有需要随时告诉我。`,
    );
    const withdrawn = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } });
    expect(withdrawn.status).toBe('closed');
    const events = await svc.db.prisma.ticketEvent.findMany({
      where: { ticketId: id, type: 'status' },
      orderBy: { at: 'asc' },
    });
    expect(events.map((e) => e.reason)).toEqual(['撤回申请：算了不取消了', '顾客撤回，工单关闭']);
    const owner = await svc.db.prisma.identity.findFirstOrThrow({ where: { staffId: withdrawn.assigneeId ?? '-' } });
    expect((await inbox(owner.externalId)).map((m) => m.text)).toContain(
      `工单 #${id} 顾客撤回了申请（「算了不取消了」），已自动关闭。`,
    );
    // Asking for it again later is a new request, not a reopened one.
    const again = await say('c-withdraw', '还是取消订单吧');
    expect(again.json.replies[0].text).toMatch(/^已为您登记售后工单 #\d+（/);
    expect(again.json.replies[0].text).not.toContain(`#${id}`);
    // 「算了 不用处理了」 takes back whatever the ticket was for, after a question about it too. It once showed the
    // order the conversation carried, and told the customer 「那就先不处理了」 with the ticket still open.
    const quality = await say('c-withdraw-3', '耳机左边没声音');
    const qid = Number(/工单 #(\d+)/.exec(quality.json.replies[0].text)?.[1]);
    expect((await say('c-withdraw-3', '我的工单')).json.replies[0].text).toContain(`#${qid}`);
    expect((await say('c-withdraw-3', '算了 不用处理了')).json.replies[0].text).toBe(
      `好的，已为您撤销工单 #${qid}（质量问题）。之后有需要随时告诉我。`,
    );
    expect((await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id: qid } })).status).toBe('closed');
    // Being worked on: the owner decides, the ticket stays theirs.
    const exchange = await say('c-withdraw-2', '衣服尺码不合适 我要换货');
    const other = Number(/工单 #(\d+)/.exec(exchange.json.replies[0].text)?.[1]);
    await say('agent1', `@bot 接单 #${other}`, 'staff');
    expect((await say('c-withdraw-2', '不用换了')).json.replies[0].text).toBe(
      `好的，已告诉处理工单 #${other} 的同事您这边不需要了，他们会据此处理。`,
    );
    expect((await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id: other } })).status).toBe('in_progress');
  });

  it('taking a request back with nothing open opens nothing', async () => {
    const r = await say('c-retract', '算了不退了');
    expect(r.json.replies[0].text).toContain('先不处理了');
    const identity = await svc.db.prisma.identity.findFirst({ where: { externalId: 'c-retract' } });
    expect(await svc.db.prisma.ticket.count({ where: { customerId: identity?.customerId ?? '' } })).toBe(0);
  });

  it('"我要找你们经理" during a ticket sends that ticket to the manager; "能不能加急" chases it — no new tickets', async () => {
    const opened = (await say('c-boss', '杯子收到就碎了')).json.replies[0].text;
    const id = Number(/工单 #(\d+)（商品破损/.exec(opened)?.[1]);
    expect(id).toBeGreaterThan(0);
    expect((await say('c-boss', '能不能加急')).json.replies[0].text).toContain(`您的工单 #${id} 目前状态`);
    const before = (await inbox('mgr1')).length;
    for (const text of ['我要找你们经理', '叫你们领导来']) {
      expect((await say('c-boss', text)).json.replies[0].text).toMatch(
        new RegExp(`^好的，工单 #${id} 已转交经理跟进，经理会尽快联系您。`),
      );
    }
    // The manager hears of it once (one escalation per level), with the ticket.
    const toManager = await eventually(
      async () => (await inbox('mgr1')).slice(before).filter((m) => m.text.includes(`工单 #${id}：顾客投诉`)),
      (m) => m.length > 0,
    );
    expect(toManager).toHaveLength(1);
    const t = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } });
    expect(t.escalationLevel).toBe(3);
    expect(await svc.db.prisma.ticket.count({ where: { customerId: t.customerId } })).toBe(1);
  });

  it('a 12315 threat reaches the manager at once; the manager acknowledges from the chat', async () => {
    const res = await say('c-angry', '三天了没人管 我要打12315投诉你们');
    expect(res.json.replies[0].text).toContain('您的投诉已直接转交经理处理');
    const id = Number(/#(\d+)/.exec(res.json.replies[0].text)?.[1]);
    expect(id).toBeGreaterThan(0);
    const pushed = await inbox('mgr1');
    expect(pushed.map((m) => m.text).join('\n')).toContain(`第3级升级】工单 #${id}`);
    const ack = await say('mgr1', `收到 #${id}`, 'manager');
    expect(ack.json.replies[0].text).toBe(`已确认工单 #${id}（经理陈总），升级提醒已停止。`);
    const view: string = (await say('mgr1', `工单 #${id}`, 'manager')).json.replies[0].text;
    expect(view).toMatch(/系统：升级到第 3 级（经理）：顾客投诉\n· .+ 经理陈总：确认了升级提醒\n/);
  });

  it('staff look a ticket up and see who, which order, who owns it, why it got its priority, all in Chinese', async () => {
    const res = await say('agent1', '工单 #1', 'staff');
    const text: string = res.json.replies[0].text;
    expect(text).toMatch(/工单 #1 · P1/);
    expect(text).toMatch(/顾客：.+　订单：未关联订单/);
    expect(text).toMatch(/负责人：(?!未分配).+/);
    expect(text).toContain('优先级依据：过敏 → 安全问题 → P1');
    expect(text).toContain('升级到第 1 级（当班客服）：紧急问题');
    expect(text).not.toMatch(/：critical|：sla_breach|：complaint/);
  });
});

describe('staff commands in chat', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => svc?.stop());
  const say = (user: string, text: string, role = 'customer') =>
    svc.post('/api/sandbox/messages', { user, role, text });
  const inbox = async (user: string): Promise<Msg[]> =>
    (await svc.get(`/api/sandbox/inbox?user=${user}`)).json.messages;

  it('a ticket view lists the same customer\'s other unfinished tickets ("这个顾客还有别的工单吗 #N")', async () => {
    const first = (await say('c-several', '杯子收到就碎了')).json.replies[0].text;
    const a = Number(/工单 #(\d+)/.exec(first)?.[1]);
    const second = (await say('c-several', '另外我还想开个发票')).json.replies[0].text;
    const b = Number(/工单 #(\d+)（发票/.exec(second)?.[1]);
    expect(b).toBeGreaterThan(a);
    const view = (await say('agent1', `@bot 这个顾客还有别的工单吗 #${a}`, 'staff')).json.replies[0].text;
    expect(view).toMatch(new RegExp(`^工单 #${a} · `));
    expect(view).toContain(`该顾客其他未完成工单：#${b} P4 发票（待处理）`);
  });

  it('备注 #N keeps an internal note on the ticket: shown in its view, pushed to the owner, never to the customer', async () => {
    const opened = (await say('c-noted', '杯子收到就碎了')).json.replies[0].text;
    const id = Number(/工单 #(\d+)/.exec(opened)?.[1]);
    const t = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id }, include: { assignee: true } });
    const owner = await svc.db.prisma.identity.findFirstOrThrow({ where: { staffId: t.assigneeId ?? '' } });
    const customerBefore = (await inbox('c-noted')).length;
    expect((await say('sup1', `@bot 备注 #${id} 顾客说颜色也发错了 一起处理`, 'staff')).json.replies[0].text).toBe(
      `已在工单 #${id} 记下备注（顾客看不到）。`,
    );
    const view = (await say('sup1', `@bot 工单 #${id}`, 'staff')).json.replies[0].text;
    expect(view).toContain('员工备注：顾客说颜色也发错了 一起处理');
    const pushed = await eventually(
      async () =>
        (await inbox(owner.externalId)).filter((m) => m.text.includes(`工单 #${id}（`) && m.text.includes('备注')),
      (m) => m.length > 0,
    );
    expect(pushed[0]?.text).toContain('顾客说颜色也发错了');
    expect((await inbox('c-noted')).length).toBe(customerBefore);
    expect((await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } })).firstRespondedAt).toBeNull();
  });

  it('after 「12号工单已经补发了 SF…」 the customer asks the number and hears it; "补发的还没到" reopens that ticket', async () => {
    const opened = (await say('c-reship-late', '杯子收到就碎了')).json.replies[0].text;
    const id = Number(/工单 #(\d+)（商品破损/.exec(opened)?.[1]);
    expect(id).toBeGreaterThan(0);
    expect((await say('agent1', `@bot ${id}号工单已经补发了 顺丰SF1111222233334`, 'staff')).json.replies[0].text).toBe(
      `工单 #${id} 已更新为「已解决」。已通知顾客。`,
    );
    const notice = (await inbox('c-reship-late')).map((m) => m.text).find((t) => t.includes('已处理完成'));
    expect(notice).toContain('处理结果：已经补发了 顺丰SF1111222233334。');
    expect((await say('c-reship-late', '补发的单号是多少')).json.replies[0].text).toBe(
      `您的工单 #${id}（商品破损）已处理完成，处理结果：已经补发了 顺丰SF1111222233334。如果一直没收到，直接回复我，工单会重新打开并加急处理。`,
    );
    expect((await say('c-reship-late', '补发的还没到')).json.replies[0].text).toBe(
      `抱歉问题还没解决！工单 #${id} 已重新打开，并已升级给主管跟进。`,
    );
    const t = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } });
    expect([t.status, t.reopenCount]).toEqual(['open', 1]);
    expect(await svc.db.prisma.ticket.count({ where: { customerId: t.customerId } })).toBe(1);
  });

  it('a resolved ticket about something else is not reopened by a new "快递还没到"', async () => {
    const opened = (await say('c-other-late', '麻烦开个发票')).json.replies[0].text;
    const id = Number(/工单 #(\d+)（发票/.exec(opened)?.[1]);
    await say('agent1', `@bot 解决 #${id} 已开具电子发票`, 'staff');
    const late = (await say('c-other-late', '快递还没到')).json.replies[0].text;
    expect(late).not.toContain(`#${id} 已重新打开`);
    const t = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } });
    expect(t.status).toBe('resolved');
  });

  it('接单, 回复 (reaches the customer), 等待客户 pauses, 我的工单 and 加急工单 list, 解决 resolves', async () => {
    const opened = await say('c-wrong', '收到的衣服尺码发错了 我买的M发成了XL');
    const id = Number(/#(\d+)/.exec(opened.json.replies[0].text)?.[1]);
    const ticket = await svc.db.prisma.ticket.findUniqueOrThrow({
      where: { id },
      include: { assignee: { include: { identities: true } } },
    });
    const agent = ticket.assignee?.identities[0]?.externalId ?? 'agent1';
    expect((await say(agent, `@bot 接单 #${id}`, 'staff')).json.replies[0].text).toBe(
      `工单 #${id} 已更新为「处理中」。`,
    );
    expect(
      (await say(agent, `@bot 回复 #${id} 您好，已安排换货，新尺码明天发出`, 'staff')).json.replies[0].text,
    ).toContain('已把回复发给');
    const customerInbox = (await svc.get('/api/sandbox/inbox?user=c-wrong')).json.messages.map(
      (m: { text: string }) => m.text,
    );
    expect(customerInbox).toContain(`【工单 #${id}】您好，已安排换货，新尺码明天发出`);
    expect((await say(agent, `@bot 等待客户 #${id}`, 'staff')).json.replies[0].text).toContain('等待顾客回复');
    expect((await say(agent, '@bot 我的工单', 'staff')).json.replies[0].text).toContain(`#${id} `);
    expect((await say(agent, '@bot 工单', 'staff')).json.replies[0].text).toContain(`#${id} `);
    // Everyone's P1/P2 tickets, asked in plain words too.
    const urgent = (await say(agent, '@bot 帮我看下今天有哪些加急的', 'staff')).json.replies[0].text;
    expect(urgent).toMatch(/^未完成的加急工单（P1\/P2）\d+ 张：/);
    expect(urgent).toContain(`#${id} P2 等待顾客回复 发错货：收到的衣服尺码发错了`);
    // The customer answers in words that name no problem: the waiting ticket resumes.
    expect((await say('c-wrong', '好的 那我等着 地址没变')).json.replies[0].text).toBe(
      `收到您的回复，工单 #${id} 已继续处理。`,
    );
    expect((await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } })).status).toBe('in_progress');
    expect((await say(agent, `@bot 解决 #${id}`, 'staff')).json.replies[0].text).toBe(
      `工单 #${id} 已更新为「已解决」。已通知顾客。`,
    );
    const told = (await svc.get('/api/sandbox/inbox?user=c-wrong')).json.messages.map((m: { text: string }) => m.text);
    expect(told.at(-1)).toBe(
      `您的工单 #${id}（发错货）已处理完成。如果问题还没有解决，直接回复我，工单会重新打开并加急处理。\n${RATE}`,
    );
    // Still wrong after it was resolved: the customer's message reopens it and it escalates.
    const again = await say('c-wrong', '收到的还是XL 又发错了');
    expect(again.json.replies[0].text).toBe(`抱歉问题还没解决！工单 #${id} 已重新打开，并已升级给主管跟进。`);
    const reopened = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } });
    expect(reopened).toMatchObject({ status: 'open', reopenCount: 1, resolvedAt: null });
    expect(await svc.db.prisma.escalation.count({ where: { ticketId: id } })).toBeGreaterThan(0);
  });

  it('优先级 #N P1 / 加急 #N set the priority by hand: new deadlines, an event, the owner told; reminders leave it', async () => {
    const opened = (await say('c-prio', '收到的衣服尺码发错了 我买的M发成了XL')).json.replies[0].text;
    const id = Number(/工单 #(\d+)（发错货/.exec(opened)?.[1]);
    const before = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } });
    expect(before.priority).toBe('P2');
    const owner = await svc.db.prisma.identity.findFirstOrThrow({ where: { staffId: before.assigneeId ?? '' } });
    const raiser = owner.externalId === 'agent2' ? 'agent1' : 'agent2';
    const raised = (await say(raiser, `@bot 优先级 #${id} P1 顾客后天出国`, 'staff')).json.replies[0].text;
    expect(raised).toMatch(new RegExp(`^工单 #${id} 优先级 P2 → P1，首响截止 \\S+ \\S+，解决截止 `));
    const after = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } });
    expect(after.priority).toBe('P1');
    expect(after.firstResponseDueAt?.getTime()).toBeLessThan(before.firstResponseDueAt?.getTime() ?? 0);
    expect(after.policyRevision).toBeGreaterThan(before.policyRevision);
    expect(await eventReasons(svc.db.prisma, id, 'priority')).toEqual([
      expect.stringMatching(/调整优先级 P2 → P1：顾客后天出国$/),
    ]);
    const pushed = await eventually(
      async () => (await inbox(owner.externalId)).filter((m) => m.text.includes(`工单 #${id} 优先级从 P2 调为 P1`)),
      (m) => m.length > 0,
    );
    expect(pushed[0]?.text).toContain('顾客后天出国');
    // An agent may raise but not lower; a supervisor may lower, with why.
    expect((await say(raiser, `@bot ${id}号工单降为P3`, 'staff')).json.replies[0].text).toMatch(
      /^只有主管或经理可以调低工单优先级/,
    );
    expect((await say('sup1', `@bot ${id}号工单降为P3 已电话沟通 不急`, 'staff')).json.replies[0].text).toMatch(
      new RegExp(`^工单 #${id} 优先级 P1 → P3`),
    );
    // The customer chases three times: left to itself the ticket would go back to 发错货's P2 and one level up;
    // the priority staff chose stays.
    for (const chase of ['尺码发错了 怎么还没人处理', '怎么还没人处理', '到底有没有人管']) {
      expect((await say('c-prio', chase)).json.replies[0].text).toContain(`您的工单 #${id} 目前状态`);
    }
    const chased = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } });
    expect(chased.reminderCount).toBeGreaterThanOrEqual(2);
    expect(chased.priority).toBe('P3');
    expect((await say(raiser, `@bot 加急 #${id}`, 'staff')).json.replies[0].text).toMatch(
      new RegExp(`^工单 #${id} 优先级 P3 → P2`),
    );
    const view = (await say('sup1', `@bot 工单 #${id}`, 'staff')).json.replies[0].text;
    expect(view).toContain(`工单 #${id} · P2 · `);
    expect(view).toContain('手动调整 → P3（已电话沟通 不急）');
    expect((await say('sup1', `@bot 优先级 #${id} P2`, 'staff')).json.replies[0].text).toBe(`工单 #${id} 已经是 P2。`);
    // Said the way people say it: one level down (supervisors only), one level up.
    expect((await say(raiser, `@bot 降级 #${id}`, 'staff')).json.replies[0].text).toMatch(/^只有主管或经理/);
    expect((await say('sup1', `@bot ${id}号工单优先级调低一点 已电话安抚`, 'staff')).json.replies[0].text).toMatch(
      new RegExp(`^工单 #${id} 优先级 P2 → P3`),
    );
    expect((await say(raiser, `@bot 把${id}号改成紧急`, 'staff')).json.replies[0].text).toMatch(
      new RegExp(`^工单 #${id} 优先级 P3 → P2`),
    );
  });

  it('话术 lists the quick replies; 回复 #N /拍照 sends one to the customer as a response; an unknown name sends nothing', async () => {
    const opened = (await say('c-quick', '杯子收到就碎了')).json.replies[0].text;
    const id = Number(/工单 #(\d+)/.exec(opened)?.[1]);
    const list = (await say('agent1', '@bot 话术', 'staff')).json.replies[0].text;
    expect(list).toMatch(/^快捷话术（发「回复 #工单号 \/名字」或「回复 #工单号 话术2」/);
    expect(list).toContain('\n2. 拍照：');
    const before = (await inbox('c-quick')).length;
    expect((await say('agent1', `@bot 回复 #${id} /不存在`, 'staff')).json.replies[0].text).toMatch(
      /^没有「不存在」这条话术，这次没有发给顾客。可用的话术：1\. 致歉/,
    );
    expect((await inbox('c-quick')).length).toBe(before);
    expect((await say('agent1', `@bot 回复 #${id} /拍照`, 'staff')).json.replies[0].text).toBe(
      `已把回复发给工单 #${id} 的顾客。`,
    );
    expect((await say('agent1', `@bot ${id}号工单回复顾客：/退货地址 运费我们出`, 'staff')).json.replies[0].text).toBe(
      `已把回复发给工单 #${id} 的顾客。`,
    );
    const got = (await inbox('c-quick')).slice(before).map((m) => m.text);
    expect(got).toEqual([
      `【工单 #${id}】麻烦您拍几张照片发过来：商品有问题的地方、外包装和快递面单各一张，我们核实后尽快给您处理。`,
      expect.stringMatching(
        new RegExp(
          `^【工单 #${id}】请把商品寄回：浙江省杭州市余杭区仓前街道文一西路 1 号 售后仓，示例店铺售后仓 收，电话 0571-88880000。.* 运费我们出$`,
        ),
      ),
    ]);
    const t = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } });
    expect(t.firstRespondedAt).not.toBeNull();
  });

  it('下班 takes an agent out of the rotation for new tickets, 上班 puts them back; 谁在岗 lists who gets them', async () => {
    const p = svc.db.prisma;
    const agents = await p.staff.findMany({ where: { role: 'agent' }, include: { identities: true } });
    expect(agents.length).toBe(2);
    const [away, stays] = agents.map((a) => ({ ...a, user: a.identities[0]?.externalId ?? '' }));
    if (!away || !stays) throw new Error('two agents expected');
    const ownerOf = async (user: string) => {
      const id = Number(/工单 #(\d+)/.exec((await say(user, '杯子收到就碎了')).json.replies[0].text)?.[1]);
      return (await p.ticket.findUniqueOrThrow({ where: { id } })).assigneeId;
    };
    const off = (await say(away.user, '@bot 我今天先走了', 'staff')).json.replies[0].text;
    expect(off).toMatch(
      new RegExp(`^好的，已暂停给您分配新工单。.*新工单会分给：${stays.name}。回来后发「上班」恢复。$`),
    );
    expect((await say(away.user, '@bot 下班', 'staff')).json.replies[0].text).toBe(
      '您已经是暂停接单状态。回来后发「上班」恢复。',
    );
    expect((await say('sup1', '@bot 谁在岗', 'staff')).json.replies[0].text).toBe(
      `在岗客服（轮流分配新工单）：${stays.name}\n暂停接单：${away.name}`,
    );
    // Three new tickets while away: all go to the colleague on duty.
    const whileAway = [await ownerOf('c-duty-1'), await ownerOf('c-duty-2'), await ownerOf('c-duty-3')];
    expect(whileAway).toEqual([stays.id, stays.id, stays.id]);
    expect((await say(away.user, '@bot 我来上班了', 'staff')).json.replies[0].text).toBe(
      '好的，已恢复给您分配新工单。',
    );
    // Back in the rotation: of the next two tickets, one is theirs.
    expect([await ownerOf('c-duty-4'), await ownerOf('c-duty-5')]).toContain(away.id);
    expect((await say('sup1', '@bot 下班', 'staff')).json.replies[0].text).toBe(
      '新工单只在客服之间轮流分配，主管和经理没有接单状态。',
    );
  });

  it("待处理工单 lists everyone's unfinished tickets, most urgent first; 未分配工单 those nobody owns", async () => {
    const idOf = async (user: string, text: string) =>
      Number(/工单 #(\d+)/.exec((await say(user, text)).json.replies[0].text)?.[1]);
    const burnt = await idOf('c-queue-1', '用了你们的卷发棒 头发烫焦了 头皮也烫伤了');
    const late = await idOf('c-queue-2', '我要开发票');
    await svc.db.prisma.ticket.update({ where: { id: late }, data: { assigneeId: null } });
    const all = (await say('agent1', '@bot 今天有哪些工单', 'staff')).json.replies[0].text;
    expect(all).toMatch(/^未完成工单 \d+ 张（P1 \d+ · P2 \d+ · P3 \d+ · P4 \d+）/);
    const lines = all.split('\n');
    const at = (id: number) => lines.findIndex((l: string) => l.startsWith(`#${id} `));
    expect(lines[at(burnt)]).toMatch(new RegExp(`^#${burnt} P1 待处理 安全问题：.*（\\S+，首响截止 `));
    expect(lines[at(late)]).toMatch(new RegExp(`^#${late} P4 待处理 发票：我要开发票（未分配，首响截止 `));
    expect(at(burnt)).toBeLessThan(at(late));
    expect((await say('agent1', '@bot 待处理工单', 'staff')).json.replies[0].text).toBe(all);
    const nobody = (await say('agent1', '@bot 有没人接的单子吗', 'staff')).json.replies[0].text;
    expect(nobody).toMatch(/^还没有人负责的未完成工单 \d+ 张：/);
    expect(nobody).toContain(`#${late} P4`);
    expect(nobody).not.toContain(`#${burnt} `);
  });

  it('"这单谁负责", "这单我来处理": the ticket the bot last named in that chat, without its number', async () => {
    const opened = (await say('c-this', '杯子收到就碎了')).json.replies[0].text;
    const id = Number(/工单 #(\d+)/.exec(opened)?.[1]);
    const inGroup = (text: string) =>
      svc.post('/api/sandbox/messages', { user: 'agent2', role: 'staff', chat: 'g-this', text });
    // Nothing named in this chat yet: no guess.
    expect((await inGroup('@bot 这单谁负责')).json.replies[0].text).toMatch(/^可用指令：/);
    expect((await inGroup(`@bot 工单 #${id}`)).json.replies[0].text).toMatch(new RegExp(`^工单 #${id} · `));
    expect((await inGroup('@bot 这单谁负责')).json.replies[0].text).toMatch(new RegExp(`^工单 #${id} · `));
    expect((await inGroup('@bot 这单我来处理')).json.replies[0].text).toMatch(
      new RegExp(`^工单 #${id} 已更新为「处理中」。`),
    );
    const t = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id }, include: { assignee: true } });
    expect(t.assignee?.name).toBe('客服小李');
    // The command list names 「工单 #123」 as an example: after it, "这单" means no ticket 123.
    await inGroup('@bot 帮助');
    expect((await inGroup('@bot 这单谁负责')).json.replies[0].text).toMatch(new RegExp(`^工单 #${id} · `));
  });

  it('"好的收到" with no number acknowledges the push just received', async () => {
    const opened = (await say('c-bare-ack', '宝宝用了你们的湿巾 屁股红肿了')).json.replies[0].text;
    const id = Number(/工单 #(\d+)/.exec(opened)?.[1]);
    const pushed = await eventually(
      async () => [(await inbox('agent1')).map((m) => m.text), (await inbox('agent2')).map((m) => m.text)],
      (both) => both.some((texts) => texts.some((t) => t.includes(`工单 #${id}`))),
    );
    const agent = pushed[0]?.some((t) => t.includes(`工单 #${id}`)) ? 'agent1' : 'agent2';
    expect((await say(agent, '好的收到，马上处理', 'staff')).json.replies[0].text).toMatch(
      new RegExp(`^已确认工单 #${id}（`),
    );
    const t = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id }, include: { escalations: true } });
    expect(t.escalations.length).toBeGreaterThan(0);
    expect(t.escalations.every((e) => e.ackedAt instanceof Date)).toBe(true);
    // 「收到3件」 names no ticket and acknowledges nothing.
    expect((await say(agent, '收到3件', 'staff')).json.replies[0].text).not.toContain('已确认');
  });

  it('the resolution notice asks for a rating; 满意 is recorded, 不满意 reaches the owner and the supervisors', async () => {
    const resolve = async (user: string, text: string) => {
      const opened = await say(user, text);
      const id = Number(/工单 #(\d+)/.exec(opened.json.replies[0].text)?.[1]);
      await say('agent1', `@bot 接单 #${id}`, 'staff');
      await say('agent1', `@bot 解决 #${id} 已安排补发`, 'staff');
      return id;
    };
    const pleased = await resolve('c-rate-1', '少发了一个杯盖');
    const notice = (await inbox('c-rate-1')).at(-1);
    expect(notice?.choices?.items).toEqual([
      { id: `rate_${pleased}_good`, label: '满意' },
      { id: `rate_${pleased}_okay`, label: '一般' },
      { id: `rate_${pleased}_bad`, label: '不满意' },
    ]);
    expect((await say('c-rate-1', '满意')).json.replies[0].text).toBe('感谢您的评价！有需要随时找我～');
    const ratings = (id: number) =>
      svc.db.prisma.ticketEvent.findMany({ where: { ticketId: id, type: 'rating' }, select: { reason: true } });
    expect(await ratings(pleased)).toEqual([{ reason: '评价本次处理：满意' }]);
    // The rating is an answer, not a new matter: the resolved ticket stays resolved.
    expect((await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id: pleased } })).status).toBe('resolved');

    const unhappy = await resolve('c-rate-2', '少发了一个充电头');
    expect((await say('c-rate-2', '不满意！')).json.replies[0].text).toContain('已转告负责的同事和主管');
    expect(await ratings(unhappy)).toEqual([{ reason: '评价本次处理：不满意' }]);
    const told = await eventually(
      () => inbox('sup1'),
      (m) => m.some((x) => x.text.startsWith(`顾客对工单 #${unhappy} 的处理不满意`)),
      5000,
    );
    // Tapped again: the same answer is one rating, and nobody is told twice.
    expect((await say('c-rate-2', '不满意')).json.replies[0].text).toContain('已转告负责的同事和主管');
    expect(await ratings(unhappy)).toHaveLength(1);
    expect(told.filter((x) => x.text.startsWith(`顾客对工单 #${unhappy}`))).toHaveLength(1);
    // Read after the second tap was answered (the push to supervisors happens before the answer).
    const again = (await inbox('sup1')).filter((x) => x.text.startsWith(`顾客对工单 #${unhappy}`));
    expect(again).toHaveLength(1);
    expect((await inbox('agent1')).some((x) => x.text.startsWith(`顾客对工单 #${unhappy} 的处理不满意`))).toBe(true);
    // Without a resolved ticket, 满意 is no rating: small talk.
    const after = await say('c-rate-3', '满意');
    expect(after.json.replies[0].text).not.toContain('感谢您的评价');
    // Supervisors see the month's ratings and whom to call back.
    const report = (await say('sup1', '@bot 满意度', 'staff')).json.replies[0].text;
    expect(report).toMatch(/^近 30 天顾客评价 2 条（已解决 \d+ 单，评价率 \d+%）：/);
    expect(report).toContain('满意 1（50%） · 一般 0（0%） · 不满意 1（50%）');
    expect(report).toContain(`不满意的工单（请回访）：\n· #${unhappy} `);
    expect(report).not.toContain(`#${pleased} `);
  });

  it('a rating with a reason ("不满意 客服态度太差") is the rating, the reason goes to the callers-back; no new ticket', async () => {
    const opened = (await say('c-rate-why', '杯子收到就碎了')).json.replies[0].text;
    const id = Number(/工单 #(\d+)/.exec(opened)?.[1]);
    await say('agent1', `@bot 解决 #${id} 已补发`, 'staff');
    const sup = (await inbox('sup1')).length;
    expect((await say('c-rate-why', '不满意 客服态度太差')).json.replies[0].text).toMatch(/^抱歉这次没让您满意/);
    const told = await eventually(
      async () => (await inbox('sup1')).slice(sup).filter((m) => m.text.includes(`顾客对工单 #${id} 的处理不满意`)),
      (m) => m.length > 0,
    );
    expect(told[0]?.text).toContain('顾客说：客服态度太差');
    expect((await say('c-rate-why', '还行吧，就是太慢了')).json.replies[0].text).toMatch(
      /^感谢您的评价，我们会继续改进/,
    );
    expect(await eventReasons(svc.db.prisma, id, 'rating')).toEqual([
      '评价本次处理：不满意（客服态度太差）',
      '评价本次处理：一般（就是太慢了）',
    ]);
    const t = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } });
    expect(t.status).toBe('resolved');
    expect(await svc.db.prisma.ticket.count({ where: { customerId: t.customerId } })).toBe(1);
    // A rating word that starts a question is no rating.
    expect((await say('c-rate-why', '一般多久到账')).json.replies[0].text).not.toMatch(/^感谢您的评价/);
    expect(await svc.db.prisma.ticketEvent.count({ where: { ticketId: id, type: 'rating' } })).toBe(2);
  });

  it('"好的 稍等 我晚上回家拍" while staff wait for photos keeps the ticket waiting; the answer itself resumes it', async () => {
    const opened = (await say('c-later', '衣服洗了一次就掉色 还起球')).json.replies[0].text;
    const id = Number(/工单 #(\d+)/.exec(opened)?.[1]);
    const status = async () =>
      /^工单 #\d+ · P\d · (\S+)/.exec((await say('sup1', `工单 #${id}`, 'staff')).json.replies[0].text)?.[1];
    await say('sup1', `等待客户 #${id} 麻烦拍一下吊牌和掉色位置的照片`, 'staff');
    expect(await status()).toBe('等待顾客回复');
    for (const text of ['好的 稍等 我晚上回家拍', '好的稍等']) {
      const kept = (await say('c-later', text)).json.replies[0].text;
      expect(kept).toBe(`好的，不着急，准备好了直接发给我就行，工单 #${id} 会为您保留。`);
      expect(await status()).toBe('等待顾客回复');
    }
    const view = (await say('sup1', `工单 #${id}`, 'staff')).json.replies[0].text;
    expect(view).toContain('顾客补充：好的 稍等 我晚上回家拍');
    // "明天下午在家" names a time but no deed: it may be the answer, and the clock runs again.
    expect((await say('c-later', '明天下午在家')).json.replies[0].text).toContain(`工单 #${id} 已继续处理`);
    expect(await status()).toBe('处理中');
  });

  it('staff may say it their way: 「#N 我来处理」 takes the ticket, 「N号工单处理好了，…」 resolves it with the result', async () => {
    const opened = (await say('c-natural', '收到的杯子是碎的')).json.replies[0].text;
    const id = Number(/工单 #(\d+)/.exec(opened)?.[1]);
    expect((await say('agent2', `#${id} 我来处理`, 'staff')).json.replies[0].text).toContain(
      `工单 #${id} 已更新为「处理中」`,
    );
    const view = (await say('agent2', `帮我看下${id}号工单`, 'staff')).json.replies[0].text;
    expect(view).toMatch(new RegExp(`^工单 #${id} · P\\d · 处理中\n`));
    expect(view).toContain('负责人：客服小李');
    const done = (await say('agent2', `${id}号工单处理好了，已补发 顺丰SF1234567890`, 'staff')).json.replies[0].text;
    expect(done).toContain(`工单 #${id} 已更新为「已解决」`);
    const told = await eventually(
      () => inbox('c-natural'),
      (m) => m.some((x) => x.text.includes('已补发 顺丰SF1234567890')),
      5000,
    );
    expect(told.some((x) => x.text.includes(`工单 #${id}`))).toBe(true);
  });

  it('what staff write after the id is kept: 等待客户 sends the question, 解决 tells the customer the result', async () => {
    const opened = await say('c-result', '东西到了 少了一个充电器');
    const id = Number(/工单 #(\d+)/.exec(opened.json.replies[0].text)?.[1]);
    await say('agent1', `@bot 接单 #${id}`, 'staff');
    expect((await say('agent1', `@bot 等待客户 #${id} 请问收货地址还是原来的吗？`, 'staff')).json.replies[0].text).toBe(
      `工单 #${id} 已更新为「等待顾客回复」。已把问题发给顾客。`,
    );
    const inbox = async () =>
      (await svc.get('/api/sandbox/inbox?user=c-result')).json.messages.map((m: { text: string }) => m.text);
    expect((await inbox()).at(-1)).toBe(`【工单 #${id}】请问收货地址还是原来的吗？`);
    expect((await say('c-result', '是的 没变')).json.replies[0].text).toBe(`收到您的回复，工单 #${id} 已继续处理。`);
    expect(
      (await say('agent1', `@bot 解决 #${id}，已安排补发，顺丰 SF1234567890123`, 'staff')).json.replies[0].text,
    ).toBe(`工单 #${id} 已更新为「已解决」。已通知顾客。`);
    expect((await inbox()).at(-1)).toBe(
      `您的工单 #${id}（漏发补发）已处理完成。处理结果：已安排补发，顺丰 SF1234567890123。如果问题还没有解决，直接回复我，工单会重新打开并加急处理。\n${RATE}`,
    );
    const events = await svc.db.prisma.ticketEvent.findMany({ where: { ticketId: id }, orderBy: { at: 'asc' } });
    expect(events.map((e) => e.reason)).toContain('处理中 → 已解决：已安排补发，顺丰 SF1234567890123');
  });

  it("a customer asks about their ticket and gets its status, not an order timeline; other people's tickets stay hidden", async () => {
    const opened = await say('c-status', '收到的保温杯是坏的 盖子裂了');
    const id = Number(/工单 #(\d+)/.exec(opened.json.replies[0].text)?.[1]);
    const first = (await say('c-status', '我的工单怎么样了')).json.replies[0].text;
    expect(first).toMatch(new RegExp(`^您的工单 #${id}（商品破损）目前「待处理」，客服会在 .+ 前联系您。$`));
    const t = await svc.db.prisma.ticket.findUniqueOrThrow({
      where: { id },
      include: { assignee: { include: { identities: true } } },
    });
    const agent = t.assignee?.identities[0]?.externalId ?? 'agent1';
    await say(agent, `@bot 接单 #${id}`, 'staff');
    await say(agent, `@bot 回复 #${id} 您好，新杯子今天寄出`, 'staff');
    const later = (await say('c-status', `工单 #${id} 处理到哪一步了`)).json.replies[0].text;
    expect(later).toContain(`您的工单 #${id}（商品破损）目前「处理中」，${t.assignee?.name} 正在处理，客服已于`);
    const stranger = (await say('c-status-2', `工单 #${id} 怎么样了`)).json.replies[0].text;
    expect(stranger).toBe(`没有找到您名下的工单 #${id}，请核对工单号；也可以直接告诉我遇到的问题。`);
    expect(stranger).not.toContain('商品破损');
  });

  it('接单 by a colleague makes them the owner and tells the previous one; the view shows the conversation and who did what', async () => {
    await say('c-takeover', '你好 在吗');
    const opened = await say('c-takeover', '电饭煲收到 内胆摔坏了 电话13912345678');
    const id = Number(/工单 #(\d+)/.exec(opened.json.replies[0].text)?.[1]);
    const before = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id }, include: { assignee: true } });
    const [taker, takerName, previousRef] =
      before.assignee?.name === '客服小李' ? ['agent1', '客服小王', 'agent2'] : ['agent2', '客服小李', 'agent1'];
    expect((await say(taker, `@bot 接单 #${id}`, 'staff')).json.replies[0].text).toBe(
      `工单 #${id} 已更新为「处理中」。已由您接手（原负责人 ${before.assignee?.name}，已通知对方）。`,
    );
    const after = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id }, include: { assignee: true } });
    expect(after).toMatchObject({ status: 'in_progress', assignee: { name: takerName } });
    const told = (await svc.get(`/api/sandbox/inbox?user=${previousRef}`)).json.messages.map(
      (m: { text: string }) => m.text,
    );
    expect(told).toContain(`${takerName} 接手了您负责的工单 #${id}，后续由 ${takerName} 跟进。`);
    // Taking a ticket a colleague is already working on.
    expect((await say(previousRef, `@bot 接单 #${id}`, 'staff')).json.replies[0].text).toBe(
      `工单 #${id} 已由您接手（原负责人 ${takerName}，已通知对方）。`,
    );

    const view: string = (await say(taker, `@bot 工单 #${id}`, 'staff')).json.replies[0].text;
    expect(view).toContain('问题：电饭煲收到 内胆摔坏了 电话139****5678');
    expect(view).toMatch(
      /最近对话：\n· .+ 顾客：你好 在吗\n· .+ 助手：.+\n· .+ 顾客：电饭煲收到 内胆摔坏了 电话139\*\*\*\*5678\n/,
    );
    expect(view).not.toContain('13912345678');
    expect(view).toContain(`${takerName}：待处理 → 处理中，由 ${takerName} 接手（原负责人 ${before.assignee?.name}）`);
    expect(view).toMatch(/顾客：创建工单（/);
  });

  it('a supervisor marks a customer VIP from their ticket; their next problem gets the VIP priority, and agents cannot', async () => {
    const first = await say('c-vip', '收到的裙子颜色不对');
    const id = Number(/工单 #(\d+)/.exec(first.json.replies[0].text)?.[1]);
    expect((await say('agent1', `@bot 设为VIP #${id}`, 'staff')).json.replies[0].text).toBe(
      '只有主管或经理可以设置 VIP。',
    );
    expect((await say('sup1', `@bot 设为VIP #${id}`, 'staff')).json.replies[0].text).toMatch(/^已将 .+ 设为 VIP：/);
    const second = await say('c-vip', '杯子碎了');
    const id2 = Number(/工单 #(\d+)/.exec(second.json.replies[0].text)?.[1]);
    expect(id2).not.toBe(id);
    const t2 = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id: id2 } });
    expect(t2.priority).toBe('P1');
    expect(t2.priorityReasons).toContain('VIP 客户 → 提升一级');
    const view = (await say('sup1', `@bot 工单 #${id}`, 'staff')).json.replies[0].text;
    expect(view).toContain('（VIP）');
    expect(view).toContain('顾客设为 VIP');
    expect((await say('sup1', `@bot 取消VIP #${id}`, 'staff')).json.replies[0].text).toMatch(/^已取消 .+ 的 VIP。$/);
  });

  it('"怎么换" and "什么时候能收到新的" during an exchange get the policy and the ticket, and chase nothing', async () => {
    const opened = await say('c-howto', '衣服尺码大了想换小一号');
    const id = Number(/工单 #(\d+)/.exec(opened.json.replies[0].text)?.[1]);
    const how = (await say('c-howto', '怎么换')).json.replies[0].text;
    expect(how).toContain('寄回地址：');
    expect(how).toContain(`您的工单 #${id}（换货）已登记`);
    // When the replacement comes is a question about that ticket: its status, no refund note, no reminder.
    const when = (await say('c-howto', '那我什么时候能收到新的')).json.replies[0].text;
    expect(when).toContain(`您的工单 #${id}`);
    expect(when).not.toContain('退款说明');
    expect(when).not.toContain('已再次提醒');
    expect((await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } })).reminderCount).toBe(0);
    // Asked with the request itself: the ticket is opened, and says where to send it.
    const both = (await say('c-howto-2', '鞋子小了想换大一码 怎么换')).json.replies[0].text;
    expect(both).toMatch(/已为您登记售后工单 #\d+（换货/);
    expect(both).toContain('退货寄回地址：');
  });

  it('the goods a customer names find their order; goods in none of their orders are asked for, not guessed', async () => {
    await customerWithOrders(
      svc.db.prisma,
      'c-goods',
      [
        ['SO-GOODS-TEA', '明前龙井 250g 礼盒'],
        ['SO-GOODS-CUP', '陶瓷马克杯 330ml 白色'],
      ].map(([orderNo = '', name]) => ({
        orderNo,
        source: 'own',
        status: 'signed',
        items: [{ sku: orderNo, name, qty: 1, priceCents: 100 }],
      })),
    );
    const tea = (await say('c-goods', '茶叶受潮发霉了')).json.replies[0].text;
    expect(tea).toMatch(/（质量问题，优先级 P\d）.*订单 SO-GOODS-TEA/);
    // No clothes in either order: no guess at one of them (a complaint about clothes once went on an order of tea).
    const clothes = (await say('c-goods', '衣服洗了一次就掉色')).json.replies[0].text;
    expect(clothes).not.toContain('订单 SO-GOODS');
    expect(clothes).toContain('您名下的订单里没有找到衣服，请发送这件衣服的订单号和下单手机号后 4 位');
  });

  it('"签收了但没收到，我要投诉" is a complaint about the signed order, not the newest; "什么时候给我处理" asks about it', async () => {
    const p = svc.db.prisma;
    const { customerId } = await customerWithOrders(svc.db.prisma, 'c-signed-complaint', [
      { orderNo: 'SO-SIGNED-OLD', source: 'own', status: 'signed', orderedAt: daysAgo(4) },
      { orderNo: 'SO-PAID-NEW', source: 'own', status: 'paid', orderedAt: daysAgo(0) },
    ]);
    const r = (await say('c-signed-complaint', '快递显示签收了但是我根本没收到，客服也不回我，我要投诉')).json
      .replies[0].text;
    const id = Number(/工单 #(\d+)/.exec(r)?.[1]);
    expect(r).toContain('订单 SO-SIGNED-OLD');
    const when = (await say('c-signed-complaint', '你们什么时候给我处理')).json.replies[0].text;
    expect(when).toMatch(new RegExp(`^您的工单 #${id} 目前状态：待处理。`));
    expect(await p.ticket.count({ where: { customerId: customerId } })).toBe(1);
  });

  it('"快递怎么这么慢" about a parcel moving on time gets where it is and when it is due; asked again, a ticket', async () => {
    const p = svc.db.prisma;
    const now = Date.now();
    const {
      customerId,
      orders: [order],
    } = await customerWithOrders(svc.db.prisma, 'c-slow', [
      {
        orderNo: 'SO-SLOW-1',
        source: 'own',
        status: 'shipped',
        carrier: 'zto',
        trackingNo: '731130000888',
        estimatedDeliveryAt: new Date(now + 2 * 86_400_000),
        history: [{ status: 'shipped', at: now - 86_400_000, source: 'own' }],
        items: [{ sku: 'x', name: '保温杯', qty: 1, priceCents: 100 }],
      },
    ]);
    await p.logisticsEvent.create({
      data: {
        orderId: order?.id ?? null,
        carrier: 'zto',
        trackingNo: '731130000888',
        at: new Date(now - 3 * 3_600_000),
        description: '快件已从 杭州转运中心 发出',
      },
    });
    const slow = (await say('c-slow', '快递怎么这么慢')).json.replies[0].text;
    expect(slow).toMatch(
      /^订单 SO-SLOW-1 正在运输中（中通 731130000888），最新物流：\S+ \S+ 快件已从 杭州转运中心 发出。预计 \d+月\d+日 送达，还在正常时效内。/,
    );
    expect(await p.ticket.count({ where: { customerId: customerId } })).toBe(0);
    // Pressed again ("还没发货，还是物流不动？" is answered by the order: it is on its way): a 物流延误 ticket.
    const again = (await say('c-slow', '都说了很慢了 快点')).json.replies[0].text;
    expect(again).toMatch(/^已为您登记售后工单 #\d+（物流延误，.*订单 SO-SLOW-1/);
    expect(await p.ticket.count({ where: { customerId: customerId } })).toBe(1);
  });

  it('a delivery problem is read by where the order is: not shipped is a chase, on its way a delay, signed not received', async () => {
    const p = svc.db.prisma;
    const now = Date.now();
    const { customerId } = await customerWithOrders(svc.db.prisma, 'c-stage', [
      {
        orderNo: 'SO-STAGE-PAID',
        source: 'own',
        status: 'approved',
        orderedAt: daysAgo(0),
        paidAt: new Date(now - 3_600_000),
        promisedShipBy: new Date(now + 86_400_000),
      },
    ]);
    // The classifier heard nothing in 「东西」 (the catch-all question, before the rule): the goods are not here.
    const notHere = (await say('c-stage', '我买的东西怎么还没到')).json.replies[0].text;
    expect(notHere).toMatch(/^订单 SO-STAGE-PAID 目前「已审核，待发货」，承诺 \S+ \S+ 前发货，还在时限内/);
    expect(await p.ticket.count({ where: { customerId } })).toBe(0);
    // Pressed again with 「物流不动」 about an order that has not shipped: a 催发货 ticket, not 物流延误.
    const stuck = (await say('c-stage', '还是物流不动？')).json.replies[0].text;
    expect(stuck).toMatch(/^已为您登记售后工单 #\d+（催发货，.*订单 SO-STAGE-PAID/);
    // A signed order and the customer says it never came: a parcel not received, on that order.
    await customerWithOrders(svc.db.prisma, 'c-stage-signed', [
      { orderNo: 'SO-STAGE-SIGNED', source: 'own', status: 'signed', orderedAt: daysAgo(3), carrier: 'zto' },
    ]);
    const signed = (await say('c-stage-signed', '东西还没到啊')).json.replies[0].text;
    expect(signed).toMatch(/^已为您登记售后工单 #\d+（未收到货，.*订单 SO-STAGE-SIGNED/);
    // On its way, moving and not yet due, and 「还没收到货」: where it is and when it is due, no ticket.
    const { customerId: movingId, orders } = await customerWithOrders(svc.db.prisma, 'c-stage-moving', [
      {
        orderNo: 'SO-STAGE-MOVING',
        source: 'own',
        status: 'shipped',
        carrier: 'zto',
        trackingNo: '731130000777',
        history: [{ status: 'shipped', at: now - 86_400_000, source: 'own' }],
        estimatedDeliveryAt: new Date(now + 2 * 86_400_000),
      },
    ]);
    await p.logisticsEvent.create({
      data: {
        orderId: orders[0]?.id ?? null,
        carrier: 'zto',
        trackingNo: '731130000777',
        at: new Date(now - 3 * 3_600_000),
        description: '快件已到达 武汉转运中心',
      },
    });
    // 「怎么还在武汉」 (the rule parcel-still-at): the same short answer, not the whole timeline again.
    const still = (await say('c-stage-moving', '这个怎么还在武汉')).json.replies[0].text;
    expect(still).toMatch(/^订单 SO-STAGE-MOVING 正在运输中（中通 731130000777），最新物流：/);
    const moving = (await say('c-stage-moving', '怎么还没收到货')).json.replies[0].text;
    expect(moving).toMatch(
      /^订单 SO-STAGE-MOVING 正在运输中（中通 731130000777），最新物流：\S+ \S+ 快件已到达 武汉转运中心/,
    );
    expect(await p.ticket.count({ where: { customerId: movingId } })).toBe(0);
  });

  it('"地址写错了" after a ticket on a signed order goes on the order not shipped yet, not the one in the conversation', async () => {
    await customerWithOrders(svc.db.prisma, 'c-address', [
      {
        orderNo: 'SO20261101000011',
        source: 'own',
        status: 'signed',
        orderedAt: daysAgo(5),
        carrier: 'zto',
        items: [{ sku: 'cup', name: '陶瓷马克杯', qty: 1, priceCents: 100 }],
      },
      { orderNo: 'SO20261129000012', source: 'own', status: 'paid', orderedAt: daysAgo(1) },
    ]);
    const broken = (await say('c-address', 'SO20261101000011 收到的杯子碎了')).json.replies[0].text;
    expect(broken).toMatch(/（商品破损，.*订单 SO20261101000011/);
    const address = (await say('c-address', '我地址写错了 能改吗')).json.replies[0].text;
    expect(address).toMatch(/^已为您登记售后工单 #\d+（修改订单，.*订单 SO20261129000012/);
  });

  it('"我要退差价 降了30块" after a 价保 ticket is that ticket again, not a complaint to the manager', async () => {
    const p = svc.db.prisma;
    const { customerId } = await customerWithOrders(svc.db.prisma, 'c-price', [
      { orderNo: 'SO20261127000021', source: 'own', status: 'signed', orderedAt: daysAgo(3), paidAt: daysAgo(3) },
    ]);
    const first = (await say('c-price', '价格降了 能退差价吗')).json.replies[0].text;
    const id = Number(/工单 #(\d+)（价保/.exec(first)?.[1]);
    expect(id).toBeGreaterThan(0);
    // The classifier heard 投诉 beside 退差价 (0.51) before the rule price-drop.
    const again = await say('c-price', '我要退差价 降了30块');
    expect(again.json.parse.primary).toBe('price_protection');
    expect(again.json.replies[0].text).toMatch(new RegExp(`^您的工单 #${id} `));
    expect(await p.ticket.count({ where: { customerId } })).toBe(1);
  });

  it('"我下了两单 能一起发吗" asks to merge orders not shipped yet; for a parcel already sent it says it cannot', async () => {
    await customerWithOrders(svc.db.prisma, 'c-merge', [
      { orderNo: 'SO20261130000031', source: 'own', status: 'paid', orderedAt: daysAgo(0) },
      { orderNo: 'SO20261130000032', source: 'own', status: 'approved', orderedAt: daysAgo(0) },
    ]);
    // The classifier heard an order question and the reply was the timeline, before the rule merge-shipping.
    const merge = (await say('c-merge', '我下了两单 能一起发吗')).json.replies[0].text;
    expect(merge).toMatch(/^已为您登记售后工单 #\d+（修改订单，/);
    expect(merge).toContain('还没发货的订单可以合并成一个包裹发出（收货地址要相同）：请把要一起发的订单号都发给我');
    await customerWithOrders(svc.db.prisma, 'c-merge-late', [
      { orderNo: 'SO20261128000033', source: 'own', status: 'shipped', carrier: 'zto', trackingNo: '731130000333' },
    ]);
    const late = (await say('c-merge-late', '这个订单能合并发货吗')).json.replies[0].text;
    expect(late).toContain('订单 SO20261128000033 已经发出（中通 731130000333），不能再和别的订单合并');
    expect(late).not.toContain('改派');
  });

  it('"算了 我不要了 退款吧" about the order in the conversation: a shipped one is a refund, one not shipped a cancellation', async () => {
    await customerWithOrders(svc.db.prisma, 'c-undo', [
      { orderNo: 'SO20261130000051', source: 'own', status: 'shipped', carrier: 'zto', trackingNo: '731130000511' },
    ]);
    await customerWithOrders(svc.db.prisma, 'c-undo-2', [
      { orderNo: 'SO20261130000052', source: 'own', status: 'paid', orderedAt: daysAgo(0) },
    ]);
    // Before, both got 「请问您是想取消还没发货的订单，还是申请仅退款？」 though the order says which.
    await say('c-undo', 'SO20261130000051');
    const refund = (await say('c-undo', '算了 我不要了 退款吧')).json.replies[0].text;
    expect(refund).toMatch(/^已为您登记售后工单 #\d+（仅退款，.*订单 SO20261130000051/);
    expect(refund).toContain('包裹还在路上');
    await say('c-undo-2', 'SO20261130000052');
    const cancel = (await say('c-undo-2', '算了 我不要了 退款吧')).json.replies[0].text;
    expect(cancel).toMatch(/^已为您登记售后工单 #\d+（取消订单，.*订单 SO20261130000052/);
  });

  it('"过几天再发吧" asks to hold an order not shipped yet; a parcel already sent cannot wait, and hears what helps', async () => {
    const { customerId } = await customerWithOrders(svc.db.prisma, 'c-hold', [
      { orderNo: 'SO20261130000041', source: 'own', status: 'paid', orderedAt: daysAgo(0) },
    ]);
    // The classifier heard 补发 (0.7) before the rule ship-later.
    const later = (await say('c-hold', '这周出差不在家 过几天再发吧')).json.replies[0].text;
    expect(later).toMatch(/^已为您登记售后工单 #\d+（修改订单，.*订单 SO20261130000041/);
    expect(later).toContain('还没发货的订单可以晚点发：客服会请仓库先留着这一单');
    // Back home: "可以发货了" ends the wait on that ticket; no 催发货 ticket beside it.
    const id = Number(/工单 #(\d+)/.exec(later)?.[1]);
    expect((await say('c-hold', '可以发货了')).json.replies[0].text).toBe(
      `好的，已告诉处理工单 #${id} 的同事现在可以发货了，仓库会尽快发出。`,
    );
    expect(await svc.db.prisma.ticket.count({ where: { customerId } })).toBe(1);
    const t = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } });
    const owner = await svc.db.prisma.identity.findFirstOrThrow({ where: { staffId: t.assigneeId ?? '' } });
    const pushed = await eventually(
      async () => (await inbox(owner.externalId)).filter((m) => m.text.includes(`工单 #${id} 顾客说现在可以发货了`)),
      (m) => m.length > 0,
    );
    expect(pushed).toHaveLength(1);
    await customerWithOrders(svc.db.prisma, 'c-hold-sent', [
      { orderNo: 'SO20261128000043', source: 'own', status: 'shipped', carrier: 'zto', trackingNo: '731130000433' },
    ]);
    const sent = (await say('c-hold-sent', '先别发货 等我通知')).json.replies[0].text;
    expect(sent).toContain('订单 SO20261128000043 已经发出（中通 731130000433），没法再晚点发了');
    expect(sent).not.toContain('改派');
  });

  it('"我要退货" on a guessed order, then "390… 这单我要退货": the same ticket takes the named order, no second ticket', async () => {
    const p = svc.db.prisma;
    const { customerId } = await customerWithOrders(svc.db.prisma, 'c-guess', [
      { orderNo: 'SO20261125000041', source: 'own', status: 'signed', orderedAt: daysAgo(5), carrier: 'zto' },
      {
        orderNo: 'SO20261129000042',
        source: 'own',
        status: 'shipped',
        orderedAt: daysAgo(1),
        carrier: 'zto',
        trackingNo: '731130000420',
      },
    ]);
    const first = (await say('c-guess', '我要退货')).json.replies[0].text;
    const id = Number(/工单 #(\d+)（退货退款/.exec(first)?.[1]);
    expect(first).toContain(
      '订单 SO20261125000041。（按您最近的相关订单登记；如果不是这个订单，把订单号发给我就行。）',
    );
    const named = (await say('c-guess', 'SO20261129000042 这单我要退货')).json.replies[0].text;
    expect(named).toBe(
      `好的，您的工单 #${id} 已改为订单 SO20261129000042。\n该订单还在运输中（中通 731130000420），现在还寄不回来：不想要的话可以直接拒收，包裹退回仓库后为您退款；也可以签收后再按退货说明寄回。`,
    );
    const tickets = await p.ticket.findMany({ where: { customerId }, include: { order: true } });
    expect(tickets.map((t) => [t.id, t.order?.orderNo])).toEqual([[id, 'SO20261129000042']]);
    // 「这单也要退」 names a second order for the same request: a ticket of its own, the first one stays.
    await customerWithOrders(svc.db.prisma, 'c-guess-also', [
      { orderNo: 'SO20261125000043', source: 'own', status: 'signed', orderedAt: daysAgo(5) },
      { orderNo: 'SO20261126000044', source: 'own', status: 'signed', orderedAt: daysAgo(4) },
    ]);
    await say('c-guess-also', '我要退货');
    const also = (await say('c-guess-also', 'SO20261125000043 这单也要退货')).json.replies[0].text;
    expect(also).toMatch(/^已为您登记售后工单 #\d+（退货退款，.*订单 SO20261125000043/);
  });

  it("a complaint about how a ticket is handled goes on that ticket's order, not a guess at the newest one", async () => {
    await customerWithOrders(svc.db.prisma, 'c-complain', [
      { orderNo: 'SO20261120000051', source: 'own', status: 'signed', orderedAt: daysAgo(8) },
      { orderNo: 'SO20261129000052', source: 'own', status: 'paid', orderedAt: daysAgo(1) },
    ]);
    const first = (await say('c-complain', 'SO20261120000051 杯子收到就碎了')).json.replies[0].text;
    const id = Number(/工单 #(\d+)/.exec(first)?.[1]);
    const complaint = (await say('c-complain', '你们这个客服怎么回事，问了三次都没人理，再不处理我就去12315投诉')).json
      .replies[0].text;
    expect(complaint).toMatch(/^已为您登记售后工单 #\d+（投诉，.*订单 SO20261120000051/);
    expect(complaint).not.toContain('按您最近的相关订单登记');
    expect(complaint).toContain(`与您之前的工单 #${id} 关联`);
    // No order on the ticket in the conversation: the complaint takes none and asks for none.
    await customerWithOrders(svc.db.prisma, 'c-complain-2', [
      { orderNo: 'SO20261129000053', source: 'own', status: 'paid', orderedAt: daysAgo(1) },
    ]);
    await say('c-complain-2', '我要开发票');
    await svc.db.prisma.ticket.updateMany({
      where: { customer: { identities: { some: { externalId: 'c-complain-2' } } } },
      data: { orderId: null },
    });
    const bare = (await say('c-complain-2', '客服一直不回消息 我要投诉你们')).json.replies[0].text;
    expect(bare).toMatch(/^已为您登记售后工单 #\d+（投诉，优先级 P\d）。/);
    expect(bare).not.toContain('SO20261129000053');
    expect(bare).not.toContain('请发送订单号');
  });

  it('"好了吗", "有结果了吗" ask how the open ticket stands (they got the greeting before)', async () => {
    const opened = (await say('c-done-yet', '我要换货 换大一码')).json.replies[0].text;
    const id = Number(/工单 #(\d+)/.exec(opened)?.[1]);
    for (const asked of ['好了吗', '有结果了吗？', '弄好了没']) {
      expect((await say('c-done-yet', asked)).json.replies[0].text).toMatch(new RegExp(`^您的工单 #${id}（换货）目前`));
    }
    // 「好了」 alone says OK; it is no question.
    expect((await say('c-done-yet', '好了')).json.replies[0].text).not.toMatch(/^您的工单/);
  });

  it('"怎么申请退款" opens the refund with the refund rule; "退款退到哪里" right after is a question, not a chase', async () => {
    const opened = (await say('c-refund-how', '怎么申请退款')).json.replies[0].text;
    const id = Number(/工单 #(\d+)（仅退款/.exec(opened)?.[1]);
    expect(id).toBeGreaterThan(0);
    expect(opened).toContain('退款说明：仓库签收验货后 48 小时内退款，原路退回。');
    expect(opened).not.toContain('寄回地址');
    const where = (await say('c-refund-how', '退款退到哪里')).json.replies[0].text;
    expect(where).toMatch(new RegExp(`^您的工单 #${id} 目前状态：待处理。您的问题已转给负责的同事`));
    expect(where).not.toContain('已再次提醒');
    const t = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } });
    expect(t.reminderCount).toBe(0);
  });

  it('"可以拒收吗" is answered; "我拒收了" opens the refund on the parcel on its way, with no interception advice', async () => {
    const p = svc.db.prisma;
    const { customerId } = await customerWithOrders(svc.db.prisma, 'c-refused', [
      { orderNo: 'SO-REFUSE-SHIPPED', source: 'own', status: 'shipped', orderedAt: daysAgo(3), carrier: 'zto' },
      { orderNo: 'SO-REFUSE-SIGNED', source: 'own', status: 'signed', orderedAt: daysAgo(1), carrier: 'zto' },
    ]);
    const may = (await say('c-refused', '可以拒收吗')).json.replies[0].text;
    expect(may).toMatch(/^可以拒收：派送时告诉快递员拒收，包裹会退回我们仓库。退款说明：仓库签收验货后 48 小时内退款/);
    expect(await p.ticket.count({ where: { customerId: customerId } })).toBe(0);
    const done = (await say('c-refused', '快递我拒收了 退款什么时候到')).json.replies[0].text;
    expect(done).toMatch(/^已为您登记售后工单 #\d+（仅退款，.*订单 SO-REFUSE-SHIPPED/);
    expect(done).toContain('拒收的包裹退回我们仓库后为您退款，不用另外寄回。');
    expect(done).not.toContain('拦截');
  });

  it('"内胆有划痕 电话139…" asks whether it came so or came with use; a phone number alone says how to look orders up', async () => {
    expect((await say('c-marks', '内胆有划痕 电话13900001111')).json.replies[0].text).toBe(
      '请问商品是收到时就破损了，还是使用后出现的质量问题？',
    );
    expect((await say('c-marks', '收到的时候就有')).json.replies[0].text).toMatch(/^已为您登记售后工单 #\d+（商品破损/);
    expect((await say('c-phone-only', '我手机号17400006142')).json.replies[0].text).toMatch(
      /^为保护订单隐私，只凭手机号不能查询订单。请发订单号（或快递单号），再加上尾号 6142/,
    );
  });

  it('"我要退货" about a parcel still on its way says it can be refused now or returned once signed', async () => {
    await customerWithOrders(svc.db.prisma, 'c-return-early', [
      { orderNo: 'SO-RETURN-EARLY', source: 'own', status: 'shipped', carrier: 'zto', trackingNo: '731130000999' },
    ]);
    const r = (await say('c-return-early', '不想要了 我要退货')).json.replies[0].text;
    expect(r).toMatch(/^已为您登记售后工单 #\d+（退货退款，.*订单 SO-RETURN-EARLY/);
    expect(r).toContain(
      '该订单还在运输中（中通 731130000999），现在还寄不回来：不想要的话可以直接拒收，包裹退回仓库后为您退款',
    );
  });

  it('two problems in one message ("一个杯子碎了，另一个发错颜色了") are one ticket, and the reply says both are on it', async () => {
    const r = (await say('c-two-problems', '一个杯子碎了，另一个发错颜色了')).json.replies[0].text;
    const id = Number(/工单 #(\d+)（商品破损/.exec(r)?.[1]);
    expect(id).toBeGreaterThan(0);
    expect(r).toContain(`\n您说的发错货也记在工单 #${id} 里，会一起处理。`);
    const t = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } });
    expect(t.summary).toBe('一个杯子碎了，另一个发错颜色了');
    expect(await svc.db.prisma.ticket.count({ where: { customerId: t.customerId } })).toBe(1);
  });

  it('"什么时候能处理完" with two tickets in the conversation tells where each stands', async () => {
    const a = Number(/工单 #(\d+)/.exec((await say('c-when-both', '杯子收到就碎了')).json.replies[0].text)?.[1]);
    const b = Number(/工单 #(\d+)/.exec((await say('c-when-both', '另外我还想开个发票')).json.replies[0].text)?.[1]);
    const when = (await say('c-when-both', '什么时候能处理完')).json.replies[0].text;
    expect(when).toContain(`您的工单 #${a}（商品破损）目前「待处理」`);
    expect(when).toContain(`您的工单 #${b}（发票）目前「待处理」`);
  });

  it('"退款多久能到账" right after 「我要退货」 asks a question, not a chase; "还要多久啊" chases', async () => {
    const opened = (await say('c-how-long', '我要退货')).json.replies[0].text;
    const id = Number(/工单 #(\d+)/.exec(opened)?.[1]);
    const reminders = async () => (await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } })).reminderCount;
    const howLong = (await say('c-how-long', '退款多久能到账')).json.replies[0].text;
    expect(howLong).toContain(`您的工单 #${id} 目前状态：待处理。`);
    expect(howLong).not.toContain('已再次提醒');
    expect(howLong).toContain('退款说明：仓库签收验货后 48 小时内退款，原路退回。');
    expect(await reminders()).toBe(0);
    const again = (await say('c-how-long', '还要多久啊')).json.replies[0].text;
    expect(again).toContain('已再次提醒负责同事');
    expect(await reminders()).toBe(1);
  });

  it('"能不能快点啊" after asking for a refund chases the refund ticket; "退款多久到账" gets its status and the refund rule', async () => {
    const opened = await say('c-refund-chase', '我要退款 不想要了');
    const id = Number(/工单 #(\d+)/.exec(opened.json.replies[0].text)?.[1]);
    expect(opened.json.replies[0].text).toContain('退货退款');
    expect((await say('c-refund-chase', '能不能快点啊')).json.replies[0].text).toContain(`您的工单 #${id} 目前状态`);
    const when = (await say('c-refund-chase', '退款多久到账')).json.replies[0].text;
    expect(when).toContain(`您的工单 #${id} 目前状态`);
    expect(when).toContain('退款说明：仓库签收验货后 48 小时内退款，原路退回。');
    const tickets = await svc.db.prisma.ticket.findMany({
      where: { customer: { identities: { some: { externalId: 'c-refund-chase' } } } },
    });
    expect(tickets.map((t) => [t.id, t.reminderCount])).toEqual([[id, 1]]);
  });

  it('"？？？" or an angry face while a ticket is open chases it; a thumbs-up is just acknowledged', async () => {
    const opened = await say('c-impatient', '收到的耳机左边没声音');
    const id = Number(/工单 #(\d+)/.exec(opened.json.replies[0].text)?.[1]);
    expect((await say('c-impatient', '？？？')).json.replies[0].text).toContain(`您的工单 #${id} 目前状态`);
    expect((await say('c-impatient', '😡😡')).json.replies[0].text).toContain(`您的工单 #${id} 目前状态`);
    expect((await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } })).reminderCount).toBe(2);
    // A thumbs-up (or 「收到」, whatever the classifier guesses for it) is acknowledged with the ticket, no reminder.
    expect((await say('c-impatient', '👍')).json.replies[0].text).toBe(
      `好的～工单 #${id}（质量问题）有结果会第一时间告诉您。`,
    );
    expect((await say('c-impatient', '收到')).json.replies[0].text).toBe(
      `好的～工单 #${id}（质量问题）有结果会第一时间告诉您。`,
    );
    expect((await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } })).reminderCount).toBe(2);
    // "在吗" is the same kind of nudge.
    expect((await say('c-impatient', '在吗')).json.replies[0].text).toContain(`您的工单 #${id} 目前状态`);
    // With no ticket in the conversation "？？？" asks what they need.
    expect((await say('c-impatient-2', '？？？')).json.replies[0].text).toContain('我是售后助手');
  });

  it("the ticket view in a group masks the address and phone a customer wrote, as it masks the order's", async () => {
    const opened = await say('c-new-address', '我地址写错了 要改成 北京市海淀区中关村大街1号 电话13912345678');
    const id = Number(/工单 #(\d+)/.exec(opened.json.replies[0].text)?.[1]);
    const view = (await say('agent1', `@bot 工单 #${id}`, 'staff')).json.replies[0].text as string;
    expect(view).toContain('问题：我地址写错了 要改成 北京市海淀区**** 电话139****5678');
    expect(view).not.toContain('中关村大街');
    expect(view).not.toContain('13912345678');
    // What the customer adds later is in the ticket's record, masked the same way.
    expect(
      (await say('c-new-address', '改成上海市徐汇区漕溪北路88号 2栋301 电话13787654321')).json.replies[0].text,
    ).toBe(`收到，已补充到工单 #${id}，处理的同事会看到。`);
    const again = (await say('agent1', `@bot 工单 #${id}`, 'staff')).json.replies[0].text as string;
    expect(again).toContain('顾客补充：改成上海市徐汇区**** 2栋301 电话137****4321');
    expect(again).not.toContain('13787654321');
    expect(again).not.toContain('漕溪北路');
    // So does the escalation a complaint sends to the manager (and the managers' group).
    await say('c-new-address-2', '你们卖假货 我要去12315投诉 我电话13912345678 住上海市浦东新区世纪大道100号');
    const pushed = (await inbox('mgr1')).map((m) => m.text).join('\n');
    expect(pushed).toContain('我电话139****5678 住上海市浦东新区****');
    expect(pushed).not.toContain('13912345678');
  });

  it('转派 hands a ticket to a colleague by name, who is told; an unknown name lists who can take it', async () => {
    const opened = await say('c-handover', '买的台灯收到就不亮 质量太差了');
    const id = Number(/#(\d+)/.exec(opened.json.replies[0].text)?.[1]);
    const before = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id }, include: { assignee: true } });
    const [from, to] = before.assignee?.name === '客服小李' ? ['agent2', '客服小王'] : ['agent1', '客服小李'];
    const toRef = to === '客服小王' ? 'agent1' : 'agent2';
    expect((await say(from, `@bot 转派 #${id} ${to}`, 'staff')).json.replies[0].text).toBe(
      `工单 #${id} 已转派给 ${to}，已通知对方。`,
    );
    const after = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id }, include: { assignee: true } });
    expect(after.assignee?.name).toBe(to);
    const pushed = (await svc.get(`/api/sandbox/inbox?user=${toRef}`)).json.messages.map(
      (m: { text: string }) => m.text,
    );
    expect(pushed.join('\n')).toContain(`把工单 #${id}（${after.priority}）转派给您：买的台灯收到就不亮`);
    const view = (await say(from, `@bot 工单 #${id}`, 'staff')).json.replies[0].text;
    expect(view).toContain(`负责人：${to}`);
    expect(view).toContain(`转派：${before.assignee?.name ?? '未分配'} → ${to}`);
    // Said the way people say it, with part of a name: back to the first owner.
    const back = before.assignee?.name ?? '';
    expect((await say(from, `@bot 把 #${id} 转给${back.replace('客服', '')}处理`, 'staff')).json.replies[0].text).toBe(
      `工单 #${id} 已转派给 ${back}，已通知对方。`,
    );
    expect((await say(from, `@bot ${id}号工单转给${to}`, 'staff')).json.replies[0].text).toBe(
      `工单 #${id} 已转派给 ${to}，已通知对方。`,
    );
    const unknown = (await say(from, `@bot 转给 小赵 #${id}`, 'staff')).json.replies[0].text;
    expect(unknown).toContain('没有找到同事「小赵」');
    expect(unknown).toContain('客服小王');
  });
  // Last in this suite: it adds a rating, and the 满意度 test above counts the ratings of the whole database.
  it('客服绩效 (supervisors): per colleague what they own, resolved, first responses and ratings; agents may not', async () => {
    const line = async (name: string) =>
      ((await say('sup1', '@bot 客服绩效', 'staff')).json.replies[0].text as string)
        .split('\n')
        .find((l) => l.startsWith(`· ${name}（`)) ?? '';
    const opened = (await say('c-team', '收到的裤子尺码发错了')).json.replies[0].text;
    const id = Number(/工单 #(\d+)/.exec(opened)?.[1]);
    const t = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id }, include: { assignee: true } });
    const owner = await svc.db.prisma.identity.findFirstOrThrow({ where: { staffId: t.assigneeId ?? '' } });
    const name = t.assignee?.name ?? '';
    const count = (text: string, what: string) => Number(new RegExp(`${what} (\\d+)`).exec(text)?.[1] ?? 0);
    const before = await line(name);
    await say(owner.externalId, `@bot 接单 #${id}`, 'staff');
    await say(owner.externalId, `@bot 解决 #${id} 已换货`, 'staff');
    await say('c-team', '满意');
    const after = await line(name);
    expect(after).toMatch(new RegExp(`^· ${name}（客服）：未完成 \\d+`));
    expect(count(after, '已解决')).toBe(count(before, '已解决') + 1);
    expect(count(after, '首响')).toBe(count(before, '首响') + 1);
    expect(count(after, '满意')).toBe(count(before, '满意') + 1);
    expect(after).toMatch(/中位 (不到 1 分钟|\d+ 分钟)/);
    const head = (await say('sup1', '@bot 团队情况', 'staff')).json.replies[0].text;
    expect(head).toMatch(/^客服工作量（近 7 天，\S+ \S+ 至 \S+ \S+；按当前负责人统计）：/);
    expect((await say('agent1', '@bot 客服绩效', 'staff')).json.replies[0].text).toBe(
      '客服工作量只有主管或经理可以查看；看自己的工单发「我的工单」。',
    );
  });
});

describe('the escalation ladder climbs in real time until someone acknowledges (BullMQ timers, no driven clock)', () => {
  let svc: TestService;
  beforeAll(async () => {
    // The shipped ladder waits 15 and 30 minutes; this one waits 2 s per rung so the climb can be watched.
    const ladder = path.join(mkdtempSync(path.join(tmpdir(), 'ladder-')), 'escalation-ladder.json');
    writeFileSync(
      ladder,
      JSON.stringify({
        version: 1,
        steps: [
          { level: 1, role: 'agent', delayMins: 0, zh: '当班客服' },
          { level: 2, role: 'supervisor', delayMins: 2 / 60, zh: '主管' },
          { level: 3, role: 'manager', delayMins: 2 / 60, zh: '经理' },
        ],
      }),
    );
    svc = await startTestService({ env: { ESCALATION_LADDER_FILE: ladder } });
  });
  afterAll(async () => svc?.stop());
  const say = (user: string, text: string, role = 'customer') =>
    svc.post('/api/sandbox/messages', { user, role, text });
  const inboxText = async (user: string) =>
    ((await svc.get(`/api/sandbox/inbox?user=${user}`)).json.messages as Msg[]).map((m) => m.text).join('\n');
  const ticketOf = (text: string) => Number(/#(\d+)/.exec(text)?.[1]);

  it('an unacknowledged critical push reaches the supervisor, then the manager', async () => {
    const opened = Date.now();
    const id = ticketOf((await say('c-climb', '孩子吃了你们的饼干过敏 全身起疹子')).json.replies[0].text);
    expect(id).toBeGreaterThan(0);
    await eventually(
      () => inboxText('sup1'),
      (t) => t.includes(`第2级升级】工单 #${id}`),
      10_000,
    );
    const atSupervisor = Date.now() - opened;
    await eventually(
      () => inboxText('mgr1'),
      (t) => t.includes(`第3级升级】工单 #${id}`),
      10_000,
    );
    expect(atSupervisor).toBeGreaterThanOrEqual(1_900); // not before the rung's delay
    const t = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id }, include: { escalations: true } });
    expect(t.escalations.map((e) => e.level).sort()).toEqual([1, 2, 3]);
    // Each rung waits its delay after the one before: the recorded push times, not when polling noticed them.
    const at = (level: number) => t.escalations.find((e) => e.level === level)?.pushedAt.getTime() ?? Number.NaN;
    expect(at(2) - at(1)).toBeGreaterThanOrEqual(1_900);
    expect(at(3) - at(2)).toBeGreaterThanOrEqual(1_900);
  });

  it('an acknowledgement from chat stops the climb', async () => {
    const id = ticketOf((await say('c-acked', '面膜敷完脸又红又肿 是不是过敏了')).json.replies[0].text);
    const agentInbox = await eventually(
      async () => [await inboxText('agent1'), await inboxText('agent2')],
      (both) => both.some((t) => t.includes(`工单 #${id}`)),
      5_000,
    );
    const agent = agentInbox[0]?.includes(`工单 #${id}`) ? 'agent1' : 'agent2';
    expect((await say(agent, `收到 #${id}`, 'staff')).json.replies[0].text).toContain(`已确认工单 #${id}`);
    await new Promise((r) => setTimeout(r, 5_000)); // two rungs' delay and more
    const mentions = new RegExp(`工单 #${id}(?!\\d)`);
    expect(await inboxText('sup1')).not.toMatch(mentions);
    expect(await inboxText('mgr1')).not.toMatch(mentions);
  });
});
