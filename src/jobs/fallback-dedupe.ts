import type { Redis } from 'ioredis';
import type { FallbackDedupe } from '../app/ports.ts';
import { shortHash } from '../lib/ids.ts';

/** Dedupe in Redis for deliveries accepted while the database is down (kept 3 days, past any platform retry). */
export function createFallbackDedupe(redis: Redis, prefix: string): FallbackDedupe {
  return {
    async firstSeen(channel, platformMsgId) {
      const key = `${prefix}:dedupe:${channel}:${shortHash(platformMsgId, 24)}`;
      return (await redis.set(key, '1', 'EX', 3 * 24 * 3600, 'NX')) === 'OK';
    },
  };
}
