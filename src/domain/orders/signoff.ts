import { carrierName } from './carriers.ts';
import { SIGNOFF_KINDS, type SignoffKind } from './types.ts';

/**
 * Sign-off credibility (seed 002, 物流状态可信度分级): a courier's scan alone ("电子签收") proves nothing about
 * the customer holding the parcel; a locker/驿站 drop, a photo or an OTP code does. Only those count as
 * delivered in replies, and the health report's "物流状态可信率" is credible ÷ all sign-offs (target ≥ 85 %).
 */

/** Higher is more credible: electronic < locker < photo = otp. */
export const SIGNOFF_GRADE: Record<SignoffKind, number> = { electronic: 1, locker: 2, photo: 3, otp: 3 };

export const SIGNOFF_LABEL: Record<SignoffKind, string> = {
  electronic: '电子签收',
  locker: '快递柜/驿站签收',
  photo: '拍照签收',
  otp: '验证码签收',
};

/** Health threshold from seed 002's baseline table. */
export const CREDIBILITY_TARGET = 0.85;

/** A sign-off whose kind is missing or unknown is treated as electronic: no proof, no credit. */
export function normalizeSignoffKind(kind: string | undefined | null): SignoffKind {
  return kind && (SIGNOFF_KINDS as readonly string[]).includes(kind) ? (kind as SignoffKind) : 'electronic';
}

/** True when the sign-off proves delivery to the customer (locker, photo or OTP). */
export function countsAsDelivered(kind: string | undefined | null): boolean {
  return SIGNOFF_GRADE[normalizeSignoffKind(kind)] >= SIGNOFF_GRADE.locker;
}

export interface SignoffRecord {
  carrier: string;
  network?: string;
  signoffKind?: string | null;
  /** How many sign-offs this record stands for (a database count); 1 when absent. */
  count?: number;
}

export interface CredibilityRate {
  key: string;
  label: string;
  signed: number;
  credible: number;
  /** credible ÷ signed, in [0, 1]; 0 when nothing was signed. */
  rate: number;
  belowTarget: boolean;
}

function tally(map: Map<string, { label: string; signed: number; credible: number }>, key: string, label: string) {
  const entry = map.get(key) ?? { label, signed: 0, credible: 0 };
  map.set(key, entry);
  return entry;
}

function toRates(map: Map<string, { label: string; signed: number; credible: number }>): CredibilityRate[] {
  return [...map.entries()]
    .map(([key, v]) => {
      const rate = v.signed === 0 ? 0 : v.credible / v.signed;
      return {
        key,
        label: v.label,
        signed: v.signed,
        credible: v.credible,
        rate,
        belowTarget: rate < CREDIBILITY_TARGET,
      };
    })
    .sort((a, b) => a.rate - b.rate || b.signed - a.signed);
}

/**
 * Credibility rates over sign-off events: overall, per carrier, and per carrier network (网点), worst first,
 * so seed 002's advice — replace the weak 网点, not the whole carrier — reads straight off the list.
 */
export function credibilityRates(records: Iterable<SignoffRecord>): {
  overall: CredibilityRate;
  byCarrier: CredibilityRate[];
  byNetwork: CredibilityRate[];
} {
  const overall = new Map<string, { label: string; signed: number; credible: number }>();
  const carriers = new Map<string, { label: string; signed: number; credible: number }>();
  const networks = new Map<string, { label: string; signed: number; credible: number }>();
  for (const r of records) {
    const n = r.count ?? 1;
    const credible = countsAsDelivered(r.signoffKind) ? n : 0;
    const name = carrierName(r.carrier);
    const buckets = [tally(overall, 'all', '全部'), tally(carriers, r.carrier, name)];
    if (r.network) buckets.push(tally(networks, `${r.carrier}/${r.network}`, `${name} ${r.network}`));
    for (const b of buckets) {
      b.signed += n;
      b.credible += credible;
    }
  }
  const [all] = toRates(overall);
  return {
    overall: all ?? { key: 'all', label: '全部', signed: 0, credible: 0, rate: 0, belowTarget: true },
    byCarrier: toRates(carriers),
    byNetwork: toRates(networks),
  };
}

const pct = (rate: number) => `${(rate * 100).toFixed(1)}%`;
const line = (r: CredibilityRate) =>
  `· ${r.label} ${pct(r.rate)}（${r.credible}/${r.signed}）${r.belowTarget ? ' ⚠' : ''}`;

/**
 * The credibility report managers read (chat and CLI), in Chinese: the overall rate against the target,
 * then carriers and their networks worst first — seed 002's advice is to replace a weak 网点, not the carrier.
 * Networks with fewer than `minSigned` sign-offs are left out (too few to judge).
 */
function formatCredibilityReport(
  rates: ReturnType<typeof credibilityRates>,
  opts: { days: number; maxNetworks?: number; minSigned?: number },
): string {
  const { overall } = rates;
  if (overall.signed === 0) return `近 ${opts.days} 天没有签收记录。`;
  const networks = rates.byNetwork.filter((r) => r.signed >= (opts.minSigned ?? 10));
  const weak = networks.filter((r) => r.belowTarget).slice(0, opts.maxNetworks ?? 5);
  return [
    `近 ${opts.days} 天签收可信率 ${pct(overall.rate)}（拍照/验证码/快递柜 ${overall.credible} / 全部签收 ${overall.signed}，目标 ≥ ${pct(CREDIBILITY_TARGET)}）${overall.belowTarget ? ' ⚠ 未达标' : ' ✔'}`,
    '按快递公司（低的在前）：',
    ...rates.byCarrier.map(line),
    ...(weak.length > 0
      ? ['未达标的网点（低的在前，建议先换网点、不必换快递公司）：', ...weak.map(line)]
      : networks.length > 0
        ? ['各网点均达标。']
        : []),
    '只有拍照、验证码、快递柜/驿站签收算送到顾客手里；仅电子签收的，顾客说没收到会直接开 P1 工单。',
  ].join('\n');
}

/**
 * The credibility report over the `days` before `now`, from `counts` (sign-offs since a time, counted by the
 * database): the rates, and the text managers read in chat and from the CLI.
 */
export async function credibilityReport(
  counts: (since: Date) => Promise<SignoffRecord[]>,
  days: number,
  now: Date,
): Promise<{ rates: ReturnType<typeof credibilityRates>; text: string }> {
  const rates = credibilityRates(await counts(new Date(now.getTime() - days * 86_400_000)));
  return { rates, text: formatCredibilityReport(rates, { days }) };
}

/**
 * Seed 002 rule 4: "signed but not received" reported within `windowHours` of an electronic-only sign-off
 * opens an urgent ticket. Input is the order's latest tracking state.
 */
export function isUrgentNotReceived(
  order: { lastTrackingKind?: string; lastSignoffKind?: string; lastTrackingAt?: Date },
  reportedAt: Date,
  windowHours = 24,
): boolean {
  if (order.lastTrackingKind !== 'signed' || !order.lastTrackingAt) return false;
  if (countsAsDelivered(order.lastSignoffKind)) return false;
  const elapsed = reportedAt.getTime() - order.lastTrackingAt.getTime();
  return elapsed >= 0 && elapsed <= windowHours * 3_600_000;
}
