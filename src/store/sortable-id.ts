import { randomBytes } from 'node:crypto';

/**
 * Time-ordered ids for bulk-inserted rows: milliseconds (base 36), a per-millisecond counter and a random
 * per-process tag, so ids from several importing processes never collide. Inserting ordered keys appends to
 * the right edge of the primary-key B-tree instead of touching a random page per row, which roughly
 * halves index work on large tables compared with random UUIDs.
 */
const TAG = randomBytes(4).toString('hex');
let lastMs = 0;
let counter = 0;

export function sortableId(prefix = ''): string {
  const now = Date.now();
  if (now === lastMs) counter += 1;
  else {
    lastMs = now;
    counter = 0;
  }
  return `${prefix}${now.toString(36).padStart(9, '0')}${counter.toString(36).padStart(4, '0')}${TAG}`;
}
