import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { detectAnomalies } from '../../src/domain/orders/anomalies.ts';
import { generateDemoData } from '../../src/orders/demo/generate.ts';
import { FORCED } from '../../src/orders/demo/scenarios.ts';
import { toLogisticsInput } from '../../src/orders/logistics-row.ts';
import { toOrderInput } from '../../src/orders/order-row.ts';

const NOW = new Date('2026-11-23T02:00:00Z');

/** The NLU's own patterns: a pasted demo number must be recognised in chat. */
const patterns = (
  parseYaml(readFileSync('intents/entities.yml', 'utf8')) as {
    patterns: { type: string; source?: string; regex: string }[];
  }
).patterns;
const recognised = (type: string, source: string, value: string) =>
  patterns.some(
    (p) =>
      p.type === type &&
      (p.source === source || type === 'trackingNo') &&
      new RegExp(`^(?:${p.regex})$`, 'i').test(value),
  );

describe('demo data', () => {
  const data = generateDemoData({ orders: 400, seed: 42, now: NOW });

  it('is deterministic for a seed and a base time', () => {
    const again = generateDemoData({ orders: 400, seed: 42, now: NOW });
    const other = generateDemoData({ orders: 400, seed: 43, now: NOW });
    expect(again.orders).toEqual(data.orders);
    expect(again.logistics).toEqual(data.logistics);
    expect(other.orders[0]?.order_no).not.toBe(data.orders[0]?.order_no);
  });

  it('writes rows the importer accepts, with unique order and tracking numbers', () => {
    const orders = data.orders.map(toOrderInput);
    expect(orders.filter((o) => !o.ok)).toEqual([]);
    expect(data.logistics.map(toLogisticsInput).filter((e) => !e.ok)).toEqual([]);
    expect(new Set(data.orders.map((o) => o.order_no)).size).toBe(400);
    const tracking = data.orders.map((o) => o.tracking_no).filter(Boolean);
    expect(new Set(tracking).size).toBe(tracking.length);
  });

  it('uses order and tracking numbers the NLU recognises', () => {
    for (const o of data.orders.slice(0, 100)) {
      expect(recognised('orderNo', String(o.source), o.order_no), o.order_no).toBe(true);
      if (o.tracking_no)
        expect(recognised('trackingNo', String(o.carrier), String(o.tracking_no)), String(o.tracking_no)).toBe(true);
    }
  });

  it('contains every anomaly scenario, a cancel/re-order loop and electronic-only sign-offs', () => {
    const scenarios = new Set(data.scenarios.values());
    for (const s of FORCED) expect(scenarios.has(s), s).toBe(true);
    expect(scenarios.has('cancel_loop')).toBe(true);
    const signoffs = data.logistics.filter((e) => e.kind === 'signed').map((e) => e.signoff_kind);
    expect(signoffs).toContain('electronic');
    expect(new Set(signoffs)).toEqual(new Set(['electronic', 'locker', 'photo', 'otp']));
  });

  it('the radar finds the stuck orders the scenarios describe', () => {
    const byNo = new Map(data.orders.map((o) => [o.order_no, o]));
    for (const [scenario, kind] of [
      ['stuck_review', 'stuck_review'],
      ['stuck_unshipped', 'stuck_unshipped'],
      ['stuck_no_tracking', 'stuck_no_tracking'],
    ] as const) {
      const no = [...data.scenarios].find(([, s]) => s === scenario)?.[0] ?? '';
      const parsed = toOrderInput(byNo.get(no));
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) continue;
      const found = detectAnomalies({ id: no, addressChangeCount: 0, ...parsed.value }, NOW).map((f) => f.kind);
      expect(found, scenario).toContain(kind);
    }
  });

  it('reads like a real track: a parcel never leaves a hub for that same hub', () => {
    const descriptions = data.logistics.map((e) => e.description ?? '');
    const loops = descriptions.filter((d) => {
      const m = /快件已从 (\S+) 发出，下一站 (\S+)/.exec(d);
      return m !== null && m[1] === m[2];
    });
    expect(descriptions.some((d) => d.includes('下一站'))).toBe(true);
    expect(loops).toEqual([]);
  });

  it('gives sandbox users c1 and c2 their own orders', () => {
    expect(data.sandbox.map((s) => [s.user, s.orderNos.length])).toEqual([
      ['c1', 3],
      ['c2', 2],
    ]);
    const c1 = new Set(data.sandbox[0]?.orderNos);
    expect(new Set(data.orders.filter((o) => c1.has(o.order_no)).map((o) => o.phone)).size).toBe(1);
  });
});
