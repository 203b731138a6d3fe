import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { CodedError, ErrorCode } from '../../domain/errors.ts';

/** A fresh token from the platform. */
export interface FetchedToken {
  token: string;
  expiresInSec: number;
}

export interface SharedTokenCacheOptions {
  redis: Redis;
  /** Redis key of the token, one per secret (e.g. `wecom:token:<corpId>:<agentId>`). */
  key: string;
  fetchToken: () => Promise<FetchedToken>;
  /** Refresh this long before the platform's expiry (default 300 s). */
  earlySec?: number;
  /** How long one process may hold the refresh lock (default 10 s). */
  lockTtlMs?: number;
  /** Poll interval while another process refreshes (default 50 ms). */
  pollMs?: number;
}

const COMPARE_AND_DELETE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An access token shared by every process through Redis. Refreshing is single-flight twice over: one
 * in-flight refresh per process, and a Redis lock so only one process calls gettoken (a burst of
 * 42001s must not stampede the frequency-limited gettoken, platforms.md §4.1).
 */
export class SharedTokenCache {
  private inFlight: Promise<string> | undefined;
  private readonly lockKey: string;

  constructor(private readonly options: SharedTokenCacheOptions) {
    this.lockKey = `${options.key}:lock`;
  }

  /** The cached token, or a fresh one. */
  async get(): Promise<string> {
    const cached = await this.options.redis.get(this.options.key);
    if (cached) return cached;
    this.inFlight ??= this.refresh().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /**
   * Drops `token` after the platform rejected it (40014/42001/42007). Compare-and-delete, so a token
   * another process has just refreshed is kept.
   */
  async invalidate(token: string): Promise<void> {
    await this.options.redis.eval(COMPARE_AND_DELETE, 1, this.options.key, token);
  }

  private async refresh(): Promise<string> {
    const { redis, key, lockTtlMs = 10_000, pollMs = 50 } = this.options;
    const deadline = Date.now() + lockTtlMs * 2;
    while (Date.now() < deadline) {
      const cached = await redis.get(key);
      if (cached) return cached;
      const owner = randomUUID();
      if ((await redis.set(this.lockKey, owner, 'PX', lockTtlMs, 'NX')) === 'OK') {
        try {
          return await this.fetchAndStore();
        } finally {
          await redis.eval(COMPARE_AND_DELETE, 1, this.lockKey, owner);
        }
      }
      await sleep(pollMs);
    }
    throw new CodedError(ErrorCode.PlatformApiError, '等待企业微信 access_token 刷新超时', { api: 'gettoken' });
  }

  private async fetchAndStore(): Promise<string> {
    const { redis, key, earlySec = 300 } = this.options;
    const again = await redis.get(key);
    if (again) return again;
    const { token, expiresInSec } = await this.options.fetchToken();
    // Refresh early; for short-lived tokens (tests, odd configs) keep half of the lifetime.
    const ttl = expiresInSec > earlySec * 2 ? expiresInSec - earlySec : Math.max(1, Math.floor(expiresInSec / 2));
    await redis.set(key, token, 'EX', ttl);
    return token;
  }
}
