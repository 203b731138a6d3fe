import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { CodedError, ErrorCode } from '../errors.ts';

const Text = z.string().trim().min(1).max(300);

/** The shop's return policy, as the bot tells it to customers who ask "退货寄到哪 / 运费谁出". */
export const ReturnPolicySchema = z.strictObject({
  version: z.literal(1),
  /** Days after sign-off within which a return without reason (七天无理由) may be asked for. */
  windowDays: z.number().int().min(0).max(365),
  /** What the goods must be like, and what is excluded. */
  conditions: Text,
  address: z.strictObject({ recipient: Text, phone: Text, address: Text }),
  shipping: z.strictObject({ ourFault: Text, noReason: Text }),
  /** When and how the refund is paid. */
  refund: Text,
});
export type ReturnPolicy = z.infer<typeof ReturnPolicySchema>;

/** prisma/seed/shop/return-policy.json of this checkout: the demo shop's policy. */
export const DEFAULT_RETURN_POLICY_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'prisma',
  'seed',
  'shop',
  'return-policy.json',
);

/**
 * Reads the return policy (env RETURN_POLICY_FILE, else the demo shop's).
 * @throws CodedError ConfigInvalid naming the file and what is wrong with it.
 */
export async function loadReturnPolicy(file = DEFAULT_RETURN_POLICY_FILE): Promise<ReturnPolicy> {
  try {
    return ReturnPolicySchema.parse(JSON.parse(await readFile(file, 'utf8')));
  } catch (err) {
    const why =
      err instanceof z.ZodError
        ? err.issues.map((i) => `${i.path.join('.') || '(根)'}：${i.message}`).join('；')
        : (err as Error).message;
    throw new CodedError(ErrorCode.ConfigInvalid, `退货政策文件 ${file} 无法使用：${why}`);
  }
}
