import { createHash } from 'node:crypto';
import { asCodedError } from '../../domain/errors.ts';
import type { OutboundMessage, OutboundPicture, SendResult } from '../channel.ts';
import { pngWithin } from '../outbound/picture.ts';
import { byteLength, splitUtf8, truncateUtf8 } from '../outbound/split-text.ts';
import type { GroupRobotMessage } from './api-types.ts';
import { failed, LIMITS, plainText, type SendContext, stringField } from './send-context.ts';

/** A robot's image message takes a raw JPG/PNG of at most 2 MB (platforms.md §4.4). */
const ROBOT_IMAGE_LIMIT = { bytes: 2 * 1024 * 1024, name: '群机器人 2 MB' };
/** A picture linked from a bot reply: WeCom documents no limit for markdown images; kept at the robot's. */
const BOT_PICTURE_LIMIT = { bytes: 2 * 1024 * 1024, name: '智能机器人图片 2 MB' };

/**
 * A push into a group through its robot webhook (`chatId` names a configured webhook, e.g.
 * `managers`). ≤ 20 messages/min per robot: bursts beyond are merged into one digest sent later.
 * Cards become text with "回复「收到 #id」" hints, since robot messages have no callback buttons.
 * A picture goes last, as one image message; one over 2 MB is left out (the text reads whole without it).
 */
export async function sendGroup(ctx: SendContext, message: OutboundMessage, chatId: string): Promise<SendResult> {
  const url = ctx.groupWebhooks[chatId];
  if (!url) return failed(`没有名为 ${chatId} 的群机器人 webhook，请检查 WECOM_*_WEBHOOK 配置`);
  const texts = robotBodies(message);
  const image = imageBody(message.picture);
  const bodies = image ? [...texts, image] : texts;
  const target = { kind: 'group_robot', robotId: chatId } as const;
  const admission = await ctx.budget.admit(
    target,
    message,
    { kind: message.kind, parts: bodies.length },
    plainText(message),
  );
  if (admission.action === 'deferred') return { status: 'deferred' };
  if (admission.action === 'reroute') return failed('群消息不会被改道');
  for (const [i, body] of texts.entries()) {
    try {
      await ctx.api.sendGroupRobot(url, body);
    } catch (err) {
      await admission.release(bodies.length - i);
      throw err;
    }
  }
  if (!image) return { status: 'sent', platformIds: [] };
  try {
    await ctx.api.sendGroupRobot(url, image);
  } catch (err) {
    // The group already has the text, and a retry would post it again (robots have no duplicate check).
    await admission.release(1);
    return { status: 'sent', platformIds: [], error: `文字已发送，图片未能发送：${asCodedError(err).message}` };
  }
  return { status: 'sent', platformIds: [] };
}

/** The robot's image message for a picture: base64 of the raw PNG and its hex MD5; undefined if none or > 2 MB. */
function imageBody(picture: OutboundPicture | undefined): GroupRobotMessage | undefined {
  const png = pngWithin(picture, ROBOT_IMAGE_LIMIT);
  if (!png) return undefined;
  const md5 = createHash('md5').update(png).digest('hex');
  return { msgtype: 'image', image: { base64: png.toString('base64'), md5 } };
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
    let content: string;
    try {
      content = await botReplyContent(ctx, message);
    } catch (err) {
      await ctx.redis.del(claim);
      throw err;
    }
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

/**
 * The markdown of a bot reply: the text, and the picture (a report chart) as a markdown image linked from our
 * own server, since response_url takes no image message. Without PUBLIC_BASE_URL the picture is left out.
 */
async function botReplyContent(ctx: SendContext, message: OutboundMessage): Promise<string> {
  const text = message.markdown ?? plainText(message);
  const { picture } = message;
  const png = pngWithin(picture, BOT_PICTURE_LIMIT);
  if (!ctx.pictureLinks || !picture || !png) return truncateUtf8(text, LIMITS.botReply);
  const title = picture.title.replace(/[[\]\n]/g, ' ');
  const url = await ctx.pictureLinks.link(message.dedupeKey, { png, title });
  const image = `\n\n![${title}](${url})`;
  return truncateUtf8(text, LIMITS.botReply - byteLength(image)) + image;
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
