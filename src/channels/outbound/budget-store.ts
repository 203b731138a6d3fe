import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { OutboundMessage } from '../channel.ts';
import {
  type BudgetLimits,
  type BudgetTarget,
  DEFAULT_LIMITS,
  type PlanInput,
  planSend,
  type RerouteReason,
  type TargetState,
} from '../send-budget.ts';
import { createRedisLock, type LockFn } from './redis-lock.ts';

/** A merged / deferred message waiting for its slot. */
export interface PendingMessage {
  target: BudgetTarget;
  /** The first message merged; its routing data is reused for the combined send. */
  message: OutboundMessage;
  /** Plain texts of every merged message, oldest first. */
  texts: string[];
  dedupeKeys: string[];
  dueAt: number;
}

export type Admission =
  | { action: 'send'; parts: number; release(unsent?: number): Promise<void> }
  | { action: 'deferred'; dueAt: number; merged: boolean }
  | { action: 'reroute'; reason: RerouteReason };

export interface SendBudgetOptions {
  redis: Redis;
  /** Prefix of every key (tests use a random one). */
  prefix?: string;
  limits?: BudgetLimits;
  now?: () => number;
}

const HOUR = 3_600_000;

/** Pushes and alerts are paced (rule K5); replies and keep-alives are not. */
const paced = (input: PlanInput) => input.kind === 'push' || input.kind === 'alert';

/** Redis key fragment of a target; group robots are named by id, never by their secret URL. */
export function targetKey(target: BudgetTarget): string {
  if (target.kind === 'kf') return `kf:${target.openKfId}:${target.externalUserId}`;
  if (target.kind === 'app_user') return `app:${target.userId}`;
  return `grp:${target.robotId}`;
}

/**
 * Redis-backed state for {@link planSend}, shared by every process: per target a hash (kf window),
 * a sorted set of send times and at most one pending merged message; a due-set lists pending ones.
 * Decisions are taken under a per-target lock and sends are recorded before they go out, so two
 * processes cannot both spend the last kf message.
 */
export class SendBudget {
  private readonly lock: LockFn;
  private readonly prefix: string;
  private readonly now: () => number;
  private readonly limits: BudgetLimits;

  constructor(private readonly options: SendBudgetOptions) {
    this.prefix = `${options.prefix ?? ''}budget:`;
    this.now = options.now ?? Date.now;
    this.limits = options.limits ?? DEFAULT_LIMITS;
    this.lock = createRedisLock(options.redis, { prefix: `${this.prefix}lock:`, ttlMs: 5_000 });
  }

  /** A customer wrote at `atMs`: opens a new 48 h window with 5 fresh sends (older messages change nothing). */
  async noteCustomerMessage(openKfId: string, externalUserId: string, atMs: number): Promise<void> {
    const key = this.key(targetKey({ kind: 'kf', openKfId, externalUserId }));
    await this.lock(key, async () => {
      const last = Number((await this.options.redis.hget(key, 'lastCustomerAt')) ?? 0);
      if (atMs <= last) return;
      await this.options.redis
        .multi()
        .hset(key, { lastCustomerAt: atMs, sentSinceCustomer: 0 })
        .pexpire(key, this.limits.kf.windowMs + HOUR)
        .set(this.accountKey(externalUserId), openKfId, 'PX', this.limits.kf.windowMs + HOUR)
        .exec();
    });
  }

  /**
   * The kf account the customer last wrote to, while it can still answer them: where a push with no
   * open_kfid of its own (a resolution notice, 回复 #N, a progress update) goes.
   */
  async kfAccountOf(externalUserId: string): Promise<string | undefined> {
    return (await this.options.redis.get(this.accountKey(externalUserId))) ?? undefined;
  }

  /**
   * The customer's 48 h window in the kf account they last wrote to: when they wrote and how many sends
   * it has used. Undefined when they have not written within it (or Redis has forgotten).
   */
  async kfWindow(
    externalUserId: string,
  ): Promise<{ openKfId: string; lastCustomerAt: number; sentSinceCustomer: number } | undefined> {
    const openKfId = await this.kfAccountOf(externalUserId);
    if (!openKfId) return undefined;
    const state = await this.load(targetKey({ kind: 'kf', openKfId, externalUserId }), this.now());
    if (state.lastCustomerAt === undefined) return undefined;
    return { openKfId, lastCustomerAt: state.lastCustomerAt, sentSinceCustomer: state.sentSinceCustomer };
  }

  private accountKey(externalUserId: string): string {
    return `${this.prefix}kf-account:${externalUserId}`;
  }

  /** The platform refused a kf send anyway (95001 count, 95002 window): make our state agree. */
  async markKfRefused(target: BudgetTarget, reason: 'count' | 'window'): Promise<void> {
    const key = this.key(targetKey(target));
    if (reason === 'count') await this.options.redis.hset(key, 'sentSinceCustomer', this.limits.kf.maxMessages);
    else await this.options.redis.hset(key, 'lastCustomerAt', 0);
  }

  /** Plans one message and records the outcome: a reserved send, a pending merge, or a reroute. */
  async admit(target: BudgetTarget, message: OutboundMessage, input: PlanInput, text: string): Promise<Admission> {
    const tk = targetKey(target);
    return this.lock(this.key(tk), async () => {
      const now = this.now();
      const state = await this.load(tk, now);
      const decision = planSend(target, state, input, now, this.limits);
      if (decision.action === 'reroute') return decision;
      if (decision.action === 'send') return this.reserve(tk, target, input, decision.parts, state, now);
      await this.addPending(tk, {
        target,
        message,
        texts: [text],
        dedupeKeys: [message.dedupeKey],
        dueAt: decision.dueAt,
      });
      return { action: 'deferred', dueAt: decision.dueAt, merged: decision.action === 'merge' };
    });
  }

  /** Claims every pending message whose time has come; each is returned to exactly one caller. */
  async takeDue(): Promise<PendingMessage[]> {
    const { redis } = this.options;
    const due = await redis.zrangebyscore(this.key('due'), '-inf', this.now(), 'LIMIT', 0, 100);
    const taken: PendingMessage[] = [];
    for (const tk of due) {
      if ((await redis.zrem(this.key('due'), tk)) !== 1) continue;
      const pending = await this.lock(this.key(tk), async () => {
        const raw = await redis.get(this.key(`${tk}:pending`));
        await redis.del(this.key(`${tk}:pending`));
        return raw ? (JSON.parse(raw) as PendingMessage) : undefined;
      });
      if (pending) taken.push(pending);
    }
    return taken;
  }

  private key(suffix: string): string {
    return this.prefix + suffix;
  }

  private async load(tk: string, now: number): Promise<TargetState> {
    const { redis } = this.options;
    const [hash, sent, pendingDue] = await Promise.all([
      redis.hgetall(this.key(tk)),
      redis.zrangebyscore(this.key(`${tk}:sent`), now - HOUR, '+inf', 'WITHSCORES'),
      redis.zscore(this.key('due'), tk),
    ]);
    const sentAt = sent.filter((_, i) => i % 2 === 1).map(Number);
    const num = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));
    return {
      sentAt,
      lastCustomerAt: num(hash.lastCustomerAt) || undefined,
      sentSinceCustomer: num(hash.sentSinceCustomer) ?? 0,
      lastPushAt: num(hash.lastPushAt),
      pendingDueAt: pendingDue === null ? undefined : Number(pendingDue),
    };
  }

  private async reserve(
    tk: string,
    target: BudgetTarget,
    input: PlanInput,
    parts: number,
    state: TargetState,
    now: number,
  ): Promise<Admission> {
    const { redis } = this.options;
    const members = Array.from({ length: parts }, () => `${now}:${randomUUID()}`);
    const tx = redis.multi();
    tx.zadd(this.key(`${tk}:sent`), ...members.flatMap((m) => [now, m]));
    tx.zremrangebyscore(this.key(`${tk}:sent`), '-inf', now - HOUR);
    tx.pexpire(this.key(`${tk}:sent`), 2 * HOUR);
    if (target.kind === 'kf') {
      tx.hincrby(this.key(tk), 'sentSinceCustomer', parts);
      tx.pexpire(this.key(tk), this.limits.kf.windowMs + HOUR);
      if (paced(input)) tx.hset(this.key(tk), 'lastPushAt', now);
    }
    await tx.exec();
    // Gives back the last `unsent` reserved sends when a send fails part-way.
    const release = async (unsent = parts) => {
      const back = Math.min(Math.max(0, unsent), parts);
      if (back === 0) return;
      const undo = redis.multi().zrem(this.key(`${tk}:sent`), ...members.slice(parts - back));
      if (target.kind === 'kf') {
        undo.hincrby(this.key(tk), 'sentSinceCustomer', -back);
        if (paced(input) && back === parts) undo.hset(this.key(tk), 'lastPushAt', state.lastPushAt ?? '');
      }
      await undo.exec();
    };
    return { action: 'send', parts, release };
  }

  private async addPending(tk: string, fresh: PendingMessage): Promise<void> {
    const { redis } = this.options;
    const raw = await redis.get(this.key(`${tk}:pending`));
    const current = raw ? (JSON.parse(raw) as PendingMessage) : undefined;
    const next: PendingMessage = current
      ? {
          ...current,
          texts: [...current.texts, ...fresh.texts],
          dedupeKeys: [...current.dedupeKeys, ...fresh.dedupeKeys],
        }
      : fresh;
    await redis
      .multi()
      .set(this.key(`${tk}:pending`), JSON.stringify(next))
      .zadd(this.key('due'), next.dueAt, tk)
      .exec();
  }
}
