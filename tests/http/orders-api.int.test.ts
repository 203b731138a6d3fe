import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrderApi } from '../../src/http/orders-api.ts';
import { createHttpServer } from '../../src/http/server.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { createMetrics } from '../../src/lib/metrics.ts';
import { signOrderApiBody } from '../../src/orders/api-signature.ts';
import type { Database } from '../../src/store/db.ts';
import { createOrderReader } from '../../src/store/orders.repo.ts';
import { freshPgDatabase } from '../support/db.ts';

const SECRET = 'erp-secret-for-tests';
const NOW = new Date('2026-11-23T02:00:00Z');
const clock = { now: () => NOW };
let db: Database;
let cleanup: () => Promise<void>;
let app: FastifyInstance;
let unconfigured: FastifyInstance;

async function server(secret: string | undefined): Promise<FastifyInstance> {
  return createHttpServer({
    log: createLogger({ level: 'silent', secretKeys: [] }),
    metrics: createMetrics(),
    bodyLimit: 1024 * 1024,
    probes: [],
    routes: [(a) => registerOrderApi(a, { db, secret, clock, maxRows: 3 })],
  });
}

function signed(url: string, payload: unknown, opts: { secret?: string; ts?: number } = {}) {
  const body = JSON.stringify(payload);
  const ts = String(opts.ts ?? NOW.getTime() / 1000);
  return app.inject({
    method: 'POST',
    url,
    payload: body,
    headers: {
      'content-type': 'application/json',
      'x-timestamp': ts,
      'x-signature': signOrderApiBody(opts.secret ?? SECRET, ts, body),
    },
  });
}

beforeAll(async () => {
  ({ db, cleanup } = await freshPgDatabase());
  app = await server(SECRET);
  unconfigured = await server(undefined);
});
afterAll(async () => {
  await app.close();
  await unconfigured.close();
  await cleanup();
});

const order = (no: string, over: Record<string, unknown> = {}) => ({
  order_no: no,
  source: 'jd',
  status: 'paid',
  phone: '13912345678',
  address: '北京市朝阳区建国路88号',
  amount: 88,
  paid_at: '2026-11-22 09:00:00',
  items: [{ sku: 'B7', name: '杯子', qty: 2, price: 44 }],
  ...over,
});

describe('POST /api/orders', () => {
  it('upserts a signed batch and answers row by row', async () => {
    const res = await signed('/api/orders', {
      orders: [order('API-1'), order('API-2', { phone: 'x' }), order('API-3')],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      total: 3,
      created: 2,
      rejected: 1,
      results: [
        { index: 0, key: 'API-1', status: 'created' },
        { index: 1, status: 'rejected', errors: ['phone：手机号格式不正确（应为 11 位手机号，或带区号的座机）'] },
        { index: 2, key: 'API-3', status: 'created' },
      ],
    });
    const [stored] = await createOrderReader(db.sql).find({ by: 'orderNo', value: 'API-1' });
    expect(stored?.items).toEqual([{ sku: 'B7', name: '杯子', qty: 2, priceCents: 4400 }]);
  });

  it('is idempotent, and a partial push (status + tracking) keeps the other fields', async () => {
    const again = await signed('/api/orders', { orders: [order('API-1')] });
    expect(again.json().results).toEqual([{ index: 0, key: 'API-1', status: 'unchanged' }]);
    const partial = await signed('/api/orders', {
      orders: [
        {
          order_no: 'API-1',
          source: 'jd',
          status: 'shipped',
          shipped_at: '2026-11-23 09:00',
          carrier: '京东',
          tracking_no: 'JDVA00000000001',
        },
      ],
    });
    expect(partial.json().results[0].status).toBe('updated');
    const [stored] = await createOrderReader(db.sql).find({ by: 'trackingNo', value: 'JDVA00000000001' });
    expect(stored).toMatchObject({ orderNo: 'API-1', status: 'shipped', phone: '13912345678', carrier: 'jd' });
    expect(stored?.items).toHaveLength(1);
  });

  it('rejects a bad signature, a stale timestamp, malformed JSON and oversized batches', async () => {
    const bad = await signed('/api/orders', { orders: [order('API-9')] }, { secret: 'wrong' });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error.code).toBe('signature_invalid');
    const stale = await signed('/api/orders', { orders: [order('API-9')] }, { ts: NOW.getTime() / 1000 - 600 });
    expect(stale.statusCode).toBe(401);
    expect(stale.json().error.code).toBe('timestamp_stale');
    const malformed = await app.inject({
      method: 'POST',
      url: '/api/orders',
      payload: '{"orders": [',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.message).toBe('请求体不是合法的 JSON');
    const big = await signed('/api/orders', { orders: [order('A'), order('B'), order('C'), order('D')] });
    expect(big.statusCode).toBe(400);
    expect(big.json().error.message).toBe('每次最多 3 行，本次 4 行：请分批发送');
    const [none] = await createOrderReader(db.sql).find({ by: 'orderNo', value: 'API-9' });
    expect(none).toBeUndefined();
  });

  it('answers 403 with how to enable it when ORDER_API_SECRET is not set', async () => {
    const res = await unconfigured.inject({
      method: 'POST',
      url: '/api/orders',
      payload: '{"orders":[]}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toContain('ORDER_API_SECRET');
  });
});

describe('POST /api/logistics-events', () => {
  it('stores events with their sign-off kind and updates the order', async () => {
    const res = await signed('/api/logistics-events', {
      events: [
        {
          tracking_no: 'JDVA00000000001',
          carrier: 'jd',
          at: '2026-11-23 09:30',
          kind: 'pickup',
          description: '京东快递 已揽收',
        },
        {
          tracking_no: 'JDVA00000000001',
          carrier: 'jd',
          at: '2026-11-23 09:59',
          description: '已签收',
          signoff_kind: 'otp',
        },
      ],
    });
    expect(res.json()).toMatchObject({ created: 2, rejected: 0 });
    const [stored] = await createOrderReader(db.sql).find({ by: 'orderNo', value: 'API-1' });
    expect(stored).toMatchObject({ lastTrackingKind: 'signed', lastSignoffKind: 'otp' });
  });
});
