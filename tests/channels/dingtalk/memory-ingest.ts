import type { InboundMessage, Ingest, IngestResult } from '../../../src/channels/channel.ts';

/**
 * An ingest that dedupes like the database does (unique channel + platformMsgId) and remembers every
 * call, so tests see both what reached the core and what was recognised as a duplicate.
 */
export function memoryIngest() {
  const ids = new Map<string, string>();
  const calls: { message: InboundMessage; result: IngestResult }[] = [];
  let failures = 0;
  const ingest: Ingest = async (message) => {
    if (failures > 0) {
      failures--;
      throw new Error('store unavailable');
    }
    const key = `${message.channel}:${message.platformMsgId}`;
    const existing = ids.get(key);
    const result: IngestResult = existing
      ? { status: 'duplicate', deliveryId: existing }
      : { status: 'accepted', deliveryId: `d${ids.size + 1}` };
    if (!existing) ids.set(key, result.deliveryId);
    calls.push({ message, result });
    return result;
  };
  return {
    ingest,
    calls,
    /** Messages stored once (what the core would process). */
    accepted: () => calls.filter((c) => c.result.status === 'accepted').map((c) => c.message),
    failNext(n: number) {
      failures = n;
    },
    async waitForCalls(n: number, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (calls.length < n) {
        if (Date.now() > deadline) throw new Error(`ingest saw ${calls.length} calls, expected ${n}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}
