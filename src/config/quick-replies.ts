import { QUICK_REPLY_PLACEHOLDERS, QuickRepliesSchema, type QuickReply } from '../domain/shop/quick-replies.ts';
import { demoShopFile, readShopFile, shopFileInvalid } from './shop-file.ts';

/** prisma/seed/shop/quick-replies.json of this checkout: the demo shop's quick replies. */
export const DEFAULT_QUICK_REPLIES_FILE = demoShopFile('quick-replies.json');

type Values = Record<(typeof QUICK_REPLY_PLACEHOLDERS)[number], string>;

/**
 * Reads the quick replies (env QUICK_REPLIES_FILE, else the demo shop's) and fills their placeholders.
 * @throws CodedError ConfigInvalid naming the file and what is wrong (a bad field, an unknown placeholder).
 */
export async function loadQuickReplies(file = DEFAULT_QUICK_REPLIES_FILE, values: Values): Promise<QuickReply[]> {
  const { replies } = await readShopFile(file, QuickRepliesSchema, '快捷话术');
  const known = QUICK_REPLY_PLACEHOLDERS.map((k) => `{${k}}`).join('、');
  return replies.map((r, i) => ({
    name: r.name,
    text: r.text.replace(/\{([^{}]+)\}/gu, (whole, key: string) => {
      if (key in values) return values[key as keyof Values];
      throw shopFileInvalid('快捷话术', file, `replies.${i}.text：未知的占位符 ${whole}（可用：${known}）`);
    }),
  }));
}
