import { ticketProblemZh } from '../../domain/tickets/lifecycle.ts';
import { zh } from '../../i18n/zh.ts';
import type { TicketDeps } from './context.ts';

/**
 * The keep-alive sweep: a 微信客服 customer whose tickets are still under way, and whose 48 h window closes
 * soon, is asked to write once more, so the result (and 回复 #N, progress updates) can still reach them in
 * the chat instead of only the staff group. One reminder per window, naming their tickets, with 「好的」 to tap.
 * Returns how many were sent.
 */
export async function keepKfCustomersReachable(deps: TicketDeps): Promise<number> {
  const { kf } = deps;
  if (!kf) return 0;
  let sent = 0;
  for (const c of await deps.repo.kfCustomersWithOpenTickets()) {
    const due = await kf.keepaliveDue(c.userRef, deps.now().getTime());
    if (!due) continue;
    const open = c.tickets.map((t) => ({ id: t.id, problemZh: ticketProblemZh(t.problem) }));
    const text = zh.keepalive(open);
    const pushed = await deps.notifier.push({
      to: { direct: [{ channel: 'wecom_kf', userRef: c.userRef }] },
      kind: 'push',
      keepalive: true,
      text: [text, ...zh.keepaliveItems.map((i) => `· ${i.label}`)].join('\n'),
      choices: { head: text, items: zh.keepaliveItems },
      dedupeKey: `keepalive-${due.windowKey}`,
      ...(c.tickets[0] ? { ticketId: c.tickets[0].id } : {}),
    });
    sent += pushed.results.filter((r) => r.status === 'sent').length;
  }
  return sent;
}
