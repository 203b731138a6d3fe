import type { CustomerDirectory, OrderReader } from '../../app/order-ports.ts';
import type { DemoData } from './generate.ts';

/**
 * Binds the demo orders of sandbox users (c1, c2) to their sandbox identities, so "我的订单到哪了" works
 * in the sandbox chat right after `aftersales demo-data`. Idempotent.
 */
export async function bindSandboxUsers(
  data: DemoData,
  deps: { customers: CustomerDirectory; orders: OrderReader },
): Promise<{ user: string; orderNos: string[] }[]> {
  const bound: { user: string; orderNos: string[] }[] = [];
  for (const s of data.sandbox) {
    const customerId = await deps.customers.ensureCustomer('sandbox', s.user, s.name);
    const orderNos: string[] = [];
    for (const no of s.orderNos) {
      const [order] = await deps.orders.find({ by: 'orderNo', value: no }, 1);
      if (!order) continue;
      await deps.customers.bind(customerId, order.id, 'import');
      orderNos.push(no);
    }
    bound.push({ user: s.user, orderNos });
  }
  return bound;
}
