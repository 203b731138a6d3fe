import { createHmac, timingSafeEqual } from 'node:crypto';
import { signatureInvalid, timestampStale } from '../domain/errors.ts';

/**
 * HMAC for the ERP order API: `x-signature` = hex(HMAC-SHA256(ORDER_API_SECRET, timestamp + "\n" + rawBody)),
 * `x-timestamp` = Unix seconds. Signing the raw bytes (not re-serialised JSON) means what was signed is
 * exactly what is stored; the 5-minute window bounds replays.
 */

export const SIGNATURE_WINDOW_SEC = 300;

/** The signature an ERP must send for this body and timestamp (also used by tests and examples). */
export function signOrderApiBody(secret: string, timestamp: string, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${rawBody}`).digest('hex');
}

/**
 * Throws a coded error unless the request is fresh and signed with `secret`.
 * Rule 1: timestamp present and within ±5 minutes of `nowMs`. Rule 2: signature matches (timing-safe).
 */
export function verifyOrderApiSignature(opts: {
  secret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: string;
  nowMs: number;
}): void {
  const ts = opts.timestamp?.trim() ?? '';
  if (!/^\d{9,11}$/.test(ts)) throw timestampStale('缺少或无效的 x-timestamp（Unix 秒）');
  if (Math.abs(opts.nowMs / 1000 - Number(ts)) > SIGNATURE_WINDOW_SEC) {
    throw timestampStale('x-timestamp 超出 5 分钟窗口：请校准 ERP 服务器时间后重试');
  }
  const given = (opts.signature ?? '')
    .trim()
    .replace(/^sha256=/i, '')
    .toLowerCase();
  const expected = signOrderApiBody(opts.secret, ts, opts.rawBody);
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw signatureInvalid('签名校验失败：x-signature 应为 hex(HMAC-SHA256(密钥, x-timestamp + "\\n" + 原始请求体))');
  }
}
