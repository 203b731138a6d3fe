import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appXml, buildCallback, FakeWecomServer } from '../support/fake-wecom-server.ts';
import { eventually, startTestService, type TestService } from '../support/service.ts';

const AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const creds = { token: 'QDG6eK', encodingAesKey: AES_KEY, receiveId: 'wwcorp' };

describe('WeCom through the running service (fake WeCom server, real PostgreSQL + Redis)', () => {
  let fake: FakeWecomServer;
  let svc: TestService;
  beforeAll(async () => {
    fake = await new FakeWecomServer().start();
    svc = await startTestService({
      env: {
        WECOM_CORP_ID: 'wwcorp',
        WECOM_AGENT_ID: '1000002',
        WECOM_SECRET: 'app-secret',
        WECOM_KF_SECRET: 'kf-secret',
        WECOM_TOKEN: creds.token,
        WECOM_ENCODING_AES_KEY: AES_KEY,
        WECOM_API_BASE: fake.baseUrl,
      },
    });
  });
  afterAll(async () => {
    await svc?.stop();
    await fake?.stop();
  });

  async function post(cb: { url: string; body: string; contentType: string }) {
    const res = await fetch(svc.base + cb.url, {
      method: 'POST',
      headers: { 'content-type': cb.contentType },
      body: cb.body,
    });
    return res.status;
  }

  it('a staff member messages the app: one reply through message/send, even when WeCom retries the callback', async () => {
    const xml = appXml.text({ from: 'zhangsan', content: '帮我看看快递到哪了', msgId: '7318203948571234567' });
    expect(await post(buildCallback(creds, xml))).toBe(200);
    expect(await post(buildCallback(creds, xml))).toBe(200); // WeCom's retry: new nonce, same MsgId
    const got = await eventually(
      async () => fake.appMessages.filter((m) => m.touser === 'zhangsan'),
      (m) => m.length >= 1,
      15_000,
    );
    await new Promise((r) => setTimeout(r, 800));
    expect(fake.appMessages.filter((m) => m.touser === 'zhangsan')).toHaveLength(1);
    expect(got[0]?.content.length).toBeGreaterThan(0);
  });

  it('a customer writes to 微信客服: the kf event pulls the message and the reply goes out through kf/send_msg', async () => {
    fake.customerWrites('wkOPEN1', 'wmCUSTOMER1', '我的订单什么时候发货');
    const token = fake.kfCallbackToken();
    expect(await post(buildCallback(creds, appXml.kfEvent({ openKfId: 'wkOPEN1', token })))).toBe(200);
    const sent = await eventually(
      async () => fake.kfSent.filter((m) => m.touser === 'wmCUSTOMER1'),
      (m) => m.length >= 1,
      15_000,
    );
    expect(sent).toHaveLength(1);
    const cursor = await svc.db.prisma.syncCursor.findUnique({ where: { id: 'wecom_kf:wkOPEN1' } });
    expect(cursor?.cursor).toBeTruthy();
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
