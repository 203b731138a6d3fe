export interface BackoffPolicy {
  /** Delay before the first retry (default 1 s). */
  baseMs: number;
  /** Upper bound of any delay (default 60 s, as the SDK's unreleased fix uses). */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 60_000 };

/**
 * Delay before reconnect attempt `attempt` (0-based): exponential, capped, with "equal jitter" — half
 * fixed, half random — so it never drops to zero (no tight loop) and many bots restarting together
 * do not hit the gateway in step. `random` is injectable for tests.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exp = policy.baseMs * 2 ** Math.min(attempt, 30);
  const capped = Math.min(policy.maxMs, exp);
  return Math.round(capped / 2 + (capped / 2) * random());
}
