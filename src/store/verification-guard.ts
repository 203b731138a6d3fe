import type { Redis } from 'ioredis';
import type { GuardState, VerificationGuard } from '../app/order-ports.ts';

export interface GuardOptions {
  /** Key prefix, e.g. the queue prefix, so test runs and tenants do not share counters. */
  prefix: string;
  /** Failed verifications allowed per window before the user is throttled. */
  maxFailures?: number;
  windowSec?: number;
  /** How long a "please send the last 4 digits" question stays open. */
  pendingTtlSec?: number;
}

/**
 * Attempt limits against order-number guessing, in Redis so every worker process shares them: a counter
 * per user that starts its window on the first failure (SET NX EX, then INCR keeps the TTL).
 */
export function createVerificationGuard(redis: Redis, opts: GuardOptions): VerificationGuard {
  const max = opts.maxFailures ?? 5;
  const window = opts.windowSec ?? 3600;
  const pendingTtl = opts.pendingTtlSec ?? 600;
  const failKey = (user: string) => `${opts.prefix}:order-verify:fail:${user}`;
  const pendingKey = (user: string) => `${opts.prefix}:order-verify:pending:${user}`;
  const toState = (count: number, ttl: number): GuardState => ({
    failures: count,
    remaining: Math.max(0, max - count),
    blocked: count >= max,
    retryAfterSec: count > 0 ? Math.max(ttl, 1) : 0,
  });
  return {
    async state(user) {
      const [count, ttl] = await Promise.all([redis.get(failKey(user)), redis.ttl(failKey(user))]);
      return toState(Number(count ?? 0), ttl);
    },
    async recordFailure(user) {
      const key = failKey(user);
      const result = await redis.multi().set(key, '0', 'EX', window, 'NX').incr(key).ttl(key).exec();
      const count = Number(result?.[1]?.[1] ?? 1);
      const ttl = Number(result?.[2]?.[1] ?? window);
      return toState(count, ttl);
    },
    async clearPending(user) {
      await redis.del(pendingKey(user));
    },
    async setPending(user, orderRef) {
      await redis.set(pendingKey(user), orderRef, 'EX', pendingTtl);
    },
    async pending(user) {
      return (await redis.get(pendingKey(user))) ?? undefined;
    },
  };
}
