import type { Redis } from 'ioredis';

/**
 * Remembers which signed callback requests were already accepted, so an exact replay inside the
 * timestamp window is rejected. Shared through Redis so several api processes see the same nonces.
 *
 * Callers check {@link NonceStore.seen} before the work and call {@link NonceStore.remember} only
 * after the delivery is durably stored: a platform retry of a request we crashed on is then still
 * accepted (and deduped by the ingest store), while a replay of an accepted request is refused.
 */
export interface NonceStore {
  /** Whether `key` was remembered and has not expired. */
  seen(key: string): Promise<boolean>;
  /** Remembers `key` for `ttlSec`; resolves false when it was already there (SET NX semantics). */
  remember(key: string, ttlSec: number): Promise<boolean>;
}

/**
 * Redis-backed store: `SET <prefix><key> 1 NX EX <ttl>`, with this process's own memory as the
 * fallback while Redis cannot be reached (down, reconnecting, not yet connected at start-up): the
 * callback is still accepted — the ingest stores it in the database, deduped on the message id —
 * and replays are still refused when they reach the same process. `onDegraded` hears each failure.
 */
export function createRedisNonceStore(
  redis: Redis,
  prefix = 'wecom:nonce:',
  onDegraded: (err: unknown) => void = () => {},
): NonceStore {
  const local = createMemoryNonceStore();
  return {
    async seen(key) {
      if (await local.seen(key)) return true;
      try {
        return (await redis.exists(prefix + key)) === 1;
      } catch (err) {
        onDegraded(err);
        return false;
      }
    },
    async remember(key, ttlSec) {
      const fresh = await local.remember(key, ttlSec);
      try {
        const ok = await redis.set(prefix + key, '1', 'EX', Math.max(1, Math.ceil(ttlSec)), 'NX');
        return ok === 'OK' && fresh;
      } catch (err) {
        onDegraded(err);
        return fresh;
      }
    },
  };
}

/**
 * In-process store: the sandbox's and the tests' store, and the Redis store's fallback. Keys expire
 * in insertion order (every caller uses the same TTL), so expired ones are dropped from the front in
 * O(1) amortised per call; `maxKeys` bounds memory under a flood (the oldest go first).
 */
export function createMemoryNonceStore(now: () => number = Date.now, maxKeys = 200_000): NonceStore {
  const expiry = new Map<string, number>();
  const alive = (key: string) => (expiry.get(key) ?? 0) > now();
  const prune = () => {
    const t = now();
    for (const [k, until] of expiry) {
      if (until > t && expiry.size <= maxKeys) break;
      expiry.delete(k);
    }
  };
  return {
    async seen(key) {
      return alive(key);
    },
    async remember(key, ttlSec) {
      if (alive(key)) return false;
      expiry.delete(key); // an expired entry re-enters at the back
      expiry.set(key, now() + ttlSec * 1000);
      prune();
      return true;
    },
  };
}
