import { maskContactsIn } from '../../domain/orders/mask.ts';
import type { RatingLevel } from '../../domain/tickets/rating.ts';
import { zh } from '../../i18n/zh.ts';
import type { TicketRow } from '../../store/tickets.repo.ts';
import type { Answer, HandlingInput } from '../handle-message.ts';
import { answerOn, type TicketDeps } from './context.ts';

/** How long after a ticket is resolved a bare "满意" still rates it. */
const RATE_WITHIN_MS = 7 * 24 * 3_600_000;

/**
 * The customer rates how a resolved ticket was handled (the resolution notice asks). A tap names its ticket;
 * a typed "满意" rates their latest ticket resolved in the last 7 days. Recorded on the ticket once per
 * delivery, and the same answer twice is one rating (a different one later counts over it); 不满意 goes to
 * the ticket's owner and the supervisors, who call the customer back. Undefined when there is nothing to rate.
 */
export async function onRating(
  deps: TicketDeps,
  input: Pick<HandlingInput, 'sender' | 'delivery'>,
  rating: { level: RatingLevel; ticketId?: number; comment?: string },
): Promise<Answer | undefined> {
  const { sender, delivery } = input;
  const t = rating.ticketId
    ? await deps.repo.byId(rating.ticketId)
    : await deps.repo.latestResolved(sender.id, new Date(deps.now().getTime() - RATE_WITHIN_MS));
  if (!t || t.customerId !== sender.id || !t.resolvedAt) return undefined;
  if (!(await deps.repo.handled(t.id, delivery.id))) {
    // The same answer tapped twice is one rating.
    const comment = rating.comment?.slice(0, 200);
    if (!comment && (await deps.repo.latestRating(t.id)) === rating.level) return answerOn(t, zh.rated(rating.level));
    await deps.repo.addEvent({
      ticketId: t.id,
      type: 'rating',
      actor: `customer:${sender.id}`,
      channel: delivery.channel,
      reason: `评价本次处理：${zh.ratingLabels[rating.level]}${comment ? `（${comment}）` : ''}`,
      data: { level: rating.level, deliveryId: delivery.id, ...(comment ? { comment } : {}) },
    });
    if (rating.level === 'bad') await tellOfBadRating(deps, t, delivery.id, comment);
  }
  return answerOn(t, zh.rated(rating.level));
}

async function tellOfBadRating(deps: TicketDeps, t: TicketRow, deliveryId: string, comment?: string): Promise<void> {
  const supervisors = await deps.directory.staffByRole(['supervisor'], { onDutyOnly: false });
  const staffIds = [...new Set([...(t.assigneeId ? [t.assigneeId] : []), ...supervisors.map((s) => s.id)])];
  if (staffIds.length === 0) return;
  await deps.notifier.push({
    to: { staffIds },
    kind: 'push',
    text: zh.badRatingToStaff({
      id: t.id,
      summary: maskContactsIn(t.summary),
      ...(comment ? { comment: maskContactsIn(comment) } : {}),
    }),
    dedupeKey: `bad-rating-${t.id}-${deliveryId}`,
    ticketId: t.id,
  });
}
