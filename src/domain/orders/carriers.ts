/**
 * Carriers we know. Ids match `intents/lookups/carriers.txt` (the NLU's tracking-number `source`), so a
 * tracking number found in a message and one imported from an ERP name the carrier the same way.
 * `transitDays` is the fallback delivery estimate when the source gives none.
 */
export interface Carrier {
  id: string;
  name: string;
  names: readonly string[];
  transitDays: number;
}

export const CARRIERS: readonly Carrier[] = [
  { id: 'sf', name: '顺丰', names: ['顺丰', '顺丰速运', '顺丰快递', 'SF'], transitDays: 2 },
  { id: 'jd', name: '京东快递', names: ['京东', '京东快递', '京东物流', 'JD'], transitDays: 2 },
  { id: 'zto', name: '中通', names: ['中通', '中通快递', 'ZTO'], transitDays: 3 },
  { id: 'yto', name: '圆通', names: ['圆通', '圆通速递', '圆通快递', 'YTO'], transitDays: 3 },
  { id: 'yunda', name: '韵达', names: ['韵达', '韵达快递', '韵达速递'], transitDays: 3 },
  { id: 'sto', name: '申通', names: ['申通', '申通快递', 'STO'], transitDays: 3 },
  { id: 'jtexpress', name: '极兔', names: ['极兔', '极兔速递', 'J&T'], transitDays: 3 },
  { id: 'ems', name: 'EMS', names: ['EMS', '邮政', '中国邮政', '邮政EMS'], transitDays: 4 },
];

const BY_KEY = new Map<string, Carrier>();
for (const c of CARRIERS) {
  BY_KEY.set(c.id, c);
  for (const n of c.names) BY_KEY.set(n.toLowerCase(), c);
}

/** The carrier for an id or a common Chinese/English name, or undefined. */
export function findCarrier(idOrName: string | undefined): Carrier | undefined {
  if (!idOrName) return undefined;
  return BY_KEY.get(idOrName.trim().toLowerCase());
}

/** Display name: "顺丰" for "sf"; unknown carriers are shown as given. */
export function carrierName(idOrName: string | undefined): string {
  if (!idOrName) return '';
  return findCarrier(idOrName)?.name ?? idOrName;
}

/** Typical door-to-door days for the estimate; 3 when the carrier is unknown. */
export function transitDays(idOrName: string | undefined): number {
  return findCarrier(idOrName)?.transitDays ?? 3;
}
