import { describe, expect, it } from 'vitest';
import {
  type BudgetTarget,
  type Decision,
  keepaliveDue,
  planSend,
  type TargetState,
} from '../../src/channels/send-budget.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const kf: BudgetTarget = { kind: 'kf', openKfId: 'wk1', externalUserId: 'wmCustomer' };
const robot: BudgetTarget = { kind: 'group_robot', robotId: 'managers' };
const member: BudgetTarget = { kind: 'app_user', userId: 'manager1' };
const fresh = (over: Partial<TargetState> = {}): TargetState => ({ sentAt: [], sentSinceCustomer: 0, ...over });

/**
 * Replays the planner the way the channel uses it: sends update the state, deferred messages wait as
 * one pending message that is flushed (re-planned) at its due time.
 */
class Simulation {
  state: TargetState;
  delivered: Array<{ at: number; texts: string[] }> = [];
  rerouted: Array<{ at: number; text: string; reason: string }> = [];
  private pending: string[] = [];

  constructor(
    readonly target: BudgetTarget,
    start: TargetState,
  ) {
    this.state = start;
  }

  offer(at: number, kind: 'reply' | 'push', text: string): Decision {
    const decision = planSend(this.target, this.state, { kind, parts: 1 }, at);
    if (decision.action === 'send') this.record(at, kind, [text]);
    else if (decision.action === 'reroute') this.rerouted.push({ at, text, reason: decision.reason });
    else {
      this.pending.push(text);
      this.state.pendingDueAt = decision.dueAt;
    }
    return decision;
  }

  /** The channel's flush timer: a due pending message is taken and planned again as one push. */
  tick(at: number): void {
    const due = this.state.pendingDueAt;
    if (due === undefined || due > at) return;
    const texts = this.pending;
    this.pending = [];
    this.state.pendingDueAt = undefined;
    const decision = planSend(this.target, this.state, { kind: 'push', parts: 1 }, at);
    if (decision.action === 'send') this.record(at, 'push', texts);
    else if (decision.action === 'reroute')
      this.rerouted.push({ at, text: texts.join(' | '), reason: decision.reason });
    else {
      this.pending = texts;
      this.state.pendingDueAt = decision.dueAt;
    }
  }

  private record(at: number, kind: string, texts: string[]) {
    this.delivered.push({ at, texts });
    this.state.sentAt.push(at);
    this.state.sentSinceCustomer++;
    if (kind !== 'reply') this.state.lastPushAt = at;
  }
}

describe('kf budget: 5 messages within 48 h of the customer’s last message', () => {
  it('K1: no customer message in 48 h → reroute (the platform would answer 95002)', () => {
    const state = fresh({ lastCustomerAt: 0 });
    expect(planSend(kf, state, { kind: 'reply', parts: 1 }, 48 * HOUR)).toEqual({
      action: 'reroute',
      reason: 'kf_window_closed',
    });
    expect(planSend(kf, fresh(), { kind: 'reply', parts: 1 }, 1000)).toEqual({
      action: 'reroute',
      reason: 'kf_window_closed',
    });
  });

  it('K2: 5 already sent → reroute (95001)', () => {
    const state = fresh({ lastCustomerAt: 0, sentSinceCustomer: 5 });
    expect(planSend(kf, state, { kind: 'reply', parts: 1 }, MIN)).toEqual({
      action: 'reroute',
      reason: 'kf_budget_exhausted',
    });
  });

  it('K3: a reply may use every remaining send; a 3-part reply with 2 left is cut to 2', () => {
    const state = fresh({ lastCustomerAt: 0, sentSinceCustomer: 3 });
    expect(planSend(kf, state, { kind: 'reply', parts: 3 }, MIN)).toEqual({ action: 'send', parts: 2 });
  });

  it('K4: a push never takes the last send, which is kept for the next answer', () => {
    const state = fresh({ lastCustomerAt: 0, sentSinceCustomer: 4 });
    expect(planSend(kf, state, { kind: 'push', parts: 1 }, MIN)).toEqual({
      action: 'reroute',
      reason: 'kf_budget_reserved',
    });
    expect(planSend(kf, state, { kind: 'reply', parts: 1 }, MIN)).toEqual({ action: 'send', parts: 1 });
  });

  it('K5: pushes closer than an hour apart are deferred, and later ones merge into that pending one', () => {
    const state = fresh({ lastCustomerAt: 0, sentSinceCustomer: 1, lastPushAt: 10 * MIN });
    expect(planSend(kf, state, { kind: 'push', parts: 1 }, 25 * MIN)).toEqual({ action: 'defer', dueAt: 70 * MIN });
    expect(planSend(kf, { ...state, pendingDueAt: 70 * MIN }, { kind: 'push', parts: 1 }, 40 * MIN)).toEqual({
      action: 'merge',
      dueAt: 70 * MIN,
    });
  });

  it('a push that could only go out after the window closes is rerouted now', () => {
    const state = fresh({ lastCustomerAt: 0, sentSinceCustomer: 1, lastPushAt: 47.5 * HOUR });
    expect(planSend(kf, state, { kind: 'push', parts: 1 }, 47.6 * HOUR)).toEqual({
      action: 'reroute',
      reason: 'kf_window_closed',
    });
  });

  it('VIP progress updates every 15 min for 2 h: merged, at most 5 sends, one kept for a reply, the rest go to staff', () => {
    const sim = new Simulation(kf, fresh({ lastCustomerAt: 0 }));
    sim.offer(0, 'reply', '已收到，正在为您查询');
    for (let t = 15 * MIN; t <= 4 * HOUR; t += 15 * MIN) {
      sim.tick(t);
      sim.offer(t, 'push', `进展 ${t / MIN} 分钟`);
    }
    for (let t = 4 * HOUR; t <= 6 * HOUR; t += 5 * MIN) sim.tick(t);
    expect(sim.delivered.map((d) => d.at / MIN)).toEqual([0, 15, 75, 135]);
    expect(sim.delivered[2]?.texts).toEqual(['进展 30 分钟', '进展 45 分钟', '进展 60 分钟']);
    expect(sim.delivered[3]?.texts).toEqual(['进展 75 分钟', '进展 90 分钟', '进展 105 分钟', '进展 120 分钟']);
    expect(sim.state.sentSinceCustomer).toBe(4);
    expect(planSend(kf, sim.state, { kind: 'reply', parts: 1 }, 6 * HOUR)).toEqual({ action: 'send', parts: 1 });
    expect(sim.rerouted.length).toBeGreaterThan(0);
    expect(sim.rerouted.every((r) => r.reason === 'kf_budget_reserved')).toBe(true);
    const everyText = [...sim.delivered.flatMap((d) => d.texts), ...sim.rerouted.flatMap((r) => r.text.split(' | '))];
    expect(everyText.filter((t) => t.startsWith('进展'))).toHaveLength(16);
  });

  it('after 48 h of customer silence every update is rerouted to staff', () => {
    const sim = new Simulation(kf, fresh({ lastCustomerAt: 0, sentSinceCustomer: 1 }));
    for (let t = 48 * HOUR; t < 50 * HOUR; t += 15 * MIN) sim.offer(t, 'push', `进展 ${t}`);
    expect(sim.delivered).toHaveLength(0);
    expect(sim.rerouted).toHaveLength(8);
    expect(new Set(sim.rerouted.map((r) => r.reason))).toEqual(new Set(['kf_window_closed']));
  });
});

describe('K6: the keep-alive before a kf window closes', () => {
  /** An instant in China time (UTC+8) in the week of 2026-11-30 (a Monday). */
  const china = (day: number, hour: number, minute = 0) => Date.UTC(2026, 10, day, hour - 8, minute);
  const wrote = (at: number, sentSinceCustomer = 1) => ({ lastCustomerAt: at, sentSinceCustomer });

  it('goes out from 4 hours before the close, never in its last 15 minutes or after', () => {
    const state = wrote(china(30, 14)); // closes Wed 14:00
    expect(keepaliveDue(state, china(32, 9, 59))).toBe(false); // still daytime left to wait for
    expect(keepaliveDue(state, china(32, 10))).toBe(true);
    expect(keepaliveDue(state, china(32, 13, 44))).toBe(true);
    expect(keepaliveDue(state, china(32, 13, 45))).toBe(false);
    expect(keepaliveDue(state, china(32, 14))).toBe(false);
    expect(keepaliveDue(state, china(31, 14))).toBe(false); // a whole day of window left
  });

  it('a window that closes at night is kept open in the last polite hour of the evening before', () => {
    const state = wrote(china(30, 3)); // closes Wed 03:00
    expect(keepaliveDue(state, china(31, 20))).toBe(false); // 21:00–22:00 is still to come
    expect(keepaliveDue(state, china(31, 21, 5))).toBe(true);
    expect(keepaliveDue(state, china(31, 23, 30))).toBe(false); // nobody is woken up
    expect(keepaliveDue(state, china(32, 0))).toBe(false);
  });

  it('a window that closes just after 8:00 is kept open the evening before, not at 8:00 with minutes left', () => {
    const state = wrote(china(30, 8, 10)); // closes Wed 08:10
    expect(keepaliveDue(state, china(31, 21, 5))).toBe(true);
    expect(keepaliveDue(state, china(32, 8))).toBe(false);
  });

  it('never when no send is left or the customer has not written; at any hour when the hours say so', () => {
    const closesSoon = china(32, 10);
    expect(keepaliveDue(wrote(china(30, 14), 5), closesSoon)).toBe(false);
    expect(keepaliveDue({ sentSinceCustomer: 0 }, closesSoon)).toBe(false);
    const night = china(32, 2); // closes Wed 03:00 … 04:00
    expect(keepaliveDue(wrote(china(30, 4)), night)).toBe(false);
    expect(keepaliveDue(wrote(china(30, 4)), night, { from: 0, to: 24 })).toBe(true);
    expect(keepaliveDue(wrote(china(30, 4)), night, { from: 22, to: 6 })).toBe(true); // a night shift's hours
  });

  it('may use the send kept back from pushes; past the window it is refused like any message', () => {
    const oneLeft = fresh({ lastCustomerAt: 0, sentSinceCustomer: 4 });
    expect(planSend(kf, oneLeft, { kind: 'push', parts: 1 }, HOUR)).toEqual({
      action: 'reroute',
      reason: 'kf_budget_reserved',
    });
    expect(planSend(kf, oneLeft, { kind: 'keepalive', parts: 1 }, HOUR)).toEqual({ action: 'send', parts: 1 });
    expect(planSend(kf, oneLeft, { kind: 'keepalive', parts: 1 }, 48 * HOUR)).toEqual({
      action: 'reroute',
      reason: 'kf_window_closed',
    });
  });
});

describe('rate windows', () => {
  it('group robot: 25 alerts in one minute → 20 sent, the rest merged into one message due when the window frees', () => {
    const sim = new Simulation(robot, fresh());
    const decisions = Array.from({ length: 25 }, (_, i) => sim.offer(i * 1000, 'push', `告警 ${i}`));
    expect(decisions.filter((d) => d.action === 'send')).toHaveLength(20);
    expect(decisions[20]).toEqual({ action: 'defer', dueAt: 60_000 });
    expect(decisions.slice(21).every((d) => d.action === 'merge')).toBe(true);
    sim.tick(60_000);
    expect(sim.delivered).toHaveLength(21);
    expect(sim.delivered[20]?.texts).toEqual(['告警 20', '告警 21', '告警 22', '告警 23', '告警 24']);
  });

  it('app member: 30/min and 1000/h', () => {
    const thirty = fresh({ sentAt: Array.from({ length: 30 }, (_, i) => i * 100) });
    expect(planSend(member, thirty, { kind: 'alert', parts: 1 }, 5000)).toEqual({ action: 'defer', dueAt: 60_000 });
    const hourFull = fresh({ sentAt: Array.from({ length: 1000 }, (_, i) => i * 3000) });
    expect(planSend(member, hourFull, { kind: 'alert', parts: 1 }, 3_000_000)).toEqual({
      action: 'defer',
      dueAt: HOUR,
    });
    expect(planSend(member, fresh(), { kind: 'alert', parts: 2 }, 0)).toEqual({ action: 'send', parts: 2 });
  });

  it('a 3-part message waits until 3 slots are free', () => {
    const state = fresh({ sentAt: Array.from({ length: 19 }, (_, i) => i * 1000) });
    expect(planSend(robot, state, { kind: 'push', parts: 3 }, 30_000)).toEqual({ action: 'defer', dueAt: 61_000 });
  });
});
