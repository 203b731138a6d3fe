import { MEDIA_TEXT } from '../../channels/channel.ts';
import { zh } from '../../i18n/zh.ts';
import type { Answer, HandlingInput } from '../handle-message.ts';
import { answerOn, type TicketDeps } from './context.ts';
import { moveTicket } from './move.ts';
import { note } from './open.ts';

/**
 * A customer's photo, voice note, video or file: evidence for the ticket they are in (the one they last
 * wrote about). It is recorded on it and its owner is told, who looks at it in the platform's client; a
 * ticket waiting on the customer ("请拍一下外包装") resumes. Undefined when the customer has no open ticket.
 */
export async function onCustomerMedia(
  deps: TicketDeps,
  input: Pick<HandlingInput, 'sender' | 'delivery'>,
): Promise<Answer | undefined> {
  const { sender, delivery } = input;
  const kind = delivery.media?.kind ?? 'image';
  const t = await deps.repo.latestOpen(sender.id);
  if (!t) return undefined;
  if (t.status === 'waiting_customer') {
    if (!(await deps.repo.handled(t.id, delivery.id))) {
      await moveTicket(
        deps,
        t,
        'resume',
        {
          actor: `customer:${sender.id}`,
          channel: delivery.channel,
          deliveryId: delivery.id,
          reason: `顾客发来${MEDIA_TEXT[kind]}，恢复计时`,
        },
        { lastCustomerMessageAt: deps.now() },
      );
    }
    return answerOn(t, zh.mediaNoted({ id: t.id, kind, resumed: true }));
  }
  await note(deps, t, input);
  return answerOn(t, zh.mediaNoted({ id: t.id, kind, resumed: false }));
}
