import { ANOTHER_ORDER } from '../../domain/orders/goods.ts';
import { openKey, problemKey } from '../../domain/tickets/lifecycle.ts';
import { zh } from '../../i18n/zh.ts';
import { isUniqueViolation } from '../../lib/db-errors.ts';
import type { Answer, HandlingInput } from '../handle-message.ts';
import type { TicketDeps } from './context.ts';
import { orderChangeNote, recordCustomerNote } from './open.ts';

/** Says the request is for this order as well ("也要", "还有这单", "都要"). */
const ALSO = /也|还有|都要|一起|另外/u;

/** How long after opening an order-less ticket an order the customer proves is taken to be its order. */
const LINK_WITHIN_MS = 24 * 3_600_000;

/**
 * "东西坏了" opened a ticket without an order and the reply asked for one — or took the customer's most likely
 * order and said so — and the customer now names or proves an order ("SO123… 尾号1234"). The order becomes the
 * ticket's — recorded as the customer's addition and pushed to its owner — and the answer says so. Undefined
 * when there is no such ticket, when the order is not the customer's, or when another open ticket already
 * covers that order and problem.
 */
export async function onOrderShown(
  deps: TicketDeps,
  input: HandlingInput,
  orderNo: string,
  problem?: string,
): Promise<string | undefined> {
  const { sender } = input;
  const t = await deps.repo.latestOpen(sender.id);
  if (!t || deps.now().getTime() - t.createdAt.getTime() > LINK_WITHIN_MS) return undefined;
  if (problem !== undefined && t.problem !== problem) return undefined;
  const flags = (t.flags ?? {}) as Record<string, unknown>;
  // An order the bot only guessed (「按您最近的相关订单登记」) gives way to the one the customer names, until
  // someone has started on the ticket.
  const guessed = flags.orderGuessed === true && !t.firstRespondedAt ? t.order?.orderNo : undefined;
  if (t.orderId && (!guessed || guessed === orderNo)) return undefined;
  const match = await deps.orders?.forCustomer(sender.id, [{ type: 'orderNo', value: orderNo, start: 0 }]);
  const order = match?.order;
  if (!order || order.orderNo !== orderNo) return undefined;
  try {
    await recordCustomerNote(deps, t, input, {
      reason: guessed
        ? `顾客指明订单 ${order.orderNo}（原按最近订单登记为 ${guessed}）`
        : `顾客补充订单 ${order.orderNo}`,
      push: `工单 #${t.id} 顾客${guessed ? '指明' : '补充'}了订单 ${order.orderNo}`,
      pushKey: 'order',
      data: { orderNo: order.orderNo },
      change: {
        orderId: order.id,
        openKey: openKey(sender.id, order.id, t.problem),
        ...(guessed ? { flags: { ...flags, orderGuessed: false } } : {}),
      },
    });
  } catch (err) {
    // Another open ticket already holds the key.
    if (isUniqueViolation(err)) return undefined;
    throw err;
  }
  return guessed
    ? zh.orderChangedOnTicket({ id: t.id, orderNo: order.orderNo })
    : zh.orderAddedToTicket({ id: t.id, orderNo: order.orderNo });
}

/**
 * "我要退货" opened a ticket on the customer's most likely order (「按您最近的相关订单登记」), and the customer says it
 * again naming the order ("390… 这单我要退货"): that ticket takes the named order — the answer the reply invited —
 * instead of a second ticket for the same request. Undefined when the message names no order, or when its latest
 * ticket is not for the same problem on a guessed order (onOrderShown's conditions).
 */
export async function onGuessCorrected(deps: TicketDeps, input: HandlingInput): Promise<Answer | undefined> {
  const problem = problemKey(input.parse.primary);
  const named = input.parse.entities.filter((e) => e.type === 'orderNo' && e.start >= 0);
  if (!problem || named.length !== 1 || !named[0]) return undefined;
  // "这单也要退货", "另一单…": a second order with the same request, not a correction.
  if (ALSO.test(input.delivery.text) || ANOTHER_ORDER.test(input.delivery.text)) return undefined;
  const orderNo = named[0].value;
  const text = await onOrderShown(deps, input, orderNo, problem);
  if (!text) return undefined;
  // What the order's state means for the request ("还在运输中，现在还寄不回来…"), as a new ticket's reply says.
  const t = await deps.repo.latestOpen(input.sender.id);
  const note = t ? (orderChangeNote(t, input.parse) ?? '') : '';
  return { text: `${text}${note}`, orderNos: [orderNo] };
}
