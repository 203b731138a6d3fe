import { createHash } from 'node:crypto';
import type { OutboundMessage, SendResult } from '../channel.ts';
import { splitUtf8, truncateUtf8 } from '../outbound/split-text.ts';
import type { GroupRobotMessage } from './api-types.ts';
import { failed, LIMITS, plainText, type SendContext, stringField } from './send-context.ts';

/**
 * A push into a group through its robot webhook (`chatId` names a configured webhook, e.g.
 * `managers`). ≤ 20 messages/min per robot: bursts beyond are merged into one digest sent later.
 * Cards become text with "回复「收到 #id」" hints, since robot messages have no callback buttons.
 */
export async function sendGroup(ctx: SendContext, message: OutboundMessage, chatId: string): Promise<SendResult> {
  const url = ctx.groupWebhooks[chatId];
  if (!url) return failed(`没有名为 ${chatId} 的群机器人 webhook，请检查 WECOM_*_WEBHOOK 配置`);
  const bodies = robotBodies(message);
  const target = { kind: 'group_robot', robotId: chatId } as const;
  const admission = await ctx.budget.admit(
    target,
    message,
    { kind: message.kind, parts: bodies.length },
    plainText(message),
  );
  if (admission.action === 'deferred') return { status: 'deferred' };
  if (admission.action === 'reroute') return failed('群消息不会被改道');
  for (const [i, body] of bodies.entries()) {
    try {
      await ctx.api.sendGroupRobot(url, body);
    } catch (err) {
      await admission.release(bodies.length - i);
      throw err;
    }
  }
  return { status: 'sent', platformIds: [] };
}

function robotBodies(message: OutboundMessage): GroupRobotMessage[] {
  if (message.markdown && !message.card) {
    return splitUtf8(message.markdown, LIMITS.robotMarkdown).map((content) => ({
      msgtype: 'markdown',
      markdown: { content },
    }));
  }
  return splitUtf8(plainText(message), LIMITS.robotText).map((content) => ({ msgtype: 'text', text: { content } }));
}

/**
 * Answers a 智能机器人 @-mention through the callback's `response_url` (single use, 1 h). Falls back
 * to the group's robot webhook when the URL is missing, used, or not on the WeCom API host.
 */
export async function sendBotReply(ctx: SendContext, message: OutboundMessage): Promise<SendResult> {
  const responseUrl = stringField(message.replyContext?.responseUrl);
  const claim = responseUrl && sameOrigin(responseUrl, ctx.apiOrigin) ? await claimOnce(ctx, responseUrl) : undefined;
  if (responseUrl && claim) {
    const content = truncateUtf8(message.markdown ?? plainText(message), LIMITS.botReply);
    try {
      await ctx.api.replyBotResponse(responseUrl, content);
    } catch (err) {
      await ctx.redis.del(claim);
      throw err;
    }
    return { status: 'sent', platformIds: [] };
  }
  const chatId = message.target.chatId;
  if (chatId && ctx.groupWebhooks[chatId]) return sendGroup(ctx, message, chatId);
  return failed('智能机器人回复地址 response_url 缺失或已使用，且该群未配置群机器人 webhook');
}

function sameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}

/**
 * response_url may be called once; a second reply to the same message must go another way.
 * Resolves with the claim's key (to give it back if the call fails), or undefined when already used.
 */
async function claimOnce(ctx: SendContext, url: string): Promise<string | undefined> {
  const key = `${ctx.keyPrefix}wecom:response-url:${createHash('sha1').update(url).digest('hex')}`;
  return (await ctx.redis.set(key, '1', 'EX', 3600, 'NX')) === 'OK' ? key : undefined;
}
