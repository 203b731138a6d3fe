import type { Redis } from 'ioredis';
import pino from 'pino';
import { CodedError, ErrorCode, rateLimited } from '../../domain/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Channel, Ingest, OutboundMessage, SendResult } from '../channel.ts';
import { pictureWithin } from '../outbound/picture.ts';
import { DingtalkApiClient, isSessionExpired } from './api-client.ts';
import { dingtalkError, isRetryable } from './dingtalk-http.ts';
import {
  type DingtalkPart,
  IMAGE_LIMIT,
  type RobotTemplate,
  renderParts,
  toImageTemplate,
  toRobotTemplate,
  toWebhookMessage,
} from './messages.ts';
import type { DingtalkReplyContext } from './robot-payload.ts';
import { DingtalkStream, type DingtalkStreamOptions } from './stream.ts';

export { DingtalkApiClient, isSessionExpired } from './api-client.ts';
export type { DingtalkReplyContext } from './robot-payload.ts';
export { DingtalkStream } from './stream.ts';

export interface DingtalkChannelOptions {
  /** `DINGTALK_CLIENT_ID` (AppKey). */
  clientId: string;
  /** `DINGTALK_CLIENT_SECRET` (AppSecret). */
  clientSecret: string;
  /** `DINGTALK_ROBOT_CODE`. */
  robotCode: string;
  /** Shared Redis: access token, sent-part ledger, uploaded pictures' media_ids. */
  redis: Redis;
  /** Prefix of the channel's Redis keys (e.g. `QUEUE_PREFIX + ':'`). */
  keyPrefix?: string;
  /** Needed by `start()` only (worker processes send without receiving). */
  ingest?: Ingest;
  /** `DINGTALK_API_BASE`, default https://api.dingtalk.com. */
  apiBase?: string;
  /** `DINGTALK_OAPI_BASE`, default https://oapi.dingtalk.com: the old API host (picture upload). */
  oapiBase?: string;
  /** `DINGTALK_GATEWAY_URL`, default https://api.dingtalk.com/v1.0/gateway/connections/open. */
  gatewayUrl?: string;
  log?: Logger;
  /** Longest part sent, in UTF-8 bytes (default 4000; DingTalk publishes no hard number, see README). */
  maxMessageBytes?: number;
  /** Stop using a sessionWebhook this long before its expiry (default 60 s). */
  webhookSafetyMs?: number;
  /** Transport tuning for the OpenAPI client. */
  http?: { timeoutMs?: number; retries?: number; baseDelayMs?: number };
  /** Stream tuning (backoff, heartbeat). */
  stream?: Pick<DingtalkStreamOptions, 'backoff' | 'heartbeatMs' | 'stableMs' | 'connectTimeoutMs' | 'ingestRetries'>;
  now?: () => number;
}

export interface DingtalkChannel extends Channel {
  readonly api: DingtalkApiClient;
  /** The receiver once `start()` ran. */
  readonly stream: DingtalkStream | undefined;
}

const SENT_TTL_SEC = 7 * 24 * 3600;
/** How long a message's uploaded picture is reused by its retries. */
const MEDIA_TTL_SEC = 6 * 3600;

/**
 * The DingTalk channel: Stream Mode in, robot messages out. `send()` answers through the message's
 * sessionWebhook while it is valid (with a safety margin) and falls back to the robot APIs —
 * `groupMessages/send` for groups, `oToMessages/batchSend` for one person — when it has expired or
 * answers 300001. A picture goes last, uploaded (`media/upload`) and sent as `sampleImageMsg` through the
 * robot API to the same conversation, even when the text went through the webhook. Each part, the picture
 * included, is recorded in Redis under the message's dedupeKey, so a retried job never sends a part twice;
 * the picture's media_id is kept too, so a retry does not upload it again. A picture over DingTalk's 10 MB
 * limit is left out (the text reads whole without it). Retryable failures (network, 5xx, throttling) throw
 * so the job retries; business errors resolve as `failed`.
 */
export function createDingtalkChannel(opts: DingtalkChannelOptions): DingtalkChannel {
  const log = opts.log ?? pino({ level: 'silent' });
  const now = opts.now ?? Date.now;
  const prefix = opts.keyPrefix ?? '';
  const api = new DingtalkApiClient({
    redis: opts.redis,
    keyPrefix: prefix,
    appKey: opts.clientId,
    appSecret: opts.clientSecret,
    robotCode: opts.robotCode,
    baseUrl: opts.apiBase,
    oapiBaseUrl: opts.oapiBase,
    ...opts.http,
  });
  let stream: DingtalkStream | undefined;

  async function sendPart(part: DingtalkPart, route: Route): Promise<string> {
    if (route.webhook) {
      try {
        await api.replyViaSessionWebhook(route.webhook, toWebhookMessage(part));
        return 'session-webhook';
      } catch (err) {
        if (!isSessionExpired(err)) throw err;
        route.webhook = undefined; // expired early: this and the remaining parts go through the robot API
      }
    }
    return sendViaRobot(toRobotTemplate(part), route);
  }

  async function sendViaRobot(template: RobotTemplate, route: Route): Promise<string> {
    if (route.group) return (await api.sendToGroup(route.group, template)).processQueryKey;
    const user = route.user;
    if (!user) throw new CodedError(ErrorCode.BadRequest, '钉钉消息缺少接收人（userRef）');
    const result = await api.batchSendToUsers([user], template);
    if (result.invalidStaffIdList.includes(user)) {
      throw dingtalkError('oToMessages/batchSend', { code: 'invalidStaffId', retryable: false });
    }
    if (result.flowControlledStaffIdList.includes(user)) throw rateLimited('钉钉对该用户限流，稍后重发', 60);
    return result.processQueryKey;
  }

  /** Uploads the picture once per message (its media_id kept for retries), then sends it as sampleImageMsg. */
  async function sendPicture(dedupeKey: string, png: Buffer, route: Route): Promise<string> {
    const mediaKey = `${prefix}dingtalk:media:${dedupeKey}`;
    let mediaId = await opts.redis.get(mediaKey);
    if (!mediaId) {
      mediaId = await api.uploadImage({ bytes: png, filename: 'report.png', contentType: 'image/png' });
      await opts.redis.set(mediaKey, mediaId, 'EX', MEDIA_TTL_SEC);
    }
    return sendViaRobot(toImageTemplate(mediaId), route);
  }

  return {
    id: 'dingtalk',
    api,
    get stream() {
      return stream;
    },
    async start() {
      if (!opts.ingest) throw new CodedError(ErrorCode.ConfigInvalid, '钉钉渠道缺少 ingest，无法接收消息');
      const { clientId, clientSecret, gatewayUrl, ingest } = opts;
      stream ??= new DingtalkStream({ clientId, clientSecret, gatewayUrl, ingest, log, ...opts.stream });
      await stream.start();
    },
    async stop() {
      await stream?.stop();
    },
    async send(message): Promise<SendResult> {
      const route = routeOf(message, now() + (opts.webhookSafetyMs ?? 60_000));
      const parts = renderParts(message, { maxBytes: opts.maxMessageBytes ?? 4000, group: route.group !== undefined });
      const steps = parts.map((part) => () => sendPart(part, route));
      const picture = pictureWithin(message.picture, IMAGE_LIMIT);
      if (picture && 'png' in picture) {
        const { png } = picture;
        steps.push(() => sendPicture(message.dedupeKey, png, route));
      } else if (picture) {
        log.warn({ dedupeKey: message.dedupeKey, reason: picture.skipped }, '钉钉图片未发送，只发文字');
      }
      const ids: string[] = [];
      for (const [i, step] of steps.entries()) {
        const key = `${prefix}dingtalk:sent:${message.dedupeKey}:${i}`;
        const already = await opts.redis.get(key);
        if (already) {
          ids.push(already);
          continue;
        }
        try {
          const id = await step();
          ids.push(id);
          await opts.redis.set(key, id || 'sent', 'EX', SENT_TTL_SEC);
        } catch (err) {
          if (isRetryable(err)) throw err;
          const error = err instanceof Error ? err.message : String(err);
          log.warn({ err: error, dedupeKey: message.dedupeKey, part: i }, '钉钉消息发送失败');
          return { status: 'failed', platformIds: ids, error };
        }
      }
      return { status: 'sent', platformIds: ids };
    },
  };
}

interface Route {
  /** sessionWebhook still valid at `validUntil`. */
  webhook: string | undefined;
  /** openConversationId for a group. */
  group: string | undefined;
  /** staffId for a 1:1 message. */
  user: string | undefined;
}

/**
 * Where a message goes. The sessionWebhook answers the conversation the context came from, so it is
 * used only while valid at `validUntil` and only when that conversation is the target.
 */
function routeOf(message: OutboundMessage, validUntil: number): Route {
  const ctx = (message.replyContext ?? {}) as Partial<DingtalkReplyContext>;
  const ctxGroup =
    ctx.conversationType === '2' && typeof ctx.conversationId === 'string' ? ctx.conversationId : undefined;
  const ctxUser = ctx.conversationType === '1' && typeof ctx.senderStaffId === 'string' ? ctx.senderStaffId : undefined;
  const group = message.target.chatId ?? (message.target.userRef ? undefined : ctxGroup);
  const user = message.target.userRef ?? ctxUser;
  const sameConversation = group !== undefined ? group === ctxGroup : user !== undefined && user === ctxUser;
  const expires = typeof ctx.sessionWebhookExpiredTime === 'number' ? ctx.sessionWebhookExpiredTime : 0;
  const valid = typeof ctx.sessionWebhook === 'string' && expires > validUntil && sameConversation;
  return { webhook: valid ? ctx.sessionWebhook : undefined, group, user };
}
