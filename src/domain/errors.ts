/**
 * Every error the service raises on purpose carries a stable code. The HTTP edge maps codes to
 * status and Chinese message in one place (src/http/error-map.ts); job processors decide retry vs
 * give-up from the code. Unknown errors are wrapped by {@link asCodedError}.
 */
export enum ErrorCode {
  ConfigInvalid = 'config_invalid',
  BadRequest = 'bad_request',
  MalformedBody = 'malformed_body',
  PayloadTooLarge = 'payload_too_large',
  SignatureInvalid = 'signature_invalid',
  ReplayDetected = 'replay_detected',
  TimestampStale = 'timestamp_stale',
  DecryptFailed = 'decrypt_failed',
  ReceiverMismatch = 'receiver_mismatch',
  NotFound = 'not_found',
  Forbidden = 'forbidden',
  RateLimited = 'rate_limited',
  Conflict = 'conflict',
  InvalidTransition = 'invalid_transition',
  DatabaseUnavailable = 'database_unavailable',
  QueueUnavailable = 'queue_unavailable',
  RedisNotFound = 'redis_not_found',
  PlatformApiError = 'platform_api_error',
  IntentsInvalid = 'intents_invalid',
  Unknown = 'unknown',
}

/** An error with a stable {@link ErrorCode}; `details` must never hold secrets or personal data. */
export class CodedError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CodedError';
  }
}

export function isCodedError(err: unknown): err is CodedError {
  return err instanceof CodedError;
}

/** Wraps anything thrown into a {@link CodedError} so callers handle one shape only. */
export function asCodedError(err: unknown): CodedError {
  if (isCodedError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new CodedError(ErrorCode.Unknown, message, undefined, { cause: err });
}

export const badRequest = (message: string, details?: Record<string, unknown>) =>
  new CodedError(ErrorCode.BadRequest, message, details);
export const notFound = (message: string, details?: Record<string, unknown>) =>
  new CodedError(ErrorCode.NotFound, message, details);
export const forbidden = (message: string) => new CodedError(ErrorCode.Forbidden, message);
export const signatureInvalid = (message = '签名校验失败') => new CodedError(ErrorCode.SignatureInvalid, message);
export const replayDetected = (message = '重复的请求（nonce 已使用）') =>
  new CodedError(ErrorCode.ReplayDetected, message);
export const timestampStale = (message = '请求时间戳超出允许窗口') => new CodedError(ErrorCode.TimestampStale, message);
export const malformedBody = (message: string) => new CodedError(ErrorCode.MalformedBody, message);
export const rateLimited = (message: string, retryAfterSec?: number) =>
  new CodedError(ErrorCode.RateLimited, message, retryAfterSec ? { retryAfterSec } : undefined);
