import { createHash, timingSafeEqual } from 'node:crypto';
import { signatureInvalid, timestampStale } from '../../domain/errors.ts';

/** Default replay window: WeCom publishes none for app callbacks, so we allow ±5 minutes (platforms.md §2.6). */
export const DEFAULT_WINDOW_SEC = 300;

export interface VerifyWecomSignatureOptions {
  /** The callback Token configured in the admin console. */
  token: string;
  /** `timestamp` query parameter (seconds, as sent). */
  timestamp: string;
  /** `nonce` query parameter. */
  nonce: string;
  /** The `Encrypt` / `encrypt` body value or the GET `echostr`, exactly as received (URL-decoded once). */
  encrypted: string;
  /** `msg_signature` query parameter. */
  signature: string;
  /** Injected clock (ms since epoch) so tests can replay the 2014/2016 official vectors. */
  nowMs: number;
  /** Allowed distance between `timestamp` and now, either way. */
  windowSec?: number;
}

/** `sha1(sort([token, timestamp, nonce, encrypted]).join(""))`, lowercase hex (platforms.md §2.2–2.3). */
export function computeWecomSignature(token: string, timestamp: string, nonce: string, encrypted: string): string {
  const joined = [token, timestamp, nonce, encrypted].sort().join('');
  return createHash('sha1').update(joined, 'utf8').digest('hex');
}

/**
 * Checks a WeCom callback's `msg_signature` and timestamp freshness.
 *
 * The signature is checked before the clock so a forged request is always reported as a signature
 * failure, never as "stale" (which would tell an attacker the signature was fine).
 * @throws CodedError SignatureInvalid or TimestampStale.
 */
export function verifyWecomSignature(options: VerifyWecomSignatureOptions): void {
  const { token, timestamp, nonce, encrypted, signature, nowMs } = options;
  // Rule 1: all four inputs present; the timestamp is a decimal number of seconds.
  if (!timestamp || !nonce || !encrypted || !/^\d{1,12}$/.test(timestamp)) {
    throw signatureInvalid('签名参数缺失或格式错误（timestamp / nonce / 密文）');
  }
  // Rule 2: msg_signature is 40 lowercase hex chars and equals the SHA1 — compared in constant time.
  const expected = Buffer.from(computeWecomSignature(token, timestamp, nonce, encrypted), 'utf8');
  const given = Buffer.from(signature.toLowerCase(), 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw signatureInvalid('企业微信回调签名校验失败');
  }
  // Rule 3: the timestamp lies within the replay window (nonce reuse is checked by the caller's NonceStore).
  const windowSec = options.windowSec ?? DEFAULT_WINDOW_SEC;
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > windowSec) {
    throw timestampStale(`请求时间戳超出允许窗口（±${windowSec} 秒），请检查服务器时间`);
  }
}

/** Boolean wrapper around {@link verifyWecomSignature}. */
export function isValidWecomSignature(options: VerifyWecomSignatureOptions): boolean {
  try {
    verifyWecomSignature(options);
    return true;
  } catch {
    return false;
  }
}
