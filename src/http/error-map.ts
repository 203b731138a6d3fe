import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { asCodedError, CodedError, ErrorCode, isCodedError } from '../domain/errors.ts';
import type { Logger } from '../lib/logger.ts';

/** The one place where error codes become HTTP status codes. */
export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  [ErrorCode.ConfigInvalid]: 500,
  [ErrorCode.BadRequest]: 400,
  [ErrorCode.MalformedBody]: 400,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.SignatureInvalid]: 401,
  [ErrorCode.ReplayDetected]: 409,
  [ErrorCode.TimestampStale]: 401,
  [ErrorCode.DecryptFailed]: 400,
  [ErrorCode.ReceiverMismatch]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.InvalidTransition]: 409,
  [ErrorCode.DatabaseUnavailable]: 503,
  [ErrorCode.QueueUnavailable]: 503,
  [ErrorCode.RedisNotFound]: 503,
  [ErrorCode.PlatformApiError]: 502,
  [ErrorCode.IntentsInvalid]: 500,
  [ErrorCode.Unknown]: 500,
};

/** Fastify's own errors (body parsing, limits) mapped to our codes with Chinese messages. */
const FRAMEWORK: Record<string, { code: ErrorCode; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: ErrorCode.PayloadTooLarge, message: '请求体过大' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: ErrorCode.BadRequest, message: '不支持的 Content-Type' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: ErrorCode.MalformedBody, message: '请求体为空，需要 JSON' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: ErrorCode.MalformedBody, message: '请求体不是合法的 JSON' },
};

function classify(error: FastifyError): CodedError {
  if (isCodedError(error)) return error;
  const framework = error.code ? FRAMEWORK[error.code] : undefined;
  if (framework) return new CodedError(framework.code, framework.message);
  if (typeof error.statusCode === 'number' && error.statusCode < 500) {
    const code = error.statusCode === 413 ? ErrorCode.PayloadTooLarge : ErrorCode.BadRequest;
    return new CodedError(code, `请求格式错误：${error.message}`);
  }
  return asCodedError(error);
}

/** What an error answers: status, `{ error: { code, message } }` with a Chinese message, optional Retry-After. */
export function errorReply(error: Error, log: Logger, url: string) {
  const coded = classify(error as FastifyError);
  const status = STATUS_BY_CODE[coded.code] ?? 500;
  if (status >= 500) log.error({ err: error, url }, '请求处理失败');
  else log.warn({ code: coded.code, url }, coded.message);
  const retryAfter = coded.details?.retryAfterSec;
  const message = coded.code === ErrorCode.Unknown ? '服务内部错误，请稍后重试' : coded.message;
  return {
    status,
    retryAfter: typeof retryAfter === 'number' ? String(retryAfter) : undefined,
    body: { error: { code: coded.code, message } },
  };
}

/** Fastify error handler: {@link errorReply}. */
export function errorHandler(log: Logger) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const { status, retryAfter, body } = errorReply(error, log, request.url);
    if (retryAfter) void reply.header('retry-after', retryAfter);
    void reply.status(status).send(body);
  };
}
