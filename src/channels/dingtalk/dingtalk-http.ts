import axios, { type AxiosInstance } from 'axios';
import { CodedError, ErrorCode } from '../../domain/errors.ts';

export const DEFAULT_DINGTALK_API_BASE = 'https://api.dingtalk.com';
/** The old API host (`media/upload`), separate from the OpenAPI host. */
export const DEFAULT_DINGTALK_OAPI_BASE = 'https://oapi.dingtalk.com';

export interface DingtalkHttpOptions {
  /** `DINGTALK_API_BASE`, default https://api.dingtalk.com; tests point it at a local fake. */
  baseUrl?: string;
  timeoutMs?: number;
  /** Extra attempts on network errors and HTTP 5xx (default 2). */
  retries?: number;
  /** First backoff delay; doubles each attempt, plus up to 50 % jitter (default 300 ms). */
  baseDelayMs?: number;
}

export interface DingtalkRequest {
  /** Name for errors and logs, never containing credentials (e.g. `groupMessages/send`). */
  api: string;
  /** Path under the base URL, or an absolute URL (a sessionWebhook, the old API host). */
  url: string;
  /** A JSON body, or a FormData (sent as multipart/form-data). */
  data: unknown;
  headers?: Record<string, string>;
}

export interface DingtalkResponse {
  status: number;
  body: Record<string, unknown>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A PlatformApiError carrying what an operator needs (api, HTTP status, platform code, a bounded
 * message) and whether a later retry may help — never the request, which may hold a secret or token.
 */
export function dingtalkError(
  api: string,
  info: { status?: number; code?: string | number; message?: string; retryable: boolean },
): CodedError {
  const code = info.code ?? (info.status ? `HTTP ${info.status}` : 'network');
  const details = {
    api,
    status: info.status,
    code,
    message: (info.message ?? '').slice(0, 200),
    retryable: info.retryable,
  };
  return new CodedError(ErrorCode.PlatformApiError, `钉钉接口 ${api} 返回错误 ${code}`, details);
}

/** True when a send failed in a way a later attempt may fix (network, 5xx, throttling). */
export function isRetryable(err: unknown): boolean {
  if (!(err instanceof CodedError)) return true;
  if (err.code === ErrorCode.RateLimited) return true;
  return err.details?.retryable === true;
}

/**
 * JSON (or multipart) POSTs to DingTalk with bounded retries. Retries only what a retry can fix — no
 * response or HTTP 5xx — never a 4xx or a business error code, which the caller interprets from the body.
 */
export class DingtalkHttp {
  private readonly axios: AxiosInstance;

  constructor(private readonly options: DingtalkHttpOptions = {}) {
    this.axios = axios.create({
      baseURL: options.baseUrl ?? DEFAULT_DINGTALK_API_BASE,
      timeout: options.timeoutMs ?? 10_000,
      validateStatus: () => true,
      headers: { 'Content-Type': 'application/json; charset=utf-8', Accept: 'application/json' },
    });
  }

  /** POSTs `req`; resolves with any status below 500 and a JSON object body. */
  async post(req: DingtalkRequest): Promise<DingtalkResponse> {
    const retries = this.options.retries ?? 2;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.once(req);
      if (outcome.kind === 'ok') return outcome.response;
      if (attempt >= retries) {
        const status = outcome.kind === 'server' ? outcome.status : undefined;
        const code = outcome.kind === 'network' ? outcome.reason : undefined;
        throw dingtalkError(req.api, { status, code, retryable: true });
      }
      const base = this.options.baseDelayMs ?? 300;
      await sleep(base * 2 ** attempt * (1 + Math.random() / 2));
    }
  }

  private async once(req: DingtalkRequest): Promise<Outcome> {
    let status: number;
    let body: unknown;
    // The instance's JSON Content-Type would make axios turn a FormData into JSON: ask for multipart instead
    // (axios then sets the boundary). A FormData of Blobs can be sent again on the next attempt.
    const headers =
      req.data instanceof FormData ? { 'Content-Type': 'multipart/form-data', ...req.headers } : req.headers;
    try {
      const res = await this.axios.post(req.url, req.data, { headers });
      status = res.status;
      body = res.data;
    } catch (err) {
      // No response (refused, reset, timeout). The axios error holds the request (secret, token): drop it.
      return { kind: 'network', reason: axios.isAxiosError(err) ? (err.code ?? 'network') : 'network' };
    }
    if (status >= 500) return { kind: 'server', status };
    if (typeof body !== 'object' || body === null) {
      throw dingtalkError(req.api, { status, message: 'response is not JSON', retryable: false });
    }
    return { kind: 'ok', response: { status, body: body as Record<string, unknown> } };
  }
}

type Outcome =
  | { kind: 'ok'; response: DingtalkResponse }
  | { kind: 'server'; status: number }
  | { kind: 'network'; reason: string };
