import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createIngest } from './app/ingest.ts';
import { systemClock } from './app/ports.ts';
import type { Responder } from './app/process-delivery.ts';
import { ticketQueue } from './app/tickets/queue.ts';
import { teamView } from './app/tickets/team.ts';
import type { Channel, ChannelId, OutboundMessage } from './channels/channel.ts';
import { createDingtalkChannel } from './channels/dingtalk/index.ts';
import { createSandboxChannel } from './channels/sandbox/index.ts';
import { registerSandboxRoutes } from './channels/sandbox/routes.ts';
import { WECOM_CHANNEL_IDS } from './channels/wecom/index.ts';
import { composeOrders } from './compose/orders.ts';
import { composeWecom } from './compose/wecom.ts';
import { composeWorker } from './compose/worker.ts';
import { dingtalkEnabled, type Env, SECRET_KEYS, wecomEnabled } from './config/env.ts';
import { registerAdminApi } from './http/admin.ts';
import { registerOrderApi } from './http/orders-api.ts';
import { registerPictureRoutes } from './http/pictures.ts';
import { registerReportRoutes } from './http/reports.ts';
import { createHttpServer, type RouteRegistrar } from './http/server.ts';
import { createFallbackDedupe } from './jobs/fallback-dedupe.ts';
import { createInboundQueue, redisConnection } from './jobs/queues.ts';
import { createLogger, type Logger } from './lib/logger.ts';
import { createMetrics } from './lib/metrics.ts';
import { resolveRedis } from './lib/redis-launcher.ts';
import { loadDemoDataOnFirstRun } from './orders/demo/first-run.ts';
import { resolveDatabaseTarget } from './store/adapter.ts';
import { createAuditWriter } from './store/audit.repo.ts';
import { type Database, openDatabase } from './store/db.ts';
import { createDeliveryStore } from './store/deliveries.repo.ts';
import { createExportStore } from './store/exports.repo.ts';
import { createPictureStore } from './store/pictures.repo.ts';
import { createReportSources } from './store/reports.repo.ts';
import { createSandboxReader } from './store/sandbox.repo.ts';
import { seedSandboxStaff } from './store/seed-sandbox.ts';
import { createTicketRepo } from './store/tickets.repo.ts';

export type Role = 'all' | 'api' | 'worker';

export interface RunningService {
  url?: string;
  db: Database;
  redisUrl: string;
  close(reason?: string): Promise<void>;
}

/** Options tests use to start several isolated instances in one process. */
export interface ServiceOptions {
  env: Env;
  role: Role;
  log?: Logger;
  migrationsDir?: string;
  /** Replace the default responder (tests). */
  responder?: Responder;
}

/**
 * The composition root: the only place that constructs concrete stores, queues, channels and servers.
 * `all` runs everything in one process; `api` receives (HTTP + streams); `worker` processes queues.
 */
export async function startService(opts: ServiceOptions): Promise<RunningService> {
  const { env, role } = opts;
  const log = opts.log ?? createLogger({ level: env.LOG_LEVEL, secretKeys: SECRET_KEYS });
  const closers: { name: string; close: () => Promise<unknown> }[] = [];
  const closeAll = async () => {
    for (const c of closers.reverse()) {
      await c.close().catch((err: unknown) => log.warn({ err: String(err), part: c.name }, '关闭时出错'));
    }
  };
  try {
    const target = resolveDatabaseTarget(env.DATABASE_URL, path.join(env.DATA_DIR, 'pglite'));
    const db = await openDatabase(target);
    closers.push({ name: 'db', close: () => db.close() });
    const t0 = Date.now();
    const migrated = await db.migrate(opts.migrationsDir);
    log.info({ db: db.description, applied: migrated.applied, ms: Date.now() - t0 }, '数据库已就绪');
    if (env.SANDBOX_ENABLED) await seedSandboxStaff(db.prisma);
    if (env.SANDBOX_ENABLED && env.DEMO_DATA === 'auto' && target.kind === 'pglite' && role === 'all') {
      await loadDemoDataOnFirstRun(db, env.DATA_DIR, log);
    }

    const redis = await resolveRedis({ redisUrl: env.REDIS_URL, dataDir: env.DATA_DIR, log });
    closers.push({ name: 'redis-server', close: () => redis.stop() });
    log.info({ source: redis.source }, 'Redis 已就绪');
    const producer = redisConnection(redis.url, 'producer');
    closers.push({ name: 'redis-producer', close: async () => producer.disconnect() });
    const workerConn = redisConnection(redis.url, 'worker');
    closers.push({ name: 'redis-worker', close: async () => workerConn.disconnect() });

    const metrics = createMetrics();
    const deliveries = createDeliveryStore(db.sql);
    const inbound = createInboundQueue(producer, env.QUEUE_PREFIX);
    closers.push({ name: 'inbound-queue', close: () => inbound.queue.close() });
    const ingest = createIngest({
      deliveries,
      queue: inbound,
      fallback: createFallbackDedupe(producer, env.QUEUE_PREFIX),
      onQueueError: (err) => log.warn({ err: String(err) }, 'Redis 不可用：消息已入库，恢复后自动入队'),
    });
    const countedIngest: typeof ingest = async (m) => {
      try {
        const r = await ingest(m);
        metrics.ingested.inc({ channel: m.channel, outcome: r.status });
        return r;
      } catch (err) {
        metrics.ingested.inc({ channel: m.channel, outcome: 'rejected' });
        throw err;
      }
    };

    const channels = new Map<ChannelId, Channel>([['sandbox', createSandboxChannel()]]);
    const routes: RouteRegistrar[] = [
      (a) => {
        const audit = createAuditWriter(db.sql, systemClock);
        registerAdminApi(a, {
          prisma: db.prisma,
          token: env.ADMIN_TOKEN,
          audit,
          exports: { store: createExportStore(db.sql), audit, clock: systemClock },
        });
      },
      (a) => registerOrderApi(a, { db, secret: env.ORDER_API_SECRET }),
      (a) => registerPictureRoutes(a, { pictures: createPictureStore(db.sql) }),
      (a) =>
        registerReportRoutes(a, {
          sources: createReportSources(db.sql),
          queue: (now) => ticketQueue(createTicketRepo(db.prisma, db.sql), now),
          team: (now, days) => teamView(createTicketRepo(db.prisma, db.sql), now, days),
          token: env.ADMIN_TOKEN,
          sandbox: env.SANDBOX_ENABLED,
        }),
    ];
    const wecom = wecomEnabled(env)
      ? composeWecom({
          env,
          redis: producer,
          workerConnection: workerConn,
          prisma: db.prisma,
          sql: db.sql,
          ingest: countedIngest,
          drainIngest: ingest,
          onFastAccept: (m, outcome) =>
            metrics.ingested.inc({ channel: m.channel, outcome: outcome === 'replay' ? 'rejected' : outcome }),
          log,
        })
      : undefined;
    if (wecom) {
      for (const id of WECOM_CHANNEL_IDS) channels.set(id, wecom.channel);
      routes.push((a, front) => wecom.routes(a, front));
      closers.push({ name: 'wecom', close: () => wecom.close() });
      log.info('企业微信渠道已启用');
    }
    if (dingtalkEnabled(env)) {
      channels.set(
        'dingtalk',
        createDingtalkChannel({
          clientId: env.DINGTALK_CLIENT_ID ?? '',
          clientSecret: env.DINGTALK_CLIENT_SECRET ?? '',
          robotCode: env.DINGTALK_ROBOT_CODE ?? '',
          redis: producer,
          keyPrefix: `${env.QUEUE_PREFIX}:dingtalk:`,
          ingest: countedIngest,
          apiBase: env.DINGTALK_API_BASE,
          oapiBase: env.DINGTALK_OAPI_BASE,
          gatewayUrl: env.DINGTALK_GATEWAY_URL,
          log: log.child({ mod: 'dingtalk' }),
        }),
      );
      log.info('钉钉渠道已启用');
    }
    const send = async (m: OutboundMessage) => {
      const channel = channels.get(m.channel);
      if (!channel) return { status: 'failed' as const, error: `渠道 ${m.channel} 未配置` };
      return channel.send(m);
    };

    let app: FastifyInstance | undefined;
    if (role !== 'worker') {
      const reader = createSandboxReader(db.sql);
      app = await createHttpServer({
        log,
        metrics,
        bodyLimit: env.BODY_LIMIT_BYTES,
        probes: [
          { name: 'database', check: async () => ({ ok: await db.ping(), detail: db.description }) },
          { name: 'redis', check: () => pingRedis(producer) },
          ...(wecom ? [{ name: 'wecom_inbox', check: wecom.inboxProbe }] : []),
        ],
        routes: [
          ...(env.SANDBOX_ENABLED
            ? [
                (a: FastifyInstance) =>
                  registerSandboxRoutes(a, {
                    ingest: countedIngest,
                    reader,
                    replyTimeoutMs: env.SANDBOX_REPLY_TIMEOUT_MS,
                  }),
              ]
            : []),
          ...routes,
        ],
      });
      const server = app;
      closers.push({ name: 'http', close: () => server.close() });
    }

    if (role !== 'api') {
      const worker = await composeWorker({
        env,
        db,
        log,
        metrics,
        producer,
        workerConnection: workerConn,
        deliveries,
        inbound,
        send,
        channelIds: new Set(channels.keys()),
        orders: composeOrders({ env, db, producer }),
        ...(wecom ? { kfWindows: wecom.kfWindows } : {}),
        ...(opts.responder ? { responder: opts.responder } : {}),
        extraWorkers: wecom ? [wecom.startWorker(), wecom.startInboxDrain()] : [],
      });
      closers.push({ name: 'workers', close: () => worker.close() });
    }

    for (const c of channels.values()) {
      if (role !== 'worker') await c.start();
      closers.push({ name: `channel-${c.id}`, close: () => c.stop() });
    }

    let url: string | undefined;
    if (app) {
      url = await app.listen({ port: env.PORT, host: env.HOST });
      log.info({ url, sandbox: `${url.replace('0.0.0.0', '127.0.0.1')}/sandbox` }, '售后分诊助手已启动');
    }
    let closing: Promise<void> | undefined;
    return {
      url,
      db,
      redisUrl: redis.url,
      close: (reason = 'close') => {
        closing ??= (async () => {
          log.info({ reason }, '正在关闭……');
          await closeAll();
        })();
        return closing;
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

async function pingRedis(client: { ping(): Promise<string> }): Promise<{ ok: boolean; detail?: string }> {
  const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('timeout'), 1000).unref());
  const pong = await Promise.race([client.ping().catch((e: unknown) => String(e)), timeout]);
  return pong === 'PONG' ? { ok: true } : { ok: false, detail: '无法连接 Redis' };
}
