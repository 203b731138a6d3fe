import { ticketProblemZh } from '../../domain/tickets/lifecycle.ts';
import { zh } from '../../i18n/zh.ts';
import type { KfWindows, TicketDeps } from './context.ts';

/**
 * The keep-alive sweep: a 微信客服 customer whose tickets are still under way, and whose 48 h window closes
 * soon, is asked to write once more, so the result (and 回复 #N, progress updates) can still reach them in
 * the chat instead of only the staff group. One reminder per window, naming their tickets, with 「好的」 to tap.
 * Returns how many were sent.
 */
export async function keepKfCustomersReachable(deps: TicketDeps): Promise<number> {
  const { kf } = deps;
  if (!kf) return 0;
  const customers = await deps.repo.kfCustomersWithOpenTickets();
  let sent = 0;
  // A few customers at a time: each is a Redis round trip or two, and most need nothing.
  for (let i = 0; i < customers.length; i += SWEEP_CONCURRENCY) {
    const batch = customers.slice(i, i + SWEEP_CONCURRENCY);
    const counts = await Promise.all(batch.map((c) => remind(deps, kf, c)));
    sent += counts.reduce((a, b) => a + b, 0);
  }
  return sent;
}

const SWEEP_CONCURRENCY = 32;

async function remind(
  deps: TicketDeps,
  kf: KfWindows,
  c: { userRef: string; tickets: { id: number; problem: string; status: string }[] },
): Promise<number> {
  const due = await kf.keepaliveDue(c.userRef, deps.now().getTime());
  if (!due) return 0;
  const open = c.tickets.map((t) => ({
    id: t.id,
    problemZh: ticketProblemZh(t.problem),
    waitingForYou: t.status === 'waiting_customer',
  }));
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
  return pushed.results.filter((r) => r.status === 'sent').length;
}
