import { createHash } from 'node:crypto';
import type { FastAccept, InboundMessage, Ingest, ReplayKey } from '../channel.ts';
import type { WecomBotMessage } from './bot-payload.ts';
import { guardReplay, replayed } from './callback-guard.ts';
import type { NonceStore } from './nonce-store.ts';
import type { WecomAppMessage } from './xml.ts';

/** What the callback handlers hand decoded messages to. */
export interface DispatchDeps {
  ingest: Ingest;
  nonces: NonceStore;
  /** The durable one-round-trip accept (callback inbox), when configured. */
  fastAccept?: FastAccept;
  /** Schedules a kf/sync_msg pull; never pull inside the request (platforms.md §8.1, CowAgent PR #2840). */
  enqueueKfSync(openKfId: string, token: string): Promise<void>;
}

/** What one callback asks of the service: a message to ingest, a kf sync to schedule, or nothing. */
export interface CallbackWork {
  message?: InboundMessage;
  kfSync?: { openKfId: string; token: string };
}

const ACK_KEY_RE = /^ack:([A-Za-z0-9_-]{1,64})(?::\d{1,3})?$/;

/**
 * `ack:<ticketId>:<level>` → `收到 #<ticketId>`: a card click becomes the same text a person would
 * type, so the core handles acknowledgements one way. Other keys → undefined.
 */
export function ackTextFromEventKey(eventKey: string): string | undefined {
  const match = ACK_KEY_RE.exec(eventKey);
  return match ? `收到 #${match[1]}` : undefined;
}

/** Events carry no MsgId; a platform retry re-sends the same plaintext, so its hash is the key (§2.6). */
export function eventMsgId(plaintext: string): string {
  return `evt-${createHash('sha256').update(plaintext).digest('hex').slice(0, 40)}`;
}

/** A decrypted self-built-app callback's work: staff text → ingest, kf event → sync job, ack click → ingest. */
export function appCallbackWork(msg: WecomAppMessage, plaintext: string): CallbackWork {
  if (msg.type === 'kf_event') return { kfSync: { openKfId: msg.openKfId, token: msg.token } };
  // Object literals without spreads: on this hot path `{ ...base, a, b }` costs microseconds in V8 (Node 20),
  // a plain literal tens of nanoseconds.
  if (msg.type === 'text') {
    const message: InboundMessage = {
      channel: 'wecom',
      role: 'staff',
      platformMsgId: msg.msgId,
      userRef: msg.fromUser,
      text: msg.content,
      sentAt: new Date(msg.createTime * 1000),
    };
    if (msg.agentId) message.replyContext = { agentId: msg.agentId };
    return { message };
  }
  if (msg.type === 'card_event') {
    const text = ackTextFromEventKey(msg.eventKey);
    if (!text) return {};
    const replyContext = { taskId: msg.taskId, eventKey: msg.eventKey };
    return {
      message: {
        channel: 'wecom',
        role: 'staff',
        platformMsgId: eventMsgId(plaintext),
        userRef: msg.fromUser,
        text,
        replyContext,
      },
    };
  }
  return {};
}

/** A decrypted 智能机器人 callback's work: @-mention text and ack clicks → ingest as staff of `wecom_bot`. */
export function botCallbackWork(msg: WecomBotMessage): CallbackWork {
  if (msg.type === 'other') return {};
  const text = msg.type === 'text' ? msg.content : ackTextFromEventKey(msg.eventKey);
  if (!text) return {};
  const inbound: InboundMessage = {
    channel: 'wecom_bot',
    platformMsgId: msg.msgId,
    userRef: msg.fromUser,
    role: 'staff',
    chatId: msg.chatId,
    text,
    replyContext: { responseUrl: msg.responseUrl, chatId: msg.chatId },
  };
  if (msg.type === 'text' && msg.createTime) inbound.sentAt = new Date(msg.createTime * 1000);
  return { message: inbound };
}

/**
 * Does a callback's work under its replay guard. A message takes the fast accept when there is one (one
 * durable Redis step that also checks and remembers the nonce); otherwise, and for kf events, the nonce is
 * checked first and remembered only after the work is durably done.
 * @throws CodedError ReplayDetected, or what the ingest throws.
 */
export async function acceptCallback(deps: DispatchDeps, replay: ReplayKey, work: CallbackWork): Promise<void> {
  if (work.message && deps.fastAccept) {
    const fast = await deps.fastAccept(work.message, replay);
    if (fast === 'replay') throw replayed();
    if (fast) return;
  }
  const commit = await guardReplay(deps.nonces, replay);
  if (work.message) await deps.ingest(work.message);
  if (work.kfSync) await deps.enqueueKfSync(work.kfSync.openKfId, work.kfSync.token);
  await commit();
}
