import http from 'node:http';
import autocannon from 'autocannon';
import { decryptWecom } from '../src/channels/wecom/crypto.ts';
import { isValidWecomSignature } from '../src/channels/wecom/verify-signature.ts';
import { appXml, buildCallback } from '../tests/support/fake-wecom-server.ts';
import { WECOM_APP as creds, startWecomService, WECOM_AES_KEY } from '../tests/support/wecom-service.ts';
import type { BenchRow } from './run.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

function run(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/** A bare node:http handler doing only the AES decrypt + SHA1 check, on one fixed valid callback. */
async function bareServer(cb: { url: string; body: string }): Promise<{ url: string; close(): Promise<void> }> {
  const encrypt = /<Encrypt><!\[CDATA\[(.*?)\]\]><\/Encrypt>/.exec(cb.body)?.[1] ?? '';
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const q = new URL(req.url ?? '/', 'http://x').searchParams;
      const body = Buffer.concat(chunks).toString();
      const enc = /<Encrypt><!\[CDATA\[(.*?)\]\]><\/Encrypt>/.exec(body)?.[1] ?? encrypt;
      const ok = isValidWecomSignature({
        token: creds.token,
        timestamp: q.get('timestamp') ?? '',
        nonce: q.get('nonce') ?? '',
        encrypted: enc,
        signature: q.get('msg_signature') ?? '',
        nowMs: Number(q.get('timestamp')) * 1000,
      });
      if (ok) decryptWecom(WECOM_AES_KEY, enc, creds.receiveId);
      res.writeHead(ok ? 200 : 401).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  return { url: `http://127.0.0.1:${addr.port}`, close: () => new Promise((r) => server.close(() => r())) };
}

/**
 * WeCom callback edge on this machine: the real POST /wecom/callback (verify → decrypt → parse → store →
 * enqueue before the 200, every request a distinct message) against a bare decrypt+SHA1 handler.
 */
export async function bench(): Promise<BenchRow[]> {
  const svc = await startWecomService({ env: { WORKER_CONCURRENCY: '2' }, role: 'api' });
  const requests = Array.from({ length: 60_000 }, (_, i) => {
    const cb = buildCallback(
      creds,
      appXml.text({ from: `bench${i % 100}`, content: '我的快递到哪了', msgId: String(8_000_000_000 + i) }),
    );
    return { method: 'POST' as const, path: cb.url, headers: { 'content-type': cb.contentType }, body: cb.body };
  });
  const bare = await bareServer(buildCallback(creds, appXml.text({ from: 'b', content: 'x', msgId: '1' })));
  const rows: BenchRow[] = [];
  try {
    const first = requests[0];
    const bareRes = await run({ url: bare.url, connections: 50, duration: SECONDS, requests: first ? [first] : [] });
    let k = 0;
    const realRes = await run({
      url: svc.base,
      connections: 50,
      duration: SECONDS,
      requests: [{ setupRequest: (req) => ({ ...req, ...(requests[k++ % requests.length] ?? {}) }) }],
    });
    const rated = await run({
      url: svc.base,
      connections: 20,
      duration: SECONDS,
      overallRate: 1000,
      requests: [{ setupRequest: (req) => ({ ...req, ...(requests[k++ % requests.length] ?? {}) }) }],
    });
    const stored =
      (await svc.db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "InboundDelivery"`))[0]?.n ?? 0;
    rows.push({
      name: 'bare node:http decrypt + SHA1, 50 connections',
      value: bareRes.requests.average,
      unit: 'req/s',
    });
    rows.push({
      name: 'real /wecom/callback (store + enqueue before 200), 50 connections',
      value: realRes.requests.average,
      unit: 'req/s',
      note: `${Math.round((100 * realRes.requests.average) / bareRes.requests.average)} % of bare (target ≥ 50 %); non-2xx ${realRes.non2xx}`,
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
      note: 'distinct MsgIds, API role only (no worker)',
    });
  } finally {
    await bare.close();
    await svc.stop();
  }
  return rows;
}
