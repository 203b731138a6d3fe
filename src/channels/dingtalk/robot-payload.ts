import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type InboundMessage, MEDIA_TEXT, type MediaKind } from '../channel.ts';

/**
 * The robot message pushed on `/v1.0/im/bot/messages/get` (platforms.md §6.1). Only the fields we use
 * are checked; ids stay strings. Unknown fields pass through untouched.
 */
export const RobotMessageSchema = z.looseObject({
  msgId: z.string().min(1),
  msgtype: z.string(),
  conversationType: z.enum(['1', '2']),
  conversationId: z.string().min(1),
  senderStaffId: z.string().optional(),
  senderId: z.string().optional(),
  senderNick: z.string().optional(),
  robotCode: z.string().optional(),
  sessionWebhook: z.string().optional(),
  sessionWebhookExpiredTime: z.number().optional(),
  createAt: z.number().optional(),
  text: z.object({ content: z.string() }).optional(),
  content: z.unknown().optional(),
});
export type RobotMessage = z.infer<typeof RobotMessageSchema>;

/** What `send()` needs later to answer this conversation (stored with the delivery by the core). */
export interface DingtalkReplyContext {
  sessionWebhook?: string;
  /** ms epoch; the webhook answers 300001 after it (platforms.md §6.2). */
  sessionWebhookExpiredTime?: number;
  conversationId: string;
  /** "1" single chat, "2" group. */
  conversationType: '1' | '2';
  robotCode?: string;
  senderStaffId?: string;
}

/** Leading @-mentions (`@张三 `) left in the text; DingTalk removes the robot's own but not others'. */
const LEADING_MENTIONS = /^(?:\s*@\S+\s+)+/u;

/** The text of a robot message with the @-mentions in front stripped, or undefined for non-text types. */
export function robotText(msg: RobotMessage): string | undefined {
  const raw = textOf(msg);
  if (raw === undefined) return undefined;
  const text = raw.replace(LEADING_MENTIONS, '').trim();
  return text === '' ? undefined : text;
}

function textOf(msg: RobotMessage): string | undefined {
  if (msg.msgtype === 'text') return msg.text?.content;
  const content = msg.content as { richText?: { text?: unknown }[]; recognition?: unknown } | undefined;
  if (msg.msgtype === 'richText' && Array.isArray(content?.richText)) {
    return content.richText.map((part) => (typeof part.text === 'string' ? part.text : '')).join('');
  }
  // Voice messages carry the platform's speech recognition.
  if (msg.msgtype === 'audio' && typeof content?.recognition === 'string') return content.recognition;
  return undefined;
}

/** DingTalk message types that carry a picture, voice note, video or file (with a downloadCode). */
const DINGTALK_MEDIA: Readonly<Record<string, MediaKind>> = {
  picture: 'image',
  audio: 'voice',
  video: 'video',
  file: 'file',
};

/** A picture, voice note (without speech recognition), video or file, else undefined. */
function mediaOf(msg: RobotMessage): InboundMessage['media'] {
  const kind = DINGTALK_MEDIA[msg.msgtype];
  if (!kind) return undefined;
  const code = (msg.content as { downloadCode?: unknown } | undefined)?.downloadCode;
  return typeof code === 'string' ? { kind, ref: code } : { kind };
}

/**
 * Maps a robot message to the core's {@link InboundMessage}. Staff (a `senderStaffId`) get role
 * `staff` (the core upgrades managers from its own records); anyone else is a `customer`.
 * A picture, file or video (or a voice note DingTalk did not transcribe) comes as media; undefined for
 * anything else without text.
 */
export function toInbound(msg: RobotMessage): InboundMessage | undefined {
  const words = robotText(msg);
  const media = words === undefined ? mediaOf(msg) : undefined;
  const text = media ? MEDIA_TEXT[media.kind] : words;
  const userRef = msg.senderStaffId || msg.senderId;
  if (text === undefined || !userRef) return undefined;
  const replyContext: DingtalkReplyContext = {
    sessionWebhook: msg.sessionWebhook,
    sessionWebhookExpiredTime: msg.sessionWebhookExpiredTime,
    conversationId: msg.conversationId,
    conversationType: msg.conversationType,
    robotCode: msg.robotCode,
    senderStaffId: msg.senderStaffId,
  };
  return {
    channel: 'dingtalk',
    platformMsgId: msg.msgId,
    userRef,
    role: msg.senderStaffId ? 'staff' : 'customer',
    ...(msg.conversationType === '2' ? { chatId: msg.conversationId } : {}),
    text,
    ...(msg.senderNick ? { displayName: msg.senderNick } : {}),
    replyContext: { ...replyContext },
    ...(msg.createAt ? { sentAt: new Date(msg.createAt) } : {}),
    ...(media ? { media } : {}),
  };
}

/** `ack:<ticketId>[:<level>]`, the {@link CardButton} id the core uses for acknowledgements. */
const ACK_ID = /^ack:([A-Za-z0-9_-]{1,64})(?::\d{1,3})?$/;

/** `ack:123:2` → `收到 #123`: a button click becomes the text a person would type. */
export function ackText(actionId: string): string | undefined {
  const match = ACK_ID.exec(actionId);
  return match ? `收到 #${match[1]}` : undefined;
}

/** Interactive-card click on `/v1.0/card/instances/callback` (platforms.md §6.4). */
const CardCallbackSchema = z.looseObject({
  userId: z.string().min(1),
  outTrackId: z.string().optional(),
  spaceType: z.string().optional(),
  spaceId: z.string().optional(),
  content: z.string(),
});

const CardContentSchema = z.looseObject({
  cardPrivateData: z.looseObject({
    actionIds: z.array(z.string()).optional(),
    params: z.record(z.string(), z.unknown()).optional(),
  }),
});

/**
 * Maps a card click whose action id (or `params.actionId` / `params.action`) is an ack id to the
 * inbound text `收到 #<ticketId>`. Other clicks → undefined. Clicks carry no msgId; a re-delivery
 * repeats the same data, so its hash is the dedupe key.
 */
export function cardClickToInbound(rawData: string): InboundMessage | undefined {
  const card = CardCallbackSchema.safeParse(safeJson(rawData));
  if (!card.success) return undefined;
  const content = CardContentSchema.safeParse(safeJson(card.data.content));
  if (!content.success) return undefined;
  const { actionIds = [], params = {} } = content.data.cardPrivateData;
  const candidates = [...actionIds, params.actionId, params.action, params.id];
  const text = candidates.map((c) => (typeof c === 'string' ? ackText(c) : undefined)).find(Boolean);
  if (!text) return undefined;
  const inGroup = card.data.spaceType === 'IM_GROUP' && card.data.spaceId;
  return {
    channel: 'dingtalk',
    platformMsgId: `card-${createHash('sha256').update(rawData).digest('hex').slice(0, 40)}`,
    userRef: card.data.userId,
    role: 'staff',
    ...(inGroup ? { chatId: card.data.spaceId } : {}),
    text,
    replyContext: {
      conversationType: inGroup ? '2' : '1',
      ...(inGroup ? { conversationId: card.data.spaceId } : {}),
      senderStaffId: card.data.userId,
      outTrackId: card.data.outTrackId,
    },
  };
}

/** JSON.parse that returns undefined instead of throwing (frames come from the network). */
export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
