import { afterEach, describe, expect, it } from 'vitest';
import type { TimerSpec } from '../../src/app/ports.ts';
import { redisConnection } from '../../src/jobs/queues.ts';
import { createTimerScheduler, startTimerWorker, timerJobId } from '../../src/jobs/timers.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { randomName } from '../support/db.ts';
import { REDIS_URL } from '../support/redis.ts';

const log = createLogger({ level: 'silent', secretKeys: [] });

describe('TimerScheduler on BullMQ (real Redis)', () => {
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  /** A scheduler and a worker recording what fired; `busyFirstMs` makes the first run take that long. */
  function setup(opts: { busyFirstMs?: number } = {}) {
    const prefix = randomName('tq');
    const conn = redisConnection(REDIS_URL, 'worker');
    const scheduler = createTimerScheduler(conn, prefix);
    const fired: TimerSpec[] = [];
    const onTimer = async (t: TimerSpec) => {
      fired.push(t);
      if (fired.length === 1 && opts.busyFirstMs) await new Promise((r) => setTimeout(r, opts.busyFirstMs));
    };
    const worker = startTimerWorker({ connection: conn, prefix, log, onTimer });
    closers.push(async () => {
      await worker.close();
      await scheduler.queue.obliterate({ force: true });
      await scheduler.queue.close();
      conn.disconnect();
    });
    return { scheduler, fired };
  }

  it('fires a timer once at its due time even when scheduled three times', async () => {
    const { scheduler, fired } = setup();
    const t = { ticketId: 7, kind: 'first_response', revision: 1, dueAt: new Date(Date.now() + 300) };
    await Promise.all([scheduler.schedule(t), scheduler.schedule(t), scheduler.schedule(t)]);
    await new Promise((r) => setTimeout(r, 1200));
    expect(fired.map((f) => [f.ticketId, f.kind, f.revision])).toEqual([[7, 'first_response', 1]]);
    expect(fired[0]?.dueAt.getTime()).toBe(t.dueAt.getTime());
  });

  it('an SLA timer fires at its warning time and again at its deadline, as one job', async () => {
    const { scheduler, fired } = setup();
    const warnAt = new Date(Date.now() + 200);
    const t = { ticketId: 9, kind: 'first_response', revision: 3, dueAt: warnAt, thenAt: new Date(Date.now() + 700) };
    await scheduler.scheduleMany([t]);
    await new Promise((r) => setTimeout(r, 450));
    expect(fired.map((f) => f.dueAt.getTime())).toEqual([warnAt.getTime()]);
    expect(await scheduler.exists(t)).toBe(true); // waiting for its second run, under the same id
    await new Promise((r) => setTimeout(r, 900));
    expect(fired.map((f) => [f.kind, f.revision, f.dueAt.getTime()])).toEqual([
      ['first_response', 3, warnAt.getTime()],
      ['first_response', 3, t.thenAt.getTime()],
    ]);
    expect(fired.every((f) => f.thenAt === undefined)).toBe(true);
    const job = await scheduler.queue.getJob(timerJobId(t));
    expect(await job?.getState()).toBe('completed');
    expect(job?.failedReason ?? '').toBe('');
  });

  it('a timer whose second time has passed by the time it runs fires once', async () => {
    const { scheduler, fired } = setup();
    const t = {
      ticketId: 10,
      kind: 'resolution',
      revision: 1,
      dueAt: new Date(Date.now() - 2000),
      thenAt: new Date(Date.now() - 1000),
    };
    await scheduler.schedule(t);
    await new Promise((r) => setTimeout(r, 800));
    expect(fired.map((f) => f.ticketId)).toEqual([10]);
  });

  it('a deadline that passes while the warning run is still busy gets its own run', async () => {
    const { scheduler, fired } = setup({ busyFirstMs: 400 }); // the first run ends past thenAt
    const t = {
      ticketId: 11,
      kind: 'first_response',
      revision: 1,
      dueAt: new Date(Date.now() + 100),
      thenAt: new Date(Date.now() + 300),
    };
    await scheduler.schedule(t);
    await new Promise((r) => setTimeout(r, 1300));
    expect(fired.map((f) => f.dueAt.getTime())).toEqual([t.dueAt.getTime(), t.thenAt.getTime()]);
  });

  it('a cancelled timer never fires; a new revision is a new timer', async () => {
    const { scheduler, fired } = setup();
    const r1 = { ticketId: 8, kind: 'resolution', revision: 1, dueAt: new Date(Date.now() + 400) };
    const r2 = { ...r1, revision: 2, dueAt: new Date(Date.now() + 600) };
    await scheduler.schedule(r1);
    expect(await scheduler.exists(r1)).toBe(true);
    await scheduler.cancel(r1);
    expect(await scheduler.exists(r1)).toBe(false);
    await scheduler.schedule(r2);
    await new Promise((r) => setTimeout(r, 1300));
    expect(fired.map((f) => f.revision)).toEqual([2]);
  });

  it('a bulk schedule keeps every due time, however long the later batches take to send', async () => {
    const prefix = randomName('tq');
    const conn = redisConnection(REDIS_URL, 'worker');
    const scheduler = createTimerScheduler(conn, prefix);
    closers.push(async () => {
      await scheduler.queue.obliterate({ force: true });
      await scheduler.queue.close();
      conn.disconnect();
    });
    const dueAt = new Date(Date.now() + 60_000);
    const timers = Array.from({ length: 6000 }, (_, i) => ({
      ticketId: i + 1,
      kind: 'resolution',
      revision: 1,
      dueAt,
    }));
    const sending = Date.now();
    await scheduler.scheduleMany(timers);
    const took = Date.now() - sending;
    const jobs = await scheduler.queue.getDelayed(0, -1);
    expect(jobs).toHaveLength(6000);
    // A job fires at its stamp + delay; drift would be the time the earlier batches took (`took`).
    const drift = jobs.map((j) => Math.abs(j.timestamp + (j.opts.delay ?? 0) - dueAt.getTime()));
    expect(Math.max(...drift), `sending took ${took} ms`).toBeLessThan(100);
  });

  it('uses job ids BullMQ accepts', () => {
    expect(timerJobId({ ticketId: 12, kind: 'first_response', revision: 3 })).toBe('sla-12-first_response-r3');
  });
});
