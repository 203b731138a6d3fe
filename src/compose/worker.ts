import type { Redis } from 'ioredis';
import { exportDecision, notifyExportRequests } from '../app/exports.ts';
import type { OrderHandling } from '../app/handle-message.ts';
import { createMessageHandler } from '../app/handle-message.ts';
import { createNotifier, type GroupName } from '../app/notify.ts';
import type { DeliveryStore, InboundQueue } from '../app/ports.ts';
import { systemClock } from '../app/ports.ts';
import { createDeliveryProcessor, type Responder } from '../app/process-delivery.ts';
import { pushScheduledReports, reportAsked } from '../app/reports.ts';
import { calendarFor, policyFor } from '../app/tickets/config.ts';
import { createTicketService, type KfWindows } from '../app/tickets/index.ts';
import type { ChannelId } from '../channels/channel.ts';
import type { Env } from '../config/env.ts';
import { loadQuickReplies } from '../config/quick-replies.ts';
import { loadReturnPolicy } from '../config/return-policy.ts';
import type { ReturnPolicy } from '../domain/shop/return-policy.ts';
import { describeServiceHours, isWorkingTime } from '../domain/tickets/business-clock.ts';
import { zh } from '../i18n/zh.ts';
import { relayStaleDeliveries } from '../jobs/relay.ts';
import { createTimerScheduler, startTimerWorker } from '../jobs/timers.ts';
import { startInboundWorker, startMaintenance } from '../jobs/workers.ts';
import type { Logger } from '../lib/logger.ts';
import type { Metrics } from '../lib/metrics.ts';
import { type ConversationMemory, createContextResolver } from '../nlu/context.ts';
import { createAuditWriter } from '../store/audit.repo.ts';
import { createConversationStore } from '../store/conversations.repo.ts';
import type { Database, Sql } from '../store/db.ts';
import { createParseRecorder } from '../store/deliveries.repo.ts';
import { createDirectory } from '../store/directory.repo.ts';
import { createExportStore } from '../store/exports.repo.ts';
import { createIdentityStore, type Sender } from '../store/identities.repo.ts';
import { createHeldMessages, createOutbox } from '../store/outbox.repo.ts';
import { createPictureStore } from '../store/pictures.repo.ts';
import { createReportSources } from '../store/reports.repo.ts';
import { loadTicketConfig, seedAndLoadTicketConfig } from '../store/seed-tickets.ts';
import { createTicketRepo } from '../store/tickets.repo.ts';
import { loadNlu } from './nlu.ts';
import type { composeOrders } from './orders.ts';

/** The goods words of intents/lookups/products.txt, by which a ticket finds the order the goods came in. */
const productGroups = (nlu: ReturnType<typeof loadNlu>) =>
  nlu.spec.lookups.filter((l) => l.type === 'product').flatMap((l) => l.entries);

/** Order exports' store, audit log and clock (app/exports.ts). */
const exportDeps = (sql: Sql) => ({
  store: createExportStore(sql),
  audit: createAuditWriter(sql, systemClock),
  clock: systemClock,
});

/** Group chats per channel: the sandbox has chats named after the group; platforms come from config. */
function groupsFor(
  env: Env,
  channels: Set<ChannelId>,
): Partial<Record<GroupName, { channel: ChannelId; chatId: string }[]>> {
  const g: Partial<Record<GroupName, { channel: ChannelId; chatId: string }[]>> = {
    managers: [],
    warehouse: [],
    staff: [],
  };
  if (env.SANDBOX_ENABLED)
    for (const k of ['managers', 'warehouse', 'staff'] as const) g[k]?.push({ channel: 'sandbox', chatId: k });
  if (channels.has('wecom')) {
    if (env.WECOM_MANAGER_WEBHOOK) g.managers?.push({ channel: 'wecom', chatId: 'managers' });
    if (env.WECOM_WAREHOUSE_WEBHOOK) g.warehouse?.push({ channel: 'wecom', chatId: 'warehouse' });
  }
  if (channels.has('dingtalk')) {
    if (env.DINGTALK_MANAGER_GROUP) g.managers?.push({ channel: 'dingtalk', chatId: env.DINGTALK_MANAGER_GROUP });
    if (env.DINGTALK_WAREHOUSE_GROUP) g.warehouse?.push({ channel: 'dingtalk', chatId: env.DINGTALK_WAREHOUSE_GROUP });
  }
  return g;
}

/** Everything a worker process runs: inbound processing, SLA/escalation timers, periodic sweeps. */
export async function composeWorker(deps: {
  env: Env;
  db: Database;
  log: Logger;
  metrics: Metrics;
  producer: Redis;
  workerConnection: Redis;
  deliveries: DeliveryStore;
  inbound: InboundQueue & { queue: import('bullmq').Queue };
  send: Parameters<typeof createDeliveryProcessor>[0]['send'];
  channelIds: Set<ChannelId>;
  responder?: Responder;
  orders?: ReturnType<typeof composeOrders>;
  /** 微信客服 customers' 48 h windows, when kf is configured: the keep-alive sweep runs then. */
  kfWindows?: KfWindows;
  /** Channel workers (the kf pull, the callback inbox's drain): closed with the rest. */
  extraWorkers?: { close(): Promise<unknown> }[];
}): Promise<{ workers: { close(): Promise<unknown> }[]; close: () => Promise<void> }> {
  const { env, db, log } = deps;
  const outbox = createOutbox(db.sql);
  const directory = createDirectory(db.prisma, groupsFor(env, deps.channelIds));
  const notifier = createNotifier({ outbox, send: deps.send, directory });
  const timers = createTimerScheduler(deps.producer, env.QUEUE_PREFIX);
  const configSource = env.ESCALATION_LADDER_FILE ? { ladderFile: env.ESCALATION_LADDER_FILE } : {};
  const config = await seedAndLoadTicketConfig(db.prisma, configSource);
  const returnPolicy = await loadReturnPolicy(env.RETURN_POLICY_FILE);
  const quickReplies = await loadQuickReplies(env.QUICK_REPLIES_FILE, { 退货地址: zh.returnAddressLine(returnPolicy) });
  const tickets = createTicketService({
    repo: createTicketRepo(db.prisma, db.sql),
    config,
    timers,
    notifier,
    directory,
    quickReplies,
    ...(deps.orders ? { orders: deps.orders.lookupFor(productGroups(loadNlu(env, log))) } : {}),
    ...(deps.kfWindows ? { kf: deps.kfWindows } : {}),
    now: () => new Date(),
    log,
  });
  // The normal lane's calendar is the service team's: read at each question, so an admin change applies.
  const serviceCalendar = () => calendarFor(config, policyFor(config, 'P3').calendarId);
  const respond =
    deps.responder ??
    createResponder({
      env,
      db,
      log,
      tickets,
      returnPolicy,
      serviceHours: (now) => describeServiceHours(serviceCalendar(), now),
      atWork: (now) => isWorkingTime(now, serviceCalendar()),
      ...(deps.orders ? { orders: deps.orders.handling } : {}),
    });
  const processor = createDeliveryProcessor({ deliveries: deps.deliveries, outbox, send: deps.send, respond });
  const workers: { close(): Promise<unknown> }[] = [
    startInboundWorker({
      connection: deps.workerConnection,
      prefix: env.QUEUE_PREFIX,
      concurrency: env.WORKER_CONCURRENCY,
      log,
      metrics: deps.metrics,
      process: processor,
    }),
    startTimerWorker({
      connection: deps.workerConnection,
      prefix: env.QUEUE_PREFIX,
      log,
      onTimer: (t) => tickets.onTimer(t),
    }),
    ...(deps.extraWorkers ?? []),
  ];
  const relay = () =>
    relayStaleDeliveries({
      deliveries: deps.deliveries,
      inbound: deps.inbound,
      queue: deps.inbound.queue,
      staleMs: 10_000,
    });
  const maintenance = await startMaintenance({
    connection: deps.workerConnection,
    prefix: env.QUEUE_PREFIX,
    log,
    tasks: [
      { name: 'relay-stale-deliveries', everyMs: 5_000, run: relay },
      { name: 'sla-sweep', everyMs: 60_000, run: () => tickets.sweep() },
      ...(deps.orders ? [deps.orders.radarTask(notifier, env.RADAR_INTERVAL_MS)] : []),
      ...(env.HEALTH_REPORT_AT !== 'off'
        ? [
            {
              name: 'reports',
              everyMs: 5 * 60_000,
              run: () =>
                pushScheduledReports({
                  at: env.HEALTH_REPORT_AT,
                  now: new Date(),
                  sources: createReportSources(deps.db.sql),
                  notifier,
                  log,
                }),
            },
          ]
        : []),
      { name: 'picture-purge', everyMs: 3600_000, run: () => createPictureStore(deps.db.sql).purge(new Date()) },
      ...(env.RESOLVED_AUTO_CLOSE_DAYS > 0
        ? [
            {
              name: 'close-resolved',
              everyMs: 3600_000,
              run: () => tickets.closeResolved(env.RESOLVED_AUTO_CLOSE_DAYS),
            },
          ]
        : []),
      {
        name: 'export-requests',
        everyMs: 5_000,
        run: () => notifyExportRequests({ ...exportDeps(deps.db.sql), notifier }),
      },
      ...(deps.kfWindows
        ? [
            {
              name: 'kf-keepalive',
              everyMs: env.WECOM_KF_KEEPALIVE_SWEEP_MS,
              run: () => tickets.keepKfCustomersReachable(),
            },
          ]
        : []),
    ],
  });
  workers.push(maintenance.worker);
  // The relay is the safety net for a Redis that lost its data, so it must not depend on Redis state:
  // an in-process timer as well as the scheduler (deterministic job ids make overlaps harmless).
  const relayTimer = setInterval(() => void relay().catch(() => {}), 5_000);
  relayTimer.unref();
  // Policies, rules and calendars edited through the admin API take effect here within 30 s.
  const reloadTimer = setInterval(() => {
    loadTicketConfig(db.prisma, configSource)
      .then((fresh) => Object.assign(config, fresh))
      .catch((err: unknown) => log.warn({ err: String(err) }, '重新加载工单配置失败，继续使用旧配置'));
  }, 30_000);
  reloadTimer.unref();
  return {
    workers,
    async close() {
      clearInterval(relayTimer);
      clearInterval(reloadTimer);
      for (const w of workers) await w.close();
      await maintenance.queue.close();
      await timers.queue.close();
    },
  };
}

function createResponder(deps: {
  env: Env;
  db: Database;
  log: Logger;
  tickets: ReturnType<typeof createTicketService>;
  returnPolicy: ReturnPolicy;
  serviceHours: (now: Date) => string;
  atWork: (now: Date) => boolean;
  orders?: OrderHandling;
}): Responder {
  const nlu = loadNlu(deps.env, deps.log);
  const identities = createIdentityStore(deps.db.prisma);
  const conversations = createConversationStore(deps.db.prisma);
  const held = createHeldMessages(deps.db.sql);
  return createMessageHandler({
    resolveSender: (d): Promise<Sender> => identities.resolve(d.channel, d.userRef, d.role, d.displayName),
    parser: nlu.parser,
    resolveContext: createContextResolver(nlu.spec),
    smalltalk: nlu.spec.smalltalk,
    labelNames: Object.fromEntries(nlu.spec.labels.map((l) => [l.id, l.zh])),
    chaseWords: nlu.spec.cues.chase,
    timingWords: nlu.spec.cues.timing,
    retractWords: nlu.spec.cues.retract,
    retractAnyWords: nlu.spec.cues.retractAny,
    // Only 微信客服 keeps messages for a customer (SendResult.held): no query for other channels' messages.
    heldMessages: async (d) =>
      d.channel === 'wecom_kf' ? held({ channel: d.channel, userRef: d.userRef, deliveryId: d.id }) : [],
    howtoWords: nlu.spec.cues.howto,
    evidence: nlu.spec.cues.evidence,
    handling: nlu.spec.cues.handling,
    sendLaterWords: nlu.spec.cues.sendLater,
    later: nlu.spec.cues.later,
    questionWords: nlu.spec.cues.question,
    fillerWords: nlu.spec.cues.filler,
    returnPolicy: deps.returnPolicy,
    serviceHours: deps.serviceHours,
    atWork: deps.atWork,
    handoffAfterHours: deps.env.WECOM_KF_HANDOFF_AFTER_HOURS,
    memory: { load: (k) => conversations.load<ConversationMemory>(k), save: (k, m) => conversations.save(k, m) },
    recordParse: createParseRecorder(deps.db.sql),
    tickets: deps.tickets,
    ...(deps.orders ? { orders: deps.orders } : {}),
    reports: (text) => reportAsked(createReportSources(deps.db.sql), text, new Date(), deps.log),
    exportDecision: (sender, text) => exportDecision(exportDeps(deps.db.sql), sender, text),
  });
}
