import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appXml, buildCallback } from '../../support/fake-wecom-server.ts';
import { eventually } from '../../support/service.ts';
import {
  WECOM_APP as creds,
  startWecomService,
  type WecomCallback,
  type WecomTestService,
} from '../../support/wecom-service.ts';

/** Deterministic PRNG so a failing case can be replayed (mulberry32). */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(valid: WecomCallback, r: () => number, i: number): WecomCallback {
  const kind = i % 8;
  const q = new URL(valid.url, 'http://x');
  switch (kind) {
    case 0: // truncated body
      return { ...valid, body: valid.body.slice(0, Math.floor(r() * valid.body.length)) };
    case 1: // garbled ciphertext (the signature no longer matches)
      return {
        ...valid,
        body: valid.body.replace(
          /(<Encrypt><!\[CDATA\[.{10})[A-Za-z0-9+/]{8}/,
          (_m, head: string) =>
            `${head}${Math.floor(r() * 1e8)
              .toString(36)
              .padStart(8, 'z')}`,
        ),
      };
    case 2: // wrong signature
      q.searchParams.set('msg_signature', 'f'.repeat(40));
      return { ...valid, url: q.pathname + q.search };
    case 3: // not base64 at all
      return {
        ...valid,
        body: valid.body.replace(/<Encrypt><!\[CDATA\[.*?\]\]>/, '<Encrypt><![CDATA[%%%not-base64%%%]]>'),
      };
    case 4: // huge body
      return { ...valid, body: `<xml>${'A'.repeat(70_000 + Math.floor(r() * 1000))}</xml>` };
    case 5: // wrong corp id (encrypted for someone else, correctly signed)
      return buildCallback(
        { ...creds, receiveId: 'wwOTHER' },
        appXml.text({ from: 'evil', content: 'x', msgId: String(9_000_000 + i) }),
      );
    case 6: // stale timestamp
      return buildCallback(creds, appXml.text({ from: 'old', content: 'x', msgId: String(9_100_000 + i) }), {
        timestamp: Math.floor(Date.now() / 1000) - 3600,
      });
    default: // not XML / random junk
      return {
        ...valid,
        body: Array.from({ length: 40 }, () => String.fromCharCode(32 + Math.floor(r() * 90))).join(''),
      };
  }
}

// Both accept paths: PostgreSQL first (the shared test Redis is not durable), and the callback inbox (a
// private Redis that fsyncs every write).
describe.each([
  ['PostgreSQL-first accept', false],
  ['callback inbox on a durable Redis', true],
])('WeCom callback under 10,000 fuzzed requests (%s)', (_name, durable) => {
  let svc: WecomTestService;
  beforeAll(async () => {
    svc = await startWecomService({ durableRedis: durable });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('rejects every fuzzed request with a coded 4xx, stays up, and processes the 50 valid ones exactly once', async () => {
    const r = rng(20261123);
    const valid = buildCallback(creds, appXml.text({ from: 'seed', content: 'x', msgId: '1' }));
    const statuses = new Map<number, number>();
    const uncoded: string[] = [];
    const validIds: string[] = [];
    const jobs: WecomCallback[] = [];
    for (let i = 0; i < 10_000; i++) {
      jobs.push(mutate(valid, r, i));
      if (i % 200 === 0) {
        const id = String(5_000_000_000 + i);
        validIds.push(id);
        jobs.push(buildCallback(creds, appXml.text({ from: `ok${i}`, content: '我的快递到哪了', msgId: id })));
      }
    }
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < jobs.length) {
          const req = jobs[next++];
          if (!req) continue;
          const { status, text } = await svc.postCallback(req);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (status >= 400) {
            try {
              const code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
              if (!code) uncoded.push(text.slice(0, 80));
            } catch {
              uncoded.push(text.slice(0, 80));
            }
          }
        }
      }),
    );
    expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);
    expect(uncoded).toEqual([]);
    expect(statuses.get(200)).toBe(validIds.length);
    expect((await svc.get('/healthz')).status).toBe(200);
    const replied = await eventually(
      async () => new Set(svc.fake.appMessages.map((m) => m.touser)),
      (s) => validIds.every((_, k) => s.has(`ok${k * 200}`)),
      30_000,
    );
    expect(validIds.filter((_, k) => !replied.has(`ok${k * 200}`))).toEqual([]);
    const perUser = svc.fake.appMessages.filter((m) => m.touser.startsWith('ok')).length;
    expect(perUser).toBe(validIds.length);
    const stored = await svc.db.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "InboundDelivery" WHERE "platformMsgId" = ANY($1::text[])`,
      [validIds],
    );
    expect(stored[0]?.n).toBe(validIds.length);
    if (durable) expect(await svc.inboxEntries()).toBe(validIds.length); // they came through the inbox
  }, 120_000);
});
