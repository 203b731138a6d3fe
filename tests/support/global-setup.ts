import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { loadOrTrainNlu } from '../../src/nlu/model-store.ts';
import { PG_URL } from './db.ts';
import { REDIS_URL } from './redis.ts';

/** Integration tests need the real services; fail early with the fix instead of 60 timeouts. */
/** Where test services share the trained intent model (trained once here, loaded by each service). */
export const TEST_MODEL_PATH = path.resolve('data', 'model', 'intents-model.json');

export default async function setup(): Promise<void> {
  loadOrTrainNlu({ modelPath: TEST_MODEL_PATH });
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    throw new Error(
      `集成测试需要 PostgreSQL（${PG_URL}）：${String(err)}。启动：pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`,
    );
  } finally {
    await client.end().catch(() => {});
  }
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(
      `集成测试需要 Redis（${REDIS_URL}）：${String(err)}。启动：redis-server --daemonize yes --port 6379`,
    );
  } finally {
    redis.disconnect();
  }
}
