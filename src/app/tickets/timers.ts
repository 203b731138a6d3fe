import type { Priority } from '../../domain/tickets/priority.ts';
import { computeDeadlines, evaluateSla, type SlaClockState, TIMER_ZH } from '../../domain/tickets/sla.ts';
import type { TicketRepo, TicketRow } from '../../store/tickets.repo.ts';
import type { TimerSpec } from '../ports.ts';
import { calendarFor, policyFor } from './config.ts';
import { fmtTime, type TicketDeps } from './context.ts';

function clockState(t: TicketRow): SlaClockState {
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

/** The deadline columns of a ticket and the timer jobs that go with them (a warning and a breach per running timer). */
export interface TimerPlan {
  columns: {
    slaPolicyId: string;
    firstResponseDueAt: Date | null;
    nextUpdateDueAt: Date | null;
    resolveDueAt: Date | null;
  };
  jobs(ticketId: number, revision: number): TimerSpec[];
}

/** Deadlines for a ticket in state `state` at `priority`, under its SLA policy and calendar. */
export function planTimers(deps: Pick<TicketDeps, 'config'>, priority: Priority, state: SlaClockState): TimerPlan {
  const policy = policyFor(deps.config, priority);
  const deadlines = computeDeadlines(state, policy, calendarFor(deps.config, policy.calendarId));
  const due = (k: string) => deadlines.find((d) => d.timer === k)?.dueAt ?? null;
  return {
    columns: {
      slaPolicyId: policy.id,
      firstResponseDueAt: due('first_response'),
      nextUpdateDueAt: due('next_update'),
      resolveDueAt: due('resolution'),
    },
    // One job per timer: it fires at the warning time and again at the deadline (TimerSpec.thenAt).
    jobs: (ticketId, revision) =>
      deadlines.map((d) => ({ ticketId, kind: d.timer, revision, dueAt: d.warnAt, thenAt: d.dueAt })),
  };
}

/** Queues timer jobs: one round trip when the scheduler can take a batch. */
async function queueAll(timers: TicketDeps['timers'], specs: TimerSpec[]): Promise<void> {
  if (timers.scheduleMany) await timers.scheduleMany(specs);
  else for (const spec of specs) await timers.schedule(spec);
}

/** Queues a plan's jobs for a ticket whose deadline columns already hold the plan. */
export async function scheduleTimers(deps: Pick<TicketDeps, 'timers'>, plan: TimerPlan, t: TicketRow): Promise<void> {
  await queueAll(deps.timers, plan.jobs(t.id, t.policyRevision));
}

type TicketUpdate = Parameters<TicketRepo['update']>;

/**
 * Applies `data` (and writes `event`) in one UPDATE that also bumps the timer revision — so the pending
 * jobs become no-ops when they fire — and stores the deadlines of the resulting state; then queues their
 * timers. Every change that moves the SLA clock (status, pause, priority, a response or progress update)
 * goes through here.
 */
export async function updateAndReschedule(
  deps: TicketDeps,
  t: TicketRow,
  data: TicketUpdate[1] = {},
  event?: TicketUpdate[2],
  opts?: TicketUpdate[3],
): Promise<Awaited<ReturnType<TicketRepo['update']>>> {
  // The deadlines follow the state after the change (priority, pausedAt, firstRespondedAt, flags); the
  // counters `data` may increment do not enter them.
  const next = { ...t, ...data } as TicketRow;
  const plan = planTimers(deps, next.priority as Priority, clockState(next));
  const updated = await deps.repo.update(
    t.id,
    { ...data, policyRevision: { increment: 1 }, ...plan.columns },
    event,
    opts,
  );
  await scheduleTimers(deps, plan, updated);
  return updated;
}

/**
 * A timer fired: re-read the ticket, evaluate, record each warning/breach once (unique constraint), and
 * act on each (idempotently). Stale revisions and closed tickets do nothing.
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
    if (fresh) {
      acted++;
      await deps.repo.addEvent({
        ticketId: t.id,
        type: e.type === 'breach' ? 'sla_breach' : 'sla_warning',
        actor: 'system',
        reason: `${TIMER_ZH[e.timer]}${e.type === 'breach' ? '已超时' : '即将超时'}（${fmtTime(e.dueAt)}）`,
      });
    }
    // Acted on when recorded before too: a run that died after recording is finished by its retry, and
    // the push (outbox dedupe key) and the escalation (one row per level) are no-ops when already done.
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

/**
 * Sweep: after a restart or Redis data loss, make sure every active ticket has its breach timers
 * queued. Walks all active tickets in id pages; per page one ticket query, one query for the breaches
 * already recorded and one Redis round trip for the jobs — so it stays cheap with many open tickets.
 */
export async function restoreMissingTimers(deps: Pick<TicketDeps, 'repo' | 'timers'>, pageSize = 500): Promise<number> {
  let restored = 0;
  for (let after = 0; ; ) {
    const page = await deps.repo.activePage(after, pageSize);
    const last = page.at(-1);
    if (!last) break;
    after = last.id;
    const wanted: { spec: TimerSpec; timer: string }[] = [];
    for (const t of page) {
      if (t.pausedAt) continue;
      const kinds = [
        ['first_response', t.firstResponseDueAt],
        ['next_update', t.nextUpdateDueAt],
        ['resolution', t.resolveDueAt],
      ] as const;
      for (const [timer, due] of kinds) {
        if (due)
          wanted.push({
            timer,
            spec: { ticketId: t.id, kind: timer, revision: t.policyRevision, dueAt: due },
          });
      }
    }
    if (wanted.length === 0) continue;
    const queued = await deps.timers.existsMany(wanted.map((w) => w.spec));
    const recorded = new Set(
      (await deps.repo.recordedBreaches([...new Set(wanted.map((w) => w.spec.ticketId))])).map(
        (e) => `${e.ticketId}|${e.timer}|${e.dueAt.getTime()}`,
      ),
    );
    const missing = wanted
      .filter((w, i) => !queued[i] && !recorded.has(`${w.spec.ticketId}|${w.timer}|${w.spec.dueAt.getTime()}`))
      .map((w) => w.spec);
    if (missing.length === 0) continue;
    await queueAll(deps.timers, missing);
    restored += missing.length;
  }
  return restored;
}
