/**
 * The outbound planner's decision rules (platforms.md §4.2, §4.4, §4.5, §7): a pure function of a
 * target's recent sends, so every rule is testable with a plain clock. The Redis-backed state and
 * the pending (merged/deferred) messages live in `outbound/budget-store.ts`.
 */

import { chinaHour } from '../domain/orders/cn-time.ts';

/** Who a message goes to, as far as platform limits are concerned. */
export type BudgetTarget =
  | { kind: 'kf'; openKfId: string; externalUserId: string }
  | { kind: 'app_user'; userId: string }
  | { kind: 'group_robot'; robotId: string };

export interface BudgetLimits {
  kf: {
    /** Sends allowed only this long after the customer's last message (48 h, errcode 95002). */
    windowMs: number;
    /** At most this many sends per window (5, errcode 95001). */
    maxMessages: number;
    /** Sends kept back for direct replies; pushes never use them. */
    reserveForReplies: number;
    /** Pushes (progress updates) at most this often; the ones between are merged. */
    minPushIntervalMs: number;
  };
  /** Rolling windows per group robot (20/min; beyond it the call fails). */
  groupRobot: RateWindow[];
  /** Rolling windows per app member (30/min, 1000/h; beyond them messages are silently dropped). */
  appUser: RateWindow[];
}

export interface RateWindow {
  ms: number;
  max: number;
}

const HOUR = 3_600_000;

export const DEFAULT_LIMITS: BudgetLimits = {
  kf: { windowMs: 48 * HOUR, maxMessages: 5, reserveForReplies: 1, minPushIntervalMs: HOUR },
  groupRobot: [{ ms: 60_000, max: 20 }],
  appUser: [
    { ms: 60_000, max: 30 },
    { ms: HOUR, max: 1000 },
  ],
};

/** What the planner knows about one target. */
export interface TargetState {
  /** Send times (ms) of the last hour, oldest first; one entry per platform message. */
  sentAt: number[];
  /** kf: when the customer last wrote. */
  lastCustomerAt?: number;
  /** kf: messages sent since that customer message. */
  sentSinceCustomer: number;
  /** kf: when the last push (non-reply) went out. */
  lastPushAt?: number;
  /** Due time of the pending merged message, if one waits. */
  pendingDueAt?: number;
}

export interface PlanInput {
  /** `keepalive`: a kf reminder to write once more before the 48 h window closes (rule K6). */
  kind: 'reply' | 'push' | 'alert' | 'keepalive';
  /** Platform messages this send takes (long texts are split). */
  parts: number;
}

export type RerouteReason =
  | 'kf_window_closed'
  | 'kf_budget_exhausted'
  | 'kf_budget_reserved'
  | 'kf_session_state'
  | 'kf_handoff_failed'
  /** WeCom accepted the message, then reported it undelivered (kf msg_send_fail). */
  | 'kf_send_failed';

export type Decision =
  /** Send now; `parts` may be fewer than asked when the kf budget only fits part of a reply. */
  | { action: 'send'; parts: number }
  /** Join the message already pending for this target, which goes out at `dueAt`. */
  | { action: 'merge'; dueAt: number }
  /** Become this target's pending message, due at `dueAt`. */
  | { action: 'defer'; dueAt: number }
  /** The customer cannot be reached in kf any more: tell the staff side instead. */
  | { action: 'reroute'; reason: RerouteReason };

/** Decides what happens to one outgoing message. */
export function planSend(
  target: BudgetTarget,
  state: TargetState,
  input: PlanInput,
  nowMs: number,
  limits: BudgetLimits = DEFAULT_LIMITS,
): Decision {
  if (target.kind === 'kf') return planKf(state, input, nowMs, limits.kf);
  const windows = target.kind === 'group_robot' ? limits.groupRobot : limits.appUser;
  // Rule R1: while a merged message waits, later ones join it, so order is kept.
  if (state.pendingDueAt !== undefined) return { action: 'merge', dueAt: state.pendingDueAt };
  const freeAt = firstFreeSlot(state.sentAt, windows, input.parts, nowMs);
  // Rule R2: a full rolling window defers until enough old sends have aged out.
  return freeAt <= nowMs ? { action: 'send', parts: input.parts } : { action: 'defer', dueAt: freeAt };
}

function planKf(state: TargetState, input: PlanInput, nowMs: number, kf: BudgetLimits['kf']): Decision {
  const closesAt = (state.lastCustomerAt ?? Number.NEGATIVE_INFINITY) + kf.windowMs;
  // Rule K1: no customer message in the last 48 h → the platform refuses (95002).
  if (nowMs >= closesAt) return { action: 'reroute', reason: 'kf_window_closed' };
  const remaining = kf.maxMessages - state.sentSinceCustomer;
  // Rule K2: 5 sent since the customer's last message → the platform refuses (95001).
  if (remaining <= 0) return { action: 'reroute', reason: 'kf_budget_exhausted' };
  // Rule K3: a direct reply may use every remaining send; a long one is cut to fit. So may a keep-alive
  // (K6): the customer's answer to it opens a fresh window, so the reserve is not needed after it.
  if (input.kind === 'reply' || input.kind === 'keepalive')
    return { action: 'send', parts: Math.min(input.parts, remaining) };
  // Rule K4: pushes leave the reserve for the next answer; once only the reserve is left, reroute.
  const forPushes = remaining - kf.reserveForReplies;
  if (forPushes <= 0) return { action: 'reroute', reason: 'kf_budget_reserved' };
  // Rule K5: pushes are paced; those in between merge into one message sent at the next slot.
  const nextSlot = state.lastPushAt === undefined ? nowMs : state.lastPushAt + kf.minPushIntervalMs;
  const dueAt = Math.max(nextSlot, state.pendingDueAt ?? nowMs);
  if (dueAt >= closesAt) return { action: 'reroute', reason: 'kf_window_closed' };
  if (state.pendingDueAt !== undefined) return { action: 'merge', dueAt: state.pendingDueAt };
  if (dueAt > nowMs) return { action: 'defer', dueAt };
  return { action: 'send', parts: Math.min(input.parts, forPushes) };
}

/** Local hours (China time) during which a keep-alive may go out: `from` ≤ hour < `to`. */
export interface KeepaliveHours {
  from: number;
  to: number;
}

export const DEFAULT_KEEPALIVE_HOURS: KeepaliveHours = { from: 8, to: 22 };

/** How long before the window closes a keep-alive may go out at all, and when it is due at the latest. */
const KEEPALIVE_LEAD_MS = 12 * HOUR;
const KEEPALIVE_DUE_MS = 4 * HOUR;
/** Never this close to the close: the send could land after it. */
const KEEPALIVE_MARGIN_MS = 15 * 60_000;
function politeAt(ms: number, hours: KeepaliveHours): boolean {
  const hour = chinaHour(ms);
  return hours.from <= hours.to ? hour >= hours.from && hour < hours.to : hour >= hours.from || hour < hours.to;
}

/** Whether any polite minute lies in [fromMs, toMs). */
function politeBetween(fromMs: number, toMs: number, hours: KeepaliveHours): boolean {
  for (let t = fromMs; t < toMs; t += 5 * 60_000) if (politeAt(t, hours)) return true;
  return false;
}

/**
 * Rule K6: whether to remind a kf customer who has a ticket under way to write once more, because their
 * 48 h window (rule K1) closes soon and the result could then no longer reach them. Only within the
 * window's last 12 hours, at a polite hour, while a send is left (K2): from 4 hours before the close, or
 * earlier when no polite hour is left after the next one (a window that closes at night is kept open the
 * evening before). Never in the last 15 minutes.
 */
export function keepaliveDue(
  state: Pick<TargetState, 'lastCustomerAt' | 'sentSinceCustomer'>,
  nowMs: number,
  hours: KeepaliveHours = DEFAULT_KEEPALIVE_HOURS,
  limits: BudgetLimits = DEFAULT_LIMITS,
): boolean {
  if (state.lastCustomerAt === undefined) return false;
  if (state.sentSinceCustomer >= limits.kf.maxMessages) return false;
  const last = state.lastCustomerAt + limits.kf.windowMs - KEEPALIVE_MARGIN_MS;
  if (nowMs < state.lastCustomerAt + limits.kf.windowMs - KEEPALIVE_LEAD_MS || nowMs >= last) return false;
  if (!politeAt(nowMs, hours)) return false;
  if (nowMs >= state.lastCustomerAt + limits.kf.windowMs - KEEPALIVE_DUE_MS) return true;
  return !politeBetween(nowMs + HOUR, last, hours);
}

/** Earliest time ≥ now at which `parts` more sends fit in every window. */
function firstFreeSlot(sentAt: number[], windows: RateWindow[], parts: number, nowMs: number): number {
  let at = nowMs;
  for (const { ms, max } of windows) {
    const inWindow = sentAt.filter((t) => t > nowMs - ms);
    const over = inWindow.length + parts - max;
    if (over <= 0) continue;
    // The `over`-th oldest send must leave the window first.
    const leaving = inWindow[over - 1];
    at = Math.max(at, leaving === undefined ? nowMs + ms : leaving + ms);
  }
  return at;
}
