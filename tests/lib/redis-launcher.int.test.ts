import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.ts';
import { resolveRedis } from '../../src/lib/redis-launcher.ts';
import { freePort } from '../support/redis.ts';

const log = createLogger({ level: 'silent', secretKeys: [] });
const dir = mkdtempSync(path.join(tmpdir(), 'redis-launch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function ping(url: string): Promise<string> {
  const c = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  c.on('error', () => {});
  try {
    await c.connect();
    return await c.ping();
  } catch {
    return 'down';
  } finally {
    c.disconnect();
  }
}

describe('finding Redis with no REDIS_URL', () => {
  it('uses the local Redis when one answers', async () => {
    const r = await resolveRedis({ dataDir: dir, log });
    expect(r.source).toBe('local');
    expect(r.url).toBe('redis://127.0.0.1:6379');
  });

  it('starts a private redis-server under DATA_DIR/redis when nothing answers, and stops it on exit', async () => {
    const closed = `redis://127.0.0.1:${await freePort()}`;
    const r = await resolveRedis({ dataDir: dir, log, localUrl: closed });
    expect(r.source).toBe('embedded');
    expect(await ping(r.url)).toBe('PONG');
    await r.stop();
    expect(await ping(r.url)).toBe('down');
  });

  it('fails with the install instructions when there is no redis-server either', async () => {
    const closed = `redis://127.0.0.1:${await freePort()}`;
    await expect(
      resolveRedis({ dataDir: dir, log, localUrl: closed, searchPath: '/nonexistent' }),
    ).rejects.toMatchObject({
      code: 'redis_not_found',
      message: expect.stringContaining('apt-get install -y redis-server'),
    });
  });
});
