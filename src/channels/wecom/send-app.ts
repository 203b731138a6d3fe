import { asCodedError, ErrorCode } from '../../domain/errors.ts';
import type { OutboundMessage, SendResult } from '../channel.ts';
import { pngWithin } from '../outbound/picture.ts';
import { splitUtf8 } from '../outbound/split-text.ts';
import type { AppMessageBody, ButtonCard } from './api-types.ts';
import { failed, LIMITS, plainText, type SendContext, stableId } from './send-context.ts';

/** `media/upload` takes images up to 10 MB (上传临时素材); a larger picture is left out. */
const UPLOAD_IMAGE_LIMIT = { bytes: 10 * 1024 * 1024, name: '企业微信临时素材 10 MB' };

/**
 * A 1:1 message to a member (staff, manager) through the self-built app (`message/send`): text,
 * markdown, or a button card whose clicks come back as `template_card_event` (→ `收到 #id`), then the
 * message's picture, if any, uploaded (`media/upload`) and sent as an image message.
 * Members get ≤ 30/min and ≤ 1000/h, beyond which WeCom drops silently, so the budget defers instead.
 */
export async function sendApp(ctx: SendContext, message: OutboundMessage, userId: string): Promise<SendResult> {
  const bodies = appBodies(ctx, message);
  const picture = pngWithin(message.picture, UPLOAD_IMAGE_LIMIT);
  const parts = bodies.length + (picture ? 1 : 0);
  const text = plainText(message);
  const target = { kind: 'app_user', userId } as const;
  const admission = await ctx.budget.admit(target, message, { kind: message.kind, parts }, text);
  if (admission.action === 'deferred') return { status: 'deferred' };
  if (admission.action === 'reroute') return failed('应用消息不会被改道');
  const ids: string[] = [];
  for (const [i, body] of bodies.entries()) {
    try {
      const { msgid, invalidUser } = await ctx.api.sendAppMessage(userId, body);
      if (invalidUser.split('|').includes(userId)) {
        await admission.release(parts - i);
        return failed(`企业微信成员 ${userId} 不存在或不在应用可见范围内`);
      }
      ids.push(msgid);
    } catch (err) {
      await admission.release(parts - i);
      throw err;
    }
  }
  if (!picture) return { status: 'sent', platformIds: ids };
  try {
    ids.push(await sendPicture(ctx, userId, picture));
  } catch (err) {
    await admission.release(1);
    const coded = asCodedError(err);
    // Worth a retry of the whole message: enable_duplicate_check keeps the text from arriving twice.
    if (coded.code === ErrorCode.RateLimited || coded.details?.transient === true) throw coded;
    // Refused for good: the text reads whole without the picture and has been delivered.
    return { status: 'sent', platformIds: ids, error: `文字已发送，图片未能发送：${coded.message}` };
  }
  return { status: 'sent', platformIds: ids };
}

/** Uploads the PNG as a temporary image and sends it to the member; returns the message's msgid. */
async function sendPicture(ctx: SendContext, userId: string, png: Buffer): Promise<string> {
  const mediaId = await ctx.api.uploadMedia('image', { bytes: png, filename: 'report.png', contentType: 'image/png' });
  const { msgid } = await ctx.api.sendAppMessage(userId, { msgtype: 'image', image: { media_id: mediaId } });
  return msgid;
}

/** The message/send bodies for one outbound message, in sending order. */
export function appBodies(ctx: Pick<SendContext, 'appMarkdown'>, message: OutboundMessage): AppMessageBody[] {
  const { card } = message;
  if (card) {
    const cardBody = buttonCard(message.dedupeKey, card);
    // A body longer than the card can show goes first as text, so nothing is hidden.
    if ([...card.body].length <= LIMITS.cardBodyChars) return [cardBody];
    return [...textBodies(`【${card.title}】\n${card.body}`), cardBody];
  }
  if (message.markdown && ctx.appMarkdown) {
    return splitUtf8(message.markdown, LIMITS.appMarkdown).map((content) => ({
      msgtype: 'markdown',
      markdown: { content },
    }));
  }
  return textBodies(message.text);
}

function textBodies(text: string): AppMessageBody[] {
  return splitUtf8(text, LIMITS.appText).map((content) => ({ msgtype: 'text', text: { content } }));
}

function buttonCard(dedupeKey: string, card: NonNullable<OutboundMessage['card']>): AppMessageBody {
  const template: ButtonCard = {
    card_type: 'button_interaction',
    main_title: { title: clip(card.title, LIMITS.cardTitleChars) },
    sub_title_text: clip(card.body, LIMITS.cardBodyChars),
    task_id: `card-${stableId(dedupeKey, 40)}`,
    button_list: card.buttons.slice(0, 6).map((b, i) => ({
      text: clip(b.label, LIMITS.cardButtonChars),
      style: i === 0 ? 1 : 2,
      key: b.id,
    })),
  };
  return { msgtype: 'template_card', template_card: template };
}

function clip(text: string, chars: number): string {
  const list = [...text];
  return list.length <= chars ? text : `${list.slice(0, chars - 1).join('')}…`;
}
