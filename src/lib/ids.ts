import { createHash } from 'node:crypto';

/** BullMQ job ids must not contain ':' nor be all digits (bullmq docs, job-ids.md). */
export function jobId(...parts: (string | number)[]): string {
  return parts.map((p) => String(p).replace(/[^A-Za-z0-9_.-]/g, '_')).join('-');
}

export function shortHash(text: string, length = 16): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}
