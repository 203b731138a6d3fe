import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FetchedToken, RedisTokenCache } from '../../../src/channels/outbound/token-cache.ts';
import { ErrorCode } from '../../../src/domain/errors.ts';
import { testRedis } from '../wecom/helpers.ts';

let redis: Redis;
let prefix: string;
let cleanup: () => Promise<void>;
/** Tokens the fake platform handed out, in order. */
let issued: string[];
let expiresInSec: number;

beforeEach(async () => {
  ({ redis, prefix, cleanup } = await testRedis());
  issued = [];
  expiresInSec = 7200;
});
afterEach(() => cleanup());

const fetchToken = async (): Promise<FetchedToken> => {
  await new Promise((r) => setTimeout(r, 20)); // a real token call takes a while: let a burst overlap
  const token = `tok-${issued.length + 1}`;
  issued.push(token);
  return { token, expiresInSec };
};

/** A second process is a second cache on the same Redis key. */
const cache = (over: { earlySec?: number; lockTtlMs?: number } = {}) =>
  new RedisTokenCache({
    redis,
    key: `${prefix}token:app`,
    fetchToken,
    label: '企业微信 access_token',
    api: 'gettoken',
    ...over,
  });

describe('RedisTokenCache', () => {
  it('fetches once and shares the token with another process through Redis', async () => {
    expect(await cache().get()).toBe('tok-1');
    expect(await cache().get()).toBe('tok-1');
    expect(issued).toEqual(['tok-1']);
  });

  it('a burst from five processes and many callers with no cached token makes one token call', async () => {
    const caches = Array.from({ length: 5 }, () => cache());
    const got = await Promise.all(caches.flatMap((c) => [c.get(), c.get(), c.get()]));
    expect(new Set(got)).toEqual(new Set(['tok-1']));
    expect(issued).toEqual(['tok-1']);
  });

  it('keeps the token until earlySec before the platform expiry', async () => {
    await cache().get();
    const ttl = await redis.ttl(`${prefix}token:app`);
    expect(ttl).toBeGreaterThan(7200 - 300 - 5);
    expect(ttl).toBeLessThanOrEqual(7200 - 300);
  });

  it('keeps a token shorter-lived than 2 × earlySec for half its life, then fetches a new one', async () => {
    expiresInSec = 2;
    const c = cache({ earlySec: 300 });
    expect(await c.get()).toBe('tok-1');
    expect(await redis.ttl(`${prefix}token:app`)).toBe(1);
    await new Promise((r) => setTimeout(r, 1200));
    expect(await c.get()).toBe('tok-2');
  });

  it('invalidate drops the rejected token but keeps one another process has just stored', async () => {
    const a = cache();
    const b = cache();
    const old = await a.get();
    await b.invalidate(old);
    expect(await b.get()).toBe('tok-2');
    await a.invalidate(old); // a late second rejection of the old token
    expect(await a.get()).toBe('tok-2');
    expect(issued).toEqual(['tok-1', 'tok-2']);
  });

  it('withToken: a rejected token is dropped and the call made exactly once more with a fresh one', async () => {
    const c = cache();
    await c.get();
    const calls: string[] = [];
    const result = await c.withToken(
      async (token) => {
        calls.push(token);
        return { errcode: 42001, token };
      },
      (r) => r.errcode === 42001,
    );
    expect(calls).toEqual(['tok-1', 'tok-2']);
    expect(result).toEqual({ errcode: 42001, token: 'tok-2' });
    expect(issued).toEqual(['tok-1', 'tok-2']);
  });

  it('withToken: an accepted token is used once and kept', async () => {
    const c = cache();
    const calls: string[] = [];
    const result = await c.withToken(
      async (token) => {
        calls.push(token);
        return { status: 200 };
      },
      (r) => r.status === 401,
    );
    expect(result).toEqual({ status: 200 });
    expect(calls).toEqual(['tok-1']);
    expect(await c.get()).toBe('tok-1');
  });

  it('gives up with a coded error naming the token API when another process holds the refresh lock too long', async () => {
    await redis.set(`${prefix}token:app:lock`, 'someone-else', 'PX', 10_000);
    await expect(cache({ lockTtlMs: 100 }).get()).rejects.toMatchObject({
      code: ErrorCode.PlatformApiError,
      message: '等待企业微信 access_token 刷新超时',
      details: { api: 'gettoken' },
    });
    expect(issued).toEqual([]);
  });
});
