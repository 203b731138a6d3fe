import {
  openKey,
  STATUS_ZH,
  type TicketAction,
  type TicketStatus,
  transition,
} from '../../domain/tickets/lifecycle.ts';
import type { Prisma } from '../../generated/prisma/client.ts';
import type { TicketRepo, TicketRow } from '../../store/tickets.repo.ts';
import type { TicketDeps } from './context.ts';
import { escalate } from './escalate.ts';
import { updateAndReschedule } from './timers.ts';

type TicketData = Parameters<TicketRepo['update']>[1];

/** Who moves a ticket, from which message; `reason` replaces the default "from → to" of the event. */
export interface Mover {
  actor: string;
  channel: string;
  deliveryId: string;
  reason?: string;
  /** What the person wrote with the move ("解决 #12 已补发"), kept on the event as `note`. */
  note?: string;
}

/**
 * Moves `t` by `action` under the lifecycle rules — for staff commands and for customer messages alike —
 * with the fields the move implies, in one UPDATE with its event and fresh SLA deadlines:
 * - leaving 等待客户 (by any move) ends the pause and adds it to `pausedMinutes`, so the clock runs again;
 * - resolve / close / reopen stamp or clear their times, close frees the open key, reopen takes it back,
 *   counts itself and escalates (one level higher each time);
 * - acknowledge, start and reopen count as a progress update (`lastUpdateAt`).
 * `extra` adds the caller's own fields (a staff member's first response, the customer's last message).
 * @throws CodedError when the lifecycle does not allow `action` from the ticket's status.
 */
export async function moveTicket(
  deps: TicketDeps,
  t: TicketRow,
  action: TicketAction,
  by: Mover,
  extra: TicketData = {},
): Promise<TicketRow> {
  const from = t.status as TicketStatus;
  const to = transition(from, action);
  const now = deps.now();
  const flags = (t.flags ?? {}) as Record<string, unknown>;
  const flagChanges: Record<string, unknown> = {};
  const data: TicketData = { status: to };
  if (to === 'waiting_customer') data.pausedAt = now;
  if (from === 'waiting_customer' && to !== 'waiting_customer') {
    data.pausedAt = null;
    const paused = t.pausedAt ? (now.getTime() - t.pausedAt.getTime()) / 60_000 : 0;
    flagChanges.pausedMinutes = Number(flags.pausedMinutes ?? 0) + paused;
  }
  if (action === 'resolve') data.resolvedAt = now;
  if (action === 'close') {
    data.closedAt = now;
    data.openKey = null;
  }
  if (action === 'reopen') {
    data.resolvedAt = null;
    data.closedAt = null;
    data.reopenCount = { increment: 1 };
    data.openKey = openKey(t.customerId, t.orderId ?? undefined, t.problem);
  }
  if (action === 'acknowledge' || action === 'start' || action === 'reopen')
    flagChanges.lastUpdateAt = now.toISOString();
  if (Object.keys(flagChanges).length > 0) data.flags = { ...flags, ...flagChanges } as Prisma.InputJsonValue;
  const moved = await updateAndReschedule(
    deps,
    t,
    { ...data, ...extra },
    {
      type: 'status',
      actor: by.actor,
      channel: by.channel,
      reason: by.reason ?? `${STATUS_ZH[from]} → ${STATUS_ZH[to]}`,
      data: { deliveryId: by.deliveryId, action, ...(by.note ? { note: by.note } : {}) },
    },
  );
  if (action === 'reopen') await escalate(deps, moved, 'reopen');
  return moved;
}

/**
 * A staff answer reached `t`'s customer (回复 #N, or a person answering on the platform): the first response
 * if there was none, 待处理/已受理 → 处理中, and the progress clock restarts — one 'reply' event, fresh deadlines.
 */
export async function recordStaffResponse(deps: TicketDeps, t: TicketRow, by: Mover & { reason: string }) {
  const now = deps.now();
  const flags = (t.flags ?? {}) as Record<string, unknown>;
  return updateAndReschedule(
    deps,
    t,
    {
      ...(t.firstRespondedAt ? {} : { firstRespondedAt: now }),
      ...(t.status === 'open' || t.status === 'acknowledged' ? { status: 'in_progress' } : {}),
      flags: { ...flags, lastUpdateAt: now.toISOString() },
    },
    { type: 'reply', actor: by.actor, channel: by.channel, reason: by.reason, data: { deliveryId: by.deliveryId } },
  );
}
