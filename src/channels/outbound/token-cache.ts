import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { CodedError, ErrorCode } from '../../domain/errors.ts';

/** A fresh token from the platform. */
export interface FetchedToken {
  token: string;
  expiresInSec: number;
}

export interface RedisTokenCacheOptions {
  redis: Redis;
  /** Redis key of the token, one per app or secret (the lock lives at `<key>:lock`). */
  key: string;
  fetchToken: () => Promise<FetchedToken>;
  /** The token in the timeout message, e.g. `企业微信 access_token`. */
  label: string;
  /** The token API named in the timeout error's details, e.g. `gettoken`. */
  api: string;
  /** Refresh this long before the platform's expiry (default 300 s, as the platforms' own SDKs do). */
  earlySec?: number;
  /** How long one process may hold the refresh lock (default 10 s). */
  lockTtlMs?: number;
  /** Poll interval while another process refreshes (default 50 ms). */
  pollMs?: number;
}

const COMPARE_AND_DELETE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A platform access token (WeCom, DingTalk) shared by every process through Redis, kept until
 * `expiresIn − earlySec`. Refresh is single-flight twice over: one in-flight refresh per process, and a
 * Redis lock with an owner check across processes, so a burst of expiries or ten workers restarting
 * make one token call, not ten (WeCom's gettoken is frequency-limited, platforms.md §4.1).
 */
export class RedisTokenCache {
  private inFlight: Promise<string> | undefined;
  private readonly lockKey: string;

  constructor(private readonly options: RedisTokenCacheOptions) {
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
   * Drops `token` after the platform rejected it. Compare-and-delete, so a token another process has
   * just refreshed is kept.
   */
  async invalidate(token: string): Promise<void> {
    await this.options.redis.eval(COMPARE_AND_DELETE, 1, this.options.key, token);
  }

  /**
   * Runs `call` with the token. When `rejected(result)` says the platform refused the token (WeCom
   * 40014/42001/42007, DingTalk HTTP 401), drops it and runs `call` exactly once more with a fresh one;
   * that second result is returned whatever it is.
   */
  async withToken<T>(call: (token: string) => Promise<T>, rejected: (result: T) => boolean): Promise<T> {
    const token = await this.get();
    const first = await call(token);
    if (!rejected(first)) return first;
    await this.invalidate(token);
    return call(await this.get());
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
    const { label, api } = this.options;
    throw new CodedError(ErrorCode.PlatformApiError, `等待${label} 刷新超时`, { api });
  }

  private async fetchAndStore(): Promise<string> {
    const { redis, key, earlySec = 300 } = this.options;
    const again = await redis.get(key);
    if (again) return again;
    const { token, expiresInSec } = await this.options.fetchToken();
    // Refresh early; a token shorter-lived than 2 × earlySec (tests, odd configs) keeps half its life.
    const ttl = expiresInSec > earlySec * 2 ? expiresInSec - earlySec : Math.max(1, Math.floor(expiresInSec / 2));
    await redis.set(key, token, 'EX', ttl);
    return token;
  }
}
