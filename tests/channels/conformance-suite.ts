import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestService } from '../support/service.ts';

/** What each channel's harness must provide so the shared suite can drive it over its real transport. */
export interface ChannelHarness {
  svc: TestService;
  /** Deliver one valid message with this platform id; resolves with the HTTP status (or 200 for streams). */
  deliver(platformMsgId: string, text: string): Promise<number>;
  /** How many replies the platform side received for this platform message id. */
  repliesFor(platformMsgId: string): Promise<number>;
  /** The id the platform really sends for a test id (WeCom MsgIds are numbers); default: the same. */
  platformIdOf?: (id: string) => string;
  /** Transport checks; `undefined` = not applicable to this transport (with the reason). */
  badSignature?: () => Promise<{ status: number; code?: string }>;
  replay?: () => Promise<{ first: number; second: number; code?: string }>;
  oversized?: () => Promise<{ status: number; code?: string }>;
  malformed?: () => Promise<{ status: number; code?: string; message?: string }>;
  /** Entries added to the callback inbox so far, when the harness runs the channel through it. */
  inbox?: () => Promise<number | undefined>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  let v = await fn();
  while (!ok(v) && Date.now() < end) {
    await sleep(100);
    v = await fn();
  }
  return v;
}

const deliveries = async (svc: TestService, id: string) =>
  (
    await svc.db.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "InboundDelivery" WHERE "platformMsgId" = $1`,
      [id],
    )
  )[0]?.n ?? 0;

/** The cases every channel passes (style.md §6 item 4): dedupe, signatures, replays, limits, bad bodies. */
export function describeChannelConformance(name: string, makeHarness: () => Promise<ChannelHarness>): void {
  describe(`channel conformance: ${name}`, () => {
    let h: ChannelHarness;
    beforeAll(async () => {
      h = await makeHarness();
    });
    afterAll(async () => h?.stop());

    it('a duplicate delivery (twice, and three at once) gives one stored delivery and one reply', async () => {
      const inboxBefore = await h.inbox?.();
      await h.deliver('conf-dup-1', '你好');
      await Promise.all([
        h.deliver('conf-dup-1', '你好'),
        h.deliver('conf-dup-1', '你好'),
        h.deliver('conf-dup-1', '你好'),
      ]);
      expect(
        await waitFor(
          () => h.repliesFor('conf-dup-1'),
          (n) => n >= 1,
        ),
      ).toBe(1);
      await sleep(500);
      expect(await h.repliesFor('conf-dup-1')).toBe(1);
      expect(await deliveries(h.svc, h.platformIdOf?.('conf-dup-1') ?? 'conf-dup-1')).toBe(1);
      // Through the callback inbox, the four deliveries made one entry there too.
      if (inboxBefore !== undefined) expect((await h.inbox?.()) ?? 0).toBe(inboxBefore + 1);
    });

    it('a bad signature is rejected with a coded error', async (ctx) => {
      if (!h.badSignature) return ctx.skip();
      const r = await h.badSignature();
      expect([401, 403]).toContain(r.status);
      expect(r.code).toBe('signature_invalid');
    });

    it('a replayed request (same nonce) is rejected', async (ctx) => {
      if (!h.replay) return ctx.skip();
      const r = await h.replay();
      expect(r.first).toBe(200);
      expect([401, 409]).toContain(r.second);
      expect(r.code).toMatch(/replay_detected|timestamp_stale/);
    });

    it('an oversized body gets 413', async (ctx) => {
      if (!h.oversized) return ctx.skip();
      const r = await h.oversized();
      expect(r.status).toBe(413);
      expect(r.code).toBe('payload_too_large');
    });

    it('a malformed body gets 400 with a Chinese message, stores nothing, and the next valid message is processed', async (ctx) => {
      if (!h.malformed) return ctx.skip();
      const before =
        (await h.svc.db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "InboundDelivery"`))[0]?.n ?? 0;
      const r = await h.malformed();
      expect(r.status).toBe(400);
      expect(r.message).toMatch(/[\u4e00-\u9fa5]/);
      const after =
        (await h.svc.db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "InboundDelivery"`))[0]?.n ?? 0;
      expect(after).toBe(before);
      await h.deliver('conf-after-bad', '在吗');
      expect(
        await waitFor(
          () => h.repliesFor('conf-after-bad'),
          (n) => n >= 1,
        ),
      ).toBe(1);
    });
  });
}
