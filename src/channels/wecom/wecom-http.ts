import axios, { type AxiosInstance } from 'axios';
import { CodedError, ErrorCode, rateLimited } from '../../domain/errors.ts';

export interface WecomHttpOptions {
  /** Default https://qyapi.weixin.qq.com (WECOM_API_BASE); tests point it at a local fake. */
  baseUrl?: string;
  timeoutMs?: number;
  /** Extra attempts on network errors, HTTP 5xx and errcode -1 (default 2). */
  retries?: number;
  /** First backoff delay; doubles each attempt, plus up to 50 % jitter (default 300 ms). */
  baseDelayMs?: number;
}

/** Every WeCom API answers JSON with `errcode` (0 = ok), even on errors (platforms.md §4). */
export interface WecomReply {
  errcode: number;
  errmsg?: string;
  [field: string]: unknown;
}

export interface WecomRequest {
  /** Name for errors and logs, never containing credentials (e.g. `message/send`). */
  api: string;
  method: 'GET' | 'POST';
  /** Path under the base URL, or an absolute URL (webhooks, response_url). */
  url: string;
  params?: Record<string, string | number>;
  data?: unknown;
}

export const DEFAULT_WECOM_API_BASE = 'https://qyapi.weixin.qq.com';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A PlatformApiError without secrets: api name, errcode, a bounded errmsg, and `transient` when a later
 * retry may succeed (network, 5xx, errcode -1 after our own retries). 45009 → RateLimited.
 */
export function platformError(
  api: string,
  errcode: number,
  errmsg: string | undefined,
  status?: number,
  transient = false,
): CodedError {
  if (errcode === 45009) return rateLimited(`企业微信接口 ${api} 调用频率超限（45009）`, 60);
  const details = { api, errcode, errmsg: (errmsg ?? '').slice(0, 200), status, transient };
  return new CodedError(ErrorCode.PlatformApiError, `企业微信接口 ${api} 返回错误 ${errcode}`, details);
}

/**
 * The transport under the WeCom client: JSON over axios with bounded retries. Retries only what a
 * retry can fix — no response, 5xx, errcode -1 (系统繁忙) — never 4xx or business errcodes.
 */
export class WecomHttp {
  private readonly axios: AxiosInstance;

  constructor(private readonly options: WecomHttpOptions = {}) {
    this.axios = axios.create({
      baseURL: options.baseUrl ?? DEFAULT_WECOM_API_BASE,
      timeout: options.timeoutMs ?? 10_000,
      validateStatus: () => true,
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
    });
  }

  /** Performs `req`; resolves with the JSON body whatever its errcode (the caller decides). */
  async request(req: WecomRequest): Promise<WecomReply> {
    const retries = this.options.retries ?? 2;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.once(req);
      if (outcome.kind === 'ok' && outcome.reply.errcode !== -1) return outcome.reply;
      if (attempt >= retries) throw this.finalError(req.api, outcome);
      const base = this.options.baseDelayMs ?? 300;
      await sleep(base * 2 ** attempt * (1 + Math.random() / 2));
    }
  }

  private async once(req: WecomRequest): Promise<Outcome> {
    try {
      const res = await this.axios.request({ method: req.method, url: req.url, params: req.params, data: req.data });
      if (res.status >= 500) return { kind: 'server', status: res.status };
      const body: unknown = res.data;
      if (res.status >= 400 || !isReply(body)) {
        // 4xx or a non-JSON answer: retrying will not help.
        throw platformError(req.api, -2, `HTTP ${res.status}`, res.status);
      }
      return { kind: 'ok', reply: body };
    } catch (err) {
      if (err instanceof CodedError) throw err;
      // No response (refused, reset, timeout). The axios error holds the URL with secrets: drop it.
      return { kind: 'network', reason: axios.isAxiosError(err) ? (err.code ?? 'network') : 'network' };
    }
  }

  private finalError(api: string, outcome: Outcome): CodedError {
    if (outcome.kind === 'ok') return platformError(api, outcome.reply.errcode, outcome.reply.errmsg, undefined, true);
    if (outcome.kind === 'server') return platformError(api, -2, `HTTP ${outcome.status}`, outcome.status, true);
    return new CodedError(ErrorCode.PlatformApiError, `无法连接企业微信接口 ${api}（${outcome.reason}）`, {
      api,
      reason: outcome.reason,
      transient: true,
    });
  }
}

type Outcome =
  | { kind: 'ok'; reply: WecomReply }
  | { kind: 'server'; status: number }
  | { kind: 'network'; reason: string };

function isReply(body: unknown): body is WecomReply {
  return typeof body === 'object' && body !== null && typeof (body as { errcode?: unknown }).errcode === 'number';
}
