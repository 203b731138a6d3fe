import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { InboundMessage, Ingest, IngestStatus } from '../../../src/channels/channel.ts';
import { SendBudget } from '../../../src/channels/outbound/budget-store.ts';
import { createWecomChannel, createWecomClients, type WecomChannelOptions } from '../../../src/channels/wecom/index.ts';
import type { CursorStore } from '../../../src/channels/wecom/kf.ts';
import { createHttpServer, type RouteRegistrar } from '../../../src/http/server.ts';
import { createLogger } from '../../../src/lib/logger.ts';
import { createMetrics } from '../../../src/lib/metrics.ts';
import type { FakeWecomServer } from '../../support/fake-wecom-server.ts';
import { REDIS_URL } from '../../support/redis.ts';

/** The DB pipeline's contract in memory: one row per (channel, platformMsgId); repeats are "duplicate". */
export class MemoryIngest {
  readonly rows: InboundMessage[] = [];
  /** What ingest answered, call by call. */
  readonly answers: IngestStatus[] = [];
  failOn?: (m: InboundMessage) => boolean;

  readonly ingest: Ingest = async (message) => {
    if (this.failOn?.(message)) throw new Error('数据库暂时不可用');
    const existing = this.rows.findIndex(
      (r) => r.channel === message.channel && r.platformMsgId === message.platformMsgId,
    );
    if (existing >= 0) {
      this.answers.push('duplicate');
      return { status: 'duplicate', deliveryId: `d${existing}` };
    }
    this.rows.push(message);
    this.answers.push('accepted');
    return { status: 'accepted', deliveryId: `d${this.rows.length - 1}` };
  };

  texts(): string[] {
    return this.rows.map((r) => r.text);
  }
}

export class MemoryCursorStore implements CursorStore {
  readonly values = new Map<string, string>();
  writes = 0;
  async get(id: string) {
    return this.values.get(id);
  }
  async set(id: string, cursor: string) {
    this.writes++;
    this.values.set(id, cursor);
  }
}

/**
 * The service's HTTP server (src/http/server.ts: error map, front routes) with `routes` mounted and listening
 * on a free port; `url` is its base. Front routes (POST /wecom/callback) are reached over HTTP only, not
 * through `inject`.
 */
export async function testServer(routes: RouteRegistrar): Promise<{ app: FastifyInstance; url: string }> {
  const app = await createHttpServer({
    log: createLogger({ level: 'silent', secretKeys: [] }),
    metrics: createMetrics(),
    bodyLimit: 1024 * 1024,
    probes: [],
    routes: [routes],
  });
  return { app, url: await app.listen({ port: 0, host: '127.0.0.1' }) };
}

/** An HTTP POST as the tests read it: status, body text, body as JSON. */
export async function postRaw(url: string, body: string, contentType = 'text/xml') {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  const text = await res.text();
  return { statusCode: res.status, body: text, json: () => JSON.parse(text) };
}

/** A Redis client plus a random key prefix for one test; `cleanup` deletes the prefix's keys. */
export async function testRedis(): Promise<{ redis: Redis; prefix: string; cleanup(): Promise<void> }> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const prefix = `test:${randomUUID()}:`;
  return {
    redis,
    prefix,
    async cleanup() {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    },
  };
}

/** The WeCom API clients of the fake's default corp (app and 微信客服 secrets), on the fake's clock. */
export function fakeCorpClients(fake: FakeWecomServer, redis: Redis, prefix: string) {
  return createWecomClients({
    baseUrl: fake.baseUrl,
    redis,
    corpId: 'wwcorp',
    secret: 'app-secret',
    agentId: 1000002,
    kfSecret: 'kf-secret',
    keyPrefix: prefix,
    retries: 2,
    baseDelayMs: 5,
    now: () => fake.nowMs,
  });
}

/**
 * The WeCom channel against the fake server, with its corp clients and a send budget on the fake's clock;
 * `options` adds group webhooks, the staff group, picture links.
 */
export function fakeWecomChannel(
  fake: FakeWecomServer,
  redis: Redis,
  prefix: string,
  options: Partial<WecomChannelOptions> = {},
) {
  const clients = fakeCorpClients(fake, redis, prefix);
  const budget = new SendBudget({ redis, prefix, now: () => fake.nowMs });
  const channel = createWecomChannel({
    ...clients,
    redis,
    budget,
    apiBase: fake.baseUrl,
    keyPrefix: prefix,
    ...options,
  });
  return { ...clients, budget, channel };
}
