import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { CodedError, ErrorCode } from '../../domain/errors.ts';

export interface RedisLockOptions {
  prefix?: string;
  /** Lock lifetime; a crashed holder frees it after this (default 60 s). */
  ttlMs?: number;
  /** How long to wait for a busy lock before giving up (default ttlMs). */
  waitMs?: number;
  pollMs?: number;
}

/** Runs `fn` while holding a cross-process lock named `key`. */
export type LockFn = <T>(key: string, fn: () => Promise<T>) => Promise<T>;

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A mutex across processes (`SET key owner NX PX ttl`, released by compare-and-delete). Waits for a
 * busy lock instead of skipping: a kf sync that skipped could miss messages the holder's last page
 * did not include.
 * @throws CodedError Conflict when the lock stays busy longer than `waitMs`.
 */
export function createRedisLock(redis: Redis, options: RedisLockOptions = {}): LockFn {
  const { prefix = 'lock:', ttlMs = 60_000, pollMs = 25 } = options;
  const waitMs = options.waitMs ?? ttlMs;
  return async (key, fn) => {
    const owner = randomUUID();
    const deadline = Date.now() + waitMs;
    while ((await redis.set(prefix + key, owner, 'PX', ttlMs, 'NX')) !== 'OK') {
      if (Date.now() > deadline) throw new CodedError(ErrorCode.Conflict, `等待锁 ${key} 超时`, { key });
      await sleep(pollMs);
    }
    try {
      return await fn();
    } finally {
      await redis.eval(RELEASE, 1, prefix + key, owner);
    }
  };
}
