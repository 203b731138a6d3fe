import { describe, expect, it } from 'vitest';
import { CodedError, ErrorCode } from '../../../src/domain/errors.ts';
import {
  followUpProblem,
  nextAssignee,
  OPEN_STATUSES,
  openKey,
  problemKey,
  problemsChosenBetween,
  STATUS_ZH,
  type TicketAction,
  type TicketStatus,
  ticketNameZh,
  transition,
} from '../../../src/domain/tickets/lifecycle.ts';

const STATUSES: TicketStatus[] = ['open', 'acknowledged', 'in_progress', 'waiting_customer', 'resolved', 'closed'];
/** The lifecycle as product.md flow 2 describes it, written out independently of the code. */
const ALLOWED: Record<TicketAction, [TicketStatus[], TicketStatus]> = {
  acknowledge: [['open'], 'acknowledged'],
  start: [['open', 'acknowledged', 'waiting_customer'], 'in_progress'],
  // An agent may ask the customer something before anything else: asking is taking it up.
  wait_customer: [['open', 'acknowledged', 'in_progress'], 'waiting_customer'],
  resume: [['waiting_customer'], 'in_progress'],
  resolve: [['open', 'acknowledged', 'in_progress', 'waiting_customer'], 'resolved'],
  close: [['resolved'], 'closed'],
  reopen: [['resolved', 'closed'], 'open'],
};
const table = (Object.keys(ALLOWED) as TicketAction[]).flatMap((action) =>
  STATUSES.map((from) => {
    const [froms, to] = ALLOWED[action];
    return [from, action, froms.includes(from) ? to : null] as const;
  }),
);

describe('transition', () => {
  it.each(table)('%s --%s--> %s', (from, action, to) => {
    if (to) {
      expect(transition(from, action)).toBe(to);
      return;
    }
    expect(() => transition(from, action)).toThrow(CodedError);
    expect(() => transition(from, action)).toThrow(new RegExp(`「${STATUS_ZH[from]}」的工单不能`));
  });

  it('refuses with the invalid_transition code and a Chinese message', () => {
    expect.assertions(2);
    try {
      transition('open', 'close');
    } catch (err) {
      expect((err as CodedError).code).toBe(ErrorCode.InvalidTransition);
      expect((err as CodedError).message).toBe('「待处理」的工单不能关闭');
    }
  });

  it('counts resolved as open until closed', () => {
    expect(OPEN_STATUSES).toEqual(['open', 'acknowledged', 'in_progress', 'waiting_customer', 'resolved']);
    expect(Object.values(STATUS_ZH)).toEqual(['待处理', '已受理', '处理中', '等待顾客回复', '已解决', '已关闭']);
  });
});

describe('problems and the open key', () => {
  it.each([
    ['not_received', 'delivery'],
    ['logistics_delay', 'delivery'],
    ['urge_shipment', 'delivery'],
    ['return_refund', 'return'],
    ['refund_only', 'return'],
    ['exchange', 'return'],
    ['missing_item', 'reship'],
    ['reship', 'reship'],
    ['damaged', 'damaged'],
    ['wrong_item', 'wrong_item'],
    ['quality_issue', 'quality'],
    ['safety_issue', 'safety'],
    ['complaint', 'complaint'],
    ['cancel_order', 'order_change'],
    ['order_status', undefined],
    ['logistics_query', undefined],
    ['human_agent', 'handoff'],
    ['other', undefined],
  ])('problemKey(%s) = %s', (intent, problem) => {
    expect(problemKey(intent)).toBe(problem);
  });

  it('a pure query follows up on the delivery problem without opening one', () => {
    expect(followUpProblem('logistics_query')).toBe('delivery');
    expect(followUpProblem('order_status')).toBe('delivery');
    expect(followUpProblem('damaged')).toBe('damaged');
    expect(followUpProblem('other')).toBeUndefined();
  });

  it('keys one open ticket per customer, order and problem', () => {
    expect(openKey('c1', 'o9', 'delivery')).toBe('c1|o9|delivery');
    expect(openKey('c1', undefined, 'safety')).toBe('c1|-|safety');
  });
});

describe('nextAssignee (round-robin, skipping agents off duty)', () => {
  const agents = [
    { id: 'a', onDuty: true },
    { id: 'b', onDuty: false },
    { id: 'c', onDuty: true },
    { id: 'd', onDuty: true },
  ];
  it.each([
    ['no previous assignment → first on duty', agents, undefined, 'a'],
    ['skips b who is off duty', agents, 'a', 'c'],
    ['c → d', agents, 'c', 'd'],
    ['wraps around', agents, 'd', 'a'],
    ['last assignee left the team → from the top', agents, 'zz', 'a'],
    [
      'only the last assignee is on duty → same agent again',
      [
        { id: 'a', onDuty: true },
        { id: 'b', onDuty: false },
      ],
      'a',
      'a',
    ],
    ['nobody on duty', [{ id: 'a', onDuty: false }], undefined, undefined],
    ['empty team', [], 'a', undefined],
  ])('%s', (_name, list, last, expected) => {
    expect(nextAssignee(list, last)).toBe(expected);
  });
});

describe('problemsChosenBetween', () => {
  it.each([
    [
      ['damaged', 'quality_issue'],
      ['damaged', 'quality'],
    ],
    [
      ['return_refund', 'exchange'],
      ['return', 'return'],
    ],
    [['logistics_query', 'return_refund', 'exchange', 'human_agent'], undefined],
    [['damaged', 'human_agent'], undefined],
    [[], undefined],
  ])('%j → %j', (options, problems) => {
    expect(problemsChosenBetween(options)).toEqual(problems);
  });
});

describe('a ticket in words', () => {
  it('a return ticket reads as what was asked — 换货, 仅退款 — not the broad 退换货退款', () => {
    const opened = (primary: string) => ({ problem: 'return', flags: { facts: { primary } } });
    expect(ticketNameZh(opened('exchange'))).toBe('换货');
    expect(ticketNameZh(opened('refund_only'))).toBe('仅退款');
    expect(ticketNameZh(opened('return_refund'))).toBe('退货退款');
    // Older tickets (no facts) and problems that name one request keep the problem's name.
    expect(ticketNameZh({ problem: 'return', flags: {} })).toBe('退换货退款');
    expect(ticketNameZh({ problem: 'damaged', flags: { facts: { primary: 'damaged' } } })).toBe('商品破损');
    expect(ticketNameZh({ problem: 'made-up' })).toBe('售后问题');
  });
});
