/**
 * What a chat message says about which order: order or tracking numbers, a phone number, and the last four
 * digits of a phone ("尾号1234"). The NLU's entities come first; a light local pass catches numbers it did not
 * label, because a 12-digit JD order and a ZTO waybill look alike and both are worth a lookup.
 */

export interface OrderRefs {
  /** Order or tracking numbers, as typed (upper-cased), in order of appearance. */
  refs: string[];
  phone?: string;
  /** Last four digits of the buyer's phone, if the message gives them. */
  suffix?: string;
}

export interface EntityLike {
  type: string;
  value: string;
  /** Where the message names it; −1 when carried from the conversation (nlu/context.ts). */
  start?: number;
}

const FULL_WIDTH = /[０-９Ａ-Ｚａ-ｚ]/g;
const PHONE = /(?<!\d)1[3-9]\d{9}(?!\d)/;
const REF = /(?<![A-Za-z0-9])(?:[A-Za-z]{1,4}\d{9,20}(?:CN)?|\d{6}-\d{15}|\d{10,22})(?![A-Za-z0-9])/g;
const SUFFIX_CUE = /(?:尾号|后四位|后4位|末四位|末4位|后面四位)\D{0,4}?(\d{4})(?!\d)/;
const BARE_FOUR = /(?<![\dA-Za-z-])(\d{4})(?![\d年月日号点元块个件天分秒])/;

export function normalizeDigits(text: string): string {
  return text.replace(FULL_WIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

/** Extract order refs from a message (and the NLU's entities, when given). */
export function extractOrderRefs(text: string, entities: readonly EntityLike[] = []): OrderRefs {
  const normal = normalizeDigits(text);
  const refs: string[] = [];
  const add = (v: string) => {
    const up = v.trim().toUpperCase();
    if (up && !PHONE.test(up) && !refs.includes(up)) refs.push(up);
  };
  for (const e of entities) if (e.type === 'orderNo' || e.type === 'trackingNo') add(e.value);
  for (const m of normal.matchAll(REF)) add(m[0]);
  const phone = entities.find((e) => e.type === 'phone')?.value ?? PHONE.exec(normal)?.[0];
  let rest = normal;
  for (const r of refs) rest = rest.split(r).join(' ').split(r.toLowerCase()).join(' ');
  if (phone) rest = rest.split(phone).join(' ');
  const suffix = SUFFIX_CUE.exec(rest)?.[1] ?? phone?.slice(-4) ?? BARE_FOUR.exec(rest)?.[1];
  return { refs, ...(phone ? { phone } : {}), ...(suffix ? { suffix } : {}) };
}
