import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredDelivery, TimerScheduler } from '../../src/app/ports.ts';
import type { SenderRole } from '../../src/channels/channel.ts';
import type { Database } from '../../src/store/db.ts';
import { createIdentityStore, type Sender } from '../../src/store/identities.repo.ts';
import { seedSandboxStaff } from '../../src/store/seed-sandbox.ts';
import { freshPgDatabase } from '../support/db.ts';
import { problemParse, ticketServiceOn } from '../support/tickets.ts';

describe('今日概况: the day in numbers for staff and managers (PostgreSQL, a moving clock)', () => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let clock = new Date('2026-11-22T12:00:00Z'); // Sunday 20:00 in Shanghai: the day before
  const timers: TimerScheduler = {
    schedule: async () => {},
    cancel: async () => {},
    exists: async () => true,
    existsMany: async (list) => list.map(() => true),
  };
  let service: Awaited<ReturnType<typeof ticketServiceOn>>;
  let ids: ReturnType<typeof createIdentityStore>;
  let n = 0;
  const delivery = (text: string, userRef: string, role: SenderRole): StoredDelivery => ({
    id: `d-${++n}`,
    channel: 'sandbox',
    platformMsgId: `m-${n}`,
    userRef,
    role,
    text,
    status: 'processing',
    attempts: 1,
    receivedAt: clock,
  });
  const open = async (user: string, text: string, primary: string) => {
    const sender = await ids.resolve('sandbox', user, 'customer');
    const reply = await service.onCustomerMessage({
      sender,
      delivery: delivery(text, user, 'customer'),
      parse: problemParse(primary),
    });
    return Number(/#(\d+)/.exec(reply?.text ?? '')?.[1]);
  };
  let sup: Sender;
  const command = async (text: string) =>
    (await service.onStaffMessage({ sender: sup, delivery: delivery(text, 'sup1', 'staff') })) ?? '';

  beforeAll(async () => {
    ({ db, cleanup } = await freshPgDatabase());
    await seedSandboxStaff(db.prisma);
    service = await ticketServiceOn(db, timers, { now: () => clock });
    ids = createIdentityStore(db.prisma);
    sup = await ids.resolve('sandbox', 'sup1', 'staff');
  });
  afterAll(async () => cleanup());

  it("counts today's tickets by problem, what was resolved, the median first response and what is late", async () => {
    const yesterday = await open('c-old', '杯子昨晚收到就是碎的', 'damaged'); // P2: answer within 2 h
    clock = new Date('2026-11-23T01:00:00Z'); // Monday 09:00
    const empty = await command('@bot 今日概况');
    expect(empty).toContain('今日工单概况（11/23 00:00 至 11/23 09:00）');
    expect(empty).toContain('· 新建 0 张\n');
    expect(empty).toContain('今天还没有首次响应');

    const broken = await open('c-a', '杯子碎了', 'damaged');
    const cracked = await open('c-b', '碗裂了', 'damaged');
    const invoice = await open('c-c', '发票开一下', 'invoice');
    clock = new Date(clock.getTime() + 20 * 60_000);
    expect(await command(`受理 #${broken}`)).toContain('已受理');
    clock = new Date(clock.getTime() + 40 * 60_000);
    expect(await command(`受理 #${cracked}`)).toContain('已受理');
    expect(await command(`解决 #${cracked} 已补发`)).toContain('已解决');

    const day = await command('@bot 今天工单情况怎么样');
    expect(day).toContain('· 新建 3 张：商品破损 2、发票 1\n');
    expect(day).toContain('· 已解决 1 张\n');
    // #broken after 20 min, #cracked after 60: the median of the two is 40.
    expect(day).toContain('首次响应 2 张，中位用时 40 分钟（目标 ≤ 120 分钟 ✔）');
    // Yesterday evening's ticket is past its first response (not counted as new today); the invoice is not late.
    expect(day).toContain('· 未完成 3 张（P1 0 · P2 2 · P3 0 · P4 1），其中已超时 1 张，发「超时工单」看明细');
    expect(await command('@bot 超时的工单有哪些')).toContain(`#${yesterday} `);
    expect(await command('@bot 哪些工单超时了')).not.toContain(`#${invoice} `);
  });
});
