import { ordersNamedByGoods } from '../domain/orders/goods.ts';
import type { OrderRefs } from '../domain/orders/refs.ts';
import type { OrderDetail } from '../domain/orders/types.ts';
import type { GuardState } from './order-ports.ts';
import {
  actorOf,
  findByRef,
  type OrderQueryDeps,
  type OrderQueryInput,
  type OrderQueryResult,
  showOrders,
} from './order-query-shared.ts';
import { ORDER_TEXT } from './order-texts.ts';

/**
 * The customer side of order-status answers. A customer sees an order only when it is bound to them
 * (OrderBinding) or when they give its number together with the last 4 digits of the buyer's phone. Every
 * unverified lookup counts against a per-user limit, and the answer to a stranger is the same whether the
 * order exists or not, so guessing reveals nothing.
 */

const userKey = (i: OrderQueryInput) => `${i.channel}:${i.userRef}`;
const nothing = (text: string, outcome: OrderQueryResult['outcome']): OrderQueryResult => ({
  text,
  outcome,
  orders: [],
});

async function throttled(deps: OrderQueryDeps, input: OrderQueryInput, state: GuardState): Promise<OrderQueryResult> {
  await deps.audit.write({
    actor: actorOf(input),
    action: 'order.verify_throttled',
    subject: `user:${userKey(input)}`,
  });
  return nothing(ORDER_TEXT.throttled(Math.max(1, Math.ceil(state.retryAfterSec / 60))), 'throttled');
}

/** "订单号忘了", "找不到订单号": the customer does not know where the number is. */
const NO_ORDER_NO =
  /(?:忘|不记得|记不得|找不到|不知道|没有|查不到)[^，。,.!！?？]{0,4}(?:订单号|单号|订单编号)|(?:订单号|单号|订单编号)[^，。,.!！?？]{0,3}(?:忘|不记得|记不得|找不到|不知道|在哪)/u;

/** What to ask a customer with no order of theirs known, for what the message did give. */
function askForOrder(input: OrderQueryInput, refs: OrderRefs): string {
  if (refs.phone && refs.suffix) return ORDER_TEXT.phoneOnly(refs.suffix);
  if (NO_ORDER_NO.test(input.text)) return ORDER_TEXT.whereOrderNo;
  if (refs.suffix) return ORDER_TEXT.suffixOnly(refs.suffix);
  return ORDER_TEXT.customerAsk;
}

async function listBound(
  deps: OrderQueryDeps,
  input: OrderQueryInput,
  customerId: string | undefined,
  refs: OrderRefs,
) {
  if (!customerId) return nothing(askForOrder(input, refs), 'need_reference');
  const limit = deps.listLimit ?? 5;
  const mine = await deps.orders.find({ by: 'customer', value: customerId }, limit);
  if (mine.length === 0) return nothing(askForOrder(input, refs), 'need_reference');
  // "我昨天买的纸尿裤到哪了": the orders holding what the customer named, when any do. Else "怎么还没发货"
  // is about the orders not shipped yet and "快递到哪了" about those on the way, when any are.
  const named = ordersNamedByGoods(input.text, mine);
  const stage = STAGES.find((st) => st.asks.test(input.text));
  const atStage = stage ? mine.filter((o) => stage.statuses.has(o.status)) : [];
  const shown = named.length > 0 ? named : atStage.length > 0 ? atStage.slice(0, 3) : mine.slice(0, 3);
  return showOrders(deps, input, shown, 'binding', ORDER_TEXT.boundList);
}

/** Questions about one stage of an order's life, and the statuses they are about. */
const STAGES: { asks: RegExp; statuses: ReadonlySet<string> }[] = [
  {
    asks: /(?:没|不|还未|未)发货|还没发|还不发|什么时候发|啥时候发|几时发|何时发|发货了吗|发了吗|发货没|(?:几|哪)天发/u,
    statuses: new Set(['pending_payment', 'paid', 'approved', 'picked']),
  },
  {
    asks: /到哪|在哪了|物流|在路上|什么时候到|啥时候到|几时到|何时到|几天到|还没到|派送|配送/u,
    statuses: new Set(['shipped']),
  },
];

async function boundOrder(deps: OrderQueryDeps, customerId: string | undefined, found: OrderDetail[]) {
  if (!customerId) return undefined;
  for (const o of found) if (await deps.customers.isBound(customerId, o.id)) return o;
  return undefined;
}

async function failVerification(deps: OrderQueryDeps, input: OrderQueryInput, ref: string, exists: boolean) {
  const state = await deps.guard.recordFailure(userKey(input));
  await deps.audit.write({
    actor: actorOf(input),
    action: 'order.verify_failed',
    subject: `order-ref:${ref}`,
    detail: { exists, failures: state.failures },
  });
  return state;
}

async function verifyBySuffix(
  deps: OrderQueryDeps,
  input: OrderQueryInput,
  ref: string,
  found: OrderDetail[],
  suffix: string,
): Promise<OrderQueryResult> {
  const matches = found.filter((o) => o.phone !== undefined && o.phone.slice(-4) === suffix);
  if (matches.length === 0) {
    const state = await failVerification(deps, input, ref, found.length > 0);
    if (state.blocked) return throttled(deps, input, state);
    return nothing(ORDER_TEXT.verifyFailed(state.remaining), 'verification_failed');
  }
  const customerId = await deps.customers.ensureCustomer(input.channel, input.userRef, input.displayName);
  for (const o of matches) await deps.customers.bind(customerId, o.id, 'phone_suffix');
  await deps.guard.clearPending(userKey(input));
  return showOrders(deps, input, matches, 'phone_suffix', ORDER_TEXT.boundList);
}

/** Answer a customer: bound orders directly, others only after order no + phone suffix verification. */
export async function answerCustomer(
  deps: OrderQueryDeps,
  input: OrderQueryInput,
  refs: OrderRefs,
): Promise<OrderQueryResult> {
  const user = userKey(input);
  const state = await deps.guard.state(user);
  if (state.blocked) return throttled(deps, input, state);
  const customerId = await deps.customers.customerFor(input.channel, input.userRef);
  const ref = refs.refs[0] ?? (refs.suffix ? await deps.guard.pending(user) : undefined);
  if (!ref) return listBound(deps, input, customerId, refs);
  const found = await findByRef(deps.orders, ref, 5);
  const mine = await boundOrder(deps, customerId, found);
  if (mine) return showOrders(deps, input, [mine], 'binding', ORDER_TEXT.boundList);
  if (refs.suffix) return verifyBySuffix(deps, input, ref, found, refs.suffix);
  await deps.guard.setPending(user, ref);
  const after = await failVerification(deps, input, ref, found.length > 0);
  if (after.blocked) return throttled(deps, input, after);
  return nothing(ORDER_TEXT.askSuffix(ref), 'ask_verification');
}
