import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../src/channels/channel.ts';
import type { Database } from '../../src/store/db.ts';
import { createHeldMessages, createOutbox } from '../../src/store/outbox.repo.ts';
import { freshPgDatabase } from '../support/db.ts';

describe('messages held for a customer who could not be reached (real PostgreSQL)', () => {
  let db: Database;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ db, cleanup } = await freshPgDatabase());
  });
  afterAll(async () => {
    await cleanup?.();
  });

  const push = (userRef: string, text: string, key: string): OutboundMessage => ({
    channel: 'wecom_kf',
    target: { userRef },
    kind: 'push',
    personal: true,
    text,
    dedupeKey: key,
  });

  it('go, oldest first, with the answer to the next delivery only; a retry of that delivery gets them again', async () => {
    const outbox = createOutbox(db.sql);
    const take = createHeldMessages(db.sql);
    for (const [user, text, key] of [
      ['wmA', '【工单 #1】补发单号 SF1', 'h1'],
      ['wmA', '【工单 #1】已处理完成', 'h2'],
      ['wmB', '【工单 #2】别人的', 'h3'],
    ] as const) {
      const entry = await outbox.record(push(user, text, key), {});
      await outbox.mark(entry.id, { status: 'rerouted', held: true, error: '客户超过 48 小时未发言' });
      await new Promise((r) => setTimeout(r, 5)); // distinct createdAt
    }
    const sent = await outbox.record(push('wmA', '已送达的', 'h4'), {});
    await outbox.mark(sent.id, { status: 'sent' });

    expect(await take({ channel: 'wecom_kf', userRef: 'wmA', deliveryId: 'd1' })).toEqual([
      '【工单 #1】补发单号 SF1',
      '【工单 #1】已处理完成',
    ]);
    expect(await take({ channel: 'wecom_kf', userRef: 'wmA', deliveryId: 'd1' })).toHaveLength(2);
    expect(await take({ channel: 'wecom_kf', userRef: 'wmA', deliveryId: 'd2' })).toEqual([]);
    expect(await take({ channel: 'wecom_kf', userRef: 'wmB', deliveryId: 'd3' })).toEqual(['【工单 #2】别人的']);
  });

  it('are kept again when the answer that took them did not reach the customer', async () => {
    const outbox = createOutbox(db.sql);
    const take = createHeldMessages(db.sql);
    const held = await outbox.record(push('wmC', '【工单 #5】退款已原路退回', 'k1'), {});
    await outbox.mark(held.id, { status: 'rerouted', held: true, error: '客户超过 48 小时未发言' });
    const answer = (key: string): OutboundMessage => ({
      channel: 'wecom_kf',
      target: { userRef: 'wmC' },
      kind: 'reply',
      text: '您好',
      dedupeKey: key,
    });
    // The welcome took them, and its single-use event code had expired: nothing reached the customer.
    expect(await take({ channel: 'wecom_kf', userRef: 'wmC', deliveryId: 'dw' })).toHaveLength(1);
    const welcome = await outbox.record(answer('reply-dw-0'), { deliveryId: 'dw' });
    await outbox.mark(welcome.id, { status: 'failed', error: '95018 code 已过期' });
    // The customer's next message gets them; once that answer is sent they are gone.
    expect(await take({ channel: 'wecom_kf', userRef: 'wmC', deliveryId: 'dn' })).toEqual([
      '【工单 #5】退款已原路退回',
    ]);
    const next = await outbox.record(answer('reply-dn-0'), { deliveryId: 'dn' });
    await outbox.mark(next.id, { status: 'sent' });
    expect(await take({ channel: 'wecom_kf', userRef: 'wmC', deliveryId: 'dx' })).toEqual([]);
  });
});
