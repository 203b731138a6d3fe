import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { CodedError, ErrorCode } from '../domain/errors.ts';
import { type ReturnPolicy, ReturnPolicySchema } from '../domain/shop/return-policy.ts';

/** prisma/seed/shop/return-policy.json of this checkout: the demo shop's policy. */
export const DEFAULT_RETURN_POLICY_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
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
