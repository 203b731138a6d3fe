import type { Finding, RadarOrder } from '../domain/orders/anomalies.ts';
import type { OrderDetail } from '../domain/orders/types.ts';

/**
 * Ports of the order use cases (order-query, scan-anomalies). SQL implements them in src/store, Redis the
 * verification guard; tests may pass in-memory fakes.
 */

export interface OrderLookup {
  /** `buyer`: the buyer's name, as staff search for it (「查 高浩然」). */
  by: 'orderNo' | 'trackingNo' | 'phone' | 'phoneLast4' | 'customer' | 'buyer';
  value: string;
}

export interface OrderReader {
  /** Orders matching the key, newest first, with items, history and latest tracking. */
  find(lookup: OrderLookup, limit?: number): Promise<OrderDetail[]>;
}

/** A ticket about an order, as staff see it beside the order. */
export interface OrderTicket {
  id: number;
  problem: string;
  status: string;
  assigneeName?: string;
}

export interface OrderTickets {
  /** The latest tickets about the order, newest first. */
  forOrder(orderId: string, limit: number): Promise<OrderTicket[]>;
}

export interface CustomerDirectory {
  /** The customer behind a platform identity (channel id + user ref), if known. */
  customerFor(platform: string, externalId: string): Promise<string | undefined>;
  /** The customer behind a platform identity, created on first sight. */
  ensureCustomer(platform: string, externalId: string, displayName?: string): Promise<string>;
  isBound(customerId: string, orderId: string): Promise<boolean>;
  /** Records that the customer proved the order is theirs; idempotent. */
  bind(customerId: string, orderId: string, method: 'identity' | 'phone_suffix' | 'import'): Promise<void>;
}

export interface AuditEntry {
  actor: string;
  action: string;
  subject: string;
  detail?: Record<string, unknown>;
}

export interface AuditWriter {
  write(entry: AuditEntry): Promise<void>;
}

export interface GuardState {
  failures: number;
  /** Attempts left in the window before the user is throttled. */
  remaining: number;
  blocked: boolean;
  /** Seconds until the failure window ends (0 when there are no failures). */
  retryAfterSec: number;
}

/**
 * Limits order-number + phone-suffix guessing per user (attempts per window), and remembers the order a
 * user was asked to verify so a bare "1234" reply can complete it.
 */
export interface VerificationGuard {
  state(user: string): Promise<GuardState>;
  recordFailure(user: string): Promise<GuardState>;
  /** Forget the open verification question (failures stay counted until their window ends). */
  clearPending(user: string): Promise<void>;
  setPending(user: string, orderRef: string): Promise<void>;
  pending(user: string): Promise<string | undefined>;
}

export interface OpenFinding {
  id: string;
  orderId: string;
  kind: string;
  fingerprint: string;
}

/** The radar's storage: a resumable scan over orders, and findings deduplicated per (order, kind, fingerprint). */
export interface RadarStore {
  loadCursor(): Promise<string | undefined>;
  saveCursor(cursor: string | undefined): Promise<void>;
  /** Orders with id > `afterId`, by id, at most `limit`. */
  scan(afterId: string | undefined, limit: number): Promise<(RadarOrder & { phone?: string; orderedAt?: Date })[]>;
  /** Per phone: cancelled orders since `since`, and the id of the newest live order. */
  buyerHistory(phones: string[], since: Date): Promise<Map<string, { cancels: number; latestLiveId?: string }>>;
  openFindings(orderIds: string[]): Promise<OpenFinding[]>;
  /** Insert new findings (or reopen resolved ones); returns the ones that are new. */
  recordFindings(findings: Finding[], now: Date): Promise<Finding[]>;
  resolveFindings(ids: string[], now: Date): Promise<void>;
}
