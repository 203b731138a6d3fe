import axios from 'axios';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRedisNonceStore } from '../../../src/channels/wecom/nonce-store.ts';
import { registerWecomRoutes } from '../../../src/channels/wecom/routes.ts';
import { appXml, buildCallback } from '../../support/fake-wecom-server.ts';
import { MemoryIngest, testRedis, testServer } from './helpers.ts';

const CREDS = { token: 'tok3n', encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', receiveId: 'wwcorp' };
let redis: Redis;
let prefix: string;
let cleanup: () => Promise<void>;
let store: MemoryIngest;
let apps: FastifyInstance[];
let urls: string[];

/** Two api processes behind a load balancer: separate servers, one Redis, one (deduping) store. */
beforeEach(async () => {
  ({ redis, prefix, cleanup } = await testRedis());
  store = new MemoryIngest();
  apps = [];
  urls = [];
  for (let i = 0; i < 2; i++) {
    const { app, url } = await testServer((a, front) =>
      registerWecomRoutes(
        a,
        {
          config: { corpId: CREDS.receiveId, token: CREDS.token, encodingAesKey: CREDS.encodingAesKey },
          ingest: store.ingest,
          nonces: createRedisNonceStore(redis, `${prefix}nonce:`),
          enqueueKfSync: async () => {},
        },
        front,
      ),
    );
    urls.push(url);
    apps.push(app);
  }
});
afterEach(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await cleanup();
});

const http = axios.create({ validateStatus: () => true, headers: { 'content-type': 'text/xml' } });
const message = (msgId: string, content = '帮我查 SO123') =>
  buildCallback(CREDS, appXml.text({ from: 'lisi', content, msgId, corpId: 'wwcorp' }));

describe('/wecom/callback over real HTTP with a shared Redis nonce store', () => {
  it('a replay sent to the other process is rejected (409); the message is stored once', async () => {
    const req = message('9001');
    expect((await http.post(`${urls[0]}${req.url}`, req.body)).status).toBe(200);
    const replay = await http.post(`${urls[1]}${req.url}`, req.body);
    expect(replay.status).toBe(409);
    expect(replay.data.error.code).toBe('replay_detected');
    expect(store.texts()).toEqual(['帮我查 SO123']);
  });

  it('the same delivery three times at once across both processes → one stored message, all answered', async () => {
    const req = message('9002');
    const answers = await Promise.all([0, 1, 0].map((i) => http.post(`${urls[i]}${req.url}`, req.body)));
    expect(answers.every((a) => a.status === 200 || a.status === 409)).toBe(true);
    expect(answers.some((a) => a.status === 200)).toBe(true);
    expect(store.rows).toHaveLength(1);
  });

  it('a 1 MB body is refused with 413 before it is read; the next valid message still works', async () => {
    const big = await http.post(
      `${urls[0]}/wecom/callback?msg_signature=a&timestamp=1&nonce=2`,
      `<xml>${'x'.repeat(1_000_000)}</xml>`,
    );
    expect(big.status).toBe(413);
    expect(big.data.error.code).toBe('payload_too_large');
    const ok = message('9003');
    expect((await http.post(`${urls[1]}${ok.url}`, ok.body)).status).toBe(200);
    expect(store.texts()).toEqual(['帮我查 SO123']);
  });

  it('answers well inside WeCom’s 5-second deadline', async () => {
    const req = message('9004');
    const started = performance.now();
    const res = await http.post(`${urls[0]}${req.url}`, req.body);
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('/wecom/callback while Redis cannot be reached', () => {
  it('accepts a valid callback (stored once), refuses its replay to the same process, and reports it', async () => {
    const { Redis } = await import('ioredis');
    const down = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    down.on('error', () => {});
    const degraded: unknown[] = [];
    const ingest = new MemoryIngest();
    const { app, url } = await testServer((a, front) =>
      registerWecomRoutes(
        a,
        {
          config: { corpId: CREDS.receiveId, token: CREDS.token, encodingAesKey: CREDS.encodingAesKey },
          ingest: ingest.ingest,
          nonces: createRedisNonceStore(down, 'x:', (err) => degraded.push(err)),
          enqueueKfSync: async () => {},
        },
        front,
      ),
    );
    try {
      const req = message('9100', '到哪了');
      expect((await http.post(`${url}${req.url}`, req.body)).status).toBe(200);
      const replay = await http.post(`${url}${req.url}`, req.body);
      expect(replay.status).toBe(409);
      expect(ingest.texts()).toEqual(['到哪了']);
      expect(degraded.length).toBeGreaterThan(0);
    } finally {
      await app.close();
      down.disconnect();
    }
  });
});
