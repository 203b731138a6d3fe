import { rateLimited } from '../../domain/errors.ts';

export interface RateLimiterOptions {
  /** Calls allowed per key within `windowMs`. */
  limit: number;
  windowMs?: number;
  /** Wait at most this long for a slot; beyond it the call fails with RateLimited (default 2 s). */
  maxWaitMs?: number;
  now?: () => number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * In-process sliding-window limiter, one window per key (an API path, a webhook). A safety net under
 * the platform's per-API caps (platforms.md §4.7); the cross-process budgets live in send-budget.ts.
 */
export class RateLimiter {
  private readonly calls = new Map<string, number[]>();

  constructor(private readonly options: RateLimiterOptions) {}

  /**
   * Resolves when a call under `key` may go out, waiting up to `maxWaitMs`.
   * @throws CodedError RateLimited when the wait would be longer.
   */
  async acquire(key: string): Promise<void> {
    const { limit, windowMs = 60_000, maxWaitMs = 2_000, now = Date.now } = this.options;
    for (;;) {
      const at = now();
      const recent = (this.calls.get(key) ?? []).filter((t) => t > at - windowMs);
      if (recent.length < limit) {
        recent.push(at);
        this.calls.set(key, recent);
        return;
      }
      const wait = (recent[0] ?? at) + windowMs - at;
      this.calls.set(key, recent);
      if (wait > maxWaitMs) throw rateLimited(`调用 ${key} 过于频繁，请稍后再试`, Math.ceil(wait / 1000));
      await sleep(Math.max(1, wait));
    }
  }
}
