import { describe, expect, it } from 'vitest';
import { detectAnomalies, RadarConfigSchema, type RadarOrder } from '../../../src/domain/orders/anomalies.ts';

const NOW = new Date('2026-11-23T02:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);
const order = (over: Partial<RadarOrder>): RadarOrder => ({
  id: 'o1',
  orderNo: 'SO20261120000001',
  status: 'shipped',
  addressChangeCount: 0,
  ...over,
});
const kinds = (o: RadarOrder, config = RadarConfigSchema.parse({})) =>
  detectAnomalies(o, NOW, config).map((f) => f.kind);

describe('stuck status thresholds (seed 004)', () => {
  it.each([
    ['待审核 > 24 h', { status: 'paid', statusAt: hoursAgo(25) }, 'stuck_review'],
    [
      'paid, approved but not shipped > 48 h',
      { status: 'approved', paidAt: hoursAgo(49), statusAt: hoursAgo(40) },
      'stuck_unshipped',
    ],
    ['shipped, no tracking for 24 h', { status: 'shipped', statusAt: hoursAgo(25) }, 'stuck_no_tracking'],
    [
      'no tracking movement for 72 h',
      { status: 'shipped', statusAt: hoursAgo(100), lastTrackingAt: hoursAgo(73), lastTrackingKind: 'transit' },
      'stuck_tracking',
    ],
  ])('%s raises %s', (_name, over, kind) => {
    expect(kinds(order(over))).toEqual([kind]);
  });

  it.each([
    ['待审核 23 h', { status: 'paid', statusAt: hoursAgo(23) }],
    ['approved 47 h after payment', { status: 'approved', paidAt: hoursAgo(47) }],
    ['shipped 23 h ago, no tracking yet', { status: 'shipped', statusAt: hoursAgo(23) }],
    [
      'tracking 71 h old',
      { status: 'shipped', statusAt: hoursAgo(100), lastTrackingAt: hoursAgo(71), lastTrackingKind: 'transit' },
    ],
    [
      'signed long ago',
      { status: 'signed', statusAt: hoursAgo(200), lastTrackingAt: hoursAgo(210), lastTrackingKind: 'signed' },
    ],
  ])('%s is fine', (_name, over) => {
    expect(kinds(order(over))).toEqual([]);
  });

  it('reads thresholds from data', () => {
    const strict = RadarConfigSchema.parse({ pendingReviewHours: 2 });
    expect(kinds(order({ status: 'paid', statusAt: hoursAgo(3) }), strict)).toEqual(['stuck_review']);
    expect(kinds(order({ status: 'paid', statusAt: hoursAgo(3) }))).toEqual([]);
  });

  it('routes warehouse problems to the warehouse group and review problems to managers', () => {
    const [unshipped] = detectAnomalies(order({ status: 'picked', paidAt: hoursAgo(60) }), NOW);
    const [review] = detectAnomalies(order({ status: 'paid', statusAt: hoursAgo(30) }), NOW);
    expect(unshipped?.group).toBe('warehouse');
    expect(review?.group).toBe('managers');
    expect(unshipped?.text).toBe('付款后 60 小时仍未发货（阈值 48 小时），当前：已拣货');
  });

  it('keeps the fingerprint while the order is stuck in the same place, changes it when it moves', () => {
    const a = detectAnomalies(
      order({ status: 'shipped', statusAt: hoursAgo(100), lastTrackingAt: hoursAgo(80), lastTrackingKind: 'transit' }),
      NOW,
    );
    const later = detectAnomalies(
      order({ status: 'shipped', statusAt: hoursAgo(100), lastTrackingAt: hoursAgo(80), lastTrackingKind: 'transit' }),
      new Date(NOW.getTime() + 3_600_000),
    );
    const moved = detectAnomalies(
      order({ status: 'shipped', statusAt: hoursAgo(200), lastTrackingAt: hoursAgo(75), lastTrackingKind: 'transit' }),
      NOW,
    );
    expect(later[0]?.fingerprint).toBe(a[0]?.fingerprint);
    expect(moved[0]?.fingerprint).not.toBe(a[0]?.fingerprint);
  });
});

describe('data conflicts between sources', () => {
  it.each([
    [
      'tracking moving while the order says picked',
      { status: 'picked', lastTrackingAt: hoursAgo(5), lastTrackingKind: 'pickup' },
      'tracking_before_ship',
    ],
    [
      'carrier signed 30 h ago, order still shipped',
      { status: 'shipped', statusAt: hoursAgo(60), lastTrackingAt: hoursAgo(30), lastTrackingKind: 'signed' },
      'signed_not_synced',
    ],
    [
      'order signed, carrier still transporting',
      { status: 'signed', statusAt: hoursAgo(10), lastTrackingAt: hoursAgo(12), lastTrackingKind: 'transit' },
      'signed_without_signoff',
    ],
    [
      'cancelled but the parcel moved after',
      { status: 'cancelled', statusAt: hoursAgo(40), lastTrackingAt: hoursAgo(20), lastTrackingKind: 'transit' },
      'moving_after_cancel',
    ],
  ])('%s', (_name, over, code) => {
    const [f] = detectAnomalies(order(over), NOW);
    expect(f?.kind).toBe('data_conflict');
    expect(f?.detail.code).toBe(code);
    expect(f?.text).toMatch(/^数据冲突：/);
  });

  it('allows the ERP time to catch up (grace periods)', () => {
    expect(kinds(order({ status: 'picked', lastTrackingAt: hoursAgo(1), lastTrackingKind: 'pickup' }))).toEqual([]);
    expect(
      kinds(
        order({ status: 'shipped', statusAt: hoursAgo(30), lastTrackingAt: hoursAgo(5), lastTrackingKind: 'signed' }),
      ),
    ).toEqual([]);
  });
});

describe('abnormal behaviour', () => {
  it('flags 3 or more address changes on a live order', () => {
    expect(kinds(order({ status: 'paid', statusAt: hoursAgo(2), addressChangeCount: 3 }))).toEqual(['address_changes']);
    expect(kinds(order({ status: 'paid', statusAt: hoursAgo(2), addressChangeCount: 2 }))).toEqual([]);
    expect(kinds(order({ status: 'cancelled', statusAt: hoursAgo(2), addressChangeCount: 5 }))).toEqual([]);
  });

  it('flags a re-order after 3 cancellations by the same buyer', () => {
    expect(kinds(order({ status: 'paid', statusAt: hoursAgo(2), buyerCancels: 3 }))).toEqual(['cancel_loop']);
    expect(kinds(order({ status: 'paid', statusAt: hoursAgo(2), buyerCancels: 2 }))).toEqual([]);
  });
});
