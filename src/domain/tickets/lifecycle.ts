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

/** Status names as staff and customers see them. */
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
  wait_customer: { from: ['open', 'acknowledged', 'in_progress'], to: 'waiting_customer' },
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

/**
 * The next status, or a {@link CodedError} (`InvalidTransition`) with a Chinese message saying why
 * the action is not allowed from here. Resolve is allowed from any open status so an agent can
 * close the loop in one step; reopen starts the ticket over at `open`.
 */
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
 *
 * | intents                                                              | problem        |
 * |----------------------------------------------------------------------|----------------|
 * | not_received, logistics_delay, urge_shipment                         | `delivery`     |
 * | return_refund, refund_only, exchange, refund_progress                | `return`       |
 * | missing_item, reship (the customer wants the missing/bad piece sent) | `reship`       |
 * | damaged / wrong_item / quality_issue                                 | their own key  |
 * | cancel_order, change_order                                           | `order_change` |
 * | compensation / price_protection / invoice                            | `compensation` / `price` / `invoice` |
 * | safety_issue                                                         | `safety`       |
 * | complaint                                                            | `complaint`    |
 * | human_agent (a person must take over: the ticket is the hand-off)    | `handoff`      |
 * | order_status, logistics_query, return_info, other                    | none           |
 *
 * Why queries open nothing: they are answered straight from order data (return_info from the shop's
 * return policy); an unanswered "到哪了" should ask for the order number, not open a ticket. {@link followUpProblem} lets such a query
 * count as a reminder on an already open delivery ticket instead.
 */
const PROBLEM: Readonly<Record<string, string>> = {
  not_received: 'delivery',
  logistics_delay: 'delivery',
  urge_shipment: 'delivery',
  return_refund: 'return',
  refund_only: 'return',
  exchange: 'return',
  refund_progress: 'return',
  missing_item: 'reship',
  reship: 'reship',
  damaged: 'damaged',
  wrong_item: 'wrong_item',
  quality_issue: 'quality',
  cancel_order: 'order_change',
  change_order: 'order_change',
  compensation: 'compensation',
  price_protection: 'price',
  invoice: 'invoice',
  safety_issue: 'safety',
  human_agent: 'handoff',
  complaint: 'complaint',
};

/** Queries that never open a ticket but may attach to an open one about the same thing. */
const FOLLOW_UP: Readonly<Record<string, string>> = {
  order_status: 'delivery',
  logistics_query: 'delivery',
  return_info: 'return',
};

/** The problem a ticket is opened for, or `undefined` when this intent alone opens no ticket. */
export function problemKey(primaryIntent: string): string | undefined {
  return PROBLEM[primaryIntent];
}

/**
 * The problem an open ticket must have for this message to attach to it as a reminder: the
 * {@link problemKey}, or for a pure query ("到哪了") the problem it follows up on.
 */
export function followUpProblem(primaryIntent: string): string | undefined {
  return PROBLEM[primaryIntent] ?? FOLLOW_UP[primaryIntent];
}

/**
 * The problems a clarifying question chooses between ("破损还是质量问题?" → damaged, quality), or undefined
 * for the catch-all question (查订单, 退换, 转人工 …) a vague message gets: only the former names a matter.
 */
export function problemsChosenBetween(options: readonly string[]): string[] | undefined {
  const problems = options.map((o) => PROBLEM[o]);
  if (problems.length === 0 || problems.some((p) => p === undefined || p === 'handoff')) return undefined;
  return problems as string[];
}

/** Ticket problems about the goods themselves, the shop's fault (not delivery, refunds or complaints). */
export const PRODUCT_PROBLEMS: ReadonlySet<string> = new Set(['damaged', 'quality', 'wrong_item', 'reship', 'safety']);

/** Problem keys in Chinese, for ticket lists and pushes. */
export const PROBLEM_ZH: Readonly<Record<string, string>> = {
  delivery: '物流/未收到',
  return: '退换货退款',
  reship: '漏发补发',
  damaged: '商品破损',
  wrong_item: '发错货',
  quality: '质量问题',
  order_change: '修改/取消订单',
  compensation: '补偿',
  price: '价保',
  invoice: '发票',
  safety: '安全问题',
  handoff: '转人工',
  complaint: '投诉',
};

/** What the customer asked for, when a broad problem covers several requests (退换货退款: 退货、换货、仅退款). */
const REQUEST_ZH: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  return: { return_refund: '退货退款', refund_only: '仅退款', exchange: '换货' },
};

/**
 * A ticket's problem in words for people; '售后问题' for one without a name. With the intent the ticket was opened
 * for (`flags.facts.primary`, see {@link openedFor}), a broad problem reads as what was asked: 「换货」, not
 * 「退换货退款」 — as the reply that opened it said.
 */
export const ticketProblemZh = (problem: string, openedForIntent?: string): string =>
  (openedForIntent ? REQUEST_ZH[problem]?.[openedForIntent] : undefined) ?? PROBLEM_ZH[problem] ?? '售后问题';

/** The intent a ticket was opened for, from its flags (recorded with its rule facts); undefined for older tickets. */
export function openedFor(flags: unknown): string | undefined {
  const facts = (flags as { facts?: { primary?: unknown } } | null)?.facts;
  return typeof facts?.primary === 'string' ? facts.primary : undefined;
}

/** {@link ticketProblemZh} of a ticket row. */
export const ticketNameZh = (t: { problem: string; flags?: unknown }): string =>
  ticketProblemZh(t.problem, openedFor(t.flags));

/** `${customerId}|${orderId ?? '-'}|${problem}`: unique among open tickets (one per problem). */
export function openKey(customerId: string, orderId: string | undefined, problem: string): string {
  return `${customerId}|${orderId ?? '-'}|${problem}`;
}

/**
 * Round-robin: the first on-duty agent after the last one assigned, wrapping around; `undefined`
 * when nobody is on duty. An unknown `lastAssignedId` (agent removed) starts from the top.
 */
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
