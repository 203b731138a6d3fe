import { openKey } from '../../domain/tickets/lifecycle.ts';
import { zh } from '../../i18n/zh.ts';
import { isUniqueViolation } from '../../lib/db-errors.ts';
import type { HandlingInput } from '../handle-message.ts';
import type { TicketDeps } from './context.ts';
import { recordCustomerNote } from './open.ts';

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
): Promise<string | undefined> {
  const { sender } = input;
  const t = await deps.repo.latestOpen(sender.id);
  if (!t || deps.now().getTime() - t.createdAt.getTime() > LINK_WITHIN_MS) return undefined;
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
