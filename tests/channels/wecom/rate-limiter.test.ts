import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../src/channels/wecom/rate-limiter.ts';
import { ErrorCode } from '../../../src/domain/errors.ts';

describe('RateLimiter', () => {
  it('refuses beyond the limit with RateLimited and a retry-after; frees up as the window slides', async () => {
    let now = 0;
    const limiter = new RateLimiter({ limit: 2, windowMs: 60_000, maxWaitMs: 0, now: () => now });
    await limiter.acquire('webhook:a');
    now = 10_000;
    await limiter.acquire('webhook:a');
    await expect(limiter.acquire('webhook:a')).rejects.toMatchObject({
      code: ErrorCode.RateLimited,
      details: { retryAfterSec: 50 },
    });
    await expect(limiter.acquire('webhook:b')).resolves.toBeUndefined();
    now = 60_001;
    await expect(limiter.acquire('webhook:a')).resolves.toBeUndefined();
  });

  it('waits for a slot when the wait is short', async () => {
    const limiter = new RateLimiter({ limit: 1, windowMs: 40, maxWaitMs: 500 });
    const started = Date.now();
    await limiter.acquire('api');
    await limiter.acquire('api');
    expect(Date.now() - started).toBeGreaterThanOrEqual(30);
  });
});
