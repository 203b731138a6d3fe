import { createHash } from 'node:crypto';
import type { InboundMessage, Ingest } from '../channel.ts';
import type { WecomBotMessage } from './bot-payload.ts';
import type { WecomAppMessage } from './xml.ts';

/** What the callback handlers hand decoded messages to. */
export interface DispatchDeps {
  ingest: Ingest;
  /** Schedules a kf/sync_msg pull; never pull inside the request (platforms.md §8.1, CowAgent PR #2840). */
  enqueueKfSync(openKfId: string, token: string): Promise<void>;
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

/** Routes a decrypted self-built-app callback: staff text → ingest, kf event → sync job, ack click → ingest. */
export async function dispatchAppMessage(msg: WecomAppMessage, plaintext: string, deps: DispatchDeps): Promise<void> {
  if (msg.type === 'kf_event') {
    await deps.enqueueKfSync(msg.openKfId, msg.token);
    return;
  }
  const base = { channel: 'wecom', role: 'staff' } as const;
  if (msg.type === 'text') {
    const replyContext = msg.agentId ? { agentId: msg.agentId } : undefined;
    const sentAt = new Date(msg.createTime * 1000);
    await deps.ingest({
      ...base,
      platformMsgId: msg.msgId,
      userRef: msg.fromUser,
      text: msg.content,
      sentAt,
      replyContext,
    });
    return;
  }
  if (msg.type === 'card_event') {
    const text = ackTextFromEventKey(msg.eventKey);
    if (!text) return;
    const replyContext = { taskId: msg.taskId, eventKey: msg.eventKey };
    await deps.ingest({ ...base, platformMsgId: eventMsgId(plaintext), userRef: msg.fromUser, text, replyContext });
  }
}

/** Routes a decrypted 智能机器人 callback: @-mention text and ack clicks → ingest as staff of `wecom_bot`. */
export async function dispatchBotMessage(msg: WecomBotMessage, deps: Pick<DispatchDeps, 'ingest'>): Promise<void> {
  if (msg.type === 'other') return;
  const text = msg.type === 'text' ? msg.content : ackTextFromEventKey(msg.eventKey);
  if (!text) return;
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
  await deps.ingest(inbound);
}
