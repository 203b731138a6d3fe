import { CodedError, ErrorCode } from '../errors.ts';

export type TicketStatus = 'open' | 'acknowledged' | 'in_progress' | 'waiting_customer' | 'resolved' | 'closed';
export type TicketAction = 'acknowledge' | 'start' | 'wait_customer' | 'resume' | 'resolve' | 'close' | 'reopen';

/** Every status except closed: a resolved ticket still owns its problem until it is closed. */
export const OPEN_STATUSES: readonly TicketStatus[] = [
  'open',
  'acknowledged',
  'in_progress',
  'waiting_customer',
  'resolved',
];

export const STATUS_ZH: Record<TicketStatus, string> = {
  open: '待处理',
  acknowledged: '已受理',
  in_progress: '处理中',
  waiting_customer: '等待顾客回复',
  resolved: '已解决',
  closed: '已关闭',
};

const ALLOWED: Record<TicketAction, { from: readonly TicketStatus[]; to: TicketStatus }> = {
  acknowledge: { from: ['open'], to: 'acknowledged' },
  start: { from: ['open', 'acknowledged', 'waiting_customer'], to: 'in_progress' },
  wait_customer: { from: ['acknowledged', 'in_progress'], to: 'waiting_customer' },
  resume: { from: ['waiting_customer'], to: 'in_progress' },
  resolve: { from: ['open', 'acknowledged', 'in_progress', 'waiting_customer'], to: 'resolved' },
  close: { from: ['resolved'], to: 'closed' },
  reopen: { from: ['resolved', 'closed'], to: 'open' },
};

const ACTION_ZH: Record<TicketAction, string> = {
  acknowledge: '受理',
  start: '开始处理',
  wait_customer: '等待顾客',
  resume: '恢复处理',
  resolve: '解决',
  close: '关闭',
  reopen: '重开',
};

/** The next status, or a coded error saying why the action is not allowed from here. */
export function transition(from: TicketStatus, action: TicketAction): TicketStatus {
  const rule = ALLOWED[action];
  if (!rule.from.includes(from)) {
    throw new CodedError(ErrorCode.InvalidTransition, `「${STATUS_ZH[from]}」的工单不能${ACTION_ZH[action]}`, {
      from,
      action,
    });
  }
  return rule.to;
}

/**
 * Intents grouped into problems: messages about the same problem of the same order attach to one
 * ticket (a reminder); a different problem on that order opens a new, linked ticket.
 * - delivery: the parcel has not arrived (not_received, logistics_delay, urge_shipment)
 * - return: wants money back or a swap (return_refund, refund_only, exchange, refund_progress, return_info)
 * - goods problems keep their own key (damaged, wrong_item, missing_item, quality_issue); reship joins missing_item
 * - order changes (cancel_order, change_order), money (compensation, price_protection, invoice)
 * - safety_issue → safety, complaint → complaint, human_agent → handoff
 * - order_status / logistics_query / other: questions answered directly, no ticket
 */
const PROBLEM: Record<string, string> = {
  not_received: 'delivery',
  logistics_delay: 'delivery',
  urge_shipment: 'delivery',
  return_refund: 'return',
  refund_only: 'return',
  exchange: 'return',
  refund_progress: 'return',
  return_info: 'return',
  damaged: 'damaged',
  wrong_item: 'wrong_item',
  missing_item: 'missing_item',
  reship: 'missing_item',
  quality_issue: 'quality',
  cancel_order: 'order_change',
  change_order: 'order_change',
  compensation: 'compensation',
  price_protection: 'price',
  invoice: 'invoice',
  safety_issue: 'safety',
  complaint: 'complaint',
  human_agent: 'handoff',
};

export function problemKey(primaryIntent: string): string | undefined {
  return PROBLEM[primaryIntent];
}

export function openKey(customerId: string, orderId: string | undefined, problem: string): string {
  return `${customerId}|${orderId ?? '-'}|${problem}`;
}

/** Round-robin: the first on-duty agent after the last one assigned (wrapping around). */
export function nextAssignee(
  agents: readonly { id: string; onDuty: boolean }[],
  lastAssignedId?: string,
): string | undefined {
  if (agents.length === 0) return undefined;
  const start = lastAssignedId ? agents.findIndex((a) => a.id === lastAssignedId) + 1 : 0;
  for (let i = 0; i < agents.length; i++) {
    const a = agents[(start + i) % agents.length];
    if (a?.onDuty) return a.id;
  }
  return undefined;
}
