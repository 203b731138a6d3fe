import { STATUS_ZH, type TicketStatus, ticketNameZh } from '../../domain/tickets/lifecycle.ts';
import { zh } from '../../i18n/zh.ts';
import type { TicketRow } from '../../store/tickets.repo.ts';
import type { HandlingInput } from '../handle-message.ts';
import { assigneeName, fmtTime, SESSION_MS, type TicketDeps } from './context.ts';

/** "工单 #12 处理到哪了", "我的工单怎么样了", "工单12" — a question about the customer's own tickets. */
const ASKS_ABOUT_TICKET = [
  /^\s*(?:我的)?工单\s*[#＃]?\s*\d*\s*[?？。.!！]*\s*$/,
  /工单.{0,12}(?:怎么样|进度|进展|到哪|哪一步|状态|处理得|处理了吗|处理好|结果|多久|什么时候|如何)/,
  /(?:进度|进展|状态).{0,6}工单/,
];
/** "取消了吗", "地址改好了没", "处理好了吗", "好了吗", "有结果了吗": whether what was asked is done — the open tickets' status, not a reminder. */
const ASKS_IF_DONE =
  /^(?:订单|地址|那个|我的)?(?:取消|改|修改|处理|换)(?:好|掉|成功|完)?了(?:吗|没|没有|么)?[?？。.!！\s]*$|^(?:那个|我的|这个|我那个|我的事|事情)?(?:弄|办|搞)?(?:好|定|完)了(?:吗|没|没有|么)[?？。.!！\s]*$|^(?:现在|那个|我的|这个)?(?:怎么样了|有结果了吗|有结果了没|有消息了吗|有消息了没|有进展了吗|有进展吗)[?？。.!！\s]*$/u;
const TICKET_NO = /工单\s*[#＃]?\s*(\d+)/;
/** "什么时候能处理完", "多久能解决": when it will be handled — with several tickets in the conversation, each one. */
const ASKS_WHEN_HANDLED = /(?:什么时候|啥时候|多久|几时|几天)(?:能|可以|才能|给我)?(?:处理|解决|搞定|弄好)/u;
/** "那我什么时候能收到新的", "补发的多久到": when the replacement comes — a question about the return/reship ticket. */
const ASKS_ABOUT_REPLACEMENT =
  /(?:新的|换的|补发的|补寄的|重发的|换货|补发).{0,8}(?:什么时候|啥时候|多久|几号|哪天)|(?:什么时候|啥时候|多久|几号|哪天).{0,8}(?:新的|换的|补发的|补寄的|重发的)/;
/**
 * "补发的单号是多少": with the reship still open it is a question for its owner (a note, open.ts); once resolved,
 * what was done (「已补发 顺丰SF…」) answers it.
 */
const ASKS_REPLACEMENT_NO = /(?:新的|换的|补发|补寄|重发|换货)的?(?:快递|物流)?单号/u;
const REPLACEMENT_PROBLEMS = new Set(['return', 'reship']);
/** A resolution that sent something new ("已补发", "换新寄出 SF…"). */
const REPLACED = /补发|补寄|重发|换新|换货|寄出|发出|重新寄/u;
/** How far back a resolved ticket still answers "新的什么时候到". */
const RECENT_MS = 7 * 24 * 3_600_000;

/** What staff wrote when they resolved `t` ("解决 #12 已补发"), if anything: the resolve event's note (move.ts). */
async function resolutionOf(deps: TicketDeps, t: TicketRow): Promise<string | undefined> {
  const events = await deps.repo.recentEvents(t.id, 30);
  const data = events.filter((e) => e.type === 'status').map((e) => e.data as { action?: string; note?: string });
  return data.filter((d) => d.action === 'resolve').at(-1)?.note;
}

/**
 * The customer asks how their ticket is doing: the named one (theirs only), else their open ones; when the
 * replacement comes, their open return/exchange/reship tickets (not the delivered order, not a reminder).
 * Undefined when the message is no such question (it may still report a problem that mentions 工单).
 */
export async function customerTicketStatus(deps: TicketDeps, input: HandlingInput): Promise<string | undefined> {
  const text = input.delivery.text;
  const asksNumber = ASKS_REPLACEMENT_NO.test(text);
  if (asksNumber || ASKS_ABOUT_REPLACEMENT.test(text)) {
    const open = await deps.repo.openOfCustomer(input.sender.id, 3);
    const replacing = open.filter((t) => REPLACEMENT_PROBLEMS.has(t.problem));
    if (asksNumber && open.length > 0) return undefined;
    if (replacing.length > 0) return describeAll(deps, replacing);
    // "新的什么时候到" after 「解决 #1 已补发」: the ticket is done; what was done answers it.
    const done = await deps.repo.latestResolved(input.sender.id, new Date(deps.now().getTime() - RECENT_MS));
    const result = done ? await resolutionOf(deps, done) : undefined;
    if (done && (REPLACEMENT_PROBLEMS.has(done.problem) || REPLACED.test(result ?? ''))) {
      return zh.replacementDone({
        id: done.id,
        problemZh: ticketNameZh(done),
        ...(result ? { result } : {}),
      });
    }
  }
  // "什么时候能处理完" with two or more tickets in the conversation: where each stands, not only the newest.
  if (ASKS_WHEN_HANDLED.test(text)) {
    const since = deps.now().getTime() - SESSION_MS;
    const talkedAbout = (await deps.repo.openOfCustomer(input.sender.id, 3)).filter(
      (t) => (t.lastCustomerMessageAt?.getTime() ?? 0) >= since,
    );
    if (talkedAbout.length > 1) return describeAll(deps, talkedAbout);
  }
  if (ASKS_IF_DONE.test(text.trim())) {
    const open = await deps.repo.openOfCustomer(input.sender.id, 3);
    if (open.length > 0) return describeAll(deps, open);
  }
  if (!ASKS_ABOUT_TICKET.some((re) => re.test(text))) return undefined;
  const named = TICKET_NO.exec(text)?.[1];
  if (named) {
    const t = await deps.repo.byId(Number(named));
    // Someone else's ticket number gets the same answer as a number that does not exist.
    if (!t || t.customerId !== input.sender.id) return zh.customerTicketUnknown({ id: Number(named) });
    return describe(deps, t);
  }
  const open = await deps.repo.openOfCustomer(input.sender.id, 3);
  if (open.length === 0) return zh.customerNoOpenTickets();
  return describeAll(deps, open);
}

const describeAll = async (deps: TicketDeps, tickets: TicketRow[]) =>
  (await Promise.all(tickets.map((t) => describe(deps, t)))).join('\n');

async function describe(deps: TicketDeps, t: TicketRow): Promise<string> {
  const status = t.status as TicketStatus;
  const owner = status === 'in_progress' ? await assigneeName(deps, t) : undefined;
  const lastReply = (await deps.repo.recentEvents(t.id, 20)).filter((e) => e.type === 'reply').at(-1);
  return zh.customerTicketStatus({
    id: t.id,
    problemZh: ticketNameZh(t),
    statusZh: STATUS_ZH[status],
    status,
    ...(t.firstResponseDueAt && !t.firstRespondedAt ? { dueText: fmtTime(t.firstResponseDueAt) } : {}),
    ...(owner ? { owner } : {}),
    ...(lastReply ? { repliedText: fmtTime(lastReply.at) } : {}),
  });
}
