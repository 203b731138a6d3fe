import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Responder } from '../../src/app/process-delivery.ts';
import { loadEnv } from '../../src/config/env.ts';
import { type Role, type RunningService, startService } from '../../src/main.ts';
import { freshSchemaUrl, randomName } from './db.ts';
import { REDIS_URL } from './redis.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read response JSON field by field and assert each one
export type Json = any;

export interface TestService extends RunningService {
  base: string;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; json: Json }>;
  get(path: string): Promise<{ status: number; json: Json; text: string }>;
  stop(): Promise<void>;
}

/**
 * Starts the real service in this process against a fresh PostgreSQL schema and a fresh queue prefix.
 * `env` overrides any setting (e.g. DATABASE_URL through a proxy, REDIS_URL of a private server).
 */
export async function startTestService(
  opts: { env?: Record<string, string>; role?: Role; responder?: Responder } = {},
): Promise<TestService> {
  const schema = freshSchemaUrl();
  const env = loadEnv({
    LOG_LEVEL: 'silent',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'aftersales-data-')),
    DATABASE_URL: schema.url,
    REDIS_URL,
    QUEUE_PREFIX: randomName('q'),
    SANDBOX_REPLY_TIMEOUT_MS: '8000',
    NLU_MODEL_PATH: path.resolve('data', 'model', 'intents-model.json'),
    // The daily report would reach the managers' group in tests run at 09:00–11:00 China time; a test turns it on.
    HEALTH_REPORT_AT: 'off',
    ...opts.env,
  });
  const service = await startService({
    env,
    role: opts.role ?? 'all',
    ...(opts.responder ? { responder: opts.responder } : {}),
  });
  const base = (service.url ?? '').replace('0.0.0.0', '127.0.0.1');
  return {
    ...service,
    base,
    async post(p, body, headers = {}) {
      const res = await fetch(base + p, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : undefined };
    },
    async get(p) {
      const res = await fetch(base + p);
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, json, text };
    },
    async stop() {
      await service.close('test');
      await schema.drop().catch(() => {});
    },
  };
}

export async function eventually<T>(
  fn: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 20_000,
  stepMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await fn();
  while (!ok(last)) {
    if (Date.now() > deadline) return last;
    await new Promise((r) => setTimeout(r, stepMs));
    last = await fn();
  }
  return last;
}
