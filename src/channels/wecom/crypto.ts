import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CodedError, ErrorCode } from '../../domain/errors.ts';

/**
 * WeCom's AES layer (加解密方案说明, platforms.md §2.4), shared by app callbacks, kf events and the
 * 智能机器人 HTTP callbacks. Pure functions: no clock, no I/O.
 */

/** WeCom pads with PKCS#7 to a multiple of 32 bytes, not AES's 16 (platforms.md §2.4). */
const PAD_BLOCK = 32;
const RANDOM_LEN = 16;
const LENGTH_LEN = 4;
const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/;
const ENCODING_AES_KEY_RE = /^[A-Za-z0-9]{43}$/;

const decryptFailed = (message: string) => new CodedError(ErrorCode.DecryptFailed, message);

/**
 * `AESKey = base64decode(EncodingAESKey + "=")` → 32 bytes.
 * @throws CodedError ConfigInvalid when the key is not 43 characters of [A-Za-z0-9].
 */
export function wecomAesKey(encodingAesKey: string): Buffer {
  const cached = keyCache.get(encodingAesKey);
  if (cached) return cached;
  if (!ENCODING_AES_KEY_RE.test(encodingAesKey)) {
    throw new CodedError(
      ErrorCode.ConfigInvalid,
      'EncodingAESKey 必须是 43 位字母或数字：请在企业微信管理后台 → 应用 → 接收消息 → 设置 API 接收 中复制',
    );
  }
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (keyCache.size >= 16) keyCache.clear();
  keyCache.set(encodingAesKey, key);
  return key;
}

/** Decoded keys by EncodingAESKey: a process has one or two, and every callback needs one. */
const keyCache = new Map<string, Buffer>();

/**
 * Decrypts a WeCom `Encrypt` / `echostr` / `encrypt` value and returns the msg part (UTF-8).
 *
 * The receiveid appended by WeCom must equal `expectedReceiveId` (CorpID for app and kf callbacks,
 * `""` for the 智能机器人); a mismatch means the message was encrypted for someone else.
 * @throws CodedError DecryptFailed (bad base64, bad length, bad padding) or ReceiverMismatch.
 */
export function decryptWecom(encodingAesKey: string, encrypted: string, expectedReceiveId: string): string {
  const key = wecomAesKey(encodingAesKey);
  if (!BASE64_RE.test(encrypted) || encrypted.length % 4 !== 0) throw decryptFailed('密文不是合法的 base64');
  const cipherBytes = Buffer.from(encrypted, 'base64');
  if (cipherBytes.length === 0 || cipherBytes.length % 16 !== 0) throw decryptFailed('密文长度不是 AES 块长的整数倍');
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  // Rule: Node's auto-padding assumes 16-byte blocks and throws on WeCom's pads of 17…32.
  decipher.setAutoPadding(false);
  const padded = Buffer.concat([decipher.update(cipherBytes), decipher.final()]);
  const plain = stripPkcs7(padded);
  if (plain.length < RANDOM_LEN + LENGTH_LEN) throw decryptFailed('解密后的数据过短');
  const msgLen = plain.readUInt32BE(RANDOM_LEN);
  const msgStart = RANDOM_LEN + LENGTH_LEN;
  if (msgStart + msgLen > plain.length) throw decryptFailed('解密后的消息长度字段非法');
  const receiveId = plain.subarray(msgStart + msgLen).toString('utf8');
  if (receiveId !== expectedReceiveId) {
    throw new CodedError(ErrorCode.ReceiverMismatch, '消息的接收方（CorpID / 机器人）与配置不一致');
  }
  return plain.subarray(msgStart, msgStart + msgLen).toString('utf8');
}

/**
 * Encrypts `msg` for `receiveId` in WeCom's layout: random(16) ‖ len(4, BE) ‖ msg ‖ receiveid, padded
 * to 32. `random` is injectable so the official vectors can be reproduced byte for byte.
 */
export function encryptWecom(
  encodingAesKey: string,
  msg: string,
  receiveId: string,
  random: Buffer = randomBytes(RANDOM_LEN),
): string {
  if (random.length !== RANDOM_LEN) throw new RangeError('random must be 16 bytes');
  const key = wecomAesKey(encodingAesKey);
  const msgBytes = Buffer.from(msg, 'utf8');
  const length = Buffer.alloc(LENGTH_LEN);
  length.writeUInt32BE(msgBytes.length);
  const body = Buffer.concat([random, length, msgBytes, Buffer.from(receiveId, 'utf8')]);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(addPkcs7(body)), cipher.final()]).toString('base64');
}

function addPkcs7(data: Buffer): Buffer {
  const pad = PAD_BLOCK - (data.length % PAD_BLOCK);
  return Buffer.concat([data, Buffer.alloc(pad, pad)]);
}

/** Rejects a pad outside 1…32 or whose bytes are not all equal (official lib error -40008). */
function stripPkcs7(data: Buffer): Buffer {
  const pad = data[data.length - 1] ?? 0;
  if (pad < 1 || pad > PAD_BLOCK || pad > data.length) throw decryptFailed('解密后的填充（padding）非法');
  for (let i = data.length - pad; i < data.length; i++) {
    if (data[i] !== pad) throw decryptFailed('解密后的填充（padding）非法');
  }
  return data.subarray(0, data.length - pad);
}
