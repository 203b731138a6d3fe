import { zh } from '../../i18n/zh.ts';
import type { Answer, HandlingInput } from '../handle-message.ts';
import { answerOn, type TicketDeps } from './context.ts';
import { recordCustomerNote } from './open.ts';

/** The problem key of return / exchange / refund tickets (lifecycle.ts). */
const RETURN = 'return';

/**
 * "退货的快递单号是 SF…": a tracking number that is none of the customer's orders', from a customer with an
 * open return ticket, is the parcel they sent back (the return policy asks for it). It is recorded on that
 * ticket and its owner is told. Undefined when the message names no such number or there is no such ticket.
 */
export async function onReturnParcel(deps: TicketDeps, input: HandlingInput): Promise<Answer | undefined> {
  const { sender, parse } = input;
  const parcel = parse.entities.find((e) => e.type === 'trackingNo' && e.start >= 0);
  if (!parcel) return undefined;
  const t = await deps.repo.openForProblem(sender.id, RETURN);
  if (!t || t.status === 'resolved') return undefined;
  const match = await deps.orders?.forCustomer(sender.id, [parcel]);
  if (match?.order) return undefined; // one of their own orders' parcels: an order question
  await recordCustomerNote(deps, t, input, {
    reason: `顾客寄回单号 ${parcel.value}`,
    push: `工单 #${t.id} 顾客已寄回，单号 ${parcel.value}`,
    pushKey: 'return-parcel',
    data: { returnTrackingNo: parcel.value, ...(parcel.source ? { carrier: parcel.source } : {}) },
  });
  return answerOn(t, zh.returnParcelNoted({ id: t.id, trackingNo: parcel.value }));
}
