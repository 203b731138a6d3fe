import { carrierName } from '../../domain/orders/carriers.ts';
import { cnDay, cnDayNumber } from '../../domain/orders/cn-time.ts';
import { type OrderStatus, STATE_LABEL } from '../../domain/orders/types.ts';
import {
  followUpProblem,
  nextAssignee,
  openedFor,
  openKey,
  PRODUCT_PROBLEMS,
  problemKey,
  problemsChosenBetween,
  STATUS_ZH,
  type TicketStatus,
  ticketNameZh,
} from '../../domain/tickets/lifecycle.ts';
import { decidePriority, type Priority } from '../../domain/tickets/priority.ts';
import { evaluateRules, type RuleAction, type RuleFacts } from '../../domain/tickets/rules.ts';
import type { Prisma } from '../../generated/prisma/client.ts';
import { zh } from '../../i18n/zh.ts';
import type { Parse } from '../../nlu/contract.ts';
import type { TicketRepo, TicketRow } from '../../store/tickets.repo.ts';
import {
  type Answer,
  type CustomerMessageOpts,
  type FollowUpOpts,
  type HandlingInput,
  REFUSED_NOTE,
} from '../handle-message.ts';
import type { OrderFacts, TicketDeps } from './context.ts';
import { answerOn, assigneeTo, fmtTime, SESSION_MS, type Targets, wantsOf } from './context.ts';
import { escalate } from './escalate.ts';
import { moveTicket } from './move.ts';
import { planTimers, scheduleTimers, type TimerPlan, updateAndReschedule } from './timers.ts';

const hoursSince = (now: Date, d?: Date) => (d ? (now.getTime() - d.getTime()) / 3_600_000 : undefined);

function ruleFacts(p: Parse, order: OrderFacts | undefined, tier: string | undefined, now: Date): RuleFacts {
  const electronic = order?.lastSignoff?.kind === 'electronic' ? order.lastSignoff.at : undefined;
  const sinceShipped = hoursSince(now, order?.shippedAt);
  const sinceSignoff = hoursSince(now, electronic);
  return {
    event: 'ticket_opened',
    primary: p.primary,
    intents: p.intents.map((i) => i.id),
    cues: p.urgency.cues,
    urgency: p.urgency.level,
    ...(tier ? { tier } : {}),
    ...(order ? { orderSource: order.source } : {}),
    ...(sinceShipped !== undefined ? { hoursSinceShipped: sinceShipped } : {}),
    ...(sinceSignoff !== undefined ? { hoursSinceElectronicSignoff: sinceSignoff } : {}),
  };
}

function floorOf(actions: RuleAction[]): Priority | undefined {
  const set = actions
    .filter((a) => a.type === 'set_priority')
    .map((a) => (a as { priority: Priority }).priority)
    .sort();
  if (actions.some((a) => a.type === 'critical_lane')) return 'P1';
  return set[0];
}

/**
 * A customer message about a problem: open a ticket, or attach to the open one for the same
 * (customer, order, problem) as a reminder, resume it, or reopen a recently resolved one.
 */
export async function onCustomerMessage(
  deps: TicketDeps,
  input: HandlingInput,
  opts: CustomerMessageOpts = { chase: true },
): Promise<Answer | undefined> {
  const problem = problemKey(input.parse.primary);
  if (!problem) return undefined;
  // "怎么还没人处理" / "转人工" from a customer whose ticket is open: a person already has it, so it is a
  // reminder on that ticket (its owner is pushed), not a second ticket for the hand-off. Likewise "你们必须
  // 给我个说法" in the middle of a conversation about a ticket: the same matter, pressed.
  // "我要找你们经理", "叫你们领导来" during a ticket: that ticket goes up to a manager (the complaint level of the
  // ladder), not a new 投诉 or 转人工 ticket on a guessed order.
  if ((problem === HANDOFF || problem === 'complaint') && onlyAsksForManager(input.delivery.text)) {
    const current = await activeInSession(deps, input.sender.id);
    if (current) {
      await attach(deps, current, input, { deliveryChecked: false });
      await escalate(deps, current, 'complaint');
      return answerOn(current, zh.sentToManager({ id: current.id }));
    }
  }
  if (problem === HANDOFF || problem === COMPENSATION) {
    const current =
      problem === HANDOFF ? await deps.repo.latestOpen(input.sender.id) : await activeInSession(deps, input.sender.id);
    // "医药费你们出吗", "我不要退款 我要赔偿": how the customer wants the matter settled — noted on it, as other
    // settlements are (SETTLEMENTS), not a reminder. "你们必须给我个说法" presses the matter and stays one.
    if (current && problem === COMPENSATION && ASKS_AMENDS.test(input.delivery.text)) {
      const flags = (current.flags ?? {}) as Record<string, unknown>;
      await note(deps, current, input, { change: { flags: { ...flags, wants: '赔偿' } } });
      return answerOn(current, zh.requestNoted({ id: current.id, requestZh: '赔偿' }));
    }
    if (current) {
      const answer = answerOn(current, await attach(deps, current, input, { deliveryChecked: false }));
      // The reply names when someone will answer (attach): after hours, the service hours beside it would
      // contradict a deadline that runs around the clock (handle-message.ts leaves them out).
      return pendingFirstResponse(current, deps.now()) ? { ...answer, promised: true } : answer;
    }
  }
  // "可以发货了" after "过几天再发吧": the customer ends the wait they asked for — news for that order-change ticket
  // (its owner tells the warehouse), not a 催发货 ticket beside it.
  if (input.parse.primary === 'urge_shipment') {
    const holding = await deps.repo.openForProblem(input.sender.id, 'order_change');
    const flags = (holding?.flags ?? {}) as Record<string, unknown>;
    if (holding && flags.shipLater === true && !namesAnotherOrder(input.parse, holding)) {
      await recordCustomerNote(deps, holding, input, {
        reason: `顾客说现在可以发货了：${input.delivery.text.slice(0, 100)}`,
        push: `工单 #${holding.id} 顾客说现在可以发货了：${input.delivery.text.slice(0, 200)}`,
        pushKey: 'ship-now',
        change: { flags: { ...flags, shipLater: false } },
      });
      return answerOn(holding, zh.shipNowNoted({ id: holding.id }));
    }
  }
  // "钱什么时候退回来" while a cancellation is under way: the refund follows the cancellation — a question for
  // that ticket, not a refund-progress ticket with the return policy's 验货后退款.
  if (input.parse.primary === 'refund_progress') {
    const cancelling = await deps.repo.openForProblem(input.sender.id, 'order_change');
    if (cancelling && openedFor(cancelling.flags) === 'cancel_order' && !namesAnotherOrder(input.parse, cancelling)) {
      await note(deps, cancelling, input, { question: true });
      const statusZh = STATUS_ZH[cancelling.status as TicketStatus];
      return { ...answerOn(cancelling, zh.cancelRefund({ id: cancelling.id, statusZh })), policyTold: true };
    }
    // "什么时候退款" after asking for the money back on broken or faulty goods' ticket (its `wants`): a question for
    // that ticket — the refund follows the warehouse's check of the goods sent back — not a refund-progress ticket.
    const refunding = (await deps.repo.openOfCustomer(input.sender.id, 5)).find(
      (t) => PRODUCT_PROBLEMS.has(t.problem) && /退款/u.test(wantsOf(t) ?? ''),
    );
    if (refunding && !namesAnotherOrder(input.parse, refunding)) {
      return answerOn(refunding, await note(deps, refunding, input, { question: true }));
    }
  }
  // "那你们给我重新发一个吧", "能换个新的吗" during a conversation about a parcel that never came (or came broken,
  // wrong, or faulty): the customer says how they want that ticket resolved. It is news for it, not a second
  // ticket (on whatever order the new words would guess).
  const settles = SETTLEMENTS[input.parse.primary];
  if (settles) {
    const current = await activeInSession(deps, input.sender.id);
    // "那我不要了 直接退款" about a cancellation under way (the parcel already left): the refund is what cancelling
    // it comes to — the same matter.
    const cancelling =
      current?.problem === 'order_change' &&
      openedFor(current.flags) === 'cancel_order' &&
      input.parse.primary === 'refund_only';
    if (current && (settles.resolves.has(current.problem) || cancelling) && !namesAnotherOrder(input.parse, current)) {
      // "多久能补发过来" asks when, not for it again: where the ticket stands, not "您希望补发" once more.
      if (opts.timing) return answerOn(current, await note(deps, current, input, { question: true }));
      // What they want is kept on the ticket (the latest word counts), for whoever settles it (工单 #N shows it).
      // "补发还是退款你们看着办": either will do, and the reply says so rather than picking one.
      const either = eitherOf(input.delivery.text);
      const wants = either ? `${either.join('或')}都可以` : settles.zh;
      const flags = (current.flags ?? {}) as Record<string, unknown>;
      await note(deps, current, input, { change: { flags: { ...flags, wants } } });
      const reply = either
        ? zh.eitherNoted({ id: current.id, options: either.join('或') })
        : zh.requestNoted({ id: current.id, requestZh: settles.zh });
      return answerOn(current, reply);
    }
  }
  // "补发的还没到", "还是坏的" after 「已处理完成」: what was done did not settle it, as the notice invites them to say.
  const unsettled = await resolvedButNotSettled(deps, input);
  if (unsettled) return answerOn(unsettled, await attach(deps, unsettled, input, { deliveryChecked: false }));
  const { sender, parse, delivery } = input;
  // A refused parcel is on its way back: the order to guess is one shipped, not one delivered.
  const intents = parse.notes.includes(REFUSED_NOTE)
    ? ['logistics_delay']
    : [parse.primary, ...parse.intents.map((i) => i.id)];
  // "客服问了三次都没人理，我要投诉" during a conversation about a ticket: the complaint is about how that matter is
  // handled — its order (or none), not a guess at the customer's newest order.
  const namesOrder = parse.entities.some((e) => (e.type === 'orderNo' || e.type === 'trackingNo') && e.start >= 0);
  const handled = problem === 'complaint' && !namesOrder ? await activeInSession(deps, sender.id) : undefined;
  const entities = handled?.order
    ? [...parse.entities, { type: 'orderNo' as const, value: handled.order.orderNo, start: -1, end: -1 }]
    : parse.entities;
  const match =
    handled && !handled.order
      ? {}
      : ((await deps.orders?.forCustomer(sender.id, entities, intents, delivery.text)) ?? {});
  const read = match.order ? atOrderStage(input, match.order) : input;
  const out = await openOrAttach(deps, read, problem, {
    ...(match.order ? { order: match.order } : {}),
    orderGuessed: match.guessed === true,
    askForOrder: !match.order && !match.notTheirs && !handled,
    ...(match.goodsNotFound ? { goodsNotFound: match.goodsNotFound } : {}),
    photoSent: opts.photoSent === true,
    question: opts.question === true,
    chase: opts.chase,
    timing: opts.timing === true,
    restated: opts.restated ?? true,
    afterHours: opts.afterHours === true,
    askedAgain: opts.askedAgain === true,
  });
  if (!out?.text) return undefined;
  const opened = out.opened ? { opened: true } : {};
  if (match.notTheirs) return { text: `${out.text}${zh.orderNotTheirsNote({ ref: match.notTheirs })}`, ...opened };
  return { text: out.text, ...(match.order ? { orderNos: [match.order.orderNo] } : {}), ...opened };
}

/** Problems with the goods a message may name beside the one its ticket is for ("碎了一个，还少了个盖子"). */
const ALSO_ON_TICKET = new Set(['damaged', 'wrong_item', 'missing_item', 'quality_issue']);

/** Problems staff need a picture of: the reply asking for the order asks for one too. */
const PHOTO_PROBLEMS = new Set(['damaged', 'wrong_item', 'quality_issue', 'missing_item', 'safety_issue']);

/** Words that leave the choice to the shop ("你们看着办", "都行"). */
const EITHER_WILL_DO = /看着办|都行|都可以|随便|哪个都|怎么都行|听你们的/u;
const SETTLEMENT_WORDS: readonly [string, RegExp][] = [
  ['补发', /补发|重新发|再发一个|重发/u],
  ['换新', /换新|换一个|换个新/u],
  ['退货退款', /退货/u],
  ['退款', /退款|退钱/u],
];
/** The settlements a message leaves to the shop ("补发还是退款你们看着办" → 补发, 退款), or undefined. */
function eitherOf(text: string): string[] | undefined {
  if (!EITHER_WILL_DO.test(text)) return undefined;
  const named = SETTLEMENT_WORDS.filter(([, re]) => re.test(text)).map(([zh]) => zh);
  // 退货 implies the refund: "退货退款" and "退款" are one choice.
  const choices = named.includes('退货退款') ? named.filter((n) => n !== '退款') : named;
  return choices.length >= 2 ? choices : undefined;
}

/** Problems of the goods themselves, which a replacement or a refund settles. */
const GOODS_PROBLEMS = new Set(['damaged', 'wrong_item', 'quality']);
/**
 * Requests that settle a problem ticket: asked for during the conversation about that ticket, they are how the
 * customer wants it settled — a reshipment for a parcel that never came or came wrong, a new one or the money
 * back for broken, wrong or faulty goods.
 */
const SETTLEMENTS: Readonly<Record<string, { zh: string; resolves: ReadonlySet<string> }>> = {
  reship: { zh: '补发', resolves: new Set(['delivery', ...GOODS_PROBLEMS]) },
  exchange: { zh: '换新', resolves: GOODS_PROBLEMS },
  return_refund: { zh: '退货退款', resolves: GOODS_PROBLEMS },
  refund_only: { zh: '退款', resolves: new Set(['delivery', ...GOODS_PROBLEMS]) },
};

/** The message names an order (by itself, not carried from the conversation) other than the ticket's. */
function namesAnotherOrder(parse: Parse, t: TicketRow): boolean {
  const named = parse.entities.filter((e) => e.type === 'orderNo' && e.start >= 0).map((e) => e.value);
  return named.length > 0 && !named.includes(t.order?.orderNo ?? '');
}

/** The problem of a ticket that is only a hand-off to a person (lifecycle.ts). */
const HANDOFF = 'handoff';
const COMPENSATION = 'compensation';
/** Asks for a manager ("找你们经理", "叫领导来", "让主管联系我"). */
const ASKS_MANAGER = /(?:找|叫|让|要|请)(?:你们)?(?:的)?(?:经理|领导|主管|负责人|老板|店长)/u;
/** The message asks for a manager and says nothing else (no grievance of its own to open a complaint for). */
function onlyAsksForManager(text: string): boolean {
  if (!ASKS_MANAGER.test(text)) return false;
  const rest = text
    .replace(ASKS_MANAGER, '')
    .replace(/[\s\p{P}\p{S}]+/gu, '')
    .replace(/我|要|你们|的|呢|吧|啊|了|来|过来|出来|一下|马上|现在|赶紧|立刻|联系|和|跟|说话|谈|处理|给|直接/gu, '');
  return rest.length <= 1;
}
/** Money asked for a loss ("赔偿", "医药费你们出吗", "怎么赔"), not just "给个说法". */
const ASKS_AMENDS = /赔偿|赔付|补偿|赔钱|赔我|赔多少|怎么赔|医药费|治疗费|检查费|看病的钱|损失/u;

/**
 * The customer's unresolved ticket they wrote about in the last half hour, if any — unless the message is
 * plainly about another problem: "内胆有划痕" (破损 or 质量?) during a 催发货 ticket is a new matter, to be
 * clarified, not a note on the delivery ticket.
 */
async function activeInSession(
  deps: TicketDeps,
  customerId: string,
  clarifying?: readonly string[],
): Promise<TicketRow | undefined> {
  const t = await deps.repo.latestOpen(customerId);
  const last = t?.lastCustomerMessageAt?.getTime() ?? 0;
  if (!t || deps.now().getTime() - last > SESSION_MS) return undefined;
  // A vague message (the catch-all question) belongs to the conversation's ticket.
  const chosen = problemsChosenBetween(clarifying ?? []);
  return chosen && !chosen.includes(t.problem) ? undefined : t;
}

/** How long after payment an order with no promised ship time may take (the radar's "paid, not shipped" line). */
const DEFAULT_SHIP_WITHIN_MS = 48 * 3_600_000;
const NOT_YET_SHIPPED = new Set(['paid', 'approved', 'picked']);

/**
 * Order questions that need no person when the order already answers them.
 *
 * "什么时候发货": answered from the order while nothing is wrong — already shipped (with carrier and number),
 * or not shipped yet but within the promised time — instead of a ticket per chase-up. A late order, an
 * urgent or VIP customer, or an order in any other state gets the ticket as before.
 */
function answeredByOrder(deps: TicketDeps, input: HandlingInput, order: OrderFacts): string | undefined {
  // "退款什么时候到账" about an order already refunded: when, and how much.
  if (input.parse.primary === 'refund_progress' && order.status === 'refunded') {
    return zh.alreadyRefunded({
      orderNo: order.orderNo,
      amountText: (order.amountCents / 100).toFixed(2),
      ...(order.refundedAt ? { atText: fmtTime(order.refundedAt) } : {}),
    });
  }
  if (input.parse.urgency.level !== 'normal' || input.sender.tier === 'vip') return undefined;
  // "快递怎么这么慢" about a parcel on its way, moving, and not yet due: where it is and when it is due.
  if (input.parse.primary === 'logistics_delay') return onItsWay(order, deps.now());
  if (input.parse.primary !== 'urge_shipment') return undefined;
  if (order.shippedAt || order.status === 'shipped' || order.status === 'signed') {
    return zh.alreadyShipped({
      orderNo: order.orderNo,
      ...(order.shippedAt ? { atText: fmtTime(order.shippedAt) } : {}),
      ...(order.carrier ? { carrier: carrierName(order.carrier) } : {}),
      ...(order.trackingNo ? { trackingNo: order.trackingNo } : {}),
      ...(order.latestTracking
        ? { latest: `${fmtTime(order.latestTracking.at)} ${order.latestTracking.description}` }
        : {}),
      ...(order.nextStep ? { next: order.nextStep } : {}),
    });
  }
  if (!NOT_YET_SHIPPED.has(order.status)) return undefined;
  const due =
    order.promisedShipBy ?? (order.paidAt ? new Date(order.paidAt.getTime() + DEFAULT_SHIP_WITHIN_MS) : undefined);
  if (!due || due.getTime() <= deps.now().getTime()) return undefined;
  return zh.shipWithinPromise({
    orderNo: order.orderNo,
    statusZh: STATE_LABEL[order.status as OrderStatus] ?? order.status,
    dueText: fmtTime(due),
    promised: order.promisedShipBy !== undefined,
  });
}

/** Says what was done has not settled it: not arrived, still broken, not refunded. */
const NOT_SETTLED =
  /还没(?:到|收到|发|寄|好|修好|退|退款|到账)|还是(?:没|不行|坏|碎|漏|有问题|不能用|用不了|一样)|没(?:有)?解决|又(?:坏|碎|漏|出问题)|(?:补发|重发|补寄|换)的(?:也|还)?(?:没|是坏|碎|有问题|不对|错)/u;
/** Names what a resolution sent or paid: the 补发 parcel, the new one, the refund. */
const SETTLEMENT_REF = /补发|重发|补寄|换的|新的|退款|钱|到账/u;
/** Says "it" is not settled without naming a problem of its own. */
const ABOUT_IT = /没(?:有)?解决|还是不行|还是一样|还是有问题/u;
/** How long after resolving a ticket the customer's "还没到" reopens it (the rating window is as long). */
const REOPEN_WITHIN_MS = 7 * 24 * 3_600_000;

/**
 * The customer's recently resolved ticket this message says is not settled ("补发的还没到" after 「已补发」), when
 * nothing newer is open and the message names no other order; undefined otherwise. Attaching reopens it.
 */
async function resolvedButNotSettled(deps: TicketDeps, input: HandlingInput): Promise<TicketRow | undefined> {
  const text = input.delivery.text;
  if (!NOT_SETTLED.test(text)) return undefined;
  const since = new Date(deps.now().getTime() - REOPEN_WITHIN_MS);
  const done = await deps.repo.latestResolved(input.sender.id, since);
  if (done?.status !== 'resolved' || namesAnotherOrder(input.parse, done)) return undefined;
  // About that ticket: its problem, what it settled with (补发, 换的, 退款), or plainly "it" (没解决, 还是不行).
  const about = problemKey(input.parse.primary) === done.problem || SETTLEMENT_REF.test(text) || ABOUT_IT.test(text);
  if (!about) return undefined;
  const open = await deps.repo.latestOpen(input.sender.id);
  if (open && open.createdAt.getTime() > (done.resolvedAt?.getTime() ?? 0)) return undefined;
  return done;
}

/** The delivery problems a clarifying question may choose between, and the order states that settle it. */
const DELIVERY_CHOICES = new Set(['urge_shipment', 'logistics_delay', 'not_received']);

/** See TicketHandling.deliveryProblemOf. */
export async function deliveryProblemOf(
  deps: TicketDeps,
  input: HandlingInput,
  options: readonly string[],
): Promise<string | undefined> {
  const delivery = options.length >= 2 && options.every((o) => DELIVERY_CHOICES.has(o));
  const cancelOrRefund = options.length === 2 && options.every((o) => CANCEL_OR_REFUND.has(o));
  if (!delivery && !cancelOrRefund) return undefined;
  const refs = input.parse.entities.filter((e) => e.type === 'orderNo' || e.type === 'trackingNo');
  if (refs.length === 0) return undefined;
  const { order } = (await deps.orders?.forCustomer(input.sender.id, refs)) ?? {};
  if (!order) return undefined;
  // 「算了 我不要了 退款吧」 about the order in the conversation: cancelling is for one not shipped yet; a parcel
  // already out is a refund (its reply says how: refuse it, or return it once signed).
  const stage = deliveryStage(order);
  const choice = delivery || !stage ? stage : stage === 'urge_shipment' ? 'cancel_order' : 'refund_only';
  return choice && options.includes(choice) ? choice : undefined;
}

/** The choice of 「取消还没发货的订单，还是申请仅退款？」, which the order's stage settles. */
const CANCEL_OR_REFUND = new Set(['cancel_order', 'refund_only']);

/** The delivery problems the order's stage may read otherwise (atOrderStage). */
const READ_BY_STAGE = new Set(['logistics_delay', 'not_received']);

/** Says the parcel shows as delivered (「显示签收了」, 「放驿站了」): the customer's word against the order's data. */
const SAYS_DELIVERED = /签收|送达|妥投|放(?:在)?(?:了)?(?:驿站|快递柜|丰巢|门口|前台|物业)/u;

/**
 * A delivery problem read by where the order is: 「还是物流不动？」 about an order not shipped yet is a chase for the
 * shipment (answered by the promised time, not a 物流延误 ticket), 「东西怎么还没到」 about a parcel on its way is
 * a delay (where it is, when it is due), and about a signed one is a parcel not received. 「显示签收了」 against an
 * order our data has on the way stays as the customer says (the sources disagree; a person looks).
 */
function atOrderStage(input: HandlingInput, order: OrderFacts): HandlingInput {
  const { parse } = input;
  // (催发货 on an order already shipped stays: answeredByOrder says where it is.)
  if (!READ_BY_STAGE.has(parse.primary) || parse.notes.includes(REFUSED_NOTE)) return input;
  const stage = deliveryStage(order);
  if (!stage || stage === parse.primary) return input;
  if (parse.primary === 'not_received' && SAYS_DELIVERED.test(input.delivery.text)) return input;
  const intents = [{ id: stage, score: 1 }, ...parse.intents.filter((i) => i.id !== stage)];
  return { ...input, parse: { ...parse, primary: stage, intents, notes: [...parse.notes, `stage:${stage}`] } };
}

/** The delivery problem an order's state points to: 未收到货 once signed, 物流延误 on the way, 催发货 before it ships. */
function deliveryStage(order: OrderFacts): string | undefined {
  if (order.lastSignoff || order.status === 'signed') return 'not_received';
  if (order.shippedAt || order.status === 'shipped') return 'logistics_delay';
  if (NOT_YET_SHIPPED.has(order.status)) return 'urge_shipment';
  return undefined;
}

/** How long a parcel may go without a tracking update before it counts as stuck (a ticket, not reassurance). */
const STUCK_AFTER_MS = 48 * 3_600_000;

/**
 * The answer to "怎么这么慢" for a parcel in transit that is moving (a tracking update in the last 48 h) and not
 * past its expected day: where it is, when it is due, and to come back if it does not arrive by then. Undefined
 * (a 物流延误 ticket) when it is late, stuck, signed, or its progress is unknown.
 */
function onItsWay(order: OrderFacts, now: Date): string | undefined {
  const latest = order.latestTracking;
  if (order.status !== 'shipped' || order.lastSignoff || !latest || !order.eta) return undefined;
  if (now.getTime() - latest.at.getTime() > STUCK_AFTER_MS) return undefined;
  if (cnDayNumber(order.eta) < cnDayNumber(now)) return undefined;
  return zh.inTransitOnTime({
    orderNo: order.orderNo,
    ...(order.carrier ? { carrier: carrierName(order.carrier) } : {}),
    ...(order.trackingNo ? { trackingNo: order.trackingNo } : {}),
    latest: `${fmtTime(latest.at)} ${latest.description}`,
    etaText: cnDay(order.eta),
  });
}

/**
 * A customer message that opens nothing by itself — too vague ("退换的事还没人管" scored below the
 * clarify floor) or no ticket matter ("照片发了 你们看看") — from a customer who has a ticket it belongs
 * to: the open ticket for the problem the parse leans to (a reminder, which may raise its priority), else
 * a ticket waiting on this customer (it resumes). Undefined when there is neither.
 */
export async function onFollowUp(
  deps: TicketDeps,
  input: HandlingInput,
  opts: FollowUpOpts = { chase: true },
): Promise<Answer | undefined> {
  if (opts.later) {
    const waiting = await deps.repo.waitingOnCustomer(input.sender.id);
    if (!waiting) return undefined;
    await note(deps, waiting, input);
    return answerOn(waiting, zh.waitingKept({ id: waiting.id }));
  }
  const problem = followUpProblem(input.parse.primary);
  // The ticket the conversation is about: first for a message that names nothing ("能不能快点", `anyProblem`),
  // last for one too vague to act on ("没买错，就是你们家的", `inSession`).
  const session =
    opts.anyProblem || opts.inSession
      ? await activeInSession(deps, input.sender.id, opts.anyProblem ? undefined : input.parse.clarify?.options)
      : undefined;
  // Staff asked the customer something (等待客户): whatever the customer writes next is the answer.
  const open =
    (opts.anyProblem ? session : undefined) ??
    (problem ? await deps.repo.openForProblem(input.sender.id, problem) : null) ??
    (await deps.repo.waitingOnCustomer(input.sender.id)) ??
    session;
  if (!open) return undefined;
  if (opts.retract) return answerOn(open, await withdraw(deps, open, input, opts.retract === 'any'));
  // Not chasing ("我问问家里人", "是不是放驿站了"): the customer adds something; the ticket records it and
  // its owner hears of it, but it is no reminder. A waiting ticket resumes either way (attach).
  // A timing question on a fresh ticket is no chase, but it is a question (chases): answered with the status.
  const text =
    !chases(open, opts.chase, opts.timing, deps.now()) && isWorkedOn(open)
      ? await note(deps, open, input, { question: opts.question === true || opts.chase })
      : await attach(deps, open, input, { deliveryChecked: false });
  return answerOn(open, text);
}

/** Requests one retraction takes back together ("不退了": a refund, with or without the return). */
const REFUNDS = new Set(['return_refund', 'refund_only']);
const sameRequest = (a: string | undefined, b: string) => a === b || (REFUNDS.has(a ?? '') && REFUNDS.has(b));

/**
 * "算了不取消了" about ticket `t`: when nobody has picked it up yet (待处理), the customer added nothing to it,
 * and the message takes back the very request it was opened for ("我要取消订单" → "不取消了", not an address
 * change) or `whatever` it was for ("算了 不用处理了"), the ticket is resolved as withdrawn and closed, and its
 * owner told. Otherwise the news is noted on it for whoever works on it. Once per delivery either way.
 */
async function withdraw(deps: TicketDeps, t: TicketRow, input: HandlingInput, whatever = false): Promise<string> {
  const { sender, delivery } = input;
  // Nothing added since it was opened: the customer's last message to it is the one that opened it.
  const untouched = t.status === 'open' && t.lastCustomerMessageAt?.getTime() === t.createdAt.getTime();
  if (!untouched || !(whatever || sameRequest(openedFor(t.flags), input.parse.primary))) {
    await note(deps, t, input);
    return zh.retractedNoted({ id: t.id });
  }
  if (!(await deps.repo.handled(t.id, delivery.id))) {
    const said = delivery.text.slice(0, 100);
    const by = { actor: `customer:${sender.id}`, channel: delivery.channel, deliveryId: delivery.id };
    const resolved = await moveTicket(deps, t, 'resolve', { ...by, reason: `撤回申请：${said}` });
    // Closed, not just resolved: asking for it again later is a new request, not "still not solved".
    const done = await moveTicket(deps, resolved, 'close', { ...by, reason: '顾客撤回，工单关闭' });
    if (done.assigneeId) {
      await deps.notifier.push({
        to: { staffIds: [done.assigneeId] },
        kind: 'push',
        text: zh.withdrawnToStaff({ id: t.id, said }),
        dedupeKey: `withdrawn-${t.id}-${delivery.id}`,
        ticketId: t.id,
      });
    }
  }
  return zh.retractedDone({ id: t.id, problemZh: ticketNameZh(t) });
}

/** The first-response deadline still ahead of a ticket nobody has answered yet, if any. */
function pendingFirstResponse(t: TicketRow, now: Date): Date | undefined {
  const due = t.status === 'open' ? t.firstResponseDueAt : null;
  return due && due.getTime() > now.getTime() ? due : undefined;
}

/** Open on our side: a waiting ticket resumes and a resolved one reopens on any customer message (attach). */
const isWorkedOn = (t: TicketRow) => t.status !== 'waiting_customer' && t.status !== 'resolved';

/** How long after opening a ticket "多久能好" is a question about it rather than a chase. */
const FRESH_MS = 30 * 60_000;
/**
 * Chasing `t`? A message whose only chase words ask when or how long (`timing`) asks a question while `t` is
 * fresh: opened in the last half hour and not chased yet ("退款多久能到账" right after 「我要退货」).
 */
const chases = (t: TicketRow, chase: boolean, timing: boolean | undefined, now: Date) =>
  chase && !(timing && isFresh(t, now));
/** Opened in the last half hour and not chased yet. */
const isFresh = (t: TicketRow, now: Date) => t.reminderCount === 0 && now.getTime() - t.createdAt.getTime() < FRESH_MS;

/** The customer's message added to an open ticket as a note, once per delivery. */
export async function note(
  deps: TicketDeps,
  t: TicketRow,
  input: Pick<HandlingInput, 'sender' | 'delivery'>,
  opts: { question?: boolean; change?: Parameters<TicketRepo['update']>[1] } = {},
): Promise<string> {
  const { text } = input.delivery;
  await recordCustomerNote(deps, t, input, {
    reason: `顾客补充：${text.slice(0, 100)}`,
    push: `工单 #${t.id} 顾客补充：${text.slice(0, 200)}`,
    pushKey: 'note',
    ...(opts.change ? { change: opts.change } : {}),
  });
  // "补发的单号多少": a question gets where the ticket stands, and goes to the person who can answer it.
  if (!opts.question) return zh.ticketNoted({ id: t.id });
  const due = pendingFirstResponse(t, deps.now());
  return zh.ticketQuestionNoted({
    id: t.id,
    statusZh: STATUS_ZH[t.status as TicketStatus],
    ...(due ? { dueText: fmtTime(due) } : {}),
  });
}

/**
 * Records what the customer added to ticket `t` — a `note` event with `reason` and `data`, and `change` in
 * the same write — once per delivery, and pushes `push` to the ticket's owner. False when this delivery was
 * recorded on `t` before (a retry), in which case nothing is written.
 */
export async function recordCustomerNote(
  deps: TicketDeps,
  t: TicketRow,
  { sender, delivery }: Pick<HandlingInput, 'sender' | 'delivery'>,
  note: {
    reason: string;
    push: string;
    /** Names the push's dedupe key, `<pushKey>-<ticket>-<delivery>`. */
    pushKey: string;
    data?: Record<string, unknown>;
    change?: Parameters<TicketRepo['update']>[1];
  },
): Promise<boolean> {
  if (await deps.repo.handled(t.id, delivery.id)) return false;
  const updated = await deps.repo.update(
    t.id,
    { ...note.change, lastCustomerMessageAt: deps.now() },
    {
      type: 'note',
      actor: `customer:${sender.id}`,
      channel: delivery.channel,
      reason: note.reason,
      data: { ...note.data, deliveryId: delivery.id },
    },
    { assigneeTargets: t.assigneeId !== null },
  );
  if (updated.assigneeId) {
    await deps.notifier.push({
      to: assigneeTo(updated.assigneeId, updated.assigneeTargets),
      kind: 'push',
      text: note.push,
      dedupeKey: `${note.pushKey}-${t.id}-${delivery.id}`,
      ticketId: t.id,
    });
  }
  return true;
}

/** How the message relates to the customer's orders and to chasing (see onCustomerMessage). */
interface Circumstances {
  /** The order the problem is about, if any. */
  order?: OrderFacts;
  /** `order` was the likeliest of several, not named: the reply says so. */
  orderGuessed: boolean;
  /** No order of theirs is known for it: the reply asks for one (and the ticket takes it, onOrderShown). */
  askForOrder: boolean;
  /** The goods named are in none of the customer's orders (CustomerOrderMatch.goodsNotFound). */
  goodsNotFound?: string;
  /** The customer sent a photo earlier in the conversation: the reply does not ask for one. */
  photoSent: boolean;
  /** The message chases (see TicketHandling.onCustomerMessage). */
  chase: boolean;
  /** Its only chase words ask when or how long (CustomerMessageOpts.timing). */
  timing: boolean;
  /** The message is said on its own, not as a continuation of the previous one. */
  restated: boolean;
  /** The message asks something ("补发的单号多少"): as a note, it is answered with the ticket's status. */
  question: boolean;
  /** A person was asked for outside working hours (see CustomerMessageOpts). */
  afterHours: boolean;
  /** The customer asks again what their previous message asked (see CustomerMessageOpts). */
  askedAgain: boolean;
}

/**
 * A reminder, or a note? "取消订单吧" on a ticket opened for an address change, or the new address itself,
 * adds to the ticket; "地址写错了能改吗" said again, or "怎么还没人处理", chases it.
 */
function remindsOf(t: TicketRow, parse: Parse, { chase, restated }: Pick<Circumstances, 'chase' | 'restated'>) {
  if (chase) return true;
  const first = openedFor(t.flags);
  // "我要你们赔偿医药费" on a safety ticket: the primary is 安全问题 by precedence, but what the message says
  // most is a new demand (赔偿) for that ticket — news for it, not the same request again.
  const says = parse.intents[0]?.id ?? parse.primary;
  return restated && (first === undefined || (first === parse.primary && says === first));
}

/** "要不要去医院" about a safety ticket: the answer says what to do meanwhile. */
const ASKS_DOCTOR = /医院|就医|看医生|看病|兽医|就诊/u;
const withSafetyAdvice = (t: TicketRow, said: string, text: string) =>
  t.problem === 'safety' && ASKS_DOCTOR.test(said) ? `${text}\n${zh.safetyAdvice()}` : text;

async function openOrAttach(
  deps: TicketDeps,
  input: HandlingInput,
  problem: string,
  {
    order,
    orderGuessed,
    askForOrder,
    goodsNotFound,
    photoSent,
    chase,
    timing,
    restated,
    question,
    afterHours,
    askedAgain,
  }: Circumstances,
): Promise<{ text: string; opened?: true } | undefined> {
  const { sender, delivery, parse } = input;
  const key = openKey(sender.id, order?.id, problem);
  // One read for what decides the path: redelivery, open ticket for the key, ticket to link to.
  const { replayed, replayedEvent, open, linkedId } = await deps.repo.intake({
    deliveryId: delivery.id,
    openKey: key,
    customerId: sender.id,
    orderId: order?.id ?? null,
  });
  if (replayed) {
    const text = await finishReplayed(deps, replayed, replayedEvent, input);
    return text === undefined ? undefined : { text };
  }
  if (open) {
    // Asking about it ("退款退到哪里") while it is fresh is a question, not the request said again.
    const asksAbout = question && isFresh(open, deps.now());
    const text =
      !remindsOf(open, parse, { chase: chases(open, chase, timing, deps.now()), restated: restated && !asksAbout }) &&
      isWorkedOn(open)
        ? await note(deps, open, input, { question: question || chase })
        : await attach(deps, open, input, { deliveryChecked: true });
    return { text: withSafetyAdvice(open, delivery.text, text) };
  }
  // Nothing open about it: a question the order itself answers needs no ticket — unless the customer asks it
  // again, the order's answer having not done ("都三天了还没发货" after 「还在承诺时间内」).
  const answered = order && !askedAgain ? answeredByOrder(deps, input, order) : undefined;
  if (answered) return { text: answered };
  const now = deps.now();
  const facts = ruleFacts(parse, order, sender.tier, now);
  const matched = evaluateRules(deps.config.rules, facts);
  const actions = matched.flatMap((m) => m.actions);
  const floor = floorOf(actions);
  const decided = decidePriority({
    primary: parse.primary,
    primaryZh: problemZh(parse.primary),
    urgency: parse.urgency.level,
    cues: parse.urgency.cues,
    ...(sender.tier ? { tier: sender.tier } : {}),
    ...(order ? { orderValueCents: order.amountCents } : {}),
    reminderCount: 0,
    ...(floor ? { floor } : {}),
  });
  const reasons = [...decided.reasons, ...matched.map((m) => `规则「${m.name}」：${m.explanation}`)];
  const teamId = deps.config.defaultTeamId;
  // Without a team the first on-duty agent takes it; with one, the insert claims the team's next agent.
  const assigneeId = teamId ? undefined : nextAssignee(await deps.directory.staffByRole(['agent']));
  // A new ticket's deadlines depend only on its creation time and priority: stored with the insert.
  const timers = planTimers(deps, decided.priority, { createdAt: now, pausedMinutes: 0 });
  const opened = await deps.repo.open(
    {
      ...timers.columns,
      customerId: sender.id,
      orderId: order?.id ?? null,
      problem,
      openKey: key,
      priority: decided.priority,
      priorityReasons: reasons,
      urgency: parse.urgency.level,
      channel: delivery.channel,
      summary: delivery.text.slice(0, 200),
      assigneeId: assigneeId ?? null,
      teamId: teamId ?? null,
      linkedTicketId: linkedId,
      lastCustomerMessageAt: now,
      createdAt: now,
      flags: {
        reship: actions.some((a) => a.type === 'mark_reship'),
        // The order was taken as the customer's most likely one: an order they name next replaces it (order-link.ts).
        ...(orderGuessed && order ? { orderGuessed: true } : {}),
        rules: matched.map((m) => m.ruleId),
        facts: facts as unknown as Prisma.InputJsonValue,
        // "过几天再发吧": the order is to wait; "可以发货了" later is news for this ticket (see onCustomerMessage).
        ...(parse.notes.includes(SHIP_LATER) ? { shipLater: true } : {}),
      },
    },
    {
      actor: `customer:${sender.id}`,
      channel: delivery.channel,
      reason: reasons.join('；'),
      data: { deliveryId: delivery.id, primary: parse.primary },
    },
    teamId ? { roundRobinTeam: teamId } : {},
  );
  const { ticket } = opened;
  if (!opened.created) return { text: await attach(deps, ticket, input, { deliveryChecked: false }) };
  await announce(deps, ticket, parse, actions, { timers, assigneeTargets: opened.assigneeTargets });
  const text = createdText(ticket, parse, linkedId, {
    orderGuessed,
    askForOrder,
    photoSent,
    afterHours,
    ...(goodsNotFound ? { goodsNotFound } : {}),
  });
  return { text, opened: true };
}

function createdText(
  t: TicketRow,
  parse: Parse,
  linkedId: number | null,
  {
    orderGuessed,
    askForOrder,
    goodsNotFound,
    photoSent,
    afterHours,
  }: Pick<Circumstances, 'orderGuessed' | 'askForOrder' | 'photoSent'> &
    Partial<Pick<Circumstances, 'afterHours' | 'goodsNotFound'>>,
): string {
  if (parse.primary === 'human_agent') {
    if (afterHours) return zh.handoffTicketAfterHours({ id: t.id });
    const due = t.firstResponseDueAt ? { dueText: fmtTime(t.firstResponseDueAt) } : {};
    return zh.handoffTicket({ id: t.id, ...due });
  }
  const text = zh.ticketCreated({
    id: t.id,
    problemZh: problemZh(parse.primary),
    priority: t.priority as Priority,
    ...(t.firstResponseDueAt ? { dueText: fmtTime(t.firstResponseDueAt) } : {}),
    critical: isCritical(t, parse),
    toManager: parse.escalateToManager,
    ...(t.order ? { orderNo: t.order.orderNo, orderGuessed } : {}),
    ...(askForOrder && !t.order
      ? {
          askOrder: PHOTO_PROBLEMS.has(parse.primary) && !photoSent ? 'with_photo' : 'plain',
          ...(goodsNotFound ? { missingGoods: goodsNotFound } : {}),
        }
      : {}),
  } as const);
  // "一个杯子碎了，另一个发错颜色了": the other problem named goes on the same ticket, and the customer hears so.
  const also = [
    ...new Set(
      parse.intents
        .slice(1)
        .map((i) => i.id)
        .filter((id) => ALSO_ON_TICKET.has(id) && problemKey(id) !== t.problem)
        .map((id) => problemZh(id)),
    ),
  ];
  const withAlso = also.length > 0 ? `${text}${zh.alsoOnTicket({ id: t.id, problems: also.join('、') })}` : text;
  const linked = linkedId !== null ? `${withAlso}${zh.linkedNote({ id: linkedId })}` : withAlso;
  const safety = t.problem === 'safety' ? `\n${zh.safetyAdvice()}` : '';
  return `${linked}${orderChangeNote(t, parse) ?? ''}${safety}`;
}

/**
 * Cancelling or changing an order that has left the warehouse is no longer a click, nor is a refund without
 * a return for a parcel on its way: say what can be done.
 */
export function orderChangeNote(t: TicketRow, parse: Parse): string | undefined {
  const o = t.order;
  // "中通 731…": the parcel as the notes name it.
  const parcel = o ? [o.carrier ? carrierName(o.carrier) : undefined, o.trackingNo].filter(Boolean).join(' ') : '';
  const named = parcel ? { parcel } : {};
  // (Refused already: it is on its way back, nothing to intercept.)
  if (o && parse.primary === 'refund_only' && o.status === 'shipped' && !parse.notes.includes(REFUSED_NOTE)) {
    return zh.refundInTransitNote(named);
  }
  // "我要退货" about a parcel still on its way: nothing can be sent back yet — refuse it, or return it once signed.
  const inTransit = o?.status === 'shipped' && o.lastTrackingKind !== 'signed';
  if (inTransit && (parse.primary === 'return_refund' || parse.primary === 'exchange')) {
    return zh.returnInTransitNote({ exchange: parse.primary === 'exchange', ...named });
  }
  if (!o || (parse.primary !== 'cancel_order' && parse.primary !== 'change_order')) return undefined;
  // "我下了两单 能一起发吗": orders not shipped yet can go in one parcel; one already sent cannot.
  const sent = o.status === 'shipped' || o.status === 'signed';
  if (parse.primary === 'change_order' && parse.notes.includes('rule:merge-shipping')) {
    return sent ? zh.mergeTooLateNote({ orderNo: o.orderNo, ...named }) : zh.mergeNote();
  }
  // "过几天再发吧 这周不在家": an order not out yet can wait; a parcel already sent cannot be held back.
  if (parse.primary === 'change_order' && parse.notes.includes(SHIP_LATER)) {
    return sent ? zh.shipLaterTooLateNote({ orderNo: o.orderNo, ...named }) : zh.shipLaterNote();
  }
  if (!sent) return undefined;
  // "能不能换个快递" once the parcel is with a carrier: it cannot change hands.
  if (parse.primary === 'change_order' && parse.notes.includes('rule:carrier-request') && o.status === 'shipped') {
    return zh.carrierFixedNote({
      ...(o.carrier ? { carrier: carrierName(o.carrier) } : {}),
      ...(o.trackingNo ? { trackingNo: o.trackingNo } : {}),
    });
  }
  return zh.orderLeftWarehouseNote({
    cancel: parse.primary === 'cancel_order',
    signed: o.status === 'signed',
    ...(o.carrier ? { carrier: carrierName(o.carrier) } : {}),
    ...(o.trackingNo ? { trackingNo: o.trackingNo } : {}),
  });
}

/** The parse note of intents/rules.yml ship-later (「过几天再发吧」). */
const SHIP_LATER = 'rule:ship-later';

const isCritical = (t: TicketRow, parse: Parse) => t.priority === 'P1' || parse.urgency.level === 'critical';

/**
 * A new ticket's side effects: its SLA timers, the rule actions' pushes, and the escalation or the push to
 * its assignee. All idempotent (deterministic timer job ids, outbox dedupe keys, one escalation row per
 * level), so a retried delivery can run them again to finish what a crashed attempt began.
 */
async function announce(
  deps: TicketDeps,
  ticket: TicketRow,
  parse: Parse,
  actions: RuleAction[],
  opts: { timers?: TimerPlan; assigneeTargets?: Targets },
): Promise<void> {
  const pushes = async () => {
    await applyActions(deps, ticket, actions);
    if (parse.escalateToManager || parse.primary === 'complaint')
      await escalate(deps, ticket, 'complaint', { escalateToManager: true });
    else if (isCritical(ticket, parse)) await escalate(deps, ticket, 'critical');
    else if (ticket.assigneeId) await notifyAssignee(deps, ticket, opts.assigneeTargets);
  };
  // The SLA timers (Redis) and the pushes (outbox) do not depend on each other. If queueing the timers
  // fails, the pushes still go out and the periodic sweep re-arms the timers from the stored deadlines.
  const { timers } = opts;
  const settled = await Promise.allSettled([timers ? scheduleTimers(deps, timers, ticket) : undefined, pushes()]);
  for (const r of settled) if (r.status === 'rejected') throw r.reason;
}

/**
 * The delivery was handled before (a platform re-delivery, or a job retried after a crash). Nothing is
 * counted again, but what the first attempt may not have finished is finished now: if it opened the
 * ticket, its timers (while the deadlines are still the ones set at opening) and pushes; if it was a
 * reminder, the push to the assignee. Everything already done is a no-op (see `announce`).
 */
async function finishReplayed(
  deps: TicketDeps,
  t: TicketRow,
  event: string | null,
  input: HandlingInput,
): Promise<string> {
  if (event === 'created') {
    const ruleIds = new Set((t.flags as { rules?: string[] } | null)?.rules ?? []);
    const actions = deps.config.rules.filter((r) => ruleIds.has(r.id)).flatMap((r) => r.actions);
    const atOpening = t.policyRevision === 0;
    const timers = atOpening
      ? planTimers(deps, t.priority as Priority, { createdAt: t.createdAt, pausedMinutes: 0 })
      : undefined;
    await announce(deps, t, input.parse, actions, timers ? { timers } : {});
    return createdText(t, input.parse, t.linkedTicketId, {
      orderGuessed: false,
      askForOrder: !t.order,
      photoSent: false,
    });
  }
  if (event === 'reminder') await notifyReminder(deps, t, input);
  return zh.ticketReminder({ id: t.id, statusZh: STATUS_ZH[t.status as TicketStatus], raised: false });
}

/**
 * A repeat message on an open ticket. `deliveryChecked` when the caller has just seen that this delivery
 * changed no ticket (intake); otherwise it is checked here (a retried job must not count twice).
 */
async function attach(
  deps: TicketDeps,
  t: TicketRow,
  input: HandlingInput,
  opts: { deliveryChecked: boolean },
): Promise<string> {
  const { delivery, sender } = input;
  if (!opts.deliveryChecked && (await deps.repo.handled(t.id, delivery.id)))
    return zh.ticketReminder({ id: t.id, statusZh: STATUS_ZH[t.status as TicketStatus], raised: false });
  const now = deps.now();
  const by = { actor: `customer:${sender.id}`, channel: delivery.channel, deliveryId: delivery.id };
  if (t.status === 'waiting_customer') {
    // The customer's answer: the clock runs again, with fresh deadlines under a new timer revision.
    await moveTicket(deps, t, 'resume', { ...by, reason: '顾客回复，恢复计时' }, { lastCustomerMessageAt: now });
    return zh.ticketResumed({ id: t.id });
  }
  if (t.status === 'resolved') {
    // "Still broken": the ticket opens again and escalates (one level higher each time).
    await moveTicket(
      deps,
      t,
      'reopen',
      { ...by, reason: `${STATUS_ZH.resolved} → ${STATUS_ZH.open}：顾客反馈问题仍未解决` },
      { lastCustomerMessageAt: now },
    );
    return zh.ticketReopened({ id: t.id });
  }
  const reminders = t.reminderCount + 1;
  const decided = decidePriority({
    primary: input.parse.primary,
    primaryZh: problemZh(input.parse.primary),
    urgency: input.parse.urgency.level,
    cues: input.parse.urgency.cues,
    ...(sender.tier ? { tier: sender.tier } : {}),
    ...(t.order ? { orderValueCents: t.order.amountCents } : {}),
    reminderCount: reminders,
    ageHours: (now.getTime() - t.createdAt.getTime()) / 3_600_000,
    floor: t.priority as Priority,
  });
  // A priority staff set by hand (优先级 #N P2) stays until staff change it; the owner still hears each reminder.
  const manual = (t.flags as { manualPriority?: string } | null)?.manualPriority !== undefined;
  const raised = !manual && decided.priority < t.priority;
  const change = {
    reminderCount: reminders,
    lastCustomerMessageAt: now,
    ...(raised
      ? { priority: decided.priority, priorityReasons: decided.reasons, urgency: input.parse.urgency.level }
      : {}),
  };
  const event = {
    type: 'reminder',
    actor: `customer:${sender.id}`,
    channel: delivery.channel,
    reason: `第 ${reminders} 次催促${raised ? `，优先级 ${t.priority} → ${decided.priority}` : ''}`,
    data: { deliveryId: delivery.id },
  };
  const withTargets = { assigneeTargets: t.assigneeId !== null };
  // A raised priority has tighter deadlines: stored with the reminder under a new timer revision.
  const updated = raised
    ? await updateAndReschedule(deps, t, change, event, withTargets)
    : await deps.repo.update(t.id, change, event, withTargets);
  await notifyReminder(deps, updated, input, updated.assigneeTargets);
  // Nobody has answered yet: when someone will, by the (perhaps tightened) first-response deadline.
  const due = pendingFirstResponse(updated, now);
  const dueText = due ? { dueText: fmtTime(due) } : {};
  return zh.ticketReminder({ id: t.id, statusZh: STATUS_ZH[t.status as TicketStatus], raised, ...dueText });
}

/** Tells the assignee of `t` (already updated with the reminder) that the customer asked again. */
async function notifyReminder(deps: TicketDeps, t: TicketRow, input: HandlingInput, targets?: Targets) {
  if (!t.assigneeId) return;
  await deps.notifier.push({
    to: assigneeTo(t.assigneeId, targets),
    kind: 'alert',
    text: `顾客第 ${t.reminderCount} 次催促工单 #${t.id}（${t.priority}）：${input.delivery.text.slice(0, 80)}`,
    dedupeKey: `remind-${t.id}-${input.delivery.id}`,
    ticketId: t.id,
  });
}

/** Pushes a new ticket to its assignee. */
async function notifyAssignee(deps: TicketDeps, t: TicketRow, targets?: Targets) {
  if (!t.assigneeId) return;
  await deps.notifier.push({
    to: assigneeTo(t.assigneeId, targets),
    kind: 'push',
    text: `新工单 #${t.id}（${t.priority}）：${t.summary}${t.firstResponseDueAt ? `\n首次响应截止 ${fmtTime(t.firstResponseDueAt)}` : ''}\n回复「受理 #${t.id}」开始处理。`,
    dedupeKey: `assigned-${t.id}`,
    ticketId: t.id,
  });
}

async function applyActions(deps: TicketDeps, t: TicketRow, actions: RuleAction[]) {
  for (const a of actions) {
    if (a.type === 'notify_group') {
      await deps.notifier.push({
        to: { group: a.group },
        kind: 'alert',
        text: `${a.text}（工单 #${t.id}，${t.order?.orderNo ?? '未关联订单'}）`,
        dedupeKey: `rule-${t.id}-${a.group}`,
        ticketId: t.id,
      });
    }
  }
}

const PROBLEM_ZH: Record<string, string> = {
  not_received: '未收到货',
  logistics_delay: '物流延误',
  damaged: '商品破损',
  wrong_item: '发错货',
  missing_item: '少件漏发',
  quality_issue: '质量问题',
  safety_issue: '安全问题',
  complaint: '投诉',
  return_refund: '退货退款',
  refund_only: '仅退款',
  exchange: '换货',
  reship: '补发',
  compensation: '补偿',
  price_protection: '价保',
  cancel_order: '取消订单',
  change_order: '修改订单',
  urge_shipment: '催发货',
  refund_progress: '退款进度',
  invoice: '发票',
  return_info: '退货咨询',
  human_agent: '转人工',
};

export const problemZh = (primary: string) => PROBLEM_ZH[primary] ?? primary;
