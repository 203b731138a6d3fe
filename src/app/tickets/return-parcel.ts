import { PRODUCT_PROBLEMS, ticketProblemZh } from '../../domain/tickets/lifecycle.ts';
import { zh } from '../../i18n/zh.ts';
import { readAs } from '../../nlu/contract.ts';
import type { TicketRow } from '../../store/tickets.repo.ts';
import type { Answer, HandlingInput } from '../handle-message.ts';
import { answerOn, type TicketDeps, wantsOf } from './context.ts';
import { onCustomerMessage, recordCustomerNote } from './open.ts';

/** The problem key of return / exchange / refund tickets (lifecycle.ts). */
const RETURN = 'return';

/** Settlements that take the goods back (open.ts SETTLEMENTS, kept as the ticket's `wants`). */
const TAKES_GOODS_BACK = /退货|换新/u;

/**
 * The customer's open ticket about the goods themselves (破损, 质量, 发错 …) whose goods are on their way back:
 * the customer said they sent them back, or asked for a return or a new one on it. Undefined when none.
 */
async function goodsGoingBack(deps: TicketDeps, customerId: string, sentBack: boolean): Promise<TicketRow | undefined> {
  // openOfCustomer holds no resolved or closed tickets.
  const open = await deps.repo.openOfCustomer(customerId, 5);
  return open.find((t) => PRODUCT_PROBLEMS.has(t.problem) && (sentBack || TAKES_GOODS_BACK.test(wantsOf(t) ?? '')));
}

/** Words that say the goods were sent back ("我已经寄出了", "退回去了"), which make a bare number the return parcel. */
const SENT_BACK = /寄回|寄出|退回|寄过去|发回|已寄|寄了|寄还|退货单号|退货的单号|退货快递|退货的快递/u;

/**
 * "退货的快递单号是 SF…": a tracking number that is none of the customer's orders', from a customer with an
 * open return ticket, is the parcel they sent back (the return policy asks for it). It is recorded on that
 * ticket and its owner is told. A customer who read the policy and sent the goods back before any ticket was
 * opened ("好的 我已经寄出了 顺丰SF…") gets the return ticket now, on the order of the conversation, with the
 * parcel on it. Undefined when the message names no such number, or no return is open or said to be sent.
 */
export async function onReturnParcel(deps: TicketDeps, input: HandlingInput): Promise<Answer | undefined> {
  const { sender, parse, delivery } = input;
  const parcel = parse.entities.find((e) => e.type === 'trackingNo' && e.start >= 0);
  if (!parcel) return undefined;
  const sentBack = SENT_BACK.test(delivery.text);
  const returning = await deps.repo.openForProblem(sender.id, RETURN);
  // Broken, faulty or wrong goods go back under their own ticket ("我要退货" noted there as what they want).
  const open =
    returning && returning.status !== 'resolved' ? returning : await goodsGoingBack(deps, sender.id, sentBack);
  if (returning?.status === 'resolved' && !open) return undefined;
  if (!open && !sentBack) return undefined;
  const match = await deps.orders?.forCustomer(sender.id, [parcel]);
  if (match?.order) return undefined; // one of their own orders' parcels: an order question
  const note = {
    reason: `顾客寄回单号 ${parcel.value}`,
    data: { returnTrackingNo: parcel.value, ...(parcel.source ? { carrier: parcel.source } : {}) },
  };
  // The number given again ("退货单号 SF…" twice) is on the ticket already.
  const recordedOn = async (id: number) => (await deps.repo.recentEvents(id, 30)).some((e) => e.reason === note.reason);
  if (open) {
    if (!(await recordedOn(open.id))) {
      await recordCustomerNote(deps, open, input, {
        ...note,
        push: `工单 #${open.id} 顾客已寄回，单号 ${parcel.value}`,
        pushKey: 'return-parcel',
      });
    }
    const problemZh = open.problem === RETURN ? undefined : ticketProblemZh(open.problem);
    return answerOn(
      open,
      zh.returnParcelNoted({ id: open.id, trackingNo: parcel.value, ...(problemZh ? { problemZh } : {}) }),
    );
  }
  // The return is opened by this message (as 退货退款, the number not taken for the order), the parcel on it.
  const asReturn: HandlingInput = {
    ...input,
    parse: { ...readAs(parse, 'return_refund'), entities: parse.entities.filter((e) => e !== parcel) },
  };
  const opened = await onCustomerMessage(deps, asReturn, { chase: false, restated: true });
  const t = await deps.repo.openForProblem(sender.id, RETURN);
  if (!opened || !t) return opened;
  // Opening recorded this delivery on the ticket, so the parcel's own record is checked by its words.
  if (!(await recordedOn(t.id))) {
    await deps.repo.update(
      t.id,
      {},
      {
        type: 'note',
        actor: `customer:${sender.id}`,
        channel: delivery.channel,
        ...note,
        data: { ...note.data, deliveryId: delivery.id },
      },
      { assigneeTargets: t.assigneeId !== null },
    );
  }
  return { ...opened, text: `${opened.text}\n${zh.returnParcelNoted({ id: t.id, trackingNo: parcel.value })}` };
}
