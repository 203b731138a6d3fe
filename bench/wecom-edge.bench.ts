import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import pg from 'pg';
import { freshSchemaUrl, randomName } from '../tests/support/db.ts';
import { appXml, buildCallback, FakeWecomServer } from '../tests/support/fake-wecom-server.ts';
import { freePort, REDIS_URL } from '../tests/support/redis.ts';
import { WECOM_APP as creds, WECOM_AES_KEY } from '../tests/support/wecom-service.ts';
import type { BenchRow } from './run.ts';
import { type Child, firstLine, startNode, waitHealthy } from './support/spawn.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

function run(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/** The bare decrypt + SHA1 handler in its own process (bench/support/bare-wecom-child.ts). */
async function startBare(): Promise<{ url: string; child: Child }> {
  const child = startNode(['--import', 'tsx', path.join(import.meta.dirname, 'support', 'bare-wecom-child.ts')]);
  const port = await firstLine(child);
  return { url: `http://127.0.0.1:${port}`, child };
}

/** The real service, `aftersales serve --role api`, in its own process against a fresh schema. */
async function startApi(
  apiBase: string,
): Promise<{ url: string; child: Child; schema: ReturnType<typeof freshSchemaUrl>; prefix: string }> {
  const schema = freshSchemaUrl();
  const prefix = randomName('qb');
  const port = await freePort();
  const child = startNode(
    [
      ...(process.env.BENCH_API_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_API_PROF}`] : []),
      path.join(import.meta.dirname, '..', 'bin', 'aftersales.js'),
      'serve',
      '--role',
      'api',
      '--port',
      String(port),
    ],
    {
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'aftersales-bench-')),
      DATABASE_URL: schema.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      DEMO_DATA: 'off',
      WECOM_CORP_ID: creds.receiveId,
      WECOM_AGENT_ID: '1000002',
      WECOM_SECRET: 'app-secret',
      WECOM_TOKEN: creds.token,
      WECOM_ENCODING_AES_KEY: WECOM_AES_KEY,
      WECOM_API_BASE: apiBase,
    },
    'inherit',
  );
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(`${url}/healthz`, child);
  return { url, child, schema, prefix };
}

/** Deletes every Redis key under `prefix` (the api process's queues and replay-guard keys). */
async function dropKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    const stream = redis.scanStream({ match: `${prefix}*`, count: 1000 });
    for await (const keys of stream as AsyncIterable<string[]>) if (keys.length > 0) await redis.unlink(...keys);
  } finally {
    redis.disconnect();
  }
}

/**
 * WeCom callback edge on this machine: the real POST /wecom/callback (verify → decrypt → parse → store →
 * enqueue before the 200, every request a distinct message) against a bare decrypt+SHA1 handler. Each
 * server runs in its own process, as in production; autocannon runs in this one.
 */
export async function bench(): Promise<BenchRow[]> {
  const fake = await new FakeWecomServer().start();
  const bare = await startBare();
  const api = await startApi(fake.baseUrl);
  const requests = Array.from({ length: 120_000 }, (_, i) => {
    const cb = buildCallback(
      creds,
      appXml.text({ from: `bench${i % 100}`, content: '我的快递到哪了', msgId: String(8_000_000_000 + i) }),
    );
    return { method: 'POST' as const, path: cb.url, headers: { 'content-type': cb.contentType }, body: cb.body };
  });
  const rows: BenchRow[] = [];
  try {
    const first = requests[0];
    const bareRes = await run({ url: bare.url, connections: 50, duration: SECONDS, requests: first ? [first] : [] });
    let k = 0;
    const realRes = await run({
      url: api.url,
      connections: 50,
      duration: SECONDS,
      requests: [{ setupRequest: (req) => ({ ...req, ...(requests[k++ % requests.length] ?? {}) }) }],
    });
    const rated = await run({
      url: api.url,
      connections: 20,
      duration: SECONDS,
      overallRate: 1000,
      requests: [{ setupRequest: (req) => ({ ...req, ...(requests[k++ % requests.length] ?? {}) }) }],
    });
    const client = new pg.Client({ connectionString: api.schema.url.replace(/\?schema=.*/, '') });
    await client.connect();
    const stored = (await client.query(`SELECT count(*)::int AS n FROM "${api.schema.schema}"."InboundDelivery"`))
      .rows[0]?.n as number;
    await client.end();
    const sent = realRes.requests.total + rated.requests.total;
    rows.push({
      name: 'bare node:http decrypt + SHA1, 50 connections',
      value: bareRes.requests.average,
      unit: 'req/s',
    });
    rows.push({
      name: 'real /wecom/callback (store + enqueue before 200), 50 connections',
      value: realRes.requests.average,
      unit: 'req/s',
      note: `${Math.round((100 * realRes.requests.average) / bareRes.requests.average)} % of bare (target ≥ 50 %); p99 ${realRes.latency.p99} ms; non-2xx ${realRes.non2xx}`,
    });
    rows.push({
      name: 'real /wecom/callback p99 at 1,000 req/s',
      value: rated.latency.p99,
      unit: 'ms',
      note: `target < 20 ms; achieved ${Math.round(rated.requests.average)} req/s; non-2xx ${rated.non2xx}`,
    });
    rows.push({
      name: 'deliveries durably stored',
      value: stored,
      unit: 'rows',
      note: `of ${sent} requests answered 200 (distinct MsgIds; API role only, no worker)`,
    });
  } finally {
    await bare.child.stop();
    await api.child.stop();
    await api.schema.drop();
    await dropKeys(api.prefix); // the run leaves tens of thousands of queued jobs that would slow later benches
    await fake.stop();
  }
  return rows;
}
