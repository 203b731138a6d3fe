import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { CodedError, ErrorCode } from '../domain/errors.ts';
import { QUICK_REPLY_PLACEHOLDERS, QuickRepliesSchema, type QuickReply } from '../domain/shop/quick-replies.ts';

/** prisma/seed/shop/quick-replies.json of this checkout: the demo shop's quick replies. */
export const DEFAULT_QUICK_REPLIES_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'prisma',
  'seed',
  'shop',
  'quick-replies.json',
);

type Values = Record<(typeof QUICK_REPLY_PLACEHOLDERS)[number], string>;

/**
 * Reads the quick replies (env QUICK_REPLIES_FILE, else the demo shop's) and fills their placeholders.
 * @throws CodedError ConfigInvalid naming the file and what is wrong (a bad field, an unknown placeholder).
 */
export async function loadQuickReplies(file = DEFAULT_QUICK_REPLIES_FILE, values: Values): Promise<QuickReply[]> {
  const fail = (why: string) => new CodedError(ErrorCode.ConfigInvalid, `快捷话术文件 ${file} 无法使用：${why}`);
  let parsed: z.infer<typeof QuickRepliesSchema>;
  try {
    parsed = QuickRepliesSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  } catch (err) {
    throw fail(
      err instanceof z.ZodError
        ? err.issues.map((i) => `${i.path.join('.') || '(根)'}：${i.message}`).join('；')
        : (err as Error).message,
    );
  }
  return parsed.replies.map((r, i) => ({
    name: r.name,
    text: r.text.replace(/\{([^{}]+)\}/gu, (whole, key: string) => {
      if (key in values) return values[key as keyof Values];
      throw fail(
        `replies.${i}.text：未知的占位符 ${whole}（可用：${QUICK_REPLY_PLACEHOLDERS.map((k) => `{${k}}`).join('、')}）`,
      );
    }),
  }));
}
