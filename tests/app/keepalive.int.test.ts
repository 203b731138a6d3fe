import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../src/channels/channel.ts';
import { redisConnection } from '../../src/jobs/queues.ts';
import { createTimerScheduler } from '../../src/jobs/timers.ts';
import type { Database } from '../../src/store/db.ts';
import { freshPgDatabase, randomName } from '../support/db.ts';
import { REDIS_URL } from '../support/redis.ts';
import { ticketServiceOn } from '../support/tickets.ts';

describe('the 微信客服 keep-alive sweep (real PostgreSQL; the window port faked)', () => {
  let db: Database;
  let cleanup: () => Promise<void>;
  const producer = redisConnection(REDIS_URL, 'producer');
  beforeAll(async () => {
    ({ db, cleanup } = await freshPgDatabase());
    // wmA: one ticket under way, one waiting for their answer, one resolved; wmB: a ticket, window not closing.
    await db.sql.query(
      `WITH c AS (INSERT INTO "Customer" (id, name) VALUES ('ca', '甲'), ('cb', '乙') RETURNING id),
       i AS (INSERT INTO "Identity" (id, platform, "externalId", kind, "customerId")
             VALUES ('ia', 'wecom_kf', 'wmA', 'customer', 'ca'), ('ib', 'wecom_kf', 'wmB', 'customer', 'cb') RETURNING 1)
       INSERT INTO "Ticket" (id, "customerId", problem, priority, channel, summary, status, "updatedAt")
       VALUES (1, 'ca', 'damaged', 'P2', 'wecom_kf', '杯子碎了', 'in_progress', now()),
              (2, 'ca', 'quality', 'P3', 'wecom_kf', '不加热', 'waiting_customer', now()),
              (3, 'ca', 'delivery', 'P3', 'wecom_kf', '没到', 'resolved', now()),
              (4, 'cb', 'damaged', 'P2', 'wecom_kf', '碎了', 'open', now())`,
    );
  });
  afterAll(async () => {
    producer.disconnect();
    await cleanup?.();
  });

  it('reminds a customer whose window closes soon once, naming what waits for them and what is under way', async () => {
    const sent: OutboundMessage[] = [];
    const service = await ticketServiceOn(db, createTimerScheduler(producer, randomName('q')), {
      send: async (m) => {
        sent.push(m);
        return { status: 'sent' };
      },
      kf: {
        keepaliveDue: async (userRef) => (userRef === 'wmA' ? { windowKey: 'wkSHOP-1700000000000' } : undefined),
        window: async () => undefined,
      },
    });
    expect(await service.keepKfCustomersReachable()).toBe(1);
    expect(await service.keepKfCustomersReachable()).toBe(0);
    expect(sent).toHaveLength(1);
    const [reminder] = sent;
    expect(reminder).toMatchObject({ channel: 'wecom_kf', target: { userRef: 'wmA' }, keepalive: true });
    expect(reminder?.choices?.head).toBe(
      '您好，工单 #2（质量问题）在等您的回复，客服之前的提问请看上面的消息。您的工单 #1（商品破损）还在处理中。' +
        '按微信客服的规则，您 48 小时没有发消息，我们就不能再在这里联系您了。回复任意一句（比如「好的」），处理结果出来就能第一时间告诉您。',
    );
    expect(reminder?.choices?.items.map((i) => i.label)).toEqual(['好的', '我的工单怎么样了']);
  });

  it('leaves out a customer whose messages a 接待人员 rejected (拒收)', async () => {
    const asked: string[] = [];
    const service = await ticketServiceOn(db, createTimerScheduler(producer, randomName('q')), {
      send: async () => ({ status: 'sent' }),
      kf: {
        keepaliveDue: async (userRef) => {
          asked.push(userRef);
          return undefined;
        },
        window: async () => undefined,
      },
    });
    await db.sql.query(`UPDATE "Identity" SET "rejectedAt" = now(), "rejectedBy" = 'zhangsan' WHERE id = 'ib'`);
    await service.keepKfCustomersReachable();
    expect(asked).toEqual(['wmA']);
  });
});
