import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { vi } from 'vitest';
import type { InboundMessage, OutboundMessage } from '../../../src/channels/channel.ts';
import { createDingtalkChannel, type DingtalkChannel } from '../../../src/channels/dingtalk/index.ts';
import { FakeDingtalkGateway } from '../../support/fake-dingtalk-gateway.ts';
import { REDIS_URL } from '../../support/redis.ts';
import { memoryIngest } from './memory-ingest.ts';

/** The real DingTalk channel against a fresh fake gateway (OpenAPI, old API host and stream), on real Redis. */
export interface DingtalkHarness {
  gateway: FakeDingtalkGateway;
  redis: Redis;
  prefix: string;
  store: ReturnType<typeof memoryIngest>;
  channel: DingtalkChannel;
}

/** For `beforeEach`: the SDK's console chatter silenced, a gateway started, the channel built (not started). */
export async function openDingtalk(): Promise<DingtalkHarness> {
  vi.spyOn(console, 'info').mockImplementation(() => {});
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  const gateway = await FakeDingtalkGateway.start();
  const redis = new Redis(REDIS_URL);
  const prefix = `test-dt-${randomUUID()}:`;
  const store = memoryIngest();
  const channel = createDingtalkChannel({
    clientId: gateway.clientId,
    clientSecret: gateway.clientSecret,
    robotCode: 'dingrobotcode01',
    redis,
    keyPrefix: prefix,
    ingest: store.ingest,
    apiBase: gateway.baseUrl,
    oapiBase: gateway.baseUrl,
    gatewayUrl: gateway.gatewayUrl,
    http: { baseDelayMs: 10 },
    stream: { backoff: { baseMs: 100, maxMs: 800 } },
  });
  return { gateway, redis, prefix, store, channel };
}

/** For `afterEach`: the channel stopped, its Redis keys removed, the gateway closed. */
export async function closeDingtalk(h: DingtalkHarness): Promise<void> {
  await h.channel.stop();
  const keys = await h.redis.keys(`${h.prefix}*`);
  if (keys.length > 0) await h.redis.del(...keys);
  h.redis.disconnect();
  await h.gateway.close();
  vi.restoreAllMocks();
}

/** Receives `payload` through the real stream and returns what the core got. */
export async function receive(h: DingtalkHarness, payload: Record<string, unknown>): Promise<InboundMessage> {
  await h.channel.start();
  const before = h.store.calls.length;
  await h.gateway.pushRobotMessage(payload);
  await h.store.waitForCalls(before + 1);
  const last = h.store.calls.at(-1);
  if (!last) throw new Error('nothing ingested');
  return last.message;
}

/** The reply the core would build for an inbound message (replyTarget in src/app/handle-message.ts). */
export function replyTo(m: InboundMessage, text: string, extra: Partial<OutboundMessage> = {}): OutboundMessage {
  const target = m.chatId ? { chatId: m.chatId, userRef: m.userRef } : { userRef: m.userRef };
  return {
    channel: 'dingtalk',
    target,
    kind: 'reply',
    text,
    replyContext: m.replyContext,
    dedupeKey: randomUUID(),
    ...extra,
  };
}
