import type { Redis } from 'ioredis';
import { asCodedError, ErrorCode } from '../../domain/errors.ts';
import type { Channel, ChannelId, OutboundMessage, SendResult } from '../channel.ts';
import type { PendingMessage, SendBudget } from '../outbound/budget-store.ts';
import type { PictureLinks } from '../outbound/picture.ts';
import { combineUpdates } from '../outbound/plain-text.ts';
import type { RerouteReason } from '../send-budget.ts';
import { WecomApiClient } from './api-client.ts';
import { sendApp } from './send-app.ts';
import { failed, LIMITS, plainText, REROUTE_TEXT, type SendContext, stableId } from './send-context.ts';
import { sendBotReply, sendGroup } from './send-group.ts';
import { sendKf } from './send-kf.ts';
import { DEFAULT_WECOM_API_BASE, WecomHttp, type WecomHttpOptions } from './wecom-http.ts';

export { WecomApiClient } from './api-client.ts';
export { KF_FAIL_TYPES, KfServiceState } from './api-types.ts';
export {
  type CursorStore,
  type KfRecall,
  type KfRejectSwitch,
  type KfSendFailure,
  kfCursorId,
  syncKf,
} from './kf.ts';
export { createMemoryNonceStore, createRedisNonceStore, type NonceStore } from './nonce-store.ts';
export { registerWecomRoutes, type WecomCallbackConfig, type WecomRouteDeps } from './routes.ts';
export { ownsKfMsgId } from './send-kf.ts';

/** Message channels this adapter delivers: app members & groups, 微信客服 customers, 智能机器人 groups. */
export const WECOM_CHANNEL_IDS: readonly ChannelId[] = ['wecom', 'wecom_kf', 'wecom_bot'];

export interface WecomChannelOptions {
  redis: Redis;
  /** Client on the self-built app's secret (message/send, group robots, response_url). */
  api: WecomApiClient;
  /** Client on the kf secret; defaults to `api` (an app set as 微信客服 → 可调用接口的应用). */
  kfApi?: WecomApiClient;
  budget: SendBudget;
  apiBase?: string;
  keyPrefix?: string;
  /** open_kfid used when a kf reply carries none in replyContext. */
  defaultOpenKfId?: string;
  /** Group robot webhooks by name (e.g. `managers`, `warehouse`); OutboundMessage.target.chatId names one. */
  groupWebhooks?: Record<string, string>;
  /** Name in `groupWebhooks` that receives customer updates kf cannot deliver. */
  staffGroup?: string;
  /** Custom reroute (e.g. the core notifying the ticket owner); replaces the staff-group note. */
  onReroute?: (message: OutboundMessage, reason: RerouteReason, text: string) => Promise<void>;
  appMarkdown?: boolean;
  /** Where the bot's replies link their pictures (PUBLIC_BASE_URL); unset: bot replies go without them. */
  pictureLinks?: PictureLinks;
  /** How often deferred/merged messages are checked (default 15 s). */
  flushIntervalMs?: number;
  onError?: (err: unknown) => void;
}

/** The WeCom channel, plus the flush of deferred messages (also run by `start()` on a timer). */
export interface WecomChannel extends Channel {
  flushDue(): Promise<number>;
  /**
   * A 微信客服 message WeCom accepted and later reported undelivered (msg_send_fail): the staff group gets it
   * with `why`, once per message (a repeated report is answered from the first).
   */
  undelivered(message: OutboundMessage, why: string): Promise<SendResult>;
}

/**
 * Creates the WeCom Channel. `send` routes by `message.channel` and target: `wecom_kf` → kf/send_msg
 * (48 h / 5-message budget), `wecom` + userRef → message/send, `wecom` + chatId → group robot,
 * `wecom_bot` → response_url. A dedupeKey is sent at most once (Redis marker, 24 h). Transient
 * platform errors are thrown (so the caller's job retries); permanent ones return `failed`.
 */
export function createWecomChannel(opts: WecomChannelOptions): WecomChannel {
  const prefix = opts.keyPrefix ?? '';
  const ctx: SendContext = {
    api: opts.api,
    kfApi: opts.kfApi ?? opts.api,
    budget: opts.budget,
    redis: opts.redis,
    keyPrefix: prefix,
    apiOrigin: new URL(opts.apiBase ?? DEFAULT_WECOM_API_BASE).origin,
    defaultOpenKfId: opts.defaultOpenKfId,
    groupWebhooks: opts.groupWebhooks ?? {},
    appMarkdown: opts.appMarkdown ?? true,
    ...(opts.pictureLinks ? { pictureLinks: opts.pictureLinks } : {}),
    reroute: (message, reason, text) => reroute(ctx, opts, message, reason, text),
  };
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<number> | undefined;
  const send = (message: OutboundMessage) => sendOnce(ctx, message);
  const flushDue = () => {
    flushing ??= flushPending(ctx, send, opts.onError).finally(() => {
      flushing = undefined;
    });
    return flushing;
  };
  return {
    id: 'wecom',
    async start() {
      timer ??= setInterval(() => void flushDue().catch(opts.onError), opts.flushIntervalMs ?? 15_000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await flushing?.catch(() => 0);
    },
    send,
    flushDue,
    undelivered: (message, why) =>
      reroute(ctx, opts, message, 'kf_send_failed', `${plainText(message)}\n（未送达原因：${why}）`),
  };
}

async function sendOnce(ctx: SendContext, message: OutboundMessage): Promise<SendResult> {
  const marker = `${ctx.keyPrefix}wecom:sent:${stableId(message.dedupeKey, 40)}`;
  if ((await ctx.redis.set(marker, 'pending', 'EX', 86_400, 'NX')) !== 'OK') {
    const previous = await ctx.redis.get(marker);
    if (previous && previous !== 'pending') return JSON.parse(previous) as SendResult;
    return failed('同一条消息（dedupeKey 相同）正在发送中');
  }
  try {
    const result = await route(ctx, message);
    if (result.status === 'failed') await ctx.redis.del(marker);
    else await ctx.redis.set(marker, JSON.stringify(result), 'EX', 86_400);
    return result;
  } catch (err) {
    await ctx.redis.del(marker);
    const coded = asCodedError(err);
    if (coded.code === ErrorCode.RateLimited || coded.details?.transient === true) throw coded;
    return failed(coded.message);
  }
}

function route(ctx: SendContext, message: OutboundMessage): Promise<SendResult> {
  const { userRef, chatId } = message.target;
  if (message.channel === 'wecom_kf') return sendKf(ctx, message);
  if (message.channel === 'wecom_bot') return sendBotReply(ctx, message);
  if (message.channel !== 'wecom') return Promise.resolve(failed(`企业微信通道不能发送 ${message.channel} 消息`));
  if (chatId) return sendGroup(ctx, message, chatId);
  if (userRef) return sendApp(ctx, message, userRef);
  return Promise.resolve(failed('消息缺少接收人（userRef 或 chatId）'));
}

async function reroute(
  ctx: SendContext,
  opts: WecomChannelOptions,
  message: OutboundMessage,
  reason: RerouteReason,
  text: string,
): Promise<SendResult> {
  if (opts.onReroute) {
    await opts.onReroute(message, reason, text);
    return { status: 'rerouted', error: REROUTE_TEXT[reason] };
  }
  const group = opts.staffGroup;
  if (!group || !ctx.groupWebhooks[group]) return failed(`${REROUTE_TEXT[reason]}，且未配置接收转交消息的员工群`);
  const head = reason === 'kf_handoff_failed' ? '【转人工未成功，请人工接入】' : '【客户消息未送达，请人工跟进】';
  const body = reason === 'kf_handoff_failed' ? '已回复顾客' : '原消息';
  // Through sendOnce: a note rerouted again (a retried job, a repeated msg_send_fail) reaches the group once.
  const result = await sendOnce(ctx, {
    channel: 'wecom',
    target: { chatId: group },
    kind: 'alert',
    text: `${head}${REROUTE_TEXT[reason]}。\n客户：${message.target.userRef ?? '未知'}\n${body}：\n${text}`,
    dedupeKey: `reroute:${message.dedupeKey}`,
  });
  if (result.status === 'failed')
    return failed(`${REROUTE_TEXT[reason]}；转给员工群也失败：${result.error ?? '未知错误'}`);
  return { status: 'rerouted', error: REROUTE_TEXT[reason] };
}

async function flushPending(
  ctx: SendContext,
  send: (m: OutboundMessage) => Promise<SendResult>,
  onError?: (err: unknown) => void,
): Promise<number> {
  const due = await ctx.budget.takeDue();
  for (const pending of due) {
    try {
      await send(mergedMessage(pending));
    } catch (err) {
      onError?.(err);
    }
  }
  return due.length;
}

/** One message standing for every merged one; a single deferred message keeps its card. */
function mergedMessage(pending: PendingMessage): OutboundMessage {
  const single = pending.texts.length === 1;
  return {
    ...pending.message,
    kind: single ? pending.message.kind : 'push',
    text: combineUpdates(pending.texts, LIMITS.kfText),
    markdown: undefined,
    card: single ? pending.message.card : undefined,
    dedupeKey: `merged:${stableId(pending.dedupeKeys.join('|'), 40)}`,
  };
}

export interface WecomClientsConfig extends WecomHttpOptions {
  redis: Redis;
  corpId: string;
  /** WECOM_SECRET of the self-built app. */
  secret: string;
  agentId?: number;
  /** WECOM_KF_SECRET when kf is driven by another secret than the app's. */
  kfSecret?: string;
  keyPrefix?: string;
  now?: () => number;
}

/** Builds the app client and, when a separate kf secret is set, the kf client (one token each). */
export function createWecomClients(config: WecomClientsConfig): { api: WecomApiClient; kfApi: WecomApiClient } {
  const http = new WecomHttp(config);
  const common = { http, redis: config.redis, corpId: config.corpId, keyPrefix: config.keyPrefix, now: config.now };
  const api = new WecomApiClient({
    ...common,
    secret: config.secret,
    agentId: config.agentId,
    tokenName: String(config.agentId ?? 'app'),
  });
  const kfApi = config.kfSecret ? new WecomApiClient({ ...common, secret: config.kfSecret, tokenName: 'kf' }) : api;
  return { api, kfApi };
}
