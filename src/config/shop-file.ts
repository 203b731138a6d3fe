import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { CodedError, ErrorCode } from '../domain/errors.ts';

/** prisma/seed/shop/<name> of this checkout: the demo shop's file of that name. */
export const demoShopFile = (name: string) =>
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'prisma', 'seed', 'shop', name);

/** The ConfigInvalid error for a shop file: which file (`what` says what it holds), and what is wrong with it. */
export const shopFileInvalid = (what: string, file: string, why: string) =>
  new CodedError(ErrorCode.ConfigInvalid, `${what}文件 ${file} 无法使用：${why}`);

/**
 * Reads a shop's JSON file against `schema`.
 * @throws CodedError ConfigInvalid naming the file and each field that is wrong (or why it could not be read).
 */
export async function readShopFile<S extends z.ZodType>(file: string, schema: S, what: string): Promise<z.infer<S>> {
  try {
    return schema.parse(JSON.parse(await readFile(file, 'utf8')));
  } catch (err) {
    const why =
      err instanceof z.ZodError
        ? err.issues.map((i) => `${i.path.join('.') || '(根)'}：${i.message}`).join('；')
        : (err as Error).message;
    throw shopFileInvalid(what, file, why);
  }
}
