import {
  type AlertGroup,
  DEFAULT_RADAR_CONFIG,
  detectAnomalies,
  FAMILY_LABEL,
  type Finding,
  KIND_INFO,
  type RadarConfig,
  type RadarOrder,
} from '../domain/orders/anomalies.ts';
import type { RadarStore } from './order-ports.ts';
import type { Clock } from './ports.ts';

/**
 * The anomaly radar (product.md flow 6): a resumable pass over all orders, a bounded slice per run, that
 * raises one finding per (order, kind) — again only when its fingerprint changes — resolves findings that
 * no longer hold, and returns alerts grouped per responsible group for the caller to push (through the
 * outbox). One message per group per run, not per order: a first pass over a big backlog must not flood a chat.
 */

export interface RadarAlert {
  group: AlertGroup;
  text: string;
  findings: Finding[];
}

export interface RadarRun {
  scanned: number;
  /** True when this run reached the end of the order table (the next run starts over). */
  wrapped: boolean;
  newFindings: Finding[];
  resolved: number;
  alerts: RadarAlert[];
}

export interface RadarOptions {
  store: RadarStore;
  clock: Clock;
  config?: RadarConfig;
  batchSize?: number;
  /** Work bound per run; the cursor carries on next run. */
  maxOrdersPerRun?: number;
  /** Finding lines per alert message. */
  alertLines?: number;
}

const GROUP_LABEL: Record<AlertGroup, string> = { warehouse: '仓库', managers: '主管' };
const key = (f: { orderId: string; kind: string; fingerprint: string }) => `${f.orderId}|${f.kind}|${f.fingerprint}`;
const LIVE = (s: string) => s !== 'cancelled' && s !== 'closed' && s !== 'refunded';

type Scanned = RadarOrder & { phone?: string; orderedAt?: Date };

/** Marks each buyer's newest live order with the buyer's recent cancellations (cancel/re-order loops). */
async function withBuyerHistory(store: RadarStore, orders: Scanned[], now: Date, c: RadarConfig): Promise<Scanned[]> {
  const since = new Date(now.getTime() - c.cancelLoopWindowDays * 86_400_000);
  const phones = [
    ...new Set(
      orders.filter((o) => o.phone && LIVE(o.status) && (o.orderedAt ?? now) >= since).map((o) => o.phone as string),
    ),
  ];
  const history = await store.buyerHistory(phones, since);
  return orders.map((o) => {
    const h = o.phone ? history.get(o.phone) : undefined;
    return h && h.latestLiveId === o.id ? { ...o, buyerCancels: h.cancels } : o;
  });
}

/** Alert text for one group: counts per kind, then the first lines. */
export function formatAlert(group: AlertGroup, findings: Finding[], lines = 10): string {
  const byKind = new Map<string, number>();
  for (const f of findings) byKind.set(f.kind, (byKind.get(f.kind) ?? 0) + 1);
  const summary = [...byKind].map(([k, n]) => {
    const info = KIND_INFO[k as Finding['kind']];
    return `${FAMILY_LABEL[info.family]}·${info.label} ${n} 条`;
  });
  const out = [
    `【订单异常雷达】${GROUP_LABEL[group]}请处理：新发现 ${findings.length} 条`,
    `（${summary.join('，')}）`,
  ];
  for (const [i, f] of findings.slice(0, lines).entries()) out.push(`${i + 1}. ${f.orderNo} ${f.text}`);
  if (findings.length > lines) out.push(`……另有 ${findings.length - lines} 条，请在看板查看。`);
  return out.join('\n');
}

export function groupAlerts(findings: Finding[], lines?: number): RadarAlert[] {
  const groups = new Map<AlertGroup, Finding[]>();
  for (const f of findings) {
    const list = groups.get(f.group) ?? [];
    list.push(f);
    groups.set(f.group, list);
  }
  return [...groups].map(([group, fs]) => ({ group, text: formatAlert(group, fs, lines), findings: fs }));
}

async function scanBatch(
  o: Required<Omit<RadarOptions, 'config'>> & { config: RadarConfig },
  orders: Scanned[],
  now: Date,
) {
  const enriched = await withBuyerHistory(o.store, orders, now, o.config);
  const current = enriched.flatMap((order) => detectAnomalies(order, now, o.config));
  const open = await o.store.openFindings(orders.map((x) => x.id));
  const openKeys = new Set(open.map(key));
  const currentKeys = new Set(current.map(key));
  const fresh = await o.store.recordFindings(
    current.filter((f) => !openKeys.has(key(f))),
    now,
  );
  const stale = open.filter((f) => !currentKeys.has(key(f))).map((f) => f.id);
  await o.store.resolveFindings(stale, now);
  return { fresh, resolved: stale.length };
}

/** Build the radar; `run()` does one bounded slice and remembers where it stopped. */
export function createAnomalyRadar(opts: RadarOptions): { run(): Promise<RadarRun> } {
  const o = {
    batchSize: 2000,
    maxOrdersPerRun: 20_000,
    alertLines: 10,
    ...opts,
    config: opts.config ?? DEFAULT_RADAR_CONFIG,
  };
  return {
    async run() {
      const now = o.clock.now();
      let cursor = await o.store.loadCursor();
      const result: RadarRun = { scanned: 0, wrapped: false, newFindings: [], resolved: 0, alerts: [] };
      while (result.scanned < o.maxOrdersPerRun) {
        const orders = await o.store.scan(cursor, Math.min(o.batchSize, o.maxOrdersPerRun - result.scanned));
        if (orders.length === 0) {
          result.wrapped = true;
          cursor = undefined;
          break;
        }
        const { fresh, resolved } = await scanBatch(o, orders, now);
        result.newFindings.push(...fresh);
        result.resolved += resolved;
        result.scanned += orders.length;
        cursor = orders.at(-1)?.id;
      }
      await o.store.saveCursor(cursor);
      result.alerts = groupAlerts(result.newFindings, o.alertLines);
      return result;
    },
  };
}

/**
 * The radar as a maintenance task for src/jobs/workers.ts (`MaintenanceTask`): each tick runs one slice and
 * hands the alerts to `push` (the outbox). Returns a summary for the job log.
 */
export function anomalyRadarTask(
  radar: { run(): Promise<RadarRun> },
  push: (alerts: RadarAlert[]) => Promise<void>,
  everyMs = 5 * 60_000,
): { name: string; everyMs: number; run: () => Promise<{ scanned: number; newFindings: number; resolved: number }> } {
  return {
    name: 'anomaly-radar',
    everyMs,
    async run() {
      const r = await radar.run();
      if (r.alerts.length) await push(r.alerts);
      return { scanned: r.scanned, newFindings: r.newFindings.length, resolved: r.resolved };
    },
  };
}
