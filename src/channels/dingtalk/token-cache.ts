import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { CodedError, ErrorCode } from '../../domain/errors.ts';

export interface FreshToken {
  token: string;
  expiresInSec: number;
}

export interface RedisTokenCacheOptions {
  redis: Redis;
  /** Redis key of the token, one per app (the lock lives at `<key>:lock`). */
  key: string;
  fetchToken: () => Promise<FreshToken>;
  /** Refresh this long before the platform's expiry (default 300 s, as DingTalk's own SDKs do). */
  earlySec?: number;
  /** How long one process may hold the refresh lock (default 10 s). */
  lockTtlMs?: number;
  /** Poll interval while another process refreshes (default 50 ms). */
  pollMs?: number;
}

const RELEASE_IF_OWNER = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An access token shared by every process through Redis, kept until `expiresIn − earlySec`.
 * Refresh is single-flight per process (one promise) and across processes (a Redis lock with an owner
 * check), so a burst of expiries or a restart of ten workers makes one token call, not ten.
 */
export class RedisTokenCache {
  private inFlight: Promise<string> | undefined;

  constructor(private readonly options: RedisTokenCacheOptions) {}

  /** The cached token, or a fresh one. */
  async get(): Promise<string> {
    const cached = await this.options.redis.get(this.options.key);
    if (cached) return cached;
    this.inFlight ??= this.refresh().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Forgets `token` after the platform rejected it; a token another process has just stored is kept. */
  async invalidate(token: string): Promise<void> {
    await this.options.redis.eval(RELEASE_IF_OWNER, 1, this.options.key, token);
  }

  private async refresh(): Promise<string> {
    const { redis, key, lockTtlMs = 10_000, pollMs = 50 } = this.options;
    const lockKey = `${key}:lock`;
    const deadline = Date.now() + lockTtlMs * 2;
    while (Date.now() < deadline) {
      const cached = await redis.get(key);
      if (cached) return cached;
      const owner = randomUUID();
      if ((await redis.set(lockKey, owner, 'PX', lockTtlMs, 'NX')) === 'OK') {
        try {
          return await this.fetchAndStore();
        } finally {
          await redis.eval(RELEASE_IF_OWNER, 1, lockKey, owner);
        }
      }
      await sleep(pollMs);
    }
    throw new CodedError(ErrorCode.PlatformApiError, '等待钉钉 access token 刷新超时', { api: 'accessToken' });
  }

  private async fetchAndStore(): Promise<string> {
    const { redis, key, earlySec = 300 } = this.options;
    const again = await redis.get(key);
    if (again) return again;
    const { token, expiresInSec } = await this.options.fetchToken();
    // expiresIn − 5 min; a token shorter-lived than 10 min (tests, odd configs) keeps half its life.
    const ttl = expiresInSec > earlySec * 2 ? expiresInSec - earlySec : Math.max(1, Math.floor(expiresInSec / 2));
    await redis.set(key, token, 'EX', ttl);
    return token;
  }
}
