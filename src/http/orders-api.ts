import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Clock, systemClock } from '../app/ports.ts';
import { badRequest, forbidden, malformedBody } from '../domain/errors.ts';
import { verifyOrderApiSignature } from '../orders/api-signature.ts';
import { logisticsPipeline, orderPipeline } from '../orders/import-file.ts';
import { type ImportPipeline, type Outcome, runImport } from '../orders/import-runner.ts';
import type { RawRow } from '../orders/read-rows.ts';
import { openBulkSql } from '../store/bulk-session.ts';
import type { Database, Sql } from '../store/db.ts';

/**
 * The ERP upsert API: `POST /api/orders` ({ "orders": [...] }) and `POST /api/logistics-events`
 * ({ "events": [...] }), the same snake_case rows as the import files, at most `maxRows` per call.
 * Signed with HMAC-SHA256 over `x-timestamp + "\n" + raw body` (see api-signature.ts). The answer lists
 * every row: created / updated / unchanged / rejected with reasons; one bad row never fails the others.
 */
export interface OrderApiDeps {
  db: Pick<Database, 'raw' | 'sql'>;
  /** ORDER_API_SECRET; when unset the endpoints answer 403 with how to enable them. */
  secret: string | undefined;
  clock?: Clock;
  maxRows?: number;
}

type RowResult = { index: number; key?: string; status: Outcome | 'rejected'; errors?: string[] };

interface RawBody {
  rawBody?: string;
}

function rowsOf(body: unknown, field: string, max: number): unknown[] {
  const rows = Array.isArray(body) ? body : (body as Record<string, unknown> | undefined)?.[field];
  if (!Array.isArray(rows)) throw badRequest(`请求体应为 { "${field}": [ ... ] }`);
  if (rows.length === 0) throw badRequest(`${field} 为空`);
  if (rows.length > max) throw badRequest(`每次最多 ${max} 行，本次 ${rows.length} 行：请分批发送`);
  return rows;
}

async function* asRawRows(rows: unknown[]): AsyncGenerator<RawRow> {
  for (const [i, r] of rows.entries()) {
    yield r && typeof r === 'object' && !Array.isArray(r)
      ? { line: i + 1, record: r as Record<string, unknown> }
      : { line: i + 1, error: '每一行必须是 JSON 对象' };
  }
}

async function upsert<T>(rows: unknown[], pipeline: ImportPipeline<T>) {
  const results: RowResult[] = [];
  const report = await runImport(asRawRows(rows), pipeline, {
    onOutcome: (line, key, status, errors) =>
      results.push({ index: line - 1, key, status, ...(errors ? { errors } : {}) }),
  });
  results.sort((a, b) => a.index - b.index);
  const { total, created, updated, unchanged, unlinked } = report;
  return { total, created, updated, unchanged, unlinked, rejected: report.rejected.length, results };
}

/** Mount the two endpoints on `app` (in their own scope, so the raw-body JSON parser stays local). */
export async function registerOrderApi(app: FastifyInstance, deps: OrderApiDeps): Promise<void> {
  const clock = deps.clock ?? systemClock;
  const max = deps.maxRows ?? 1000;
  await app.register(async (scope) => {
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
      (req as FastifyRequest & RawBody).rawBody = String(body);
      try {
        done(null, JSON.parse(String(body)));
      } catch {
        done(malformedBody('请求体不是合法的 JSON'), undefined);
      }
    });
    scope.addHook('preHandler', async (req) => {
      if (!deps.secret)
        throw forbidden('ERP 订单接口未启用：请在环境变量中设置 ORDER_API_SECRET（与 ERP 共享的签名密钥）');
      verifyOrderApiSignature({
        secret: deps.secret,
        timestamp: req.headers['x-timestamp']?.toString(),
        signature: req.headers['x-signature']?.toString(),
        rawBody: (req as FastifyRequest & RawBody).rawBody ?? '',
        nowMs: clock.now().getTime(),
      });
    });
    const withSql = async <R>(fn: (sql: Sql) => Promise<R>) => {
      const sql = await openBulkSql(deps.db, 1);
      try {
        return await fn(sql);
      } finally {
        await sql.release();
      }
    };
    scope.post('/api/orders', async (req) =>
      withSql((sql) => upsert(rowsOf(req.body, 'orders', max), orderPipeline(sql, { clock, source: 'api' }))),
    );
    scope.post('/api/logistics-events', async (req) =>
      withSql((sql) => upsert(rowsOf(req.body, 'events', max), logisticsPipeline(sql, { clock }))),
    );
  });
}
