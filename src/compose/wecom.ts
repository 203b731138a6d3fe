import { type ConnectionOptions, Queue, Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { KfWindows } from '../app/tickets/index.ts';
import type { FastAcceptResult, InboundMessage, Ingest } from '../channels/channel.ts';
import { SendBudget } from '../channels/outbound/budget-store.ts';
import type { PictureLinks } from '../channels/outbound/picture.ts';
import { createRedisLock } from '../channels/outbound/redis-lock.ts';
import { DEFAULT_LIMITS, type KeepaliveHours, keepaliveDue } from '../channels/send-budget.ts';
import {
  createRedisNonceStore,
  createWecomChannel,
  createWecomClients,
  KF_FAIL_TYPES,
  type KfRejectSwitch,
  type KfSendFailure,
  ownsKfMsgId,
  registerWecomRoutes,
  syncKf,
  type WecomChannel,
} from '../channels/wecom/index.ts';
import type { Env } from '../config/env.ts';
import { picturePath } from '../http/pictures.ts';
import type { FrontRoute } from '../http/server.ts';
import { createCallbackInbox, inboxBacklog, inboxKeys, startInboxDrain } from '../jobs/callback-inbox.ts';
import { jobId, shortHash } from '../lib/ids.ts';
import type { Logger } from '../lib/logger.ts';
import { createCursorStore } from '../store/cursors.repo.ts';
import type { PrismaClient, Sql } from '../store/db.ts';
import { createRecallRecorder } from '../store/deliveries.repo.ts';
import { createIdentityStore, PLATFORM } from '../store/identities.repo.ts';
import { createBounceStore } from '../store/outbox.repo.ts';
import { createPictureStore, type PictureStore } from '../store/pictures.repo.ts';
import { createTicketRepo } from '../store/tickets.repo.ts';

const KF_QUEUE = 'wecom-kf-sync';

/** "8-22" → 8:00 to 22:00; "off" (or an empty span) → no keep-alives. */
function keepaliveHours(setting: string): KeepaliveHours | undefined {
  const m = /^(\d+)-(\d+)$/.exec(setting);
  if (!m || m[1] === m[2]) return undefined;
  return { from: Number(m[1]), to: Number(m[2]) };
}

/** The tickets' view of 微信客服 windows, from the send budget; `hours` is WECOM_KF_KEEPALIVE_HOURS. */
export function createKfWindows(budget: SendBudget, hoursSetting: string): KfWindows {
  const hours = keepaliveHours(hoursSetting);
  return {
    async keepaliveDue(userRef, nowMs) {
      const w = hours ? await budget.kfWindow(userRef) : undefined;
      if (!w || !hours || !keepaliveDue(w, nowMs, hours)) return undefined;
      return { windowKey: `${w.openKfId}-${w.lastCustomerAt}` };
    },
    async window(userRef) {
      const w = await budget.kfWindow(userRef);
      const closesAt = w ? w.lastCustomerAt + DEFAULT_LIMITS.kf.windowMs : 0;
      if (!w || closesAt <= Date.now()) return undefined;
      return {
        closesAt: new Date(closesAt),
        sendsLeft: Math.max(0, DEFAULT_LIMITS.kf.maxMessages - w.sentSinceCustomer),
      };
    },
  };
}

/** Pictures kept in the database and linked under the service's public address (GET /pictures/<token>.png). */
function pictureLinks(publicBase: string, store: PictureStore): PictureLinks {
  const base = publicBase.replace(/\/+$/, '');
  return {
    async link(dedupeKey, picture) {
      return base + picturePath(await store.publish({ dedupeKey, ...picture }, new Date()));
    },
  };
}

/** Everything WeCom needs, built from the environment: channel, callback routes, the kf pull job. */
export function composeWecom(deps: {
  env: Env;
  redis: Redis;
  workerConnection: ConnectionOptions;
  prisma: PrismaClient;
  sql: Sql;
  ingest: Ingest;
  /** The ingest the callback inbox's drain hands messages to (not counted again in the metrics). */
  drainIngest: Ingest;
  /** Hears each callback message the fast accept took (metrics). */
  onFastAccept?: (message: InboundMessage, outcome: FastAcceptResult) => void;
  log: Logger;
}) {
  const { env } = deps;
  const inboxKeysOf = inboxKeys(env.QUEUE_PREFIX);
  const prefix = inboxKeysOf.wecomPrefix;
  const { api, kfApi } = createWecomClients({
    baseUrl: env.WECOM_API_BASE,
    redis: deps.redis,
    corpId: env.WECOM_CORP_ID ?? '',
    secret: env.WECOM_SECRET ?? '',
    agentId: Number(env.WECOM_AGENT_ID),
    ...(env.WECOM_KF_SECRET ? { kfSecret: env.WECOM_KF_SECRET } : {}),
    keyPrefix: prefix,
  });
  const budget = new SendBudget({ redis: deps.redis, prefix });
  const groupWebhooks: Record<string, string> = {};
  if (env.WECOM_MANAGER_WEBHOOK) groupWebhooks.managers = env.WECOM_MANAGER_WEBHOOK;
  if (env.WECOM_WAREHOUSE_WEBHOOK) groupWebhooks.warehouse = env.WECOM_WAREHOUSE_WEBHOOK;
  if (env.WECOM_STAFF_WEBHOOK) groupWebhooks.staff = env.WECOM_STAFF_WEBHOOK;
  const channel: WecomChannel = createWecomChannel({
    redis: deps.redis,
    api,
    kfApi,
    budget,
    apiBase: env.WECOM_API_BASE,
    keyPrefix: prefix,
    groupWebhooks,
    staffGroup: env.WECOM_STAFF_WEBHOOK ? 'staff' : 'managers',
    ...(env.WECOM_KF_OPEN_KFID ? { defaultOpenKfId: env.WECOM_KF_OPEN_KFID } : {}),
    ...(env.PUBLIC_BASE_URL ? { pictureLinks: pictureLinks(env.PUBLIC_BASE_URL, createPictureStore(deps.sql)) } : {}),
    onError: (err) => deps.log.warn({ err: String(err) }, '企业微信发送失败'),
  });
  const kfQueue = new Queue(KF_QUEUE, { connection: deps.redis, prefix: env.QUEUE_PREFIX });
  kfQueue.on('error', () => {});
  const cursors = createCursorStore(deps.prisma);
  const lock = createRedisLock(deps.redis, { prefix: `${prefix}kf-lock:` });
  const bounces = createBounceStore(deps.sql);
  const recall = createRecallRecorder(deps.sql);
  /**
   * 拒收: a 接待人员 rejected the customer's messages in WeCom (or stopped). The bot respects it — no answers, no
   * window reminders (handle-message.ts, keepalive) — and the customer's open tickets record who did it, once.
   */
  const identities = createIdentityStore(deps.prisma);
  const tickets = createTicketRepo(deps.prisma, deps.sql);
  const onRejectSwitch = async (r: KfRejectSwitch) => {
    const change = await identities.setRejected('wecom_kf', r.externalUserId, {
      rejected: r.rejected,
      by: r.servicerUserId,
      at: new Date(),
    });
    if (!change?.changed) return;
    const servicer = await deps.prisma.identity.findUnique({
      where: { platform_externalId: { platform: PLATFORM.wecom, externalId: r.servicerUserId } },
      include: { staff: true },
    });
    const who = `接待人员 ${servicer?.staff?.name ?? r.servicerUserId}`;
    const reason = r.rejected
      ? `${who}在企业微信里拒收了这位顾客的消息：机器人不再回复他，也不再发提醒`
      : `${who}取消了拒收：机器人恢复回复这位顾客`;
    for (const t of await tickets.openOfCustomer(change.customerId, 50))
      await tickets.addEvent({ ticketId: t.id, type: 'note', actor: 'system', channel: 'wecom_kf', reason });
  };
  /**
   * WeCom accepted a kf message and then could not deliver it (msg_send_fail): the staff group is told, with
   * the message and the reason, then the outbox records it as failed. A report read twice finds the message
   * already failed, or the staff note already sent.
   */
  const onSendFailed = async (f: KfSendFailure) => {
    const why = KF_FAIL_TYPES[f.failType] ?? `失败类型 ${f.failType}`;
    const sent = await bounces.find({
      channel: 'wecom_kf',
      userRef: f.externalUserId,
      owns: (key) => ownsKfMsgId(key, f.msgid),
    });
    if (!sent) return;
    const message = {
      channel: 'wecom_kf' as const,
      target: { userRef: f.externalUserId },
      kind: sent.kind,
      text: sent.text,
      dedupeKey: sent.dedupeKey,
      replyContext: { open_kfid: f.openKfId },
    };
    const told = await channel.undelivered(message, why);
    if (told.status === 'failed') deps.log.warn({ error: told.error }, '微信客服消息未送达，且未能通知员工群');
    await bounces.markFailed(sent.id, `微信客服报告未送达：${why}`);
  };

  // The replay guard's EXISTS/SET of concurrent callbacks go out together: its own connection with
  // auto-pipelining (one socket write per event-loop turn instead of two per request). Opened by the
  // api role only, when the routes are mounted.
  let nonceRedis: Redis | undefined;
  let inbox: ReturnType<typeof createCallbackInbox> | undefined;
  let drain: ReturnType<typeof startInboxDrain> | undefined;

  const kfWindows = createKfWindows(budget, env.WECOM_KF_KEEPALIVE_HOURS);

  return {
    channel,
    kfWindows,
    async close() {
      await kfQueue.close();
      inbox?.close();
      await drain?.close();
      nonceRedis?.disconnect();
    },
    routes(app: FastifyInstance, front: (route: FrontRoute) => void) {
      nonceRedis = deps.redis.duplicate({ enableAutoPipelining: true });
      nonceRedis.on('error', () => {});
      inbox = createCallbackInbox({
        redis: nonceRedis,
        keys: inboxKeysOf,
        mode: env.WECOM_ACCEPT_STORE,
        log: deps.log,
      });
      const accept = inbox.accept;
      registerWecomRoutes(
        app,
        {
          config: {
            corpId: env.WECOM_CORP_ID ?? '',
            token: env.WECOM_TOKEN ?? '',
            encodingAesKey: env.WECOM_ENCODING_AES_KEY ?? '',
            ...(env.WECOM_BOT_TOKEN && env.WECOM_BOT_ENCODING_AES_KEY
              ? {
                  bot: {
                    token: env.WECOM_BOT_TOKEN,
                    encodingAesKey: env.WECOM_BOT_ENCODING_AES_KEY,
                    ...(env.WECOM_BOT_NAME ? { name: env.WECOM_BOT_NAME } : {}),
                  },
                }
              : {}),
          },
          ingest: deps.ingest,
          fastAccept: async (message, replay) => {
            const outcome = await accept(message, replay);
            if (outcome) deps.onFastAccept?.(message, outcome);
            return outcome;
          },
          nonces: createRedisNonceStore(nonceRedis, inboxKeysOf.noncePrefix, (err) =>
            deps.log.warn({ err: String(err) }, 'Redis 不可用：企业微信回调的防重放暂用本进程内存'),
          ),
          // One job per callback token: WeCom's retries of the same event do not start a second sync.
          enqueueKfSync: async (openKfId, token) => {
            await kfQueue.add(
              'sync',
              { openKfId, token },
              { jobId: jobId('kf', shortHash(`${openKfId}|${token}`, 24)), removeOnComplete: 1000 },
            );
          },
        },
        front,
      );
    },
    /** /healthz: the callback inbox's backlog. */
    inboxProbe: () => inboxBacklog(deps.redis, inboxKeysOf),
    /** The worker's side of the callback inbox: stores and enqueues what the fast accept took. */
    startInboxDrain() {
      // Waits out a Redis outage instead of failing each read (the worker connections' settings).
      const redis = deps.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
      redis.on('error', () => {});
      drain = startInboxDrain({ redis, keys: inboxKeysOf, ingest: deps.drainIngest, log: deps.log });
      return drain;
    },
    startWorker(): Worker {
      const worker = new Worker(
        KF_QUEUE,
        async (job) =>
          syncKf({
            client: kfApi,
            cursors,
            ingest: deps.ingest,
            openKfId: String(job.data.openKfId),
            token: String(job.data.token),
            lock,
            onCustomerMessage: (m) =>
              budget.noteCustomerMessage(String(job.data.openKfId), m.userRef, m.sentAt?.getTime() ?? Date.now()),
            onSendFailed,
            // 撤回: the customer's words leave the stored conversation (the ticket view shows that one was recalled).
            onRecalled: (r) => recall('wecom_kf', r.msgid, r.externalUserId),
            onRejectSwitch,
          }),
        { connection: deps.workerConnection, prefix: env.QUEUE_PREFIX, concurrency: 2 },
      );
      worker.on('failed', (job, err) =>
        deps.log.warn({ jobId: job?.id, err: err.message }, '微信客服消息同步失败，将重试'),
      );
      worker.on('error', () => {});
      return worker;
    },
  };
}
