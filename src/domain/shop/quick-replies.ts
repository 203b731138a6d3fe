import { z } from 'zod';

/**
 * The shop's quick replies (快捷话术): texts staff send to a customer by name, `回复 #12 /退货地址`, instead of
 * typing them on a phone in a group chat. A text may name `{退货地址}`, filled from the return policy when the
 * file is loaded.
 */
export const QuickRepliesSchema = z.strictObject({
  version: z.literal(1),
  replies: z
    .array(
      z.strictObject({
        /** What staff type after the slash: short, no spaces. */
        name: z.string().trim().min(1).max(12).regex(/^\S+$/u, '名字里不能有空格'),
        text: z.string().trim().min(1).max(800),
      }),
    )
    .min(1)
    .max(50)
    .refine((list) => new Set(list.map((r) => r.name)).size === list.length, '话术名字不能重复'),
});
export type QuickReply = z.infer<typeof QuickRepliesSchema>['replies'][number];

/** Placeholders a quick reply may use, and where their values come from. */
export const QUICK_REPLY_PLACEHOLDERS = ['退货地址'] as const;

/**
 * What staff asked for after `回复 #12`: `/退货地址 …`, `话术 退货地址 …` or `话术2 …` (by number). The reply's text
 * with what they wrote after it (one space between), `{ unknown }` naming what was asked when no reply has that
 * name or number, or undefined when the text names no quick reply at all.
 */
export function expandQuickReply(
  replies: readonly QuickReply[],
  said: string,
): { text: string } | { unknown: string } | undefined {
  const m = /^(?:[/／]\s*(?<name>\S+)|话术\s*(?<no>\d+)|话术\s+(?<word>\S+))(?:\s+(?<rest>[\s\S]*))?$/u.exec(
    said.trim(),
  );
  if (!m?.groups) return undefined;
  const { name, no, word, rest } = m.groups;
  const key = name ?? word ?? '';
  const byNumber = /^\d+$/u.test(key) ? Number(key) : no ? Number(no) : undefined;
  const found = byNumber !== undefined ? replies[byNumber - 1] : replies.find((r) => r.name === key);
  if (!found) return { unknown: byNumber !== undefined ? `第 ${byNumber} 条` : `「${key}」` };
  const extra = rest?.trim();
  return { text: extra ? `${found.text} ${extra}` : found.text };
}
