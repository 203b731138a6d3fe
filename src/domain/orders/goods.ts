/**
 * Which of a customer's orders a message is about, by the goods it names: 「纸尿裤少了一包」 is about the order of
 * 婴儿纸尿裤 M码 84片, not the newest one. Pure.
 */

/** Two-character pieces of product names that say nothing about which product it is. */
const GENERIC = new Set([
  '礼盒',
  '套装',
  '新款',
  '包邮',
  '正品',
  '官方',
  '旗舰',
  '同款',
  '专用',
  '家用',
  '大码',
  '小码',
  '一件',
]);

/** The Chinese two-character pieces of a product name that can name it ("婴儿纸尿裤" → 婴儿, 儿纸, 纸尿, 尿裤). */
function pieces(name: string): Set<string> {
  const out = new Set<string>();
  for (const run of name.match(/\p{Script=Han}{2,}/gu) ?? []) {
    for (let i = 0; i + 2 <= run.length; i++) {
      const piece = run.slice(i, i + 2);
      if (!GENERIC.has(piece)) out.add(piece);
    }
  }
  return out;
}

/** How much of an order's goods `text` names: the number of their name pieces it contains. */
export function goodsScore(text: string, goodsNames: readonly string[]): number {
  const all = new Set(goodsNames.flatMap((n) => [...pieces(n)]));
  let score = 0;
  for (const piece of all) if (text.includes(piece)) score++;
  return score;
}

/** A kind of goods and the words customers use for it (intents/lookups/products.txt: 衣服 → 卫衣, 外套 …). */
export interface ProductGroup {
  value: string;
  aliases: readonly string[];
}

/**
 * Product kinds that say nothing about which order: 赠品 is rarely in an order's goods by that name, so 「赠品没收到」
 * must not rule out the order it came with.
 */
const ANY_ORDER_PRODUCTS = new Set(['赠品']);

/**
 * The orders holding the goods `products` names (product entities: the kind, 「衣服掉色」 → 衣服, and the words the
 * customer used): first those whose goods name the very word (「龙井受潮了」, 「马克杯」), else any word of the kind
 * (「男士纯棉连帽卫衣」 holds 卫衣, one of 衣服). Undefined when no goods are named.
 */
export function ordersOfProducts<O extends { items: readonly { name: string }[] }>(
  products: readonly { value: string; said: string }[],
  groups: readonly ProductGroup[],
  orders: readonly O[],
): O[] | undefined {
  const named = products.filter((p) => !ANY_ORDER_PRODUCTS.has(p.value));
  if (named.length === 0) return undefined;
  const holding = (words: readonly string[]) =>
    orders.filter((o) => o.items.some((i) => words.some((w) => w && i.name.toLowerCase().includes(w.toLowerCase()))));
  const bySaid = holding(named.map((p) => p.said));
  if (bySaid.length > 0) return bySaid;
  return holding(named.flatMap((p) => [p.value, ...(groups.find((g) => g.value === p.value)?.aliases ?? [])]));
}

/** The orders whose goods `text` names best, in the given order; empty when it names none. */
export function ordersNamedByGoods<O extends { items: readonly { name: string }[] }>(
  text: string,
  orders: readonly O[],
): O[] {
  const scored = orders.map((o) => ({
    o,
    score: goodsScore(
      text,
      o.items.map((i) => i.name),
    ),
  }));
  const best = Math.max(0, ...scored.map((s) => s.score));
  return best === 0 ? [] : scored.filter((s) => s.score === best).map((s) => s.o);
}

/** "另一单鞋子…", "另外一个订单": the message is about some order other than the one the conversation was about. */
export const ANOTHER_ORDER = /另一单|另外一单|另一个订单|另外一个订单|另一个单|另外一个单|别的订单|另一笔/u;
