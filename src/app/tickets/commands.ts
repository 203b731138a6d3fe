import { isCodedError } from '../../domain/errors.ts';
import { parseAck } from '../../domain/tickets/escalation.ts';
import { STATUS_ZH, type TicketAction, type TicketStatus, transition } from '../../domain/tickets/lifecycle.ts';
import { zh } from '../../i18n/zh.ts';
import type { HandlingInput } from '../handle-message.ts';
import { fmtTime, type TicketDeps } from './context.ts';
import { acknowledge, escalate } from './escalate.ts';
import { bumpAndReschedule } from './timers.ts';

const VERBS: Record<string, TicketAction> = {
  受理: 'acknowledge',
  处理: 'start',
  处理中: 'start',
  等待: 'wait_customer',
  解决: 'resolve',
  关闭: 'close',
  重开: 'reopen',
};
const COMMAND = /^(?:@\S+\s*)?(受理|处理中|处理|等待|解决|关闭|重开|工单)\s*#?\s*(\d+)/;

/** Staff and manager commands in chat: acks for escalations and ticket state changes. */
export async function onStaffMessage(
  deps: TicketDeps,
  input: Omit<HandlingInput, 'parse'>,
): Promise<string | undefined> {
  const text = input.delivery.text.trim();
  const ackId = parseAck(text);
  const staff = { id: input.sender.id, ...(input.sender.name ? { name: input.sender.name } : {}) };
  if (ackId !== undefined) {
    const r = await acknowledge(deps, ackId, staff);
    if (r === 'missing') return zh.ackUnknown({ id: ackId });
    const t = await deps.repo.byId(ackId);
    if (t && t.status === 'open') await act(deps, ackId, 'acknowledge', input);
    return zh.ackDone({ id: ackId, by: staff.name ?? '员工' });
  }
  const m = COMMAND.exec(text);
  if (!m) return undefined;
  const [, verb = '', idText = ''] = m;
  const id = Number(idText);
  if (verb === '工单') return describe(deps, id);
  const action = VERBS[verb];
  return action ? act(deps, id, action, input) : undefined;
}

async function act(
  deps: TicketDeps,
  id: number,
  action: TicketAction,
  input: Omit<HandlingInput, 'parse'>,
): Promise<string> {
  const t = await deps.repo.byId(id);
  if (!t) return zh.ackUnknown({ id });
  let to: TicketStatus;
  try {
    to = transition(t.status as TicketStatus, action);
  } catch (err) {
    if (isCodedError(err)) return `工单 #${id}：${err.message}`;
    throw err;
  }
  const now = deps.now();
  const flags = (t.flags ?? {}) as Record<string, unknown>;
  const data: Parameters<typeof deps.repo.update>[1] = { status: to };
  if (!t.firstRespondedAt && action !== 'close') data.firstRespondedAt = now;
  if (action === 'wait_customer') data.pausedAt = now;
  if (action === 'resume' && t.pausedAt) {
    data.pausedAt = null;
    data.flags = {
      ...flags,
      pausedMinutes: Number(flags.pausedMinutes ?? 0) + (now.getTime() - t.pausedAt.getTime()) / 60_000,
    };
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
    data.openKey = `${t.customerId}|${t.orderId ?? '-'}|${t.problem}`;
  }
  if (action !== 'wait_customer' && action !== 'resolve' && action !== 'close')
    data.flags = { ...flags, ...((data.flags as object) ?? {}), lastUpdateAt: now.toISOString() };
  const updated = await deps.repo.update(id, data);
  await deps.repo.addEvent({
    ticketId: id,
    type: 'status',
    actor: `staff:${input.sender.id}`,
    channel: input.delivery.channel,
    reason: `${STATUS_ZH[t.status as TicketStatus]} → ${STATUS_ZH[to]}`,
    data: { deliveryId: input.delivery.id, action },
  });
  const rescheduled = await bumpAndReschedule(deps, updated);
  if (action === 'reopen') await escalate(deps, rescheduled, 'reopen');
  return zh.transitionDone({ id, statusZh: STATUS_ZH[to] });
}

async function describe(deps: TicketDeps, id: number): Promise<string> {
  const t = await deps.repo.byId(id);
  if (!t) return zh.ackUnknown({ id });
  const events = await deps.repo.prisma.ticketEvent.findMany({
    where: { ticketId: id },
    orderBy: { at: 'asc' },
    take: 8,
  });
  const lines = [
    `工单 #${t.id} · ${t.priority} · ${STATUS_ZH[t.status as TicketStatus]}`,
    `问题：${t.summary}`,
    `优先级依据：${(t.priorityReasons as string[]).join('；')}`,
    ...(t.firstResponseDueAt ? [`首响截止：${fmtTime(t.firstResponseDueAt)}`] : []),
    ...(t.resolveDueAt ? [`解决截止：${fmtTime(t.resolveDueAt)}`] : []),
    '记录：',
    ...events.map((e) => `· ${fmtTime(e.at)} ${e.reason ?? e.type}`),
  ];
  return lines.join('\n');
}
