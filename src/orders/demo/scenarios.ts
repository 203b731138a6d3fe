import type { Rng } from './rng.ts';
import type { SignoffKindName } from './tracks.ts';

/**
 * What happened to a demo order, relative to "now": the normal lives of orders plus one scenario per
 * anomaly the radar looks for (seed 004) and electronic-only sign-offs (seed 002).
 */
export const SCENARIO_WEIGHTS = {
  delivered: 45,
  in_transit: 18,
  electronic_recent: 4,
  pending_payment: 3,
  paid_recent: 6,
  approved_recent: 6,
  cancelled: 4,
  refunded: 2,
  stuck_review: 2,
  stuck_unshipped: 2,
  stuck_no_tracking: 2,
  stuck_tracking: 2,
  conflict_before_ship: 1,
  conflict_signed_not_synced: 1,
  conflict_moving_after_cancel: 0.5,
  address_changes: 1,
  /** only inside a cancel/re-order loop */
  cancelled_recent: 0,
} as const;
export type Scenario = keyof typeof SCENARIO_WEIGHTS;

/** Every scenario once, so even a tiny demo set shows each anomaly. */
export const FORCED: readonly Scenario[] = (Object.keys(SCENARIO_WEIGHTS) as Scenario[]).filter(
  (s) => SCENARIO_WEIGHTS[s] > 0,
);

export type Stage = 'ordered' | 'paid' | 'approved' | 'picked' | 'shipped' | 'signed' | 'cancelled' | 'refunded';

export interface Plan {
  status: string;
  /** Fixed instants for these stages; the generator fills the earlier ones backwards. */
  times: Partial<Record<Stage, Date>>;
  /** Track: stages reached (0 = no events) and when the last event was. */
  track?: { stages: number; endAt: Date; signoff?: SignoffKindName };
  addressChanges?: number;
}

const H = 3_600_000;
const ago = (now: Date, h: number) => new Date(now.getTime() - h * H);

/** The fixed points of one scenario; the generator derives the rest consistently. */
export function plan(s: Scenario, rng: Rng, now: Date, mix: () => SignoffKindName): Plan {
  const r = (a: number, b: number) => a + rng.next() * (b - a);
  switch (s) {
    case 'delivered':
      // Older than the ERP's sign-off sync, so the order already says signed (no data conflict).
      return { status: 'signed', times: {}, track: { stages: 6, endAt: ago(now, r(30, 400)), signoff: mix() } };
    case 'in_transit':
      return { status: 'shipped', times: {}, track: { stages: rng.int(1, 5), endAt: ago(now, r(1, 20)) } };
    case 'electronic_recent':
      return { status: 'shipped', times: {}, track: { stages: 6, endAt: ago(now, r(2, 20)), signoff: 'electronic' } };
    case 'pending_payment':
      return { status: 'pending_payment', times: { ordered: ago(now, r(0.2, 3)) } };
    case 'paid_recent':
      return { status: 'paid', times: { paid: ago(now, r(1, 20)) } };
    case 'approved_recent':
      return { status: rng.chance(0.5) ? 'approved' : 'picked', times: { paid: ago(now, r(8, 40)) } };
    case 'cancelled':
      return { status: 'cancelled', times: { paid: ago(now, r(20, 200)), cancelled: ago(now, r(1, 19)) } };
    case 'cancelled_recent':
      return { status: 'cancelled', times: { paid: ago(now, r(30, 100)), cancelled: ago(now, r(2, 29)) } };
    case 'refunded':
      return { status: 'refunded', times: { paid: ago(now, r(30, 300)), refunded: ago(now, r(1, 29)) } };
    case 'stuck_review':
      return { status: 'paid', times: { paid: ago(now, r(26, 70)) } };
    case 'stuck_unshipped':
      return { status: rng.chance(0.5) ? 'approved' : 'picked', times: { paid: ago(now, r(50, 100)) } };
    case 'stuck_no_tracking':
      return { status: 'shipped', times: { shipped: ago(now, r(26, 60)) }, track: { stages: 0, endAt: now } };
    case 'stuck_tracking':
      return { status: 'shipped', times: {}, track: { stages: rng.int(2, 4), endAt: ago(now, r(75, 130)) } };
    case 'conflict_before_ship':
      return { status: 'picked', times: {}, track: { stages: 2, endAt: ago(now, r(5, 15)) } };
    case 'conflict_signed_not_synced':
      return { status: 'shipped', times: {}, track: { stages: 6, endAt: ago(now, r(30, 60)), signoff: 'photo' } };
    case 'conflict_moving_after_cancel':
      return {
        status: 'cancelled',
        times: { cancelled: ago(now, r(40, 50)) },
        track: { stages: 4, endAt: ago(now, r(10, 30)) },
      };
    case 'address_changes':
      return { status: 'paid', times: { paid: ago(now, r(2, 20)) }, addressChanges: rng.int(3, 5) };
  }
}
