import type { Priority } from '../../domain/tickets/priority.ts';
import { computeDeadlines, evaluateSla, type SlaClockState, TIMER_ZH } from '../../domain/tickets/sla.ts';
import type { TicketRow } from '../../store/tickets.repo.ts';
import type { TimerSpec } from '../ports.ts';
import { calendarFor, policyFor } from './config.ts';
import { fmtTime, type TicketDeps } from './context.ts';

export function clockState(t: TicketRow): SlaClockState {
  const flags = (t.flags ?? {}) as { lastUpdateAt?: string; pausedMinutes?: number };
  return {
    createdAt: t.createdAt,
    ...(t.firstRespondedAt ? { firstRespondedAt: t.firstRespondedAt } : {}),
    ...(flags.lastUpdateAt ? { lastUpdateAt: new Date(flags.lastUpdateAt) } : {}),
    ...(t.resolvedAt ? { resolvedAt: t.resolvedAt } : {}),
    ...(t.pausedAt ? { pausedAt: t.pausedAt } : {}),
    pausedMinutes: flags.pausedMinutes ?? 0,
  };
}

/**
 * Recompute the deadlines from the DB state, store them on the ticket, and schedule one warning and one
 * breach job per running timer under the ticket's policy revision (old revisions are ignored when they fire).
 */
export async function rescheduleTimers(deps: TicketDeps, t: TicketRow): Promise<TicketRow> {
  const policy = policyFor(deps.config, t.priority as Priority);
  const deadlines = computeDeadlines(clockState(t), policy, calendarFor(deps.config, policy.calendarId));
  const due = (k: string) => deadlines.find((d) => d.timer === k)?.dueAt ?? null;
  const updated = await deps.repo.update(t.id, {
    slaPolicyId: policy.id,
    firstResponseDueAt: due('first_response'),
    nextUpdateDueAt: due('next_update'),
    resolveDueAt: due('resolution'),
  });
  const specs = deadlines.flatMap((d) => [
    { ticketId: t.id, kind: `${d.timer}-warning`, revision: t.policyRevision, dueAt: d.warnAt },
    { ticketId: t.id, kind: `${d.timer}-breach`, revision: t.policyRevision, dueAt: d.dueAt },
  ]);
  if (deps.timers.scheduleMany) await deps.timers.scheduleMany(specs);
  else for (const spec of specs) await deps.timers.schedule(spec);
  return updated;
}

/** Bumps the revision (so pending jobs become no-ops) and schedules fresh timers. */
export async function bumpAndReschedule(deps: TicketDeps, t: TicketRow): Promise<TicketRow> {
  const bumped = await deps.repo.update(t.id, { policyRevision: { increment: 1 } });
  return rescheduleTimers(deps, bumped);
}

/**
 * A timer fired: re-read the ticket, evaluate, record each warning/breach once (unique constraint), and
 * act on the new ones. Stale revisions and closed tickets do nothing.
 */
export async function onSlaTimer(
  deps: TicketDeps,
  spec: TimerSpec,
  onBreach: (t: TicketRow, timer: string) => Promise<void>,
): Promise<string> {
  const t = await deps.repo.byId(spec.ticketId);
  if (!t || t.status === 'closed' || t.status === 'resolved') return 'ticket-done';
  if (spec.revision !== t.policyRevision) return 'stale-revision';
  const policy = policyFor(deps.config, t.priority as Priority);
  const events = evaluateSla(clockState(t), policy, calendarFor(deps.config, policy.calendarId), deps.now());
  let acted = 0;
  for (const e of events) {
    const fresh = await deps.repo.recordSlaEvent({
      ticketId: t.id,
      timer: e.timer,
      type: e.type,
      policyRevision: t.policyRevision,
      dueAt: e.dueAt,
    });
    if (!fresh) continue;
    acted++;
    await deps.repo.addEvent({
      ticketId: t.id,
      type: e.type === 'breach' ? 'sla_breach' : 'sla_warning',
      actor: 'system',
      reason: `${TIMER_ZH[e.timer]}${e.type === 'breach' ? '已超时' : '即将超时'}（${fmtTime(e.dueAt)}）`,
    });
    if (e.type === 'warning') await warnAssignee(deps, t, `${TIMER_ZH[e.timer]}将于 ${fmtTime(e.dueAt)} 到期`);
    else await onBreach(t, e.timer);
  }
  return acted > 0 ? `recorded-${acted}` : 'nothing-due';
}

async function warnAssignee(deps: TicketDeps, t: TicketRow, what: string) {
  if (!t.assigneeId) return;
  await deps.notifier.push({
    to: { staffIds: [t.assigneeId] },
    kind: 'alert',
    text: `⏰ 工单 #${t.id}（${t.priority}）${what}，请尽快处理。`,
    dedupeKey: `warn-${t.id}-${t.policyRevision}-${what}`,
    ticketId: t.id,
  });
}

/** Sweep: after a restart or Redis data loss, make sure every active ticket has its timers queued. */
export async function restoreMissingTimers(deps: TicketDeps, limit = 500): Promise<number> {
  let restored = 0;
  for (const t of await deps.repo.active(limit)) {
    if (t.pausedAt) continue;
    const kinds = [
      ['first_response', t.firstResponseDueAt],
      ['next_update', t.nextUpdateDueAt],
      ['resolution', t.resolveDueAt],
    ] as const;
    for (const [timer, due] of kinds) {
      if (!due) continue;
      const breach = { ticketId: t.id, kind: `${timer}-breach`, revision: t.policyRevision };
      if (await deps.timers.exists(breach)) continue;
      const already = await deps.repo.prisma.slaEvent.count({
        where: { ticketId: t.id, timer, type: 'breach', dueAt: due },
      });
      if (already > 0) continue;
      await deps.timers.schedule({ ...breach, dueAt: due });
      restored++;
    }
  }
  return restored;
}
