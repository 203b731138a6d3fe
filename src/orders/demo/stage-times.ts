import type { Rng } from './rng.ts';
import type { Plan, Stage } from './scenarios.ts';
import type { DemoEvent } from './tracks.ts';

const CHAIN: Stage[] = ['ordered', 'paid', 'approved', 'picked', 'shipped', 'signed'];
/** Hours from the previous stage to this one. */
const GAP: Record<Stage, [number, number]> = {
  ordered: [0, 0],
  paid: [0.02, 0.5],
  approved: [0.5, 8],
  picked: [1, 12],
  shipped: [1, 10],
  signed: [0.5, 6],
  cancelled: [0, 0],
  refunded: [0, 0],
};
const FURTHEST: Record<string, Stage> = {
  pending_payment: 'ordered',
  paid: 'paid',
  approved: 'approved',
  picked: 'picked',
  shipped: 'shipped',
  signed: 'signed',
};
const H = 3_600_000;

function furthestStage(p: Plan, track: DemoEvent[]): Stage {
  const direct = FURTHEST[p.status];
  if (direct) return direct;
  if (track.length > 0) return 'shipped'; // cancelled after it left the warehouse (interception)
  return p.times.paid ? 'paid' : 'ordered';
}

/** Anchors from the track: shipped shortly before the first scan, signed (in the ERP) after the last. */
function trackAnchors(p: Plan, track: DemoEvent[], rng: Rng, top: number): Map<number, number> {
  const anchors = new Map<number, number>();
  const first = track[0];
  const last = track.at(-1);
  if (first && top >= CHAIN.indexOf('shipped'))
    anchors.set(CHAIN.indexOf('shipped'), first.at.getTime() - (1 + rng.next() * 3) * H);
  if (first && top === CHAIN.indexOf('picked')) anchors.set(top, first.at.getTime() - (1 + rng.next() * 2) * H);
  if (last && p.status === 'signed')
    anchors.set(CHAIN.indexOf('signed'), last.at.getTime() + (0.5 + rng.next() * 5) * H);
  return anchors;
}

/**
 * Every stage time of one order, consistent with its plan and track: fixed points first, then the other
 * stages back- and forward-filled with realistic gaps, never in the future.
 */
export function stageTimes(p: Plan, track: DemoEvent[], rng: Rng, now: Date): Partial<Record<Stage, Date>> {
  const top = CHAIN.indexOf(furthestStage(p, track));
  const at = new Map<number, number>();
  for (const [i, t] of trackAnchors(p, track, rng, top)) at.set(i, t);
  for (const [stage, d] of Object.entries(p.times) as [Stage, Date][]) {
    const i = CHAIN.indexOf(stage);
    if (i >= 0 && i <= top) at.set(i, d.getTime());
  }
  if (at.size === 0) at.set(top, now.getTime() - (1 + rng.next() * 5) * H);
  const gap = (i: number) => {
    const [a, b] = GAP[CHAIN[i] as Stage];
    return (a + rng.next() * (b - a)) * H;
  };
  const lowest = Math.min(...at.keys());
  for (let i = lowest - 1; i >= 0; i--) at.set(i, (at.get(i + 1) as number) - gap(i + 1));
  for (let i = lowest + 1; i <= top; i++) {
    const prev = at.get(i - 1) as number;
    if (!at.has(i)) at.set(i, Math.max(prev + 60_000, Math.min(prev + gap(i), now.getTime() - rng.next() * 0.5 * H)));
  }
  const out: Partial<Record<Stage, Date>> = {};
  for (const [i, t] of at) out[CHAIN[i] as Stage] = new Date(t);
  if (p.times.cancelled) out.cancelled = p.times.cancelled;
  if (p.times.refunded) out.refunded = p.times.refunded;
  return out;
}
