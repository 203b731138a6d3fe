import { describe, expect, it } from 'vitest';
import { redisConnection } from '../../src/jobs/queues.ts';
import { startMaintenance } from '../../src/jobs/workers.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { randomName } from '../support/db.ts';
import { REDIS_URL } from '../support/redis.ts';

const log = createLogger({ level: 'silent', secretKeys: [] });

describe('periodic maintenance tasks (BullMQ job schedulers, real Redis)', () => {
  it('run once when a worker starts, also when it is a restart, not a whole interval later', async () => {
    const prefix = randomName('mq');
    const conn = redisConnection(REDIS_URL, 'worker');
    let runs = 0;
    const tasks = [{ name: 'radar-like', everyMs: 10 * 60_000, run: async () => ++runs }];
    const settle = async (want: number) => {
      const deadline = Date.now() + 5_000;
      while (runs < want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 500)); // room for an extra run, which must not come
    };
    const first = await startMaintenance({ connection: conn, prefix, log, tasks });
    try {
      await settle(1);
      expect(runs).toBe(1);
      await first.worker.close();
      // The restart: the scheduler is already there, its next tick 10 minutes away.
      const again = await startMaintenance({ connection: conn, prefix, log, tasks });
      await settle(2);
      expect(runs).toBe(2);
      await again.worker.close();
      await again.queue.close();
    } finally {
      await first.queue.obliterate({ force: true });
      await first.queue.close();
      conn.disconnect();
    }
  });
});
