/**
 * Order vocabulary shared by import, replies, the radar and reconciliation. Plain types: the store maps
 * rows to these, the domain never sees a database row.
 */

export const ORDER_SOURCES = ['tmall', 'taobao', 'jd', 'pdd', 'douyin', 'own'] as const;
export type OrderSource = (typeof ORDER_SOURCES)[number];

export const ORDER_STATUSES = [
  'pending_payment',
  'paid',
  'approved',
  'picked',
  'shipped',
  'signed',
  'cancelled',
  'closed',
  'refunded',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const LOGISTICS_KINDS = ['pickup', 'transit', 'delivering', 'signed', 'exception'] as const;
export type LogisticsKind = (typeof LOGISTICS_KINDS)[number];

export const SIGNOFF_KINDS = ['electronic', 'locker', 'photo', 'otp'] as const;
export type SignoffKind = (typeof SIGNOFF_KINDS)[number];

/** Statuses before the parcel leaves the warehouse. */
export const PRE_SHIP_STATUSES: readonly string[] = ['pending_payment', 'paid', 'approved', 'picked'];
/** Statuses after which nothing is expected to move any more. */
export const FINAL_STATUSES: readonly string[] = ['signed', 'cancelled', 'closed', 'refunded'];

export const SOURCE_LABEL: Record<OrderSource, string> = {
  tmall: '天猫',
  taobao: '淘宝',
  jd: '京东',
  pdd: '拼多多',
  douyin: '抖音',
  own: '自营',
};

/** One timeline entry label per status event ("11-20 10:02 已付款"). */
export const EVENT_LABEL: Record<OrderStatus, string> = {
  pending_payment: '已下单',
  paid: '已付款',
  approved: '已审核',
  picked: '已拣货',
  shipped: '已发货',
  signed: '已签收',
  cancelled: '已取消',
  closed: '已关闭',
  refunded: '已退款',
};

/** The order's current state as a customer reads it. */
export const STATE_LABEL: Record<OrderStatus, string> = {
  pending_payment: '待付款',
  paid: '已付款，待审核',
  approved: '已审核，待发货',
  picked: '仓库已拣货，待发货',
  shipped: '已发货',
  signed: '已签收',
  cancelled: '已取消',
  closed: '已关闭',
  refunded: '已退款',
};

export interface OrderItemView {
  sku: string;
  name: string;
  qty: number;
  priceCents: number;
}

export interface StatusEventView {
  status: string;
  at: Date;
}

export interface TrackingEventView {
  at: Date;
  carrier: string;
  description: string;
  kind: string;
  location?: string;
  signoffKind?: string;
  network?: string;
}

/** One order as stored, without its child rows. */
export interface OrderSnapshot {
  id: string;
  orderNo: string;
  source: string;
  status: string;
  statusAt?: Date;
  customerId?: string;
  buyerName?: string;
  phone?: string;
  address?: string;
  amountCents: number;
  orderedAt?: Date;
  paidAt?: Date;
  carrier?: string;
  trackingNo?: string;
  promisedShipBy?: Date;
  estimatedDeliveryAt?: Date;
  addressChangeCount: number;
  lastTrackingAt?: Date;
  lastTrackingKind?: string;
  lastSignoffKind?: string;
}

/** Everything an order-status reply needs: the order, items, status history (oldest first), tracking (newest first). */
export interface OrderDetail extends OrderSnapshot {
  items: OrderItemView[];
  history: StatusEventView[];
  tracking: TrackingEventView[];
}

export function isOrderStatus(value: string): value is OrderStatus {
  return (ORDER_STATUSES as readonly string[]).includes(value);
}

export function isOrderSource(value: string): value is OrderSource {
  return (ORDER_SOURCES as readonly string[]).includes(value);
}

export function sourceLabel(source: string): string {
  return isOrderSource(source) ? SOURCE_LABEL[source] : source;
}
