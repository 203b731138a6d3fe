import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF } from '../../../src/channels/dingtalk/backoff.ts';

describe('backoffDelay', () => {
  it('doubles from 1 s and never exceeds 60 s', () => {
    const low = () => 0;
    const high = () => 1;
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, DEFAULT_BACKOFF, high))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffDelay(50, DEFAULT_BACKOFF, high)).toBe(60_000);
    expect(backoffDelay(50, DEFAULT_BACKOFF, low)).toBe(30_000);
  });

  it('keeps at least half the step, so a failing gateway is never hammered in a tight loop', () => {
    for (let i = 0; i < 100; i++) expect(backoffDelay(0, DEFAULT_BACKOFF)).toBeGreaterThanOrEqual(500);
  });
});
