/**
 * Chinese numerals as customers write amounts (五十块, 两百元, 一千二). Returns undefined for text that
 * is not a numeral, so the caller can drop the entity instead of reporting a wrong value.
 */
const DIGITS: Readonly<Record<string, number>> = {
  零: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};
const UNITS: Readonly<Record<string, number>> = { 十: 10, 百: 100, 千: 1000 };

/** Parses a numeral of up to 万 (colloquial 一百二 = 120 included). */
export function parseChineseNumber(text: string): number | undefined {
  let total = 0;
  let section = 0;
  let digit: number | undefined;
  let lastUnit = 1;
  let zeroAfterUnit = false;
  for (const ch of text) {
    const d = DIGITS[ch];
    const unit = UNITS[ch];
    if (d === 0) zeroAfterUnit = true;
    else if (d !== undefined) digit = d;
    else if (unit !== undefined) {
      section += (digit ?? 1) * unit;
      digit = undefined;
      lastUnit = unit;
      zeroAfterUnit = false;
    } else if (ch === '万') {
      total += (section + (digit ?? 0)) * 10_000;
      section = 0;
      digit = undefined;
      lastUnit = 10_000;
      zeroAfterUnit = false;
    } else return undefined;
  }
  // A trailing bare digit right after a unit is one unit lower: 一百二 = 120, 两千五 = 2500 (but 一百零五 = 105).
  const colloquial = !zeroAfterUnit && lastUnit > 1 && lastUnit < 10_000;
  if (digit !== undefined) section += colloquial ? (digit * lastUnit) / 10 : digit;
  const value = total + section;
  return Number.isFinite(value) && text.length > 0 ? value : undefined;
}
