import { describe, expect, it } from 'vitest';
import { decryptWecom, encryptWecom, wecomAesKey } from '../../../src/channels/wecom/crypto.ts';
import { ErrorCode } from '../../../src/domain/errors.ts';
import vectors from '../../fixtures/wecom/official-vectors.json' with { type: 'json' };

const sets = vectors.sets;
const setOf = (name: string) => (name === 'A' ? sets.A : sets.B);
const a2 = vectors.vectors.find((v) => v.name.startsWith('A2'));
if (!a2) throw new Error('fixture A2 missing');

describe('WeCom AES layer — official vectors (platforms.md §3)', () => {
  it.each(vectors.vectors)('$name decrypts to the official plaintext', (v) => {
    const set = setOf(v.set);
    expect(decryptWecom(set.encodingAesKey, v.encrypted, set.receiveId)).toBe(v.msg);
  });

  it.each(vectors.vectors)('$name re-encrypts byte for byte with its recovered random', (v) => {
    const set = setOf(v.set);
    expect(encryptWecom(set.encodingAesKey, v.msg, set.receiveId, Buffer.from(v.random, 'utf8'))).toBe(v.encrypted);
  });

  it('decrypts A2 whose PKCS#7 pad is 30 (> 16, the Node auto-padding trap)', () => {
    expect(a2.pad).toBe(30);
    expect(decryptWecom(sets.A.encodingAesKey, a2.encrypted, sets.A.receiveId)).toContain(
      '<MsgId>4561255354251345929</MsgId>',
    );
  });

  it('B2 keeps UTF-8 Chinese content intact', () => {
    const b2 = vectors.vectors.find((v) => v.name.startsWith('B2'));
    expect(b2 && decryptWecom(sets.B.encodingAesKey, b2.encrypted, sets.B.receiveId)).toContain(
      '<Content>你好</Content>',
    );
  });

  it('rejects a plaintext addressed to another corp (receiveid mismatch)', () => {
    expect(() => decryptWecom(sets.A.encodingAesKey, a2.encrypted, sets.B.receiveId)).toThrow(
      expect.objectContaining({ code: ErrorCode.ReceiverMismatch }),
    );
  });

  it('rejects the AI-bot receiveid "" for a corp-addressed message', () => {
    expect(() => decryptWecom(sets.A.encodingAesKey, a2.encrypted, '')).toThrow(
      expect.objectContaining({ code: ErrorCode.ReceiverMismatch }),
    );
  });

  it.each([
    ['truncated base64', a2.encrypted.slice(0, -7)],
    ['not base64', `${a2.encrypted.slice(0, 20)}!!${a2.encrypted.slice(22)}`],
    ['one block short', Buffer.from(a2.encrypted, 'base64').subarray(16).toString('base64')],
    ['empty', ''],
  ])('rejects %s with DecryptFailed', (_name, encrypted) => {
    expect(() => decryptWecom(sets.A.encodingAesKey, encrypted, sets.A.receiveId)).toThrow(
      expect.objectContaining({ code: ErrorCode.DecryptFailed }),
    );
  });

  it('rejects a ciphertext decrypted with the wrong key (padding or length check fails)', () => {
    expect(() => decryptWecom(sets.B.encodingAesKey, a2.encrypted, sets.A.receiveId)).toThrow(
      expect.objectContaining({ code: expect.stringMatching(/decrypt_failed|receiver_mismatch/) }),
    );
  });

  it('rejects a tampered last block (padding no longer valid)', () => {
    const bytes = Buffer.from(a2.encrypted, 'base64');
    const tampered = Buffer.from(bytes);
    tampered[tampered.length - 20] = (tampered[tampered.length - 20] ?? 0) ^ 0xff;
    expect(() => decryptWecom(sets.A.encodingAesKey, tampered.toString('base64'), sets.A.receiveId)).toThrow(
      expect.objectContaining({ code: expect.stringMatching(/decrypt_failed|receiver_mismatch/) }),
    );
  });

  it('round-trips a fresh random, a long Chinese message and the empty bot receiveid', () => {
    const msg = `${'退款进度查询'.repeat(200)}\n订单 SO123`;
    const encrypted = encryptWecom(sets.B.encodingAesKey, msg, '');
    expect(decryptWecom(sets.B.encodingAesKey, encrypted, '')).toBe(msg);
    expect(encryptWecom(sets.B.encodingAesKey, msg, '')).not.toBe(encrypted);
  });

  it('refuses an EncodingAESKey that is not 43 alphanumerics, telling where to find it', () => {
    expect(() => wecomAesKey('short')).toThrow(
      expect.objectContaining({ code: ErrorCode.ConfigInvalid, message: expect.stringContaining('接收消息') }),
    );
  });
});
