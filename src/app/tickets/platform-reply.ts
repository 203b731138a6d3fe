import type { Sender } from '../../store/identities.repo.ts';
import type { StoredDelivery } from '../ports.ts';
import type { TicketDeps } from './context.ts';
import { acknowledge } from './escalate.ts';
import { recordStaffResponse } from './move.ts';

/**
 * A person answered the customer on the platform itself (a WeCom kf 接待人员 after the hand-off): for each
 * of the customer's open tickets the answer is the response — the first response is recorded (so its SLA
 * timer does not breach and escalate a ticket someone is handling), an open ticket moves to 处理中, and
 * pending escalation pushes are acknowledged. Once per delivery (a re-synced message changes nothing).
 */
export async function onPlatformStaffReply(
  deps: TicketDeps,
  input: { staff: Sender; customer: Sender; delivery: StoredDelivery },
): Promise<void> {
  const { staff, customer, delivery } = input;
  if (customer.kind !== 'customer') return;
  for (const t of await deps.repo.openOfCustomer(customer.id, 10)) {
    if (await deps.repo.handled(t.id, delivery.id)) continue;
    await recordStaffResponse(deps, t, {
      actor: `staff:${staff.id}`,
      channel: delivery.channel,
      deliveryId: delivery.id,
      reason: `${staff.name ?? '人工客服'} 在平台上回复顾客：${delivery.text.slice(0, 100)}`,
    });
    await acknowledge(deps, t.id, { id: staff.id, ...(staff.name ? { name: staff.name } : {}) });
  }
}
