import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../src/channels/channel.ts';
import { SendBudget } from '../../src/channels/outbound/budget-store.ts';
import type { BudgetTarget } from '../../src/channels/send-budget.ts';
import { testRedis } from './wecom/helpers.ts';

const MIN = 60_000;
let redis: Redis;
let prefix: string;
let cleanup: () => Promise<void>;
let now: number;

beforeEach(async () => {
  ({ redis, prefix, cleanup } = await testRedis());
  now = Date.UTC(2025, 0, 6, 2, 0);
});
afterEach(() => cleanup());

/** A second process is a second SendBudget on the same Redis prefix. */
const budget = () => new SendBudget({ redis, prefix, now: () => now });
const kf: BudgetTarget = { kind: 'kf', openKfId: 'wk1', externalUserId: 'wmVIP' };
const msg = (key: string, text: string, kind: OutboundMessage['kind'] = 'push'): OutboundMessage => ({
  channel: 'wecom_kf',
  target: { userRef: 'wmVIP' },
  kind,
  text,
  dedupeKey: key,
});

describe('SendBudget on Redis', () => {
  it('ten replies raced from two processes: exactly 5 sends are granted, the rest rerouted', async () => {
    await budget().noteCustomerMessage('wk1', 'wmVIP', now - MIN);
    const [p1, p2] = [budget(), budget()];
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? p1 : p2).admit(kf, msg(`r${i}`, `回复 ${i}`, 'reply'), { kind: 'reply', parts: 1 }, `回复 ${i}`),
      ),
    );
    expect(results.filter((r) => r.action === 'send')).toHaveLength(5);
    expect(results.filter((r) => r.action === 'reroute')).toHaveLength(5);
  });

  it('a new customer message opens a fresh window; an older one (late sync) changes nothing', async () => {
    const b = budget();
    await b.noteCustomerMessage('wk1', 'wmVIP', now - MIN);
    for (let i = 0; i < 5; i++) await b.admit(kf, msg(`a${i}`, 'x', 'reply'), { kind: 'reply', parts: 1 }, 'x');
    await b.noteCustomerMessage('wk1', 'wmVIP', now - 2 * MIN);
    expect(await b.admit(kf, msg('late', 'x', 'reply'), { kind: 'reply', parts: 1 }, 'x')).toMatchObject({
      action: 'reroute',
    });
    await b.noteCustomerMessage('wk1', 'wmVIP', now);
    expect(await b.admit(kf, msg('fresh', 'x', 'reply'), { kind: 'reply', parts: 1 }, 'x')).toMatchObject({
      action: 'send',
    });
  });

  it('release() gives a failed send back', async () => {
    const b = budget();
    await b.noteCustomerMessage('wk1', 'wmVIP', now);
    for (let i = 0; i < 4; i++) await b.admit(kf, msg(`s${i}`, 'x', 'reply'), { kind: 'reply', parts: 1 }, 'x');
    const last = await b.admit(kf, msg('s4', 'x', 'reply'), { kind: 'reply', parts: 1 }, 'x');
    expect(last.action).toBe('send');
    if (last.action === 'send') await last.release();
    expect(await b.admit(kf, msg('s5', 'x', 'reply'), { kind: 'reply', parts: 1 }, 'x')).toMatchObject({
      action: 'send',
    });
  });

  it('deferred pushes merge into one pending message, claimed by exactly one of two flushers when due', async () => {
    const b = budget();
    await b.noteCustomerMessage('wk1', 'wmVIP', now);
    expect(await b.admit(kf, msg('p0', '进展一'), { kind: 'push', parts: 1 }, '进展一')).toMatchObject({
      action: 'send',
    });
    now += 15 * MIN;
    expect(await b.admit(kf, msg('p1', '进展二'), { kind: 'push', parts: 1 }, '进展二')).toMatchObject({
      action: 'deferred',
      merged: false,
    });
    now += 15 * MIN;
    expect(await b.admit(kf, msg('p2', '进展三'), { kind: 'push', parts: 1 }, '进展三')).toMatchObject({
      action: 'deferred',
      merged: true,
    });
    expect(await b.takeDue()).toEqual([]);
    now += 30 * MIN;
    const [x, y] = await Promise.all([budget().takeDue(), budget().takeDue()]);
    const taken = [...x, ...y];
    expect(taken).toHaveLength(1);
    expect(taken[0]).toMatchObject({ texts: ['进展二', '进展三'], dedupeKeys: ['p1', 'p2'] });
    expect(await b.admit(kf, msg('p3', '进展汇总'), { kind: 'push', parts: 1 }, '进展汇总')).toMatchObject({
      action: 'send',
    });
  });

  it('group robot: the 21st message within a minute waits for the window', async () => {
    const b = budget();
    const robot: BudgetTarget = { kind: 'group_robot', robotId: 'managers' };
    const grp = (i: number): OutboundMessage => ({
      channel: 'wecom',
      target: { chatId: 'managers' },
      kind: 'alert',
      text: `告警${i}`,
      dedupeKey: `g${i}`,
    });
    const results = [];
    for (let i = 0; i < 21; i++) results.push(await b.admit(robot, grp(i), { kind: 'alert', parts: 1 }, `告警${i}`));
    expect(results.filter((r) => r.action === 'send')).toHaveLength(20);
    expect(results[20]).toEqual({ action: 'deferred', dueAt: now + MIN, merged: false });
  });
});
