import { type ReturnPolicy, ReturnPolicySchema } from '../domain/shop/return-policy.ts';
import { demoShopFile, readShopFile } from './shop-file.ts';

/** prisma/seed/shop/return-policy.json of this checkout: the demo shop's policy. */
export const DEFAULT_RETURN_POLICY_FILE = demoShopFile('return-policy.json');

/**
 * Reads the return policy (env RETURN_POLICY_FILE, else the demo shop's).
 * @throws CodedError ConfigInvalid naming the file and what is wrong with it.
 */
export function loadReturnPolicy(file = DEFAULT_RETURN_POLICY_FILE): Promise<ReturnPolicy> {
  return readShopFile(file, ReturnPolicySchema, '退货政策');
}
