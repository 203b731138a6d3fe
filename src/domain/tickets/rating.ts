/**
 * Customer satisfaction with a resolved ticket: three levels, asked under the resolution notice. A choice
 * the customer taps carries its ticket and level in its id, which 微信客服 sends back with the tap.
 */
export const RATING_LEVELS = ['good', 'okay', 'bad'] as const;
export type RatingLevel = (typeof RATING_LEVELS)[number];

/** The id a rating choice carries: the 微信客服 menu sends it back with the tap (`menu_id`). */
export const ratingChoiceId = (ticketId: number, level: RatingLevel) => `rate_${ticketId}_${level}`;

/** The ticket and level a tapped rating choice names; undefined for any other menu id. */
export function parseRatingChoice(menuId: string): { ticketId: number; level: RatingLevel } | undefined {
  const m = /^rate_(\d+)_(good|okay|bad)$/.exec(menuId);
  return m ? { ticketId: Number(m[1]), level: m[2] as RatingLevel } : undefined;
}
