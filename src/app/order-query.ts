import { extractOrderRefs, type OrderRefs } from '../domain/orders/refs.ts';
import type { OrderDetail } from '../domain/orders/types.ts';
import { answerCustomer } from './order-query-customer.ts';
import {
  findByRef,
  type OrderQueryDeps,
  type OrderQueryInput,
  type OrderQueryResult,
  showOrders,
} from './order-query-shared.ts';
import { ORDER_TEXT } from './order-texts.ts';

export type { OrderQueryDeps, OrderQueryInput, OrderQueryOutcome, OrderQueryResult } from './order-query-shared.ts';

/**
 * Order-status answers (product.md flow 5) with the access rules: staff and managers may look up any order
 * (by order no, tracking no, phone or phone suffix) and always see phone and address masked; customers see
 * only orders bound to their platform identity or verified by order no + the phone's last 4 digits, with
 * attempt limits against guessing. Every order shown is written to the audit log.
 */

async function staffLookup(deps: OrderQueryDeps, refs: OrderRefs): Promise<{ found: OrderDetail[]; via: string }> {
  const limit = (deps.listLimit ?? 5) + 1;
  const found = new Map<string, OrderDetail>();
  for (const ref of refs.refs.slice(0, 3)) for (const o of await findByRef(deps.orders, ref, limit)) found.set(o.id, o);
  if (found.size) return { found: [...found.values()], via: 'ref' };
  if (refs.phone) return { found: await deps.orders.find({ by: 'phone', value: refs.phone }, limit), via: 'phone' };
  if (refs.suffix)
    return { found: await deps.orders.find({ by: 'phoneLast4', value: refs.suffix }, limit), via: 'phone_suffix' };
  return { found: [], via: 'none' };
}

async function answerStaff(deps: OrderQueryDeps, input: OrderQueryInput, refs: OrderRefs): Promise<OrderQueryResult> {
  const named = refs.refs.length > 0 || refs.phone !== undefined || refs.suffix !== undefined;
  const buyer = named ? undefined : searchedBuyer(input.text);
  if (!named && !buyer) return { text: ORDER_TEXT.staffHelp, outcome: 'need_reference', orders: [] };
  const { found, via } = buyer
    ? { found: await deps.orders.find({ by: 'buyer', value: buyer }, (deps.listLimit ?? 5) + 1), via: 'buyer' }
    : await staffLookup(deps, refs);
  if (found.length === 0) {
    const what = buyer ? `买家「${buyer}」` : refs.refs.join('、') || (refs.phone ? '该手机号' : `尾号 ${refs.suffix}`);
    return { text: ORDER_TEXT.staffNotFound(what), outcome: 'not_found', orders: [] };
  }
  const shown = await showOrders(deps, input, found, via, ORDER_TEXT.staffList);
  // One order in full: the tickets about it, so a colleague sees at once who is already on it.
  const only = shown.outcome === 'answered' ? shown.orders[0] : undefined;
  const tickets = only && deps.tickets ? await deps.tickets.forOrder(only.id, 3) : [];
  if (tickets.length === 0) return shown;
  return { ...shown, text: `${shown.text}\n${ORDER_TEXT.relatedTickets(tickets)}` };
}

/**
 * "查 高浩然", "查一下收货人 王小明 的订单": the buyer's name staff search for;
 * undefined when the message searches no such thing (a number, "这单", "物流", or more than a name).
 */
function searchedBuyer(text: string): string | undefined {
  const m =
    /^(?:查(?:询|找|一下|下)?|搜(?:索|一下)?)\s*(?:一下)?\s*(?:顾客|客户|买家|收货人|用户)?\s*[:：]?\s*([\p{Script=Han}A-Za-z][\p{Script=Han}A-Za-z0-9_·.-]{1,29}?)\s*(?:的)?\s*(?:订单|单子|所有订单|全部订单)?\s*$/u.exec(
      text.replace(/^\s*[@＠]\S+\s*/u, '').trim(),
    );
  const name = m?.[1];
  if (!name || name.replace(GENERIC_TARGET, '').length < name.length || NOT_A_BUYER.test(name)) return undefined;
  return name;
}

/** Words of the staff commands and reports ("查工单", "查超时的"): no buyer is called that. */
const NOT_A_BUYER = /工单|单号|超时|加急|概况|统计|日报|周报|满意|报表|报告|指令|帮助|异常|签收|可信|导出|退款|售后/u;

/** "查 <something>" where the something is not "this one" (这单, 它, 物流, 一下 …): a search of its own. */
function searchesSomethingElse(text: string): boolean {
  const m = /(?:^|\s)查(?:询|找)?\s*(.*)$/u.exec(text.replace(/^\s*[@＠]\S+\s*/u, ''));
  if (!m) return false;
  const rest = (m[1] ?? '').replace(/[\s\p{P}\p{S}]+/gu, '').replace(GENERIC_TARGET, '');
  return rest.length > 0;
}
const GENERIC_TARGET =
  /一下|下|这个|这单|那个|那单|这笔|它|他|她|订单|单子|物流|快递|进度|状态|信息|详情|情况|的|了|吧|呢|看|帮我|麻烦/gu;

/** Build the order-status answerer. */
export function createOrderQuery(deps: OrderQueryDeps): (input: OrderQueryInput) => Promise<OrderQueryResult> {
  return async (input) => {
    const refs = extractOrderRefs(input.text, input.entities);
    // What this message names, without the order carried from the conversation (entities at start −1).
    const own = extractOrderRefs(
      input.text,
      (input.entities ?? []).filter((e) => (e.start ?? 0) >= 0),
    );
    if (input.role === 'staff' || input.role === 'manager') {
      // "查 尾号6142" right after looking at an order is a new search: what this message names wins. "查 高浩然"
      // names something that is no order reference: a new search too, not the order carried from before.
      const named = own.refs.length > 0 || own.phone !== undefined || own.suffix !== undefined;
      return answerStaff(deps, input, named || searchesSomethingElse(input.text) ? own : refs);
    }
    // A customer's own order number wins too: "390…" after the bot took another order for their ticket is the
    // order they mean. A bare "尾号1234" keeps the carried order: it verifies that one.
    return answerCustomer(deps, input, own.refs.length > 0 ? own : refs);
  };
}
