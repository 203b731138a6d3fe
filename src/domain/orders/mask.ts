/**
 * Masking of personal data shown in chats (product.md: "138****1234"). Everything here fails closed:
 * when a value cannot be parsed, less is shown, never more.
 */

const MASK = '****';

/** "13812341234" → "138****1234"; "+86 138-1234-1234" likewise; shorter numbers keep only the last 4 digits. */
export function maskPhone(phone: string | undefined): string {
  if (!phone) return '';
  let digits = phone.replace(/\D/g, '');
  if (digits.length === 13 && digits.startsWith('86')) digits = digits.slice(2);
  if (digits.length < 4) return MASK;
  if (digits.length === 11) return `${digits.slice(0, 3)}${MASK}${digits.slice(-4)}`;
  return `${MASK}${digits.slice(-4)}`;
}

/** Mobile numbers inside free text ("电话13800001234" → "电话138****1234"), for text shown in group chats. */
export function maskPhonesIn(text: string): string {
  return text.replace(/(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)/g, `$1${MASK}$2`);
}

/** "张三" → "张*", "欧阳娜娜" → "欧***": the family name stays so staff can greet the customer. */
export function maskName(name: string | undefined): string {
  if (!name) return '';
  const chars = [...name.trim()];
  if (chars.length === 0) return '';
  if (chars.length === 1) return '*';
  return `${chars[0]}${'*'.repeat(chars.length - 1)}`;
}

// Administrative prefixes: 省/自治区/特别行政区, then 市/自治州/地区/盟, then 区/县/市/旗. A segment may not
// contain street-level characters or digits, so "长安镇锦厦社区" is never mistaken for a district.
const PROVINCE = /^[^\d\s]{2,7}?(?:省|自治区|特别行政区)/u;
const SEGMENT = '[^\\d\\s镇乡街路号村道巷弄栋楼室单元层幢期苑园座]';
const CITY = new RegExp(`^${SEGMENT}{1,7}?(?:市|自治州|地区|盟)`, 'u');
const DISTRICT = new RegExp(`^${SEGMENT}{1,7}?(?:区|县|市|旗)`, 'u');

/**
 * Keeps province, city and district and masks the rest: "北京市朝阳区建国路88号" → "北京市朝阳区****".
 * An address without a recognisable city is masked entirely.
 */
export function maskAddress(address: string | undefined): string {
  if (!address) return '';
  let rest = address.replace(/\s+/g, '');
  let kept = '';
  const province = PROVINCE.exec(rest);
  if (province) {
    kept += province[0];
    rest = rest.slice(province[0].length);
  }
  const city = CITY.exec(rest);
  if (!city) return province ? `${kept}${MASK}` : MASK;
  kept += city[0];
  rest = rest.slice(city[0].length);
  const district = DISTRICT.exec(rest);
  if (district) {
    kept += district[0];
    rest = rest.slice(district[0].length);
  }
  return rest.length > 0 ? `${kept}${MASK}` : kept;
}

/** A run that names a city (…市/州/地区/盟) and goes on to street level (路, 号, 小区 …): an address in free text. */
const ADDRESS_IN_TEXT = /[\p{Script=Han}]{2,12}?(?:市|自治州|地区|盟)[^\s，,。；;！!？?、]{2,40}/gu;
const STREET_LEVEL = /[路街道巷弄号村栋幢楼室]|单元|小区|大厦|花园|公寓|\d/u;
/** Up to the district ("…北京市海淀区"), the part of an address in text that stays. */
const DISTRICT_END = new RegExp(`^.*?(?:市|自治州|地区|盟)(?:${SEGMENT}{1,7}?(?:区|县|市|旗))?`, 'u');

/**
 * Mobile numbers and street addresses inside free text, for text shown in group chats: "改成北京市海淀区中关村大街
 * 1号 电话13800001234" → "改成北京市海淀区**** 电话138****1234". A city name without street detail stays.
 */
export function maskContactsIn(text: string): string {
  return maskPhonesIn(text).replace(ADDRESS_IN_TEXT, (place) => {
    const kept = DISTRICT_END.exec(place)?.[0] ?? '';
    return STREET_LEVEL.test(place.slice(kept.length)) ? `${kept}${MASK}` : place;
  });
}
