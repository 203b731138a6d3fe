import { describe, expect, it } from 'vitest';
import {
  computeWecomSignature,
  isValidWecomSignature,
  verifyWecomSignature,
} from '../../../src/channels/wecom/verify-signature.ts';
import { ErrorCode } from '../../../src/domain/errors.ts';
import vectors from '../../fixtures/wecom/official-vectors.json' with { type: 'json' };

const tokenOf = (set: string) => (set === 'A' ? vectors.sets.A.token : vectors.sets.B.token);
const optionsOf = (v: (typeof vectors.vectors)[number]) => ({
  token: tokenOf(v.set),
  timestamp: v.timestamp,
  nonce: v.nonce,
  encrypted: v.encrypted,
  signature: v.signature,
  nowMs: Number(v.timestamp) * 1000 + 1000,
});

describe('verifyWecomSignature', () => {
  it.each(vectors.vectors)('$name: the official msg_signature verifies', (v) => {
    expect(computeWecomSignature(tokenOf(v.set), v.timestamp, v.nonce, v.encrypted)).toBe(v.signature);
    expect(() => verifyWecomSignature(optionsOf(v))).not.toThrow();
  });

  const v = vectors.vectors[1];
  if (!v) throw new Error('fixture missing');
  const flip = (s: string) => s.slice(0, -1) + (s.endsWith('a') ? 'b' : 'a');

  it.each([
    ['token', { token: flip(tokenOf(v.set)) }],
    ['timestamp', { timestamp: String(Number(v.timestamp) + 1) }],
    ['nonce', { nonce: flip(v.nonce) }],
    ['Encrypt', { encrypted: flip(v.encrypted) }],
    ['signature', { signature: flip(v.signature) }],
    ['signature of another length', { signature: `${v.signature}00` }],
  ])('one changed %s → SignatureInvalid', (_field, change) => {
    expect(() => verifyWecomSignature({ ...optionsOf(v), ...change })).toThrow(
      expect.objectContaining({ code: ErrorCode.SignatureInvalid }),
    );
  });

  it('accepts an upper-case hex signature', () => {
    expect(isValidWecomSignature({ ...optionsOf(v), signature: v.signature.toUpperCase() })).toBe(true);
  });

  it('a correctly signed but 6-minute-old request → TimestampStale, with the fix in Chinese', () => {
    const stale = { ...optionsOf(v), nowMs: Number(v.timestamp) * 1000 + 360_000 };
    expect(() => verifyWecomSignature(stale)).toThrow(
      expect.objectContaining({ code: ErrorCode.TimestampStale, message: expect.stringContaining('服务器时间') }),
    );
  });

  it('a timestamp 6 minutes in the future is stale too; a custom window widens it', () => {
    const future = { ...optionsOf(v), nowMs: Number(v.timestamp) * 1000 - 360_000 };
    expect(isValidWecomSignature(future)).toBe(false);
    expect(isValidWecomSignature({ ...future, windowSec: 600 })).toBe(true);
  });

  it('a forged and stale request is reported as a signature failure, not as stale', () => {
    const forged = { ...optionsOf(v), signature: flip(v.signature), nowMs: 0 };
    expect(() => verifyWecomSignature(forged)).toThrow(expect.objectContaining({ code: ErrorCode.SignatureInvalid }));
  });

  it.each([
    ['empty nonce', { nonce: '' }],
    ['non-numeric timestamp', { timestamp: '14x' }],
  ])('%s → SignatureInvalid', (_name, change) => {
    expect(isValidWecomSignature({ ...optionsOf(v), ...change })).toBe(false);
  });
});
