import type { ChannelId } from '../../channels/channel.ts';
import type { QuickReply } from '../../domain/shop/quick-replies.ts';
import type { Logger } from '../../lib/logger.ts';
import type { StaffDirectory } from '../../store/directory.repo.ts';
import type { TicketRepo, TicketRow } from '../../store/tickets.repo.ts';
import type { Notifier } from '../notify.ts';
import type { TimerScheduler } from '../ports.ts';
import type { TicketConfig } from './config.ts';

/** Facts about the order a ticket is about, for priority and rules. */
export interface OrderFacts {
  id: string;
  orderNo: string;
  source: string;
  amountCents: number;
  status: string;
  paidAt?: Date;
  promisedShipBy?: Date;
  carrier?: string;
  trackingNo?: string;
  shippedAt?: Date;
  /** When the order's status became `refunded` (status history). */
  refundedAt?: Date;
  /** The latest sign-off and its kind (electronic | locker | photo | otp). */
  lastSignoff?: { kind: string; at: Date };
  /** The latest tracking event ("【东莞市】快件已从 东莞转运中心 发出"). */
  latestTracking?: { at: Date; description: string };
  /** What happens next, in one sentence ("预计 12月3日 送达"; domain/orders/timeline.ts nextStep). */
  nextStep?: string;
  /** When a shipped parcel should arrive (the carrier's estimate, else its usual transit days). */
  eta?: Date;
}

/** The order a customer message is about, and the order or tracking number it named that is not theirs. */
export interface CustomerOrderMatch {
  order?: OrderFacts;
  /** Named in the message but not among the customer's orders: the ticket is then opened without an order. */
  notTheirs?: string;
  /** The message named no order and the customer has several: `order` is the likeliest one, a guess. */
  guessed?: boolean;
  /**
   * The message names goods (「衣服掉色」) none of the customer's orders holds: no order is guessed, and the reply
   * asks for the one those goods came in.
   */
  goodsNotFound?: string;
}

export interface TicketOrders {
  /**
   * The order this customer message is about: the one named in the parse when it is the customer's; when
   * the message names none, the newest one in a status that fits the problem (`intents`), else the newest.
   */
  forCustomer(
    customerId: string,
    /** `start` −1: carried from the conversation rather than named in this message (nlu/context.ts). */
    entities: { type: string; value: string; start?: number; end?: number }[],
    /**
     * What the message is about, the primary first: the first with a fitting order status decides which order is
     * likeliest ("…签收了但没收到，我要投诉": a complaint, about the signed order).
     */
    intents?: readonly string[],
    /** The message: the goods it names ("纸尿裤少了一包") and "另一单…" tell which order. */
    text?: string,
  ): Promise<CustomerOrderMatch>;
}

/** What the 微信客服 channel knows about a customer's 48 h window. */
export interface KfWindows {
  /**
   * Whether a keep-alive is due for this customer now (rule K6 of the send planner); when it is, a key of
   * their current window, so one window gets one reminder.
   */
  keepaliveDue(userRef: string, nowMs: number): Promise<{ windowKey: string } | undefined>;
  /** The customer's window: when it closes and how many sends are left; undefined when it is closed. */
  window(userRef: string): Promise<{ closesAt: Date; sendsLeft: number } | undefined>;
}

export interface TicketDeps {
  repo: TicketRepo;
  config: TicketConfig;
  timers: TimerScheduler;
  notifier: Notifier;
  directory: StaffDirectory;
  /** The shop's quick replies (env QUICK_REPLIES_FILE): 回复 #12 /退货地址. */
  quickReplies?: readonly QuickReply[];
  orders?: TicketOrders;
  /** 微信客服 customers' 48 h windows, when WeCom is configured. */
  kf?: KfWindows;
  now: () => Date;
  log: Logger;
}

/** A conversation: messages closer together than this belong to one (the ticket it is about, its context). */
export const SESSION_MS = 30 * 60_000;

/** Staff who can own or take a ticket (转派 targets). */
export const TICKET_STAFF_ROLES = ['agent', 'supervisor', 'manager'];

/** The name of `t`'s owner, for views; undefined when it has none. */
export async function assigneeName(deps: TicketDeps, t: TicketRow): Promise<string | undefined> {
  if (!t.assigneeId) return undefined;
  return (await deps.directory.staffByRole(TICKET_STAFF_ROLES)).find((s) => s.id === t.assigneeId)?.name;
}

export function customerLabel(t: TicketRow): string {
  const name = t.customer.name ?? '顾客';
  return t.customer.tier === 'vip' ? `${name}（VIP）` : name;
}

// Built once: constructing an Intl.DateTimeFormat costs far more than formatting with it.
const SHANGHAI_TIME = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  month: 'numeric',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

export const fmtTime = (d: Date) => SHANGHAI_TIME.format(d);

/** An answer about ticket `t`: its order, if it has one, becomes the conversation's order. */
export function answerOn(t: TicketRow, text: string): { text: string; orderNos?: string[] } {
  return t.order ? { text, orderNos: [t.order.orderNo] } : { text };
}

/** Platform identities a push can go to directly. */
export type Targets = { channel: ChannelId; userRef: string }[];

/**
 * Where a push to the assignee goes: the platform identities that came back with the ticket's write,
 * or (on a retried delivery) wherever the directory reaches them.
 */
export const assigneeTo = (assigneeId: string, targets: Targets | undefined) =>
  targets ? { direct: targets } : { staffIds: [assigneeId] };

/** How the customer asked for the ticket to be settled (补发, 换新, 退货退款 …; open.ts SETTLEMENTS), if they did. */
export function wantsOf(t: Pick<TicketRow, 'flags'>): string | undefined {
  const w = (t.flags as { wants?: unknown } | null)?.wants;
  return typeof w === 'string' ? w : undefined;
}
