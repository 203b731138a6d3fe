import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRedisLock } from '../../../src/channels/outbound/redis-lock.ts';
import { WecomApiClient } from '../../../src/channels/wecom/api-client.ts';
import { kfCursorId, syncKf } from '../../../src/channels/wecom/kf.ts';
import { WecomHttp } from '../../../src/channels/wecom/wecom-http.ts';
import { FakeWecomServer } from '../../support/fake-wecom-server.ts';
import { MemoryCursorStore, MemoryIngest, testRedis } from './helpers.ts';

let fake: FakeWecomServer;
let redis: Redis;
let prefix: string;
let cleanup: () => Promise<void>;
let store: MemoryIngest;
let cursors: MemoryCursorStore;

beforeEach(async () => {
  fake = await new FakeWecomServer().start();
  ({ redis, prefix, cleanup } = await testRedis());
  store = new MemoryIngest();
  cursors = new MemoryCursorStore();
});
afterEach(async () => {
  await fake.stop();
  await cleanup();
});

const client = () =>
  new WecomApiClient({
    http: new WecomHttp({ baseUrl: fake.baseUrl, retries: 0 }),
    redis,
    corpId: 'wwcorp',
    secret: 'kf-secret',
    tokenName: 'kf',
    keyPrefix: prefix,
  });
const sync = (token: string, extra: Partial<Parameters<typeof syncKf>[0]> = {}) =>
  syncKf({ client: client(), cursors, ingest: store.ingest, openKfId: 'wkSHOP', token, limit: 2, ...extra });

describe('syncKf', () => {
  it('pages through sync_msg, ingests customer texts and 接待人员 answers, and persists the cursor after each page', async () => {
    fake.customerWrites('wkSHOP', 'wmA', '我的快递到哪了');
    fake.kfEntry({
      open_kfid: 'wkSHOP',
      external_userid: 'wmA',
      origin: 4,
      msgtype: 'event',
      event: { event_type: 'enter_session' },
    });
    fake.customerWrites('wkSHOP', 'wmB', '退款什么时候到');
    fake.kfEntry({
      open_kfid: 'wkSHOP',
      external_userid: 'wmA',
      origin: 5,
      servicer_userid: 'lisi',
      msgtype: 'text',
      text: { content: '人工客服回复' },
    });
    const token = fake.customerWrites('wkSHOP', 'wmA', '订单 SO123');
    const result = await sync(token);
    expect(result).toEqual({ pages: 3, accepted: 4, duplicates: 0, ignored: 1 });
    expect(store.rows).toEqual([
      expect.objectContaining({
        channel: 'wecom_kf',
        role: 'customer',
        userRef: 'wmA',
        text: '我的快递到哪了',
        replyContext: { open_kfid: 'wkSHOP' },
      }),
      expect.objectContaining({ userRef: 'wmB', text: '退款什么时候到' }),
      // The person's answer: staff, with the customer it went to; the bot will not reply to it.
      expect.objectContaining({
        role: 'staff',
        userRef: 'lisi',
        text: '人工客服回复',
        replyContext: { open_kfid: 'wkSHOP', staffReplyTo: 'wmA' },
      }),
      expect.objectContaining({ userRef: 'wmA', text: '订单 SO123' }),
    ]);
    expect(cursors.values.get(kfCursorId('wkSHOP'))).toBe('c5');
    expect(cursors.writes).toBe(3);
  });

  it('a restart resumes from the stored cursor: new messages once, old ones never again', async () => {
    await sync(fake.customerWrites('wkSHOP', 'wmA', '第一条'));
    fake.customerWrites('wkSHOP', 'wmA', '第二条');
    const token = fake.customerWrites('wkSHOP', 'wmA', '第三条');
    const second = await sync(token);
    expect(second.accepted).toBe(2);
    expect(store.texts()).toEqual(['第一条', '第二条', '第三条']);
    const requests = fake.received.filter((r) => r.path === '/cgi-bin/kf/sync_msg');
    expect(requests.at(-1)?.body).toMatchObject({ cursor: 'c1', open_kfid: 'wkSHOP', token });
  });

  it('a crash mid-page (DB down) loses nothing: the cursor stays before that page and the rerun dedupes', async () => {
    for (const text of ['一', '二', '三']) fake.customerWrites('wkSHOP', 'wmA', text);
    const token = fake.customerWrites('wkSHOP', 'wmA', '四');
    store.failOn = (m) => m.text === '四';
    await expect(sync(token)).rejects.toThrow('数据库暂时不可用');
    expect(cursors.values.get(kfCursorId('wkSHOP'))).toBe('c2');
    expect(store.texts()).toEqual(['一', '二', '三']);
    store.failOn = undefined;
    const rerun = await sync(token);
    expect(rerun).toMatchObject({ accepted: 1, duplicates: 1 });
    expect(store.texts()).toEqual(['一', '二', '三', '四']);
  });

  it('two events at once (two processes) with a Redis lock → each message processed once', async () => {
    for (let i = 0; i < 7; i++) fake.customerWrites('wkSHOP', 'wmA', `消息 ${i}`);
    const token = fake.kfCallbackToken();
    const lock = createRedisLock(redis, { prefix: `${prefix}lock:` });
    const [a, b] = await Promise.all([sync(token, { lock }), sync(token, { lock })]);
    expect(a.accepted + b.accepted).toBe(7);
    expect(a.duplicates + b.duplicates).toBe(0);
    expect(store.rows).toHaveLength(7);
  });

  it('an expired callback token is a platform error, and the cursor is untouched', async () => {
    fake.customerWrites('wkSHOP', 'wmA', 'x');
    await expect(sync('ENCnot-issued')).rejects.toMatchObject({ details: { errcode: 95007 } });
    expect(cursors.values.size).toBe(0);
  });

  it('a customer opening the chat with a welcome code is a session_start; without a code it is nothing to answer', async () => {
    fake.customerEnters('wkSHOP', 'wmNEW', { welcome: false }); // had a welcome within 48 h: no code
    const token = fake.customerEnters('wkSHOP', 'wmNEW');
    const wrote: string[] = [];
    const result = await sync(token, { onCustomerMessage: async (m) => void wrote.push(m.userRef) });
    expect(result).toMatchObject({ accepted: 1, ignored: 1 });
    // Opening the chat is no message: the 48 h / 5-message window does not start from it.
    expect(wrote).toEqual([]);
    expect(store.rows).toEqual([
      expect.objectContaining({
        role: 'customer',
        userRef: 'wmNEW',
        text: '',
        event: 'session_start',
        replyContext: {
          open_kfid: 'wkSHOP',
          event_code: expect.stringMatching(/^welcome-/),
        },
      }),
    ]);
  });

  it('a 接待人员 taking the session is person_joined, ending it session_end, each with its code; a transfer is nothing', async () => {
    fake.kfEntry({
      open_kfid: 'wkSHOP',
      external_userid: '',
      origin: 4,
      msgtype: 'event',
      event: { event_type: 'session_status_change', external_userid: 'wmE', change_type: 2, msg_code: 'moved' },
    });
    fake.personTakesSession('wkSHOP', 'wmE', 'lisi');
    const token = fake.personEndsSession('wkSHOP', 'wmE', 'lisi');
    expect(await sync(token, { limit: 100 })).toMatchObject({ accepted: 2, ignored: 1 });
    expect(store.rows).toEqual([
      expect.objectContaining({
        userRef: 'wmE',
        event: 'person_joined',
        replyContext: { open_kfid: 'wkSHOP', event_code: expect.stringMatching(/^join-/), servicer: 'lisi' },
      }),
      expect.objectContaining({
        userRef: 'wmE',
        role: 'customer',
        event: 'session_end',
        replyContext: {
          open_kfid: 'wkSHOP',
          event_code: expect.stringMatching(/^end-/),
          sessionEnded: true,
        },
      }),
    ]);
  });

  it("cards a customer sends become the words they show, so none goes unanswered; an order card's number is kept", async () => {
    const card = (msgtype: string, body: Record<string, unknown>) => fake.customerSends('wkSHOP', 'wmC', msgtype, body);
    card('channels_shop_order', {
      order_id: '3705115058471208928',
      product_titles: '儿童保温杯',
      price_wording: '¥89.00',
      state: '待发货',
      image_url: 'https://img.example/1.jpg',
    });
    card('channels_shop_product', { product_id: 10000123, title: '不锈钢炒锅 32cm', sales_price: '15900' });
    card('miniprogram', {
      title: '订单详情',
      appid: 'wx123',
      pagepath: 'pages/order/detail?orderNo=SO2025112800017&tab=2',
    });
    card('link', { title: '我的售后申请', desc: '退款进度', url: 'https://shop.example/after?id=abc' });
    card('location', { latitude: 31.2, longitude: 121.5, name: '张江高科', address: '上海市浦东新区' });
    card('business_card', { userid: 'someone' });
    card('note', {});
    const result = await sync(fake.kfCallbackToken(), { limit: 100 });
    expect(result).toMatchObject({ accepted: 7, ignored: 0 });
    expect(store.texts()).toEqual([
      '[订单] 订单号 3705115058471208928 儿童保温杯（待发货）',
      '[商品] 不锈钢炒锅 32cm',
      '[小程序] 订单详情 SO2025112800017',
      '[链接] 我的售后申请 退款进度',
      '[位置] 张江高科 上海市浦东新区',
      '[名片]',
      '[其他消息]',
    ]);
  });

  it('a msg_send_fail report is handed to onSendFailed with our msgid and the reason code, and is not a message', async () => {
    fake.customerWrites('wkSHOP', 'wmD', '在吗');
    fake.kfSent.push({ touser: 'wmD', open_kfid: 'wkSHOP', msgid: 'abc123-0', content: '在的', at: fake.nowMs });
    const token = fake.sendFails('abc123-0', 4);
    const failures: unknown[] = [];
    const result = await sync(token, { limit: 100, onSendFailed: async (f) => void failures.push(f) });
    expect(failures).toEqual([{ openKfId: 'wkSHOP', externalUserId: 'wmD', msgid: 'abc123-0', failType: 4 }]);
    expect(result).toMatchObject({ accepted: 1, ignored: 1 });
    expect(store.texts()).toEqual(['在吗']);
  });
});
