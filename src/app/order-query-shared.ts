import type { EntityLike } from '../domain/orders/refs.ts';
import { formatOrderListLine, formatOrderReply } from '../domain/orders/timeline.ts';
import type { OrderDetail } from '../domain/orders/types.ts';
import type { AuditWriter, CustomerDirectory, OrderReader, OrderTickets, VerificationGuard } from './order-ports.ts';
import type { Clock } from './ports.ts';

/** Types and helpers shared by the staff and customer order-status flows. */

export interface OrderQueryInput {
  channel: string;
  userRef: string;
  role: 'customer' | 'staff' | 'manager';
  chatId?: string;
  displayName?: string;
  text: string;
  /** The NLU's entities (orderNo, trackingNo, phone), if parsed; the text is also scanned. */
  entities?: readonly EntityLike[];
}

export type OrderQueryOutcome =
  | 'answered'
  | 'listed'
  | 'not_found'
  | 'need_reference'
  | 'ask_verification'
  | 'verification_failed'
  | 'throttled';

export interface OrderQueryResult {
  /** The reply, in Chinese. */
  text: string;
  outcome: OrderQueryOutcome;
  /** Orders the reply shows (for tickets and context), empty when nothing was disclosed. */
  orders: { id: string; orderNo: string }[];
}

export interface OrderQueryDeps {
  orders: OrderReader;
  customers: CustomerDirectory;
  guard: VerificationGuard;
  audit: AuditWriter;
  clock: Clock;
  /** Orders listed at most in one reply (product.md: bulk exports need approval). */
  listLimit?: number;
  /** The tickets about an order, shown to staff under it. */
  tickets?: OrderTickets;
}

export const actorOf = (i: OrderQueryInput) => `${i.role}:${i.channel}:${i.userRef}`;

/** Writes one audit row per order shown, then renders the reply (one order in full, several as a list). */
export async function showOrders(
  deps: OrderQueryDeps,
  input: OrderQueryInput,
  found: OrderDetail[],
  via: string,
  list: (total: number, lines: string[]) => string,
): Promise<OrderQueryResult> {
  const limit = deps.listLimit ?? 5;
  const shown = found.slice(0, limit);
  for (const o of shown) {
    await deps.audit.write({
      actor: actorOf(input),
      action: 'order.view',
      subject: `order:${o.orderNo}`,
      detail: { via, masked: true, channel: input.channel, ...(input.chatId ? { chatId: input.chatId } : {}) },
    });
  }
  const orders = shown.map((o) => ({ id: o.id, orderNo: o.orderNo }));
  const first = shown[0];
  if (shown.length === 1 && first)
    return { text: formatOrderReply(first, deps.clock.now()), outcome: 'answered', orders };
  return { text: list(found.length, shown.map(formatOrderListLine)), outcome: 'listed', orders };
}

/** Looks a reference up as an order number first, then as a tracking number. */
export async function findByRef(orders: OrderReader, ref: string, limit: number): Promise<OrderDetail[]> {
  const byNo = await orders.find({ by: 'orderNo', value: ref }, 1);
  return byNo.length ? byNo : orders.find({ by: 'trackingNo', value: ref }, limit);
}
