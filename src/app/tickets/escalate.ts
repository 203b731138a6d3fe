import { maskContactsIn } from '../../domain/orders/mask.ts';
import { CAUSE_ZH, type EscalationCause, nextLevel, pushText, startLevel } from '../../domain/tickets/escalation.ts';
import { STATUS_ZH, type TicketStatus } from '../../domain/tickets/lifecycle.ts';
import type { TicketRow } from '../../store/tickets.repo.ts';
import type { TimerSpec } from '../ports.ts';
import { customerLabel, type TicketDeps } from './context.ts';

const ROLE_OF_STEP = { agent: ['agent'], supervisor: ['supervisor'], manager: ['manager'] } as const;

async function recipients(deps: TicketDeps, t: TicketRow, role: keyof typeof ROLE_OF_STEP): Promise<string[]> {
  if (role === 'agent' && t.assigneeId) return [t.assigneeId];
  const staff = await deps.directory.staffByRole([...ROLE_OF_STEP[role]], { onDutyOnly: role === 'agent' });
  return staff.map((s) => s.id);
}

/**
 * Start (or raise) the escalation ladder for a ticket. Each level is recorded once per cause (unique
 * constraint), pushed with an ack button (once: outbox dedupe key), and a climb timer is set for the
 * next level (once: job id).
 */
export async function escalate(
  deps: TicketDeps,
  t: TicketRow,
  cause: EscalationCause,
  opts: { escalateToManager?: boolean } = {},
): Promise<void> {
  const level = startLevel(cause, {
    escalateToManager: opts.escalateToManager ?? false,
    currentLevel: t.escalationLevel,
  });
  await pushLevel(deps, t, cause, level);
}

async function pushLevel(deps: TicketDeps, t: TicketRow, cause: EscalationCause, level: number): Promise<void> {
  const step = deps.config.ladder.find((s) => s.level === level) ?? deps.config.ladder.at(-1);
  if (!step) return;
  const to = await recipients(deps, t, step.role);
  const next = nextLevel(deps.config.ladder, step.level);
  const nextAt = next ? new Date(deps.now().getTime() + next.delayMins * 60_000) : null;
  const created = await deps.repo.recordEscalation({
    ticketId: t.id,
    level: step.level,
    cause,
    recipients: to,
    nextAt,
  });
  // Recorded before (a retried job, a timer that fired twice): the level and its event stand; the push and
  // the climb timer below run again, and the outbox dedupe key and the timer job id make them no-ops
  // unless the attempt that recorded the level died before they were done.
  if (created) {
    await deps.repo.update(t.id, { escalationLevel: Math.max(t.escalationLevel, step.level) });
    await deps.repo.addEvent({
      ticketId: t.id,
      type: 'escalated',
      actor: 'system',
      reason: `升级到第 ${step.level} 级（${step.zh}）：${CAUSE_ZH[cause]}`,
      data: { level: step.level, cause },
    });
  }
  const msg = pushText({
    ticketId: t.id,
    priority: t.priority,
    level: step.level,
    cause,
    // The managers' group sees it too: what the customer wrote, without their phone or street address.
    summary: maskContactsIn(t.summary),
    customer: customerLabel(t),
    ...(t.firstResponseDueAt ? { dueAt: t.firstResponseDueAt } : {}),
    statusZh: STATUS_ZH[t.status as TicketStatus] ?? t.status,
  });
  await deps.notifier.push({
    to: { staffIds: to, ...(step.role === 'manager' ? { group: 'managers' as const } : {}) },
    kind: 'push',
    text: msg.text,
    card: { title: msg.title, body: msg.text, buttons: [{ id: `ack:${t.id}:${step.level}`, label: msg.buttonLabel }] },
    dedupeKey: `esc-${t.id}-${cause}-l${step.level}`,
    ticketId: t.id,
  });
  if (next && nextAt)
    await deps.timers.schedule({ ticketId: t.id, kind: `escalation-${cause}`, revision: step.level, dueAt: nextAt });
}

/** A climb timer fired: if that level is still unacknowledged, push the next level. */
export async function onEscalationTimer(deps: TicketDeps, spec: TimerSpec): Promise<string> {
  const cause = spec.kind.replace(/^escalation-/, '') as EscalationCause;
  const esc = await deps.repo.escalation(spec.ticketId, spec.revision, cause);
  if (esc?.status !== 'pending') return 'acknowledged-or-gone';
  const t = await deps.repo.byId(spec.ticketId);
  if (!t || t.status === 'closed') return 'ticket-done';
  const next = nextLevel(deps.config.ladder, esc.level);
  if (!next) return 'top-of-ladder';
  // The next level first, then this one marked climbed: a run that dies in between leaves this level
  // pending, so the retried job climbs again (pushLevel is idempotent) instead of finding nothing to do.
  await pushLevel(deps, t, cause, next.level);
  await deps.repo.markEscalationClimbed(esc.id);
  return `climbed-to-${next.level}`;
}

/** 收到 #id from staff: every pending escalation of the ticket is acknowledged; climbing stops. */
export async function acknowledge(
  deps: TicketDeps,
  ticketId: number,
  staff: { id: string; name?: string },
): Promise<'acked' | 'none' | 'missing'> {
  const t = await deps.repo.byId(ticketId);
  if (!t) return 'missing';
  const acked = await deps.repo.acknowledgeEscalations(ticketId, staff.id, deps.now());
  if (acked > 0)
    await deps.repo.addEvent({
      ticketId,
      type: 'acked',
      actor: `staff:${staff.id}`,
      reason: `${staff.name ?? '员工'} 确认了升级提醒`,
    });
  return acked > 0 ? 'acked' : 'none';
}
