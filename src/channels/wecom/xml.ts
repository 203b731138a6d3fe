import { SaxesParser } from 'saxes';
import { z } from 'zod';
import { malformedBody } from '../../domain/errors.ts';

/**
 * Parsing of WeCom's XML: the outer envelope (only `Encrypt` matters, read with a strict regex) and
 * the decrypted inner message (saxes, a conforming non-validating parser: one pass checks
 * well-formedness and decodes the predefined entities; no DTD is accepted, so nothing is expanded;
 * every value is kept as a string because MsgId exceeds 2^53 — platforms.md §2.6).
 */

/** Inner callback message, narrowed to what the adapter acts on. */
export type WecomAppMessage =
  | { type: 'text'; msgId: string; fromUser: string; content: string; createTime: number; agentId?: string }
  | { type: 'kf_event'; openKfId: string; token: string; createTime: number }
  | { type: 'card_event'; fromUser: string; eventKey: string; taskId: string; createTime: number }
  | { type: 'other'; msgType: string; event?: string };

const OUTER_ENCRYPT_RE = /<Encrypt>\s*(?:<!\[CDATA\[([A-Za-z0-9+/=]+)\]\]>|([A-Za-z0-9+/=]+))\s*<\/Encrypt>/;
const MAX_TEXT = 20_000;

/**
 * Returns the base64 `Encrypt` of an XML callback envelope.
 * @throws CodedError MalformedBody when the body is not one `<xml>` element with exactly one Encrypt.
 */
export function extractEncryptFromXml(body: string): string {
  const trimmed = body.trim();
  if (!trimmed.startsWith('<xml>') || !trimmed.endsWith('</xml>')) {
    throw malformedBody('回调消息体不是企业微信的 XML 格式（应以 <xml> 开头、</xml> 结尾）');
  }
  if (/<!(DOCTYPE|ENTITY)/i.test(trimmed)) throw malformedBody('回调消息体含有 DTD/实体声明，已拒绝');
  const at = trimmed.indexOf('<Encrypt>');
  const match = at >= 0 && trimmed.indexOf('<Encrypt>', at + 1) < 0 ? OUTER_ENCRYPT_RE.exec(trimmed) : null;
  if (!match) throw malformedBody('回调消息体缺少 Encrypt 字段或包含多个 Encrypt');
  return match[1] ?? match[2] ?? '';
}

const jsonEnvelope = z.object({ encrypt: z.string().regex(/^[A-Za-z0-9+/=]+$/) });

/**
 * Returns `encrypt` of a JSON callback envelope (智能机器人, JSON-flavour app callbacks).
 * @throws CodedError MalformedBody.
 */
export function extractEncryptFromJson(body: string): string {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    throw malformedBody('回调消息体不是合法的 JSON');
  }
  const parsed = jsonEnvelope.safeParse(data);
  if (!parsed.success) throw malformedBody('回调消息体缺少 encrypt 字段');
  return parsed.data.encrypt;
}

const str = z.string().max(MAX_TEXT);
const digits = z.string().regex(/^\d{1,20}$/);
const kfShape = z.object({ OpenKfId: str.min(1), Token: str.min(1), CreateTime: digits });
const cardShape = z.object({ FromUserName: str.min(1), EventKey: str, TaskId: str.default(''), CreateTime: digits });

// The envelope and the text message (every staff message, the busiest callback) are checked by hand: zod's
// safeParse of the two cost ~2 % of the endpoint's CPU. Same rules as the shapes: a string of at most
// MAX_TEXT characters; digits are 1–20 of them (MsgId exceeds 2^53, so it stays a string).
const isText = (v: unknown, minLength = 0): v is string =>
  typeof v === 'string' && v.length >= minLength && v.length <= MAX_TEXT;
const DIGITS_RE = /^\d{1,20}$/;
const isDigits = (v: unknown): v is string => typeof v === 'string' && DIGITS_RE.test(v);

/**
 * Parses and validates a decrypted app / kf callback message.
 * @throws CodedError MalformedBody (not well-formed, DTD present, or a known type missing fields).
 */
export function parseAppMessage(xml: string): WecomAppMessage {
  const fields = xmlFields(xml);
  const msgType = fields.MsgType;
  if (
    !isText(msgType) ||
    (fields.CreateTime !== undefined && !isDigits(fields.CreateTime)) ||
    (fields.FromUserName !== undefined && !isText(fields.FromUserName))
  )
    throw malformedBody('解密后的消息缺少 MsgType 字段');
  const event = typeof fields.Event === 'string' ? fields.Event : undefined;
  if (msgType === 'text') {
    const { MsgId: msgId, FromUserName: fromUser, Content: content, CreateTime: createTime } = fields;
    if (!isDigits(msgId) || !isText(fromUser, 1) || !isText(content) || !isDigits(createTime))
      throw malformedBody('文本消息字段不完整或格式错误');
    const agentId = typeof fields.AgentID === 'string' && fields.AgentID ? fields.AgentID : undefined;
    return { type: 'text', msgId, fromUser, content, createTime: +createTime, agentId };
  }
  if (msgType === 'event' && event === 'kf_msg_or_event') {
    const m = must(kfShape.safeParse(fields), '微信客服事件');
    return { type: 'kf_event', openKfId: m.OpenKfId, token: m.Token, createTime: +m.CreateTime };
  }
  if (msgType === 'event' && event === 'template_card_event') {
    const m = must(cardShape.safeParse(fields), '模板卡片事件');
    return {
      type: 'card_event',
      fromUser: m.FromUserName,
      eventKey: m.EventKey,
      taskId: m.TaskId,
      createTime: +m.CreateTime,
    };
  }
  return { type: 'other', msgType, event };
}

function must<T>(result: { success: true; data: T } | { success: false }, what: string): T {
  if (!result.success) throw malformedBody(`${what}字段不完整或格式错误`);
  return result.data;
}

/** Marks a field that cannot be a value: repeated, or holding child elements. */
const NOT_A_VALUE = Object.freeze({ notAValue: true });

/**
 * The `<xml>` root as a flat record of its child elements' text (CDATA and text joined in document
 * order, trimmed). A repeated or nested field becomes a non-string marker, so the zod shapes reject it.
 */
function xmlFields(xml: string): Record<string, unknown> {
  return flatFields(xml) ?? parsedFields(xml);
}

// One field of the flat form WeCom sends: `<Name>` + CDATA (without `]]>`) or plain text (no markup, no
// entity) + `</Name>`. No carriage return (an XML parser would normalise it) and no character XML forbids.
// Allowed characters: tab, newline and U+0020–U+FFFD (so no other control character, no CR, no U+FFFE/FFFF);
// plain text also leaves out & < > (U+0026, U+003C, U+003E).
const FIELD =
  /[ \t\n]*<([A-Za-z_][A-Za-z0-9_]*)>(?:<!\[CDATA\[((?:(?!\]\]>)[\t\n -\uFFFD])*)\]\]>|([\t\n -%'-;=?-\uFFFD]*))<\/\1>/y;

/**
 * The fast path of {@link xmlFields}: a message entirely in the flat form (every callback WeCom sends for
 * text, kf and card events) read with one sticky regex. Anything else — nesting, entities, comments, a
 * declaration, malformed input — returns undefined for the full parser; what this accepts is well-formed
 * XML that the full parser reads to the same fields (tests/channels/wecom/xml.test.ts compares them).
 */
export function flatFields(xml: string): Record<string, unknown> | undefined {
  const doc = xml.trim();
  if (!doc.startsWith('<xml>') || !doc.endsWith('</xml>')) return undefined;
  const end = doc.length - '</xml>'.length;
  const fields: Record<string, unknown> = Object.create(null);
  FIELD.lastIndex = '<xml>'.length;
  for (;;) {
    const at = FIELD.lastIndex;
    const m = FIELD.exec(doc);
    if (!m || FIELD.lastIndex > end) return /^[ \t\n]*$/.test(doc.slice(at, end)) ? fields : undefined;
    const name = m[1] as string;
    fields[name] = Object.hasOwn(fields, name) ? NOT_A_VALUE : (m[2] ?? m[3] ?? '').trim();
  }
}

/** {@link xmlFields} through a conforming XML parser (saxes). */
export function parsedFields(xml: string): Record<string, unknown> {
  if (/<!(DOCTYPE|ENTITY)/i.test(xml)) throw malformedBody('消息含有 DTD/实体声明，已拒绝');
  const fields: Record<string, unknown> = Object.create(null);
  let rootName = '';
  let depth = 0;
  let field = '';
  let text = '';
  let nested = false;
  const parser = new SaxesParser();
  parser.on('opentag', (tag) => {
    depth++;
    if (depth === 1) rootName = tag.name;
    else if (depth === 2) {
      field = tag.name;
      text = '';
      nested = false;
    } else nested = true;
  });
  const onText = (chunk: string) => {
    if (depth === 2) text += chunk;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    if (depth === 2) fields[field] = nested || Object.hasOwn(fields, field) ? NOT_A_VALUE : text.trim();
    depth--;
  });
  try {
    parser.write(xml).close();
  } catch {
    throw malformedBody('解密后的消息不是合法的 XML');
  }
  if (rootName !== 'xml') throw malformedBody('解密后的消息缺少 <xml> 根元素');
  return fields;
}
