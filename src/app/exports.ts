import Papa from 'papaparse';
import { CodedError, ErrorCode, notFound } from '../domain/errors.ts';
import {
  approvalAsk,
  describeFilter,
  downloadBlock,
  EXPORT_APPROVAL_THRESHOLD,
  EXPORT_COLUMNS,
  type ExportFilter,
  type ExportOrder,
  type ExportRequest,
  exportRow,
  lapsed,
  requesterZh,
} from '../domain/orders/export.ts';
import type { Notifier } from './notify.ts';
import type { AuditWriter } from './order-ports.ts';
import type { Clock } from './ports.ts';
import { fmtTime } from './tickets/context.ts';

/**
 * Order exports for admins (HTTP API and CLI), with the rule of product.md's Security section: more than 100
 * orders need a manager's approval. A small export is written at once; a large one becomes a request the
 * managers are told about (the worker's export-requests task), approve or reject in chat (「批准导出 3」), and
 * the admin downloads within 24 h of the approval. Every export, request and decision is in the audit log.
 */

export interface ExportStore {
  countOrders(f: ExportFilter): Promise<number>;
  orders(f: ExportFilter): Promise<ExportOrder[]>;
  createRequest(r: { filter: ExportFilter; count: number; requestedBy: string }): Promise<ExportRequest>;
  request(id: number): Promise<ExportRequest | undefined>;
  /** Decides a pending request; undefined when it was not pending (already decided, or unknown). */
  decide(
    id: number,
    d: { status: 'approved' | 'rejected'; by: string; at: Date; reason?: string },
  ): Promise<ExportRequest | undefined>;
  /** Requests waiting for a decision, oldest first (at most 20). */
  pending(): Promise<ExportRequest[]>;
  /** Pending requests the managers have not been told about. */
  toNotify(): Promise<ExportRequest[]>;
  markNotified(id: number, at: Date): Promise<void>;
  /** Staff ids of the managers (who approve exports). */
  managerIds(): Promise<string[]>;
}

export interface ExportDeps {
  store: ExportStore;
  audit: AuditWriter;
  clock: Clock;
}

export type ExportOutcome =
  | { kind: 'file'; csv: string; count: number; requestId?: number }
  | { kind: 'pending'; requestId: number; count: number; message: string };

/** The CSV: a header row, then one masked row per order; with a BOM so Excel reads the Chinese as UTF-8. */
function toCsv(orders: readonly ExportOrder[]): string {
  return `\uFEFF${Papa.unparse({ fields: [...EXPORT_COLUMNS], data: orders.map(exportRow) })}\r\n`;
}

async function writeFile(
  deps: ExportDeps,
  by: string,
  filter: ExportFilter,
  request?: ExportRequest,
): Promise<ExportOutcome> {
  const orders = await deps.store.orders(filter);
  await deps.audit.write({
    actor: by,
    action: 'order.export',
    subject: request ? `export:${request.id}` : 'orders',
    detail: { count: orders.length, filter, ...(request ? { approvedBy: request.decidedBy } : {}) },
  });
  return { kind: 'file', csv: toCsv(orders), count: orders.length, ...(request ? { requestId: request.id } : {}) };
}

/**
 * Exports the orders `filter` matches, asked by `by` (who the admin says they are). With `requestId`, the export
 * a manager approved: its own filter, within 24 h of the approval.
 */
export async function exportOrders(
  deps: ExportDeps,
  args: { filter: ExportFilter; by: string; requestId?: number },
): Promise<ExportOutcome> {
  if (args.requestId !== undefined) {
    const r = await deps.store.request(args.requestId);
    if (!r) throw notFound(`没有导出申请 #${args.requestId}`);
    const blocked = downloadBlock(r, deps.clock.now());
    if (r.status === 'pending' && !lapsed(r, deps.clock.now()) && blocked)
      return { kind: 'pending', requestId: r.id, count: r.count, message: blocked };
    if (blocked) throw new CodedError(ErrorCode.Forbidden, blocked);
    return writeFile(deps, args.by, r.filter, r);
  }
  const count = await deps.store.countOrders(args.filter);
  if (count <= EXPORT_APPROVAL_THRESHOLD) return writeFile(deps, args.by, args.filter);
  // Nobody could approve it: say so now rather than leave a request no one will see.
  if ((await deps.store.managerIds()).length === 0)
    throw new CodedError(
      ErrorCode.Conflict,
      `这次要导出 ${count} 个订单，超过 ${EXPORT_APPROVAL_THRESHOLD} 个需要经理批准，但员工名录里还没有经理：请先用 PUT /api/admin/staff/<平台>/<账号> 设置 role 为 manager 的经理，或缩小导出范围。`,
    );
  const r = await deps.store.createRequest({ filter: args.filter, count, requestedBy: args.by });
  await deps.audit.write({
    actor: args.by,
    action: 'order.export_requested',
    subject: `export:${r.id}`,
    detail: { count, filter: args.filter },
  });
  return {
    kind: 'pending',
    requestId: r.id,
    count,
    message: `这次要导出 ${count} 个订单，超过 ${EXPORT_APPROVAL_THRESHOLD} 个需要经理批准：已提交导出申请 #${r.id}，已通知经理。批准后 24 小时内用申请号 ${r.id} 下载。`,
  };
}

/** 「导出申请」「待审批的导出」: a manager asks what waits for them. */
const LIST_ASK = /^(?:[@＠]\S+\s*)?(?:待审批的?|待批的?)?导出(?:申请|审批)(?:列表)?\s*$/u;

/** 「批准导出 3」「拒绝导出 3 不需要这么多」: a manager's answer to an export request. */
const DECISION = /^(?:[@＠]\S+\s*)?(批准|同意|拒绝|驳回)导出(?:申请)?\s*#?\s*(\d+)\s*[，,：:]?\s*(.*)$/su;
const APPROVERS = new Set(['manager', 'admin']);

/**
 * The reply to a staff member deciding an export request, or undefined when the text decides none. Only managers
 * (and admins) decide; the decision is audited.
 */
export async function exportDecision(
  deps: ExportDeps,
  sender: { id: string; name?: string; staffRole?: string },
  text: string,
): Promise<string | undefined> {
  const listing = LIST_ASK.test(text.trim());
  const m = DECISION.exec(text.trim());
  if (!listing && !m) return undefined;
  if (!APPROVERS.has(sender.staffRole ?? '')) return '只有经理可以批准或拒绝导出申请。';
  if (listing || !m) return pendingList(deps);
  const approve = m[1] === '批准' || m[1] === '同意';
  const id = Number(m[2]);
  const reason = m[3]?.trim() || undefined;
  const asked = await deps.store.request(id);
  if (asked && lapsed(asked, deps.clock.now()))
    return `导出申请 #${id} 超过 7 天没有审批，已失效；需要的话请申请人重新申请。`;
  const who = sender.name ?? '经理';
  const decided = await deps.store.decide(id, {
    status: approve ? 'approved' : 'rejected',
    by: who,
    at: deps.clock.now(),
    ...(reason ? { reason } : {}),
  });
  if (!decided) {
    const r = await deps.store.request(id);
    if (!r) return `没有导出申请 #${id}。`;
    return `导出申请 #${id} 已经由${r.decidedBy ?? '经理'}${r.status === 'approved' ? '批准' : '拒绝'}了。`;
  }
  await deps.audit.write({
    actor: `staff:${sender.id}`,
    action: approve ? 'export.approve' : 'export.reject',
    subject: `export:${id}`,
    detail: { count: decided.count, requestedBy: decided.requestedBy, ...(reason ? { reason } : {}) },
  });
  return approve
    ? `已批准导出申请 #${id}（${requesterZh(decided.requestedBy)}，${decided.count} 个订单）。申请人可在 24 小时内下载。`
    : `已拒绝导出申请 #${id}（${requesterZh(decided.requestedBy)}，${decided.count} 个订单）${reason ? `，理由：${reason}` : ''}。`;
}

/** The export requests waiting for a manager, still within their 7 days, each with how to answer it. */
async function pendingList(deps: ExportDeps): Promise<string> {
  const now = deps.clock.now();
  const open = (await deps.store.pending()).filter((r) => !lapsed(r, now));
  if (open.length === 0) return '目前没有待审批的导出申请。';
  const lines = open.map(
    (r) =>
      `#${r.id} ${requesterZh(r.requestedBy)} · ${r.count} 个订单（${describeFilter(r.filter)}）· ${fmtTime(r.createdAt)} 申请`,
  );
  return [`待审批的导出申请 ${open.length} 个：`, ...lines, '回复「批准导出 编号」或「拒绝导出 编号 理由」。'].join(
    '\n',
  );
}

/**
 * Tells the managers (each of them, and the managers' group) about new export requests. Run every few seconds by
 * the maintenance scheduler; the push's dedupe key makes each go once however many workers tick.
 */
export async function notifyExportRequests(deps: Pick<ExportDeps, 'store' | 'clock'> & { notifier: Notifier }) {
  const pending = await deps.store.toNotify();
  if (pending.length === 0) return [];
  const staffIds = await deps.store.managerIds();
  for (const r of pending) {
    await deps.notifier.push({
      to: { staffIds, group: 'managers' },
      kind: 'alert',
      text: approvalAsk(r),
      dedupeKey: `export-request-${r.id}`,
    });
    await deps.store.markNotified(r.id, deps.clock.now());
  }
  return pending.map((r) => `export-request-${r.id}`);
}
