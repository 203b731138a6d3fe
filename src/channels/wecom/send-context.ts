import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { OutboundMessage, SendResult } from '../channel.ts';
import type { SendBudget } from '../outbound/budget-store.ts';
import type { PictureLinks } from '../outbound/picture.ts';
import { cardToText, markdownToText } from '../outbound/plain-text.ts';
import type { RerouteReason } from '../send-budget.ts';
import type { WecomApiClient } from './api-client.ts';

/** Platform size limits in UTF-8 bytes (platforms.md §4.2, §4.4, §4.5, §7). */
export const LIMITS = {
  appText: 2048,
  appMarkdown: 2048,
  kfText: 2048,
  robotText: 2048,
  robotMarkdown: 4096,
  /** response_url markdown: not documented; kept at the robot markdown size. */
  botReply: 4096,
  /** Template card sub_title_text: "建议不超过 112 个字". */
  cardBodyChars: 112,
  cardTitleChars: 26,
  cardButtonChars: 10,
} as const;

/** Everything the per-target senders share. */
export interface SendContext {
  api: WecomApiClient;
  kfApi: WecomApiClient;
  budget: SendBudget;
  redis: Redis;
  keyPrefix: string;
  /** Origin of WECOM_API_BASE; response_url must point there. */
  apiOrigin: string;
  defaultOpenKfId?: string;
  groupWebhooks: Record<string, string>;
  /** Send markdown to app members (false: text only, e.g. when members use the WeChat plugin). */
  appMarkdown: boolean;
  /** Publishes a picture at a public URL, for the bot's markdown replies (unset: no PUBLIC_BASE_URL). */
  pictureLinks?: PictureLinks;
  /** Where a customer update goes when kf cannot carry it (platforms.md §4.5 "route to staff"). */
  reroute(message: OutboundMessage, reason: RerouteReason, text: string): Promise<SendResult>;
}

export const failed = (error: string): SendResult => ({ status: 'failed', error });

/** The plain rendering of a message: its text, or the card / markdown flattened. */
export function plainText(message: OutboundMessage): string {
  if (message.card) return cardToText(message.card);
  return message.text || (message.markdown ? markdownToText(message.markdown) : '');
}

/** A short stable id from a dedupe key: kf `msgid` (≤ 32 B) and card `task_id` derive from it. */
export function stableId(key: string, length = 28): string {
  return createHash('sha1').update(key).digest('hex').slice(0, length);
}

export function stringField(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

export const REROUTE_TEXT: Record<RerouteReason, string> = {
  kf_window_closed: '客户超过 48 小时未发言，微信客服已无法主动发送',
  kf_budget_exhausted: '客户上次发言后可发送的 5 条消息已用完',
  kf_budget_reserved: '剩余的可发送条数需留给下一次回复',
  kf_session_state: '顾客正由人工客服接待（或在排队等待接入），机器人不能再向其发消息，请在微信客服中回复',
  kf_handoff_failed: '顾客要求转人工，但微信客服转接接口出错，请在客服工具中手动接入',
  kf_send_failed: '微信客服报告这条消息没有送达顾客',
};
