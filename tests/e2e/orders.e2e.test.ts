import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signOrderApiBody } from '../../src/orders/api-signature.ts';
import { eventually, startTestService, type TestService } from '../support/service.ts';

const SECRET = 'erp-shared-secret-for-tests';
const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000).toISOString();
/** An order of the own shop as the ERP sends it: one item `name` at `price`, bought with `phone`; `rest` adds the rest. */
const erpOrder = (no: string, phone: string, name: string, price: number, rest: Record<string, unknown>) => ({
  order_no: no,
  source: 'own',
  phone,
  address: '上海市浦东新区世纪大道100号 2栋301',
  amount: price,
  items: [{ sku: `SKU-${no}`, name, qty: 1, price }],
  ...rest,
});

describe('orders through the sandbox: answers, identity checks, masking, radar, sign-off rule', () => {
  let svc: TestService;
  const say = async (user: string, text: string, role = 'customer', chat?: string): Promise<string> => {
    const r = await svc.post('/api/sandbox/messages', { user, role, text, ...(chat ? { chat } : {}) });
    return (r.json.replies as { text: string }[]).map((x) => x.text).join('\n');
  };
  const erp = async (path: string, payload: unknown) => {
    const body = JSON.stringify(payload);
    const ts = String(Math.floor(Date.now() / 1000));
    return svc.post(path, body, { 'x-timestamp': ts, 'x-signature': signOrderApiBody(SECRET, ts, body) });
  };

  /** The ERP pushes `orders`, and `user` proves each one theirs with the phone's last four digits. */
  const provedBy = async (user: string, suffix: string, orders: { order_no: string }[]) => {
    expect((await erp('/api/orders', { orders })).json).toMatchObject({ rejected: 0 });
    for (const { order_no: no } of orders) expect(await say(user, `${no} 尾号${suffix}`)).toContain(no);
  };

  beforeAll(async () => {
    svc = await startTestService({ env: { ORDER_API_SECRET: SECRET, RADAR_INTERVAL_MS: '1000' } });
    const base = {
      source: 'own',
      address: '上海市浦东新区世纪大道100号 2栋301',
      amount: 199,
      items: [{ sku: 'CUP-1', name: '保温杯', qty: 1, price: 199 }],
    };
    const orders = await erp('/api/orders', {
      orders: [
        {
          ...base,
          order_no: 'SO202611230001',
          status: 'signed',
          phone: '13800001111',
          paid_at: hoursAgo(50),
          shipped_at: hoursAgo(30),
          carrier: '顺丰',
          tracking_no: 'SF1234567890001',
        },
        {
          ...base,
          order_no: 'SO202611230002',
          status: 'shipped',
          phone: '13900002222',
          paid_at: hoursAgo(50),
          shipped_at: hoursAgo(40),
          carrier: '中通',
          tracking_no: '731234567890',
        },
        { ...base, order_no: 'SO202611230003', status: 'paid', phone: '13700003333', paid_at: hoursAgo(60) },
        {
          ...base,
          order_no: 'SO202611230004',
          status: 'paid',
          phone: '13600004444',
          paid_at: hoursAgo(2),
          promised_ship_by: new Date(Date.now() + 22 * 3600_000).toISOString(),
        },
        { ...base, order_no: 'SO202611230005', status: 'refunded', phone: '13500005555', paid_at: hoursAgo(90) },
        {
          ...base,
          order_no: 'SO202611230006',
          status: 'shipped',
          phone: '13800001111',
          paid_at: hoursAgo(10),
          shipped_at: hoursAgo(5),
          carrier: '圆通',
          tracking_no: 'YT1234567890006',
        },
      ],
    });
    expect(orders.json).toMatchObject({ rejected: 0 });
    const events = await erp('/api/logistics-events', {
      events: [
        {
          tracking_no: 'SF1234567890001',
          carrier: '顺丰',
          at: hoursAgo(2),
          description: '已签收，签收人：门卫',
          kind: 'signed',
          signoff_kind: 'electronic',
          order_no: 'SO202611230001',
        },
      ],
    });
    expect(events.json).toMatchObject({ rejected: 0 });
  });
  afterAll(async () => svc?.stop());

  it('a customer proves the order with the phone suffix and sees it, masked', async () => {
    const answer = await say('c-own', 'SO202611230001 尾号1111 到哪了');
    expect(answer).toContain('SO202611230001');
    expect(answer).toContain('138****1111');
    expect(answer).not.toContain('13800001111');
    expect(answer).not.toContain('世纪大道100号');
  });

  it('an electronic-only sign-off plus 没收到货 opens a P1 ticket', async () => {
    const reply = await say('c-own', '快递显示签收了 但是我根本没收到货');
    expect(reply).toMatch(/工单 #\d+（未收到货，优先级 P1）/);
    // Staff see the order's state as the customer does: signed by a scan only, not plainly 已签收 or 已发货.
    const id = Number(/工单 #(\d+)/.exec(reply)?.[1]);
    const view = await say('agent1', `工单 #${id}`, 'staff');
    expect(view).toContain('订单：SO202611230001（自营）快递显示已签收（仅电子签收，暂无签收凭证）');
  });

  it('"显示签收了但我没收到" with no order named goes to the signed order, not a newer one still in transit', async () => {
    expect(await say('c-signed', 'SO202611230001 尾号1111')).toContain('SO202611230001');
    expect(await say('c-signed', 'SO202611230006 尾号1111')).toContain('SO202611230006');
    // 「你好」 after naming an order is a greeting, not that order's timeline again.
    expect(await say('c-signed', '你好')).toContain('售后助手');
    // A later session: nothing named in context, so the problem decides among the customer's orders.
    await svc.db.prisma.conversationState.deleteMany({ where: { key: 'sandbox:c-signed' } });
    const reply = await say('c-signed', '快递显示签收了 但是我没收到');
    expect(reply).toMatch(/工单 #\d+（未收到货，优先级 P1），订单 SO202611230001/);
  });

  it('a ticket that names no order goes to the order the conversation is about, not just the newest', async () => {
    // c-two proves two orders: SO…0001 (signed, the newer) and SO…0003 (paid 60 h ago, not shipped).
    expect(await say('c-two', 'SO202611230001 尾号1111')).toContain('SO202611230001');
    expect(await say('c-two', 'SO202611230003 尾号3333')).toContain('SO202611230003');
    const reply = await say('c-two', '付款两天多了怎么还不发货 麻烦催一下');
    const id = Number(/#(\d+)/.exec(reply)?.[1]);
    expect(id).toBeGreaterThan(0);
    const ticket = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id }, include: { order: true } });
    expect(ticket.order?.orderNo).toBe('SO202611230003');
    // The customer is told which order it was filed against: the one the conversation was about, not a guess.
    expect(reply).toContain('订单 SO202611230003。');
    expect(reply).not.toContain('按您最近的相关订单登记');
  });

  it("a ticket that names someone else's order is opened without it, and the customer is told", async () => {
    // c-three has proved SO…0003 only; SO…0002 exists but is not theirs.
    expect(await say('c-three', 'SO202611230003 尾号3333')).toContain('SO202611230003');
    const reply = await say('c-three', 'SO202611230002 这个单还没发货 快点');
    const id = Number(/工单 #(\d+)/.exec(reply)?.[1]);
    expect(id).toBeGreaterThan(0);
    expect(reply).toContain('没有在您名下找到 SO202611230002');
    expect(reply).not.toContain('中通'); // nothing about the other customer's order
    const ticket = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } });
    expect(ticket.orderId).toBeNull(); // not filed against SO…0003 on a guess
  });

  it('a second problem on the same order is a new ticket linked to the first; tickets without an order are not linked', async () => {
    expect(await say('c-link', 'SO202611230002 尾号2222')).toContain('SO202611230002');
    const first = await say('c-link', 'SO202611230002 收到的保温杯漏水，是坏的');
    const firstId = Number(/工单 #(\d+)/.exec(first)?.[1]);
    const second = await say('c-link', 'SO202611230002 另外发票还没开，麻烦开一下');
    const secondId = Number(/工单 #(\d+)/.exec(second)?.[1]);
    expect(secondId).toBeGreaterThan(firstId);
    expect(second).toContain(`与您之前的工单 #${firstId} 关联`);
    expect(second).toContain('订单 SO202611230002。');
    expect(second).not.toContain('按您最近的相关订单登记'); // named, not guessed
    const linked = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id: secondId }, include: { order: true } });
    expect(linked.linkedTicketId).toBe(firstId);
    expect(linked.order?.orderNo).toBe('SO202611230002');
    const view = await say('agent1', `工单 #${secondId}`, 'staff');
    expect(view).toContain('订单：SO202611230002（自营）已发货');

    // Two problems of a customer with no order on file have nothing in common to link them by.
    const a = await say('c-nolink', '我要人工客服');
    const b = await say('c-nolink', '我要投诉你们的客服态度太差了');
    const bId = Number(/工单 #(\d+)/.exec(b)?.[1]);
    expect(a).toMatch(/工单 #\d+/);
    expect(b).not.toContain('关联');
    expect((await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id: bId } })).linkedTicketId).toBeNull();
  });

  it('"什么时候发货" is answered from the order while it is on time; only a late order gets a ticket', async () => {
    const tickets = () => svc.db.prisma.ticket.count();
    expect(await say('c-ship', 'SO202611230004 尾号4444')).toContain('SO202611230004');
    const before = await tickets();
    const onTime = await say('c-ship', '我的订单什么时候发货啊');
    expect(onTime).toMatch(/订单 SO202611230004 目前「已付款，待审核」，承诺 \d+\/\d+ \d+:\d+ 前发货，还在时限内/);
    expect(onTime).not.toContain('工单');
    expect(await tickets()).toBe(before);
    // Already on its way: the answer says so, with the carrier and the number.
    expect(await say('c-ship', 'SO202611230002 尾号2222')).toContain('SO202611230002');
    const shipped = await say('c-ship', 'SO202611230002 怎么还不发货');
    expect(shipped).toMatch(/订单 SO202611230002 已于 .+ 发货（中通 731234567890）/);
    // …and when it should arrive, not 「想看物流到哪了，直接问我」.
    expect(shipped).toMatch(/。(?:最新物流：.+。)?预计 \d+月\d+日 送达。到时还没收到的话，再找我，我为您登记催件。$/);
    expect(await tickets()).toBe(before);
    // Paid 60 h ago and nothing shipped: past the line, so a ticket.
    expect(await say('c-ship', 'SO202611230003 尾号3333')).toContain('SO202611230003');
    expect(await say('c-ship', 'SO202611230003 都两天多了还不发货')).toMatch(/已为您登记售后工单 #\d+（催发货/);
    expect(await tickets()).toBe(before + 1);
  });

  it('asked again after the order\'s answer ("都三天了还没发货"), the customer gets a ticket; another order is a new question', async () => {
    const tickets = () => svc.db.prisma.ticket.count();
    expect(await say('c-ship-again', 'SO202611230004 尾号4444')).toContain('SO202611230004');
    expect(await say('c-ship-again', 'SO202611230002 尾号2222')).toContain('SO202611230002');
    const before = await tickets();
    expect(await say('c-ship-again', 'SO202611230002 什么时候发货')).toMatch(/订单 SO202611230002 已于 .+ 发货/);
    expect(await say('c-ship-again', 'SO202611230004 什么时候发货')).toMatch(/订单 SO202611230004 .+还在时限内/);
    expect(await tickets()).toBe(before);
    // The same question about the same order, again: the answer did not do, and a person looks.
    const again = await say('c-ship-again', '都三天了还没发货');
    expect(again).toMatch(/已为您登记售后工单 #\d+（催发货，优先级 P\d），订单 SO202611230004/);
    expect(await tickets()).toBe(before + 1);
  });

  it('the goods a customer names pick the order ("纸尿裤少了一包"); "另一单" means another than the one talked about', async () => {
    const signed = (no: string, name: string, hours: number) =>
      erpOrder(no, '13700004141', name, 99, {
        status: 'signed',
        paid_at: hoursAgo(hours + 30),
        shipped_at: hoursAgo(hours + 10),
        signed_at: hoursAgo(hours),
        carrier: '顺丰',
        tracking_no: `SF41${no.slice(-10)}`,
      });
    await provedBy('c-goods', '4141', [
      signed('SO202611230041', '婴儿纸尿裤 M码 84片', 30),
      signed('SO202611230042', '明前龙井 250g 礼盒', 20),
      signed('SO202611230043', '儿童保温杯', 10),
    ]);
    // The newest order is the 保温杯; the 纸尿裤 the customer names are in the oldest.
    const nappies = await say('c-goods', '我前天买的纸尿裤 今天收到发现少了一包');
    expect(nappies).toMatch(/已为您登记售后工单 #\d+（少件漏发，优先级 P\d），订单 SO202611230041。/);
    expect(nappies).not.toContain('按您最近的相关订单登记');
    // "另一单" is not the order just talked about; with no goods named, the newest of the others.
    const other = await say('c-goods', '另一单也少了东西');
    expect(other).toContain('订单 SO202611230043');
    expect(other).toContain('按您最近的相关订单登记');
    // Asking where the tea is, in a new conversation: its order (two characters of its name are enough), no ticket.
    await svc.db.prisma.conversationState.deleteMany({ where: { key: 'sandbox:c-goods' } });
    const tickets = await svc.db.prisma.ticket.count();
    const tea = await say('c-goods', '我买的龙井到哪了');
    expect(tea).toContain('订单 SO202611230042');
    expect(tea).not.toContain('SO202611230041');
    expect(await svc.db.prisma.ticket.count()).toBe(tickets);
  });

  it('"退款什么时候到账" about a refunded order is answered with the amount, not a ticket', async () => {
    expect(await say('c-refund', 'SO202611230005 尾号5555')).toContain('SO202611230005');
    const before = await svc.db.prisma.ticket.count();
    const answer = await say('c-refund', '退款什么时候能到账啊');
    expect(answer).toMatch(/^订单 SO202611230005 已(于 .+ )?退款 ¥199\.00，原路退回/);
    expect(await svc.db.prisma.ticket.count()).toBe(before);
  });

  it('a return that names no order goes to a parcel that has left the warehouse, not the newest unshipped order', async () => {
    expect(await say('c-return', 'SO202611230002 尾号2222')).toContain('SO202611230002');
    expect(await say('c-return', 'SO202611230004 尾号4444')).toContain('SO202611230004');
    const reply = await say('c-return', '杯子收到了 颜色不喜欢 我要退货退款');
    const id = Number(/工单 #(\d+)/.exec(reply)?.[1]);
    const ticket = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id }, include: { order: true } });
    expect(ticket.order?.orderNo).toBe('SO202611230002');
    expect(reply).toContain('按您最近的相关订单登记'); // SO…0004 was just named, but a parcel not yet shipped cannot have arrived
    // The customer names the order they meant (the number alone): the ticket moves to it, and the answer shows it.
    const named = await say('c-return', 'SO202611230004');
    expect(named).toContain(`您的工单 #${id} 已改为订单 SO202611230004。`);
    expect(named).toMatch(/\n订单 SO202611230004（.+）· 当前：/);
    const moved = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id }, include: { order: true } });
    expect(moved.order?.orderNo).toBe('SO202611230004');
    // Named again, nothing changes twice; the guessed order is not the ticket's any more.
    expect(await say('c-return', 'SO202611230004')).not.toContain('已改为订单');
  });

  it('"都三天了" and "能不能快点" after naming an order are about that order: one ticket, then a reminder on it', async () => {
    expect(await say('c-ctx', 'SO202611230003 尾号3333')).toContain('SO202611230003');
    expect(await say('c-ctx', 'SO202611230002 尾号2222')).toContain('SO202611230002');
    const opened = await say('c-ctx', '都三天了还没到');
    const id = Number(/工单 #(\d+)/.exec(opened)?.[1]);
    expect(opened).toContain('订单 SO202611230002。');
    expect(opened).not.toContain('按您最近的相关订单登记');
    const chased = await say('c-ctx', '能不能快点');
    expect(chased).toContain(`您的工单 #${id} 目前状态`);
    expect((await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } })).reminderCount).toBe(1);
  });

  it('"第一个" picks from the list the bot showed; the next messages are about that order', async () => {
    expect(await say('c-pick', 'SO202611230001 尾号1111')).toContain('SO202611230001');
    expect(await say('c-pick', 'SO202611230006 尾号1111')).toContain('SO202611230006');
    await svc.db.prisma.conversationState.deleteMany({ where: { key: 'sandbox:c-pick' } });
    const list = await say('c-pick', '查一下我的订单');
    expect(list).toContain('回复序号');
    const listed = [...list.matchAll(/^\d+\. (SO\d+)/gm)].map((m) => m[1]);
    expect(listed).toEqual(['SO202611230006', 'SO202611230001']);
    const detail = await say('c-pick', '第一个');
    expect(detail).toContain('订单 SO202611230006');
    expect(detail).toContain('YT1234567890006');
    expect(detail).not.toContain('SO202611230001');
    // 「这个什么时候到」 asks after that order's delivery (the classifier once heard a refund 到账 in it).
    const arrival = await say('c-pick', '这个什么时候到');
    expect(arrival).toContain('订单 SO202611230006');
    expect(arrival).not.toMatch(/工单|退款/);
    // The order just shown is the one the conversation is about: no guess, and 催一下 chases that ticket.
    const opened = await say('c-pick', '怎么还没到，都好几天了');
    const id = Number(/工单 #(\d+)/.exec(opened)?.[1]);
    expect(opened).toContain('订单 SO202611230006。');
    expect(opened).not.toContain('按您最近的相关订单登记');
    expect(await say('c-pick', '能不能帮我催一下快递')).toContain(`您的工单 #${id} 目前状态`);
    expect((await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } })).reminderCount).toBe(1);
  });

  it('the list of orders offers each as an answer to tap; the tapped words show that order', async () => {
    expect(await say('c-tap', 'SO202611230001 尾号1111')).toContain('SO202611230001');
    expect(await say('c-tap', 'SO202611230006 尾号1111')).toContain('SO202611230006');
    await svc.db.prisma.conversationState.deleteMany({ where: { key: 'sandbox:c-tap' } });
    const res = await svc.post('/api/sandbox/messages', { user: 'c-tap', text: '查一下我的订单' });
    const [list] = res.json.replies as { text: string; choices?: { head: string; items: { label: string }[] } }[];
    expect(list?.choices?.head).toBe(list?.text);
    const labels = list?.choices?.items.map((i) => i.label);
    expect(labels).toEqual(['第1单 SO202611230006', '第2单 SO202611230001']);
    const detail = await say('c-tap', labels?.[1] ?? '');
    expect(detail).toContain('订单 SO202611230001');
    expect(detail).not.toContain('SO202611230006');
  });

  it('"第二个收到就是碎的" after the list is a ticket on the second order, not a guess', async () => {
    expect(await say('c-pick-2', 'SO202611230001 尾号1111')).toContain('SO202611230001');
    expect(await say('c-pick-2', 'SO202611230006 尾号1111')).toContain('SO202611230006');
    await svc.db.prisma.conversationState.deleteMany({ where: { key: 'sandbox:c-pick-2' } });
    expect(await say('c-pick-2', '查一下我的订单')).toMatch(/1\. SO202611230006[\s\S]*2\. SO202611230001/);
    const opened = await say('c-pick-2', '第二个收到就是碎的');
    expect(opened).toMatch(/工单 #\d+（商品破损，优先级 P1），订单 SO202611230001。/);
    expect(opened).not.toContain('按您最近的相关订单登记');
  });

  it('"我昨天买的纸尿裤到哪了" shows the order holding the nappies, not a list of everything', async () => {
    const order = (no: string, name: string, hours: number) =>
      erpOrder(no, '13300007777', name, 99, {
        status: 'shipped',
        paid_at: hoursAgo(hours),
        shipped_at: hoursAgo(hours - 2),
        carrier: '中通',
        tracking_no: `7300${no.slice(-4)}0000`,
      });
    await provedBy('c-item', '7777', [
      order('SO202611230007', '婴儿纸尿裤 M码 84片', 30),
      order('SO202611230008', '不锈钢保温杯 500ml', 20),
    ]);
    await svc.db.prisma.conversationState.deleteMany({ where: { key: 'sandbox:c-item' } });
    const answer = await say('c-item', '你好 我想问下我昨天买的纸尿裤到哪了');
    expect(answer).toContain('订单 SO202611230007');
    expect(answer).not.toContain('SO202611230008');
    // Naming nothing, in a new conversation, still lists them.
    await svc.db.prisma.conversationState.deleteMany({ where: { key: 'sandbox:c-item' } });
    expect(await say('c-item', '我的订单到哪了')).toMatch(/1\. SO202611230008[\s\S]*2\. SO202611230007/);
  });

  it('"怎么还没发货" shows the order not shipped yet and "快递到哪了" the one on its way, not every order', async () => {
    const order = (no: string, status: string, hours: number) =>
      erpOrder(no, '13300006666', '抽纸 24包', 59, {
        status,
        paid_at: hoursAgo(hours),
        ...(status === 'paid'
          ? {}
          : { shipped_at: hoursAgo(hours - 2), carrier: '中通', tracking_no: `7300${no.slice(-4)}6666` }),
        ...(status === 'signed' ? { signed_at: hoursAgo(hours - 20) } : {}),
      });
    await provedBy('c-stage', '6666', [
      order('SO202611230021', 'signed', 70),
      order('SO202611230022', 'shipped', 30),
      order('SO202611230023', 'paid', 3),
    ]);
    const fresh = () => svc.db.prisma.conversationState.deleteMany({ where: { key: 'sandbox:c-stage' } });
    await fresh();
    const notShipped = await say('c-stage', '我的订单怎么还没发货');
    expect(notShipped).toContain('订单 SO202611230023');
    expect(notShipped).not.toMatch(/SO202611230021|SO202611230022/);
    await fresh();
    const onTheWay = await say('c-stage', '快递到哪了');
    expect(onTheWay).toContain('订单 SO202611230022');
    expect(onTheWay).not.toMatch(/SO202611230021|SO202611230023/);
    await fresh();
    expect(await say('c-stage', '我的订单')).toMatch(/SO202611230023[\s\S]*SO202611230022[\s\S]*SO202611230021/);
  });

  it('staff pick an order from a phone-suffix list by its number, still masked', async () => {
    const list = await say('agent2', '@bot 查 尾号1111', 'staff', 'aftersales-group');
    const second = [...list.matchAll(/^2\. (SO\d+)/gm)].map((m) => m[1])[0];
    expect(second).toMatch(/^SO2026112300/);
    const detail = await say('agent2', '@bot 2', 'staff', 'aftersales-group');
    expect(detail).toContain(`订单 ${second}`);
    expect(detail).toContain('138****1111');
    expect(detail).not.toContain('13800001111');
  });

  it('cancelling a shipped order is a ticket that says what can still be done; an unshipped one needs no such note', async () => {
    expect(await say('c-cancel', 'SO202611230002 尾号2222')).toContain('SO202611230002');
    const shipped = await say('c-cancel', 'SO202611230002 不想要了 帮我取消');
    expect(shipped).toMatch(/工单 #\d+（取消订单/);
    expect(shipped).toContain('该订单已发货（中通 731234567890），不能直接取消');
    expect(shipped).toContain('拒收');
    expect(await say('c-cancel-2', 'SO202611230004 尾号4444')).toContain('SO202611230004');
    const unshipped = await say('c-cancel-2', 'SO202611230004 不想要了 帮我取消');
    expect(unshipped).toMatch(/工单 #\d+（取消订单/);
    expect(unshipped).not.toContain('已发货'); // A refund without a return for a parcel on its way: the same, said for a refund.
    expect(await say('c-refund-transit', 'SO202611230006 尾号1111')).toContain('SO202611230006');
    const refund = await say('c-refund-transit', 'SO202611230006 不要了 直接退款吧');
    expect(refund).toMatch(/工单 #\d+（仅退款/);
    expect(refund).toContain('包裹还在路上');
    expect(refund).toContain('拒收');
  });

  it('a ticket opened without an order asks for one, and the order the customer then proves becomes its order', async () => {
    const opened = await say('c-late-order', '杯子碎了');
    const id = Number(/工单 #(\d+)/.exec(opened)?.[1]);
    expect(opened).toContain('请发送订单号和下单手机号后 4 位');
    expect(opened).toContain('照片');
    const answer = await say('c-late-order', 'SO202611230006 尾号1111');
    expect(answer).toContain(`已把订单 SO202611230006 补充到您的工单 #${id}`);
    expect(answer).toContain('YT1234567890006'); // and the order itself
    const ticket = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id }, include: { order: true } });
    expect(ticket.order?.orderNo).toBe('SO202611230006');
    const notes = await svc.db.prisma.ticketEvent.findMany({ where: { ticketId: id, type: 'note' } });
    expect(notes.map((n) => n.reason)).toContain('顾客补充订单 SO202611230006');
    // The ticket is now the one for that order: chasing it finds it.
    expect(await say('c-late-order', '碎了的杯子怎么还没人管')).toContain(`您的工单 #${id} 目前状态`);
    expect(await svc.db.prisma.ticket.count({ where: { customerId: ticket.customerId } })).toBe(1);
  });

  it('one incident, one ticket: the order number is verified, then taken; vague remarks and "给个说法" stay on it', async () => {
    const opened = await say('c-incident', '在你们店买的保温杯 盖子一拧就烫伤了手');
    const id = Number(/工单 #(\d+)/.exec(opened)?.[1]);
    expect(opened).toMatch(/优先级 P1/);
    // The order number alone: verified first (no reminder, no "not yours"), then the suffix links it.
    const asked = await say('c-incident', '订单号 SO202611230006');
    expect(asked).toContain('请再回复下单手机号的后 4 位');
    expect(asked).not.toContain('已再次提醒');
    const linked = await say('c-incident', '尾号1111');
    expect(linked).toContain(`已把订单 SO202611230006 补充到您的工单 #${id}`);
    expect(await say('c-incident', '没买错，就是你们家的')).toBe(`收到，已补充到工单 #${id}，处理的同事会看到。`);
    expect(await say('c-incident', '你们必须给我个说法')).toContain(`您的工单 #${id} 目前状态`);
    const t = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } });
    expect(await svc.db.prisma.ticket.count({ where: { customerId: t.customerId } })).toBe(1);
    expect(t.reminderCount).toBe(1);
  });

  it('a stranger guessing gets nothing and is throttled', async () => {
    const replies: string[] = [];
    for (let i = 0; i < 6; i++) replies.push(await say('c-guess', `SO202611230002 尾号${String(1000 + i)}`));
    for (const r of replies) {
      expect(r).not.toContain('139****2222');
      expect(r).not.toContain('中通');
    }
    expect(replies.at(-1)).toContain('查询过于频繁');
  });

  it('staff in a group see any order, with phone and address masked', async () => {
    const answer = await say('agent1', '@bot 查 SO202611230002', 'staff', 'aftersales-group');
    expect(answer).toContain('139****2222');
    expect(answer).not.toContain('13900002222');
    expect(answer).toContain('上海市浦东新区****');
    // A follow-up about it still means that order; "帮助" right after it asks for the commands, not the order again.
    expect(await say('agent1', '@bot 这单物流呢', 'staff', 'aftersales-group')).toContain('SO202611230002');
    const help = await say('agent1', '@bot 帮助', 'staff', 'aftersales-group');
    expect(help).toMatch(/^可用指令：查 <订单号/);
    expect(await say('agent1', '@bot 今天怎么样', 'staff', 'aftersales-group')).toMatch(/^可用指令：/);
  });

  it('staff see the tickets about an order under it; "查 尾号…" right after is a new search, not the same order again', async () => {
    const r = await erp('/api/orders', {
      orders: [
        {
          order_no: 'SO202611230031',
          source: 'own',
          status: 'signed',
          phone: '13300005555',
          address: '上海市浦东新区世纪大道100号 2栋301',
          amount: 88,
          items: [{ sku: 'LAMP-1', name: '护眼台灯', qty: 1, price: 88 }],
          paid_at: hoursAgo(80),
          shipped_at: hoursAgo(70),
          signed_at: hoursAgo(20),
          carrier: '顺丰',
          tracking_no: 'SF5555000000031',
        },
        {
          order_no: 'SO202611230032',
          source: 'own',
          buyer_name: '王小明',
          status: 'paid',
          phone: '13300005555',
          amount: 20,
          paid_at: hoursAgo(5),
        },
      ],
    });
    expect(r.json).toMatchObject({ rejected: 0 });
    // The order, its proof and the problem in one message: the order is verified and the ticket opened on it.
    const opened = await say('c-lamp', 'SO202611230031 尾号5555 台灯插电没反应');
    expect(opened).toContain('（质量问题，');
    expect(opened).toContain('订单 SO202611230031');
    const id = Number(/工单 #(\d+)/.exec(opened)?.[1]);
    expect(id).toBeGreaterThan(0);
    const view = await say('agent2', '@bot 查 SO202611230031', 'staff', 'lamp-group');
    expect(view).toMatch(new RegExp(`相关工单：#${id} 质量问题 · 待处理 · 客服小[王李]（「工单 #${id}」看详情）`));
    const bySuffix = await say('agent2', '@bot 查 尾号5555', 'staff', 'lamp-group');
    expect(bySuffix).toMatch(/找到 \d 个订单/); // also SO202611230005 (135…5555)
    expect(bySuffix).toMatch(/SO202611230032[\s\S]*SO202611230031/);
    // "查一下物流" is about the orders just shown; "查 <a name>" is a search of its own: the buyer's orders.
    expect(await say('agent2', '@bot 查 SO202611230031', 'staff', 'lamp-group')).toContain('订单 SO202611230031');
    expect(await say('agent2', '@bot 查一下物流', 'staff', 'lamp-group')).toContain('订单 SO202611230031');
    const byName = await say('agent2', '@bot 查 高浩然', 'staff', 'lamp-group');
    expect(byName).toBe('没有找到 买家「高浩然」 对应的订单，请核对后再试。');
    const buyer = await say('agent2', '@bot 查一下收货人 王小明 的订单', 'staff', 'lamp-group');
    expect(buyer).toMatch(/^订单 SO202611230032（自营）/);
    expect(buyer).toContain('收货：王**');
    expect(buyer).not.toContain('王小明');
    // The order and a problem that could be either of two kinds: the order, then the question; the answer
    // opens the ticket on that order.
    const asked = await say('c-lamp-2', 'SO202611230031 尾号5555 灯罩收到就有划痕');
    expect(asked).toContain('订单 SO202611230031');
    expect(asked).toContain('请问商品是收到时就破损了，还是使用后出现的质量问题？');
    const answered = await say('c-lamp-2', '收到时就破损了');
    expect(answered).toContain('（商品破损，');
    expect(answered).toContain('订单 SO202611230031');
  });

  it('a wrong phone suffix with a problem: once the right suffix proves the order, the problem gets its ticket', async () => {
    const failed = await say('c-lamp-3', 'SO202611230031 尾号1111 台灯插电没反应');
    expect(failed).toContain('未能核实该订单');
    expect(await say('c-lamp-3', '尾号2222')).toContain('未能核实该订单'); // still wrong: it waits
    const proved = await say('c-lamp-3', '尾号5555');
    expect(proved).toMatch(/^已为您登记售后工单 #\d+（质量问题，优先级 P\d），订单 SO202611230031。/);
    const id = Number(/工单 #(\d+)/.exec(proved)?.[1]);
    const ticket = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id }, include: { order: true } });
    expect(ticket.summary).toBe('SO202611230031 尾号1111 台灯插电没反应');
    expect(ticket.order?.orderNo).toBe('SO202611230031');
    // Proved, the same suffix again is an order lookup, not a second ticket.
    expect(await say('c-lamp-3', '尾号5555')).toContain('订单 SO202611230031');
    const customer = await svc.db.prisma.ticket.count({ where: { customerId: ticket.customerId } });
    expect(customer).toBe(1);
  });

  it('"@bot 签收可信率" gives the sign-off credibility per carrier and names the weak 网点 first', async () => {
    const signoff = (i: number, network: string, kind: string) => ({
      tracking_no: `7311${network === '余杭测试网点' ? '1' : '2'}${String(i).padStart(7, '0')}`,
      carrier: '中通',
      at: hoursAgo(30 + i),
      description: `已签收（${kind}）`,
      kind: 'signed',
      signoff_kind: kind,
      network,
    });
    const events = [
      ...Array.from({ length: 10 }, (_, i) => signoff(i, '余杭测试网点', i < 6 ? 'electronic' : 'photo')),
      ...Array.from({ length: 10 }, (_, i) => signoff(i, '西湖测试网点', 'otp')),
    ];
    expect((await erp('/api/logistics-events', { events })).json).toMatchObject({ rejected: 0 });
    const report = await say('sup1', '@bot 签收可信率', 'staff', 'managers');
    expect(report).toMatch(/^近 30 天签收可信率 \d+\.\d%（拍照\/验证码\/快递柜 \d+ \/ 全部签收 \d+，目标 ≥ 85\.0%）/);
    expect(report).toMatch(/按快递公司（低的在前）：\n(· .+\n)*· 中通 \d+\.\d%（\d+\/\d+）/);
    expect(report).toContain(
      '未达标的网点（低的在前，建议先换网点、不必换快递公司）：\n· 中通 余杭测试网点 40.0%（4/10） ⚠',
    );
    expect(report).not.toContain('西湖测试网点'); // at 100 % it is not a problem
  });

  it('a stuck order (paid 60 h ago, not shipped) raises one alert to the responsible group', async () => {
    const alerts = await eventually(
      async () => {
        const w = (await svc.get('/api/sandbox/inbox?chat=warehouse')).json.messages as { text: string }[];
        const m = (await svc.get('/api/sandbox/inbox?chat=managers')).json.messages as { text: string }[];
        return [...w, ...m].filter((x) => x.text.includes('SO202611230003'));
      },
      (a) => a.length > 0,
      15_000,
    );
    expect(alerts.length).toBe(1);
  });

  it('wrong item within 72 h of shipping: marked for reshipment and the warehouse group is told', async () => {
    await say('c-wrong2', 'SO202611230002 尾号2222');
    const reply = await say('c-wrong2', '发错货了 我买的白色保温杯 寄来的是黑色的');
    const id = Number(/#(\d+)/.exec(reply)?.[1]);
    expect(id).toBeGreaterThan(0);
    const ticket = await svc.db.prisma.ticket.findUniqueOrThrow({ where: { id } });
    expect(ticket.flags).toMatchObject({ reship: true });
    const warehouse = (await svc.get('/api/sandbox/inbox?chat=warehouse')).json.messages as { text: string }[];
    expect(warehouse.map((m) => m.text).join('\n')).toContain(`工单 #${id}`);
  });
});
