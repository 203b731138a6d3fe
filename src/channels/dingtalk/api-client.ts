import type { Redis } from 'ioredis';
import { CodedError, ErrorCode, rateLimited } from '../../domain/errors.ts';
import { RedisTokenCache } from '../outbound/token-cache.ts';
import {
  DEFAULT_DINGTALK_OAPI_BASE,
  DingtalkHttp,
  type DingtalkHttpOptions,
  type DingtalkResponse,
  dingtalkError,
} from './dingtalk-http.ts';
import type { RobotTemplate, WebhookMessage } from './messages.ts';

export interface DingtalkApiClientOptions extends DingtalkHttpOptions {
  /** Shared by all processes: the token lives here. */
  redis: Redis;
  /** Prefix of this client's Redis keys (e.g. `aftersales:`). */
  keyPrefix?: string;
  /** `DINGTALK_CLIENT_ID` (AppKey). */
  appKey: string;
  /** `DINGTALK_CLIENT_SECRET` (AppSecret); sent only to the token endpoint, never logged. */
  appSecret: string;
  /** `DINGTALK_ROBOT_CODE` (usually the AppKey for an internal app). */
  robotCode: string;
  /** Refresh the token this long before it expires (default 300 s). */
  tokenEarlySec?: number;
  /** `DINGTALK_OAPI_BASE`, default https://oapi.dingtalk.com: the old API host (`media/upload`). */
  oapiBaseUrl?: string;
}

/** A file for `media/upload`. */
export interface MediaFile {
  bytes: Uint8Array;
  /** e.g. `report.png`. */
  filename: string;
  /** e.g. `image/png`. */
  contentType: string;
}

/** What `oToMessages/batchSend` reports: users listed here did not get the message (platforms.md §6.3). */
export interface BatchSendResult {
  processQueryKey: string;
  invalidStaffIdList: string[];
  flowControlledStaffIdList: string[];
}

/** sessionWebhook errcodes: 300001 session gone (expired), 130101 too fast (platforms.md §6.2, §6.6). */
export const SESSION_EXPIRED = 300001;
const SEND_TOO_FAST = 130101;
/**
 * Old-API errcodes for a refused access token: 40014 invalid, 42001 expired — as the errcode itself or as
 * the sub_code of errcode 88 (鉴权异常).
 */
const TOKEN_REFUSED = new Set(['40014', '42001']);
const AUTH_ERROR = 88;

/** True for the error `replyViaSessionWebhook` throws when the session has expired. */
export function isSessionExpired(err: unknown): boolean {
  return err instanceof CodedError && err.details?.code === SESSION_EXPIRED;
}

/**
 * The DingTalk OpenAPI calls the channel needs. Token: `POST /v1.0/oauth2/accessToken`, cached in
 * Redis across processes, dropped and fetched again once when a call answers 401 (the old API host's
 * `media/upload` takes the same token as `access_token` and refuses it with 40014/42001). Transport retries
 * (network, 5xx) are in {@link DingtalkHttp}; 4xx and business codes are never retried here.
 */
export class DingtalkApiClient {
  private readonly http: DingtalkHttp;
  private readonly tokens: RedisTokenCache;

  constructor(private readonly options: DingtalkApiClientOptions) {
    this.http = new DingtalkHttp(options);
    this.tokens = new RedisTokenCache({
      redis: options.redis,
      key: `${options.keyPrefix ?? ''}dingtalk:token:${options.appKey}`,
      label: '钉钉 access token',
      api: 'accessToken',
      earlySec: options.tokenEarlySec,
      fetchToken: () => this.fetchToken(),
    });
  }

  /** A valid access token (from Redis when another process already has one). */
  accessToken(): Promise<string> {
    return this.tokens.get();
  }

  /** Replies in the conversation a message came from; throws (see {@link isSessionExpired}) once it expired. */
  async replyViaSessionWebhook(url: string, message: WebhookMessage): Promise<void> {
    const { body } = await this.http.post({ api: 'sessionWebhook', url, data: message });
    const errcode = typeof body.errcode === 'number' ? body.errcode : 0;
    if (errcode === 0) return;
    const errmsg = typeof body.errmsg === 'string' ? body.errmsg : undefined;
    if (errcode === SEND_TOO_FAST) throw rateLimited('钉钉机器人发送过快（130101），请稍后再试', 60);
    throw dingtalkError('sessionWebhook', { code: errcode, message: errmsg, retryable: errcode === -1 });
  }

  /** 1:1 robot messages to up to 20 staff ids (`oToMessages/batchSend`). */
  async batchSendToUsers(userIds: string[], template: RobotTemplate): Promise<BatchSendResult> {
    if (userIds.length === 0 || userIds.length > 20) {
      throw new CodedError(ErrorCode.BadRequest, 'batchSend 一次只能发给 1–20 个用户', { count: userIds.length });
    }
    const body = await this.callWithToken('oToMessages/batchSend', '/v1.0/robot/oToMessages/batchSend', {
      robotCode: this.options.robotCode,
      userIds,
      msgKey: template.msgKey,
      msgParam: JSON.stringify(template.msgParam),
    });
    return {
      processQueryKey: String(body.processQueryKey ?? ''),
      invalidStaffIdList: stringList(body.invalidStaffIdList),
      flowControlledStaffIdList: stringList(body.flowControlledStaffIdList),
    };
  }

  /** A robot message into a group the robot is in (`groupMessages/send`). */
  async sendToGroup(openConversationId: string, template: RobotTemplate): Promise<{ processQueryKey: string }> {
    const body = await this.callWithToken('groupMessages/send', '/v1.0/robot/groupMessages/send', {
      robotCode: this.options.robotCode,
      openConversationId,
      msgKey: template.msgKey,
      msgParam: JSON.stringify(template.msgParam),
    });
    return { processQueryKey: String(body.processQueryKey ?? '') };
  }

  /**
   * Uploads an image (`POST {oapi}/media/upload?type=image`, multipart field `media`) and returns its
   * media_id, which `sampleImageMsg` takes as `photoURL`. A non-zero errcode is a business error (−1, busy,
   * may be retried later); network errors and 5xx are retried like every other call.
   */
  async uploadImage(file: MediaFile): Promise<string> {
    const api = 'media/upload';
    const base = (this.options.oapiBaseUrl ?? DEFAULT_DINGTALK_OAPI_BASE).replace(/\/+$/, '');
    const blob = new Blob([file.bytes], { type: file.contentType });
    const res = await this.tokens.withToken(
      (token) => {
        const form = new FormData();
        form.append('media', blob, file.filename);
        const url = `${base}/media/upload?access_token=${encodeURIComponent(token)}&type=image`;
        return this.http.post({ api, url, data: form });
      },
      (r) => r.status === 401 || tokenRefused(r.body),
    );
    const body = okBody(api, res);
    const errcode = body.errcode === undefined ? 0 : Number(body.errcode);
    if (errcode !== 0) {
      const errmsg = typeof body.errmsg === 'string' ? body.errmsg : undefined;
      const subCode = body.sub_code === undefined ? undefined : String(body.sub_code);
      const code = errcode === AUTH_ERROR && subCode ? `${errcode}/${subCode}` : errcode;
      throw dingtalkError(api, { code, message: errmsg, retryable: errcode === -1 });
    }
    const mediaId = body.media_id;
    if (typeof mediaId !== 'string' || mediaId === '') {
      throw dingtalkError(api, { status: res.status, message: 'no media_id in response', retryable: false });
    }
    return mediaId;
  }

  /** POST with `x-acs-dingtalk-access-token`; on 401 the token is dropped and the call made once more. */
  private async callWithToken(api: string, url: string, data: unknown): Promise<Record<string, unknown>> {
    const res = await this.tokens.withToken(
      (token) => this.http.post({ api, url, data, headers: { 'x-acs-dingtalk-access-token': token } }),
      (r) => r.status === 401,
    );
    return okBody(api, res);
  }

  private async fetchToken(): Promise<{ token: string; expiresInSec: number }> {
    const res = await this.http.post({
      api: 'accessToken',
      url: '/v1.0/oauth2/accessToken',
      data: { appKey: this.options.appKey, appSecret: this.options.appSecret },
    });
    const body = okBody('accessToken', res);
    const token = body.accessToken;
    const expireIn = Number(body.expireIn ?? 7200);
    if (typeof token !== 'string' || token === '') {
      throw dingtalkError('accessToken', {
        status: res.status,
        message: 'no accessToken in response',
        retryable: false,
      });
    }
    return { token, expiresInSec: Number.isFinite(expireIn) && expireIn > 0 ? expireIn : 7200 };
  }
}

/** The body of a 2xx answer; a 4xx becomes a PlatformApiError (429 / throttling codes → RateLimited). */
function okBody(api: string, res: DingtalkResponse): Record<string, unknown> {
  if (res.status >= 200 && res.status < 300) return res.body;
  const code = typeof res.body.code === 'string' ? res.body.code : undefined;
  const message = typeof res.body.message === 'string' ? res.body.message : undefined;
  if (res.status === 429 || /throttl|qpslimit|flowcontrol/i.test(code ?? '')) {
    throw rateLimited(`钉钉接口 ${api} 调用频率超限`, 60);
  }
  throw dingtalkError(api, { status: res.status, code, message, retryable: false });
}

/** True when an old-API answer says the access token is invalid or expired. */
function tokenRefused(body: Record<string, unknown>): boolean {
  const errcode = body.errcode === undefined ? '' : String(body.errcode);
  if (TOKEN_REFUSED.has(errcode)) return true;
  return errcode === String(AUTH_ERROR) && TOKEN_REFUSED.has(String(body.sub_code ?? ''));
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
