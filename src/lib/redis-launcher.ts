import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Redis } from 'ioredis';
import { CodedError, ErrorCode } from '../domain/errors.ts';
import type { Logger } from './logger.ts';

/** Where Redis came from, and how to let go of it. */
export interface RedisTarget {
  url: string;
  source: 'env' | 'local' | 'embedded';
  stop(): Promise<void>;
}

async function answersPing(url: string, timeoutMs = 800): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Finds an executable on `searchPath` (default: PATH) without spawning a shell. */
export function onPath(binary: string, searchPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, binary);
    if (statSync(candidate, { throwIfNoEntry: false })?.isFile()) return candidate;
  }
  return undefined;
}

export const REDIS_MISSING_MESSAGE =
  '未找到 Redis：REDIS_URL 未设置，本机 127.0.0.1:6379 无响应，PATH 中也没有 redis-server。' +
  '请安装 Redis（Debian/Ubuntu：sudo apt-get install -y redis-server；macOS：brew install redis），' +
  '或设置 REDIS_URL=redis://主机:6379 指向已有的 Redis。';

/**
 * REDIS_URL if set; else 127.0.0.1:6379 if it answers; else a private `redis-server` child on a free
 * port with its data under `<dataDir>/redis` (stopped by `stop()`); else a clear error.
 */
export async function resolveRedis(opts: {
  redisUrl?: string;
  dataDir: string;
  log: Logger;
  /** The conventional local Redis to probe first (tests point it at a closed port). */
  localUrl?: string;
  /** Where to look for redis-server (default: PATH). */
  searchPath?: string;
}): Promise<RedisTarget> {
  if (opts.redisUrl) return { url: opts.redisUrl, source: 'env', stop: async () => {} };
  const local = opts.localUrl ?? 'redis://127.0.0.1:6379';
  if (await answersPing(local)) return { url: local, source: 'local', stop: async () => {} };
  const binary = onPath('redis-server', opts.searchPath);
  if (!binary) throw new CodedError(ErrorCode.RedisNotFound, REDIS_MISSING_MESSAGE);
  return startEmbeddedRedis(binary, path.join(opts.dataDir, 'redis'), opts.log);
}

async function startEmbeddedRedis(binary: string, dir: string, log: Logger): Promise<RedisTarget> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  // appendonly keeps accepted deliveries across restarts; hz 100 tightens delayed-job lateness (stack.md).
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    path.resolve(dir),
    '--appendonly',
    'yes',
    '--save',
    '',
    '--hz',
    '100',
  ];
  const child: ChildProcess = spawn(binary, args, { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i++) {
    if (child.exitCode !== null) break;
    if (await answersPing(url, 300)) {
      log.info({ port, dir }, '已启动内置 redis-server');
      return { url, source: 'embedded', stop: () => stopChild(child) };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new CodedError(
    ErrorCode.RedisNotFound,
    `内置 redis-server 启动失败（${binary}）。请设置 REDIS_URL 指向可用的 Redis。`,
  );
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
