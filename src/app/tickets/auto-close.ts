import { zh } from '../../i18n/zh.ts';
import type { TicketDeps } from './context.ts';
import { moveTicket } from './move.ts';

/**
 * Resolved tickets the customer has not come back to within `days` are closed, as helpdesks do: the problem's
 * open key is freed (a new message about it opens a new ticket, linked to this one) and the queue numbers stop
 * counting it. The customer is not messaged; a rating given later still counts. At most `limit` per run, oldest
 * first; a ticket that moved meanwhile (reopened, closed by someone) is left alone. Returns how many closed.
 */
export async function closeResolved(deps: TicketDeps, days: number, limit = 200): Promise<number> {
  if (days <= 0) return 0;
  const cutoff = new Date(deps.now().getTime() - days * 86_400_000);
  let closed = 0;
  for (const listed of await deps.repo.resolvedBefore(cutoff, limit)) {
    // Read again just before the move: the customer may have written (and reopened it) since the list was read.
    const t = await deps.repo.byId(listed.id);
    if (t?.status !== 'resolved' || !t.resolvedAt || t.resolvedAt >= cutoff) continue;
    try {
      await moveTicket(deps, t, 'close', {
        actor: 'system',
        channel: t.channel,
        deliveryId: `auto-close-${t.id}`,
        reason: zh.autoClosed(days),
      });
      closed++;
    } catch (err) {
      deps.log.warn({ ticketId: t.id, err: (err as Error).message }, '自动关闭工单失败，下次再试');
    }
  }
  return closed;
}
