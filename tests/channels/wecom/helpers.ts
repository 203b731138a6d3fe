import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import pino from 'pino';
import type { InboundMessage, Ingest, IngestStatus } from '../../../src/channels/channel.ts';
import { SendBudget } from '../../../src/channels/outbound/budget-store.ts';
import { createWecomChannel, createWecomClients, type WecomChannelOptions } from '../../../src/channels/wecom/index.ts';
import type { CursorStore } from '../../../src/channels/wecom/kf.ts';
import { errorHandler } from '../../../src/http/error-map.ts';
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

/** A fastify app with the service's real error map, as src/http/server.ts configures it. */
export function testApp(): FastifyInstance {
  const app = Fastify();
  app.setErrorHandler(errorHandler(pino({ level: 'silent' })));
  return app;
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
