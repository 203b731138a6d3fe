import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RedisTokenCache } from '../outbound/token-cache.ts';
import {
  type AppMessageBody,
  type GroupRobotMessage,
  type KfMessage,
  type KfMessageBody,
  type KfServiceState,
  type KfSyncPage,
  kfMessageSchema,
  kfSyncPageSchema,
  type MediaFile,
  type MediaType,
} from './api-types.ts';
import { RateLimiter } from './rate-limiter.ts';
import { platformError, type WecomHttp, type WecomReply, type WecomRequest } from './wecom-http.ts';

export interface WecomApiClientOptions {
  http: WecomHttp;
  redis: Redis;
  corpId: string;
  /** The secret whose token this client uses: the app's (WECOM_SECRET) or kf's (WECOM_KF_SECRET). */
  secret: string;
  /** Names this secret's token in Redis, e.g. the agentId or `kf`. */
  tokenName: string;
  /** `agentid` of the self-built app, needed by message/send. */
  agentId?: number;
  keyPrefix?: string;
  /** Per-API calls per minute in this process (default 10 000, the per-corp platform cap). */
  perApiPerMinute?: number;
  /** `duplicate_check_interval` for message/send, seconds (default 600). */
  duplicateCheckSec?: number;
  /** Clock of the in-process limiters (tests move it with the fake server's clock). */
  now?: () => number;
}

/** The platform rejected the token: drop it, fetch a new one and retry once (platforms.md §4.1). */
const TOKEN_ERRCODES = new Set([40014, 42001, 42007]);

/**
 * Our own WeCom API client (no SDK): one instance per secret, token shared through Redis.
 * Every method throws CodedError PlatformApiError (or RateLimited for 45009) on a non-zero errcode.
 */
export class WecomApiClient {
  private readonly tokens: RedisTokenCache;
  private readonly perApi: RateLimiter;
  private readonly perWebhook: RateLimiter;

  constructor(private readonly options: WecomApiClientOptions) {
    const prefix = options.keyPrefix ?? '';
    this.tokens = new RedisTokenCache({
      redis: options.redis,
      key: `${prefix}wecom:token:${options.corpId}:${options.tokenName}`,
      label: '企业微信 access_token',
      api: 'gettoken',
      fetchToken: () => this.fetchToken(),
    });
    this.perApi = new RateLimiter({ limit: options.perApiPerMinute ?? 10_000, now: options.now });
    // A robot takes 20 messages/min (platforms.md §4.4); the cross-process budget should keep us below.
    this.perWebhook = new RateLimiter({ limit: 20, maxWaitMs: 0, now: options.now });
  }

  /** `message/send` to one or more members (`u1|u2`); returns the msgid and the invalid users, if any. */
  async sendAppMessage(touser: string, body: AppMessageBody): Promise<{ msgid: string; invalidUser: string }> {
    const data = {
      touser,
      agentid: this.options.agentId,
      ...body,
      // Identical JSON within the interval is delivered once, so a retried send cannot double up.
      enable_duplicate_check: 1,
      duplicate_check_interval: this.options.duplicateCheckSec ?? 600,
    };
    const reply = await this.call('message/send', data);
    return { msgid: String(reply.msgid ?? ''), invalidUser: String(reply.invaliduser ?? '') };
  }

  /**
   * `media/upload` (上传临时素材): the file as the multipart part `media`; returns the media_id (valid 3 days).
   * Same token, retry and refresh path as every other call.
   */
  async uploadMedia(type: MediaType, file: MediaFile): Promise<string> {
    const reply = await this.call('media/upload', await multipartBody(file), { type });
    const mediaId = strOrUndefined(reply.media_id);
    if (!mediaId) throw platformError('media/upload', -3, '响应缺少 media_id');
    return mediaId;
  }

  /** One page of `kf/sync_msg`; `token` comes from the kf_msg_or_event callback (valid 10 min). */
  async kfSyncMsg(args: { cursor?: string; token?: string; openKfId: string; limit?: number }): Promise<KfSyncPage> {
    const reply = await this.call('kf/sync_msg', {
      cursor: args.cursor || undefined,
      token: args.token,
      limit: args.limit ?? 1000,
      voice_format: 0,
      open_kfid: args.openKfId,
    });
    const page = kfSyncPageSchema.parse(reply);
    const messages: KfMessage[] = [];
    for (const entry of page.msg_list) {
      const parsed = kfMessageSchema.safeParse(entry);
      if (parsed.success) messages.push(parsed.data);
    }
    const skipped = page.msg_list.length - messages.length;
    return { nextCursor: page.next_cursor, hasMore: page.has_more === 1, messages, skipped };
  }

  /** `kf/send_msg`; pass our own `msgid` (≤ 32 B, [0-9a-zA-Z_-]) so a retry is idempotent. */
  async kfSendMsg(args: { touser: string; openKfId: string; msgid?: string; body: KfMessageBody }): Promise<string> {
    const data = { touser: args.touser, open_kfid: args.openKfId, msgid: args.msgid, ...args.body };
    const reply = await this.call('kf/send_msg', data);
    return String(reply.msgid ?? args.msgid ?? '');
  }

  /**
   * `kf/send_msg_on_event`: the one message a session event allows, e.g. the welcome for an enter_session's
   * `welcome_code`, or the msg_code of a session a person ended (valid 20 s, once). It does not count against
   * the 48 h / 5-message window.
   */
  async kfSendMsgOnEvent(args: { code: string; msgid?: string; body: KfMessageBody }): Promise<string> {
    const reply = await this.call('kf/send_msg_on_event', { code: args.code, msgid: args.msgid, ...args.body });
    return String(reply.msgid ?? args.msgid ?? '');
  }

  /** `kf/service_state/get`. */
  async kfGetServiceState(args: { openKfId: string; externalUserId: string }) {
    const reply = await this.call('kf/service_state/get', {
      open_kfid: args.openKfId,
      external_userid: args.externalUserId,
    });
    return { serviceState: Number(reply.service_state ?? 0), servicerUserId: strOrUndefined(reply.servicer_userid) };
  }

  /** `kf/service_state/trans` — e.g. to {@link KfServiceState.Queued} / HumanServing to hand over to a person. */
  async kfTransServiceState(args: {
    openKfId: string;
    externalUserId: string;
    serviceState: KfServiceState;
    servicerUserId?: string;
  }): Promise<{ msgCode?: string }> {
    const reply = await this.call('kf/service_state/trans', {
      open_kfid: args.openKfId,
      external_userid: args.externalUserId,
      service_state: args.serviceState,
      servicer_userid: args.servicerUserId,
    });
    return { msgCode: strOrUndefined(reply.msg_code) };
  }

  /** Group robot webhook (push-only, ≤ 20/min per robot). The URL holds the key: never logged. */
  async sendGroupRobot(webhookUrl: string, message: GroupRobotMessage): Promise<void> {
    const tag = `webhook:${createHash('sha1').update(webhookUrl).digest('hex').slice(0, 12)}`;
    await this.perWebhook.acquire(tag);
    await this.plain({ api: 'webhook/send', method: 'POST', url: webhookUrl, data: message });
  }

  /** 智能机器人 proactive reply through the callback's `response_url` (once, within 1 h; doc 101138). */
  async replyBotResponse(responseUrl: string, content: string): Promise<void> {
    const data = { msgtype: 'markdown', markdown: { content } };
    await this.plain({ api: 'aibot/response', method: 'POST', url: responseUrl, data });
  }

  private async plain(req: WecomRequest): Promise<WecomReply> {
    const reply = await this.options.http.request(req);
    if (reply.errcode !== 0) throw platformError(req.api, reply.errcode, reply.errmsg);
    return reply;
  }

  /**
   * POST `/cgi-bin/<api>` with the access token (and any other query `params`); on a token errcode evicts and
   * retries exactly once.
   */
  private async call(api: string, data: unknown, params: Record<string, string> = {}): Promise<WecomReply> {
    await this.perApi.acquire(api);
    const reply = await this.tokens.withToken(
      (token) =>
        this.options.http.request({
          api,
          method: 'POST',
          url: `/cgi-bin/${api}`,
          params: { ...params, access_token: token },
          data,
        }),
      (r) => TOKEN_ERRCODES.has(r.errcode),
    );
    if (reply.errcode !== 0) throw platformError(api, reply.errcode, reply.errmsg);
    return reply;
  }

  private async fetchToken() {
    const { corpId, secret } = this.options;
    const reply = await this.plain({
      api: 'gettoken',
      method: 'GET',
      url: '/cgi-bin/gettoken',
      params: { corpid: corpId, corpsecret: secret },
    });
    const token = strOrUndefined(reply.access_token);
    if (!token) throw platformError('gettoken', -3, '响应缺少 access_token');
    return { token, expiresInSec: Number(reply.expires_in ?? 7200) };
  }
}

/**
 * A multipart/form-data body with `file` as the part `media`, encoded as fetch encodes a FormData. It is a Blob
 * whose type carries the boundary: axios sends a Blob as is with that Content-Type (a FormData would be turned
 * into JSON by the transport's JSON Content-Type), and every retry reads it afresh.
 */
async function multipartBody(file: MediaFile): Promise<Blob> {
  const form = new FormData();
  form.append('media', new Blob([file.bytes], { type: file.contentType }), file.filename);
  return new Response(form).blob();
}

function strOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}
