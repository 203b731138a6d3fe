import { z } from 'zod';
import { malformedBody } from '../../domain/errors.ts';

/**
 * The decrypted JSON of a 智能机器人 (AI bot) HTTP callback (platforms.md §4.6; docs 100719, 101027).
 */
export type WecomBotMessage =
  | {
      type: 'text';
      msgId: string;
      fromUser: string;
      chatId?: string;
      chatType: string;
      content: string;
      responseUrl?: string;
      createTime?: number;
    }
  | { type: 'card_event'; msgId: string; fromUser: string; chatId?: string; eventKey: string; responseUrl?: string }
  | { type: 'other'; msgType: string };

const id = z.union([z.string(), z.number()]).transform(String);
const common = z.object({
  msgid: id,
  chatid: id.optional(),
  chattype: z.string().default('single'),
  from: z.object({ userid: id }),
  response_url: z.string().max(2048).optional(),
  create_time: z.number().optional(),
  msgtype: z.string(),
});
const textPart = z.object({ content: z.string().max(20_000) });
const mixedPart = z.object({
  msg_item: z.array(z.object({ msgtype: z.string(), text: textPart.optional() })).max(50),
});
const cardEvent = z.object({
  eventtype: z.string(),
  template_card_event: z.object({ event_key: z.string() }).optional(),
});

/** Ids that must never pass through a JS number (64-bit values lose precision, platforms.md §2.6). */
const BARE_ID_RE = /("(?:msgid|aibotid|chatid|userid|MsgId)"\s*:\s*)(-?\d+)/g;

/**
 * Parses a decrypted AI-bot callback; text keeps only what follows the leading @-mentions.
 * @throws CodedError MalformedBody.
 */
export function parseBotMessage(json: string, botName?: string): WecomBotMessage {
  let data: unknown;
  try {
    data = JSON.parse(json.replace(BARE_ID_RE, '$1"$2"'));
  } catch {
    throw malformedBody('智能机器人回调解密后不是合法的 JSON');
  }
  const head = common.safeParse(data);
  if (!head.success) throw malformedBody('智能机器人回调缺少 msgid / from / msgtype 字段');
  const h = head.data;
  const base = { msgId: h.msgid, fromUser: h.from.userid, chatId: h.chatid, responseUrl: h.response_url };
  const record = data as Record<string, unknown>;
  if (h.msgtype === 'text' || h.msgtype === 'mixed') {
    const raw = h.msgtype === 'text' ? textOf(record.text) : mixedText(record.mixed);
    return {
      type: 'text',
      ...base,
      chatType: h.chattype,
      content: stripMention(raw, botName),
      createTime: h.create_time,
    };
  }
  if (h.msgtype === 'event') {
    const ev = cardEvent.safeParse(record.event);
    if (ev.success && ev.data.eventtype === 'template_card_event' && ev.data.template_card_event) {
      return { type: 'card_event', ...base, eventKey: ev.data.template_card_event.event_key };
    }
  }
  return { type: 'other', msgType: h.msgtype };
}

function textOf(value: unknown): string {
  const parsed = textPart.safeParse(value);
  if (!parsed.success) throw malformedBody('智能机器人文本消息缺少 text.content');
  return parsed.data.content;
}

function mixedText(value: unknown): string {
  const parsed = mixedPart.safeParse(value);
  if (!parsed.success) throw malformedBody('智能机器人图文混排消息格式错误');
  return parsed.data.msg_item
    .map((item) => item.text?.content ?? '')
    .filter(Boolean)
    .join('\n');
}

/**
 * Removes the `@BotName` prefix WeCom leaves in group messages. With `botName` only that mention is
 * removed (anywhere); without it, every leading `@word` token is removed.
 */
export function stripMention(text: string, botName?: string): string {
  if (botName)
    return text
      .split(`@${botName}`)
      .join('')
      .replace(/[ \t]{2,}/g, ' ')
      .trim();
  return text.replace(/^(\s*@\S+)+/u, '').trim();
}
