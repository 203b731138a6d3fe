import { replayDetected, signatureInvalid } from '../../domain/errors.ts';
import type { ReplayKey } from '../channel.ts';
import { decryptWecom } from './crypto.ts';
import type { NonceStore } from './nonce-store.ts';
import { DEFAULT_WINDOW_SEC, verifyWecomSignature } from './verify-signature.ts';

/** The signed query string of every WeCom callback (GET verification and POST push). */
export interface CallbackQuery {
  signature: string;
  timestamp: string;
  nonce: string;
  echostr?: string;
}

/** What one callback endpoint (app or AI bot) verifies against. */
export interface CallbackSecrets {
  token: string;
  encodingAesKey: string;
  /** CorpID for app / kf callbacks, `""` for the 智能机器人 (platforms.md §2.1). */
  receiveId: string;
  windowSec?: number;
}

/**
 * Reads the callback query from the raw request URL, percent-decoding each value exactly once.
 * A form decoder would turn a literal `+` of the base64 echostr into a space (platforms.md §2.2).
 * @throws CodedError SignatureInvalid when a signature parameter is missing or badly encoded.
 */
export function readCallbackQuery(rawUrl: string): CallbackQuery {
  const q = rawUrl.indexOf('?');
  let signature: string | undefined;
  let timestamp: string | undefined;
  let nonce: string | undefined;
  let echostr: string | undefined;
  // The hot path of every callback: no Map, and no decoding of a value without a '%' (it would not change).
  for (const pair of q < 0 ? [] : rawUrl.slice(q + 1).split('&')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    let value = pair.slice(eq + 1);
    if (value.includes('%')) {
      try {
        value = decodeURIComponent(value);
      } catch {
        throw signatureInvalid('签名参数编码错误');
      }
    }
    // A repeated name: the last one counts.
    switch (pair.slice(0, eq)) {
      case 'msg_signature':
        signature = value;
        break;
      case 'timestamp':
        timestamp = value;
        break;
      case 'nonce':
        nonce = value;
        break;
      case 'echostr':
        echostr = value;
        break;
    }
  }
  if (!signature || !timestamp || !nonce) throw signatureInvalid('缺少签名参数 msg_signature / timestamp / nonce');
  return { signature, timestamp, nonce, echostr };
}

/**
 * Verifies the signature and freshness of `encrypted`, then decrypts it.
 * @throws CodedError SignatureInvalid, TimestampStale, DecryptFailed or ReceiverMismatch.
 */
export function openCallback(query: CallbackQuery, encrypted: string, secrets: CallbackSecrets, nowMs: number): string {
  verifyWecomSignature({
    token: secrets.token,
    timestamp: query.timestamp,
    nonce: query.nonce,
    encrypted,
    signature: query.signature,
    nowMs,
    windowSec: secrets.windowSec,
  });
  return decryptWecom(secrets.encodingAesKey, encrypted, secrets.receiveId);
}

/** The replay-guard key of one signed POST and how long to keep it (see {@link guardReplay}). */
export function replayKey(scope: string, query: CallbackQuery, windowSec = DEFAULT_WINDOW_SEC): ReplayKey {
  // The signature already digests token, timestamp, nonce and body; with timestamp and nonce beside it the
  // key names exactly one request. (Called after the signature check: the parts are well-formed.)
  // The timestamp may be up to windowSec in the future, so remember for two windows plus slack.
  return { key: `${scope}:${query.timestamp}:${query.nonce}:${query.signature}`, ttlSec: windowSec * 2 + 60 };
}

/**
 * Guards one POST against exact replays: rejects a request already accepted, and returns the
 * function to call once the delivery is durably stored (see {@link NonceStore} for why "after").
 * @throws CodedError ReplayDetected.
 */
export async function guardReplay(nonces: NonceStore, replay: ReplayKey): Promise<() => Promise<void>> {
  if (await nonces.seen(replay.key)) throw replayed();
  return async () => {
    await nonces.remember(replay.key, replay.ttlSec);
  };
}

export const replayed = () => replayDetected('重复的回调请求（nonce 已使用），已拒绝');
