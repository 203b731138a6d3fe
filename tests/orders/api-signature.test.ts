import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/domain/errors.ts';
import { signOrderApiBody, verifyOrderApiSignature } from '../../src/orders/api-signature.ts';

const secret = 'erp-shared-secret';
const body = '{"orders":[{"order_no":"SO1"}]}';
const nowMs = Date.UTC(2026, 10, 23, 2, 0, 0);
const ts = String(nowMs / 1000);

describe('ERP API signature', () => {
  it('accepts a fresh request signed over timestamp + "\\n" + raw body', () => {
    const signature = signOrderApiBody(secret, ts, body);
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(() => verifyOrderApiSignature({ secret, timestamp: ts, signature, rawBody: body, nowMs })).not.toThrow();
    expect(() =>
      verifyOrderApiSignature({ secret, timestamp: ts, signature: `sha256=${signature}`, rawBody: body, nowMs }),
    ).not.toThrow();
  });

  it('rejects a changed body, a wrong secret and a missing signature', () => {
    const signature = signOrderApiBody(secret, ts, body);
    const cases = [
      { rawBody: body.replace('SO1', 'SO2'), signature },
      { rawBody: body, signature: signOrderApiBody('other', ts, body) },
      { rawBody: body, signature: undefined },
    ];
    for (const c of cases) {
      expect(() => verifyOrderApiSignature({ secret, timestamp: ts, nowMs, ...c })).toThrow(
        expect.objectContaining({ code: ErrorCode.SignatureInvalid }),
      );
    }
  });

  it('rejects timestamps outside ±5 minutes, even when correctly signed (replays)', () => {
    const old = String(nowMs / 1000 - 301);
    const signature = signOrderApiBody(secret, old, body);
    expect(() => verifyOrderApiSignature({ secret, timestamp: old, signature, rawBody: body, nowMs })).toThrow(
      expect.objectContaining({ code: ErrorCode.TimestampStale }),
    );
    expect(() => verifyOrderApiSignature({ secret, timestamp: 'yesterday', signature, rawBody: body, nowMs })).toThrow(
      expect.objectContaining({ code: ErrorCode.TimestampStale }),
    );
  });
});
