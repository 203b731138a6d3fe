import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { fromWire, type WireMessage } from '../app/ports.ts';
import type { FastAccept, FastAcceptResult, InboundMessage, Ingest, ReplayKey } from '../channels/channel.ts';
import { groupCommit } from '../lib/group-commit.ts';
import { shortHash } from '../lib/ids.ts';
import type { Logger } from '../lib/logger.ts';

// One atomic step for a batch of callbacks. KEYS: the stream, then each callback's nonce key and dedupe key;
// ARGV: the dedupe TTL, then each callback's nonce TTL and message. An exact replay of an accepted request
// is refused (0: its nonce key exists, so SET NX leaves it as it was); a platform id seen before is a
// duplicate (1, nothing added); otherwise the message goes on the stream (2). The nonce is remembered in both
// cases, as the PostgreSQL path does after storing. Two writes and an XADD per callback: Redis's CPU and its
// AOF grow with each command.
const ACCEPT_LUA = `
local out = {}
for i = 1, (#KEYS - 1) / 2 do
  if not redis.call('SET', KEYS[2 * i], '1', 'NX', 'EX', ARGV[2 * i]) then
    out[i] = 0
  else
    local fresh = redis.call('SET', KEYS[2 * i + 1], '1', 'NX', 'EX', ARGV[1])
    if fresh then redis.call('XADD', KEYS[1], '*', 'm', ARGV[2 * i + 1]) end
    out[i] = fresh and 2 or 1
  end
end
return out`;

const RESULTS: Record<number, FastAcceptResult> = { 0: 'replay', 1: 'duplicate', 2: 'accepted' };

/** Platform ids accepted through the inbox are remembered this long; PostgreSQL's unique key dedupes after. */
const DEDUPE_TTL_SEC = 3 * 24 * 3600;

type AcceptingRedis = Redis & {
  inboxAccept(numKeys: number, ...keysThenArgs: (string | number)[]): Promise<number[]>;
};

export interface InboxKeys {
  /** Every WeCom key of the service starts with this (token cache, send budgets, kf locks, the ones below). */
  wecomPrefix: string;
  stream: string;
  group: string;
  /** Prefix of the WeCom callbacks' replay-guard keys, which the PostgreSQL path's nonce store uses too. */
  noncePrefix: string;
  dedupePrefix: string;
}

/** The Redis keys of the WeCom callbacks under a queue prefix: the inbox's, and the replay guard's both paths share. */
export function inboxKeys(queuePrefix: string): InboxKeys {
  const wecom = `${queuePrefix}:wecom:`;
  return {
    wecomPrefix: wecom,
    stream: `${wecom}inbox`,
    group: 'store',
    noncePrefix: `${wecom}nonce:`,
    dedupePrefix: `${wecom}inbox-seen:`,
  };
}

/**
 * Whether Redis fsyncs each write before it answers (AOF on, `appendfsync always`): only then is a message
 * in Redis as durable as a committed PostgreSQL row. False when CONFIG is not allowed (managed Redis);
 * undefined when Redis could not be asked (not connected yet, down).
 */
export async function redisIsDurable(redis: Redis): Promise<boolean | undefined> {
  let settings: string[];
  try {
    settings = (await redis.config('GET', 'append*')) as string[];
  } catch (err) {
    return /unknown command|NOPERM|no permissions/i.test(String(err)) ? false : undefined;
  }
  const value = (name: string) => settings[settings.indexOf(name) + 1];
  return value('appendonly') === 'yes' && value('appendfsync') === 'always';
}

/**
 * The WeCom callbacks' fast accept: with a durable Redis (see {@link redisIsDurable}, checked at start and
 * every minute) a callback's message is fsync'd into a Redis stream before the 200 instead of being
 * inserted into PostgreSQL; {@link startInboxDrain} (worker role) stores and enqueues it from there through
 * the usual ingest. `mode` `postgres` turns it off.
 */
export function createCallbackInbox(opts: {
  /** An auto-pipelined connection: concurrent callbacks share one socket write per event-loop turn. */
  redis: Redis;
  keys: InboxKeys;
  mode: 'auto' | 'postgres';
  log: Logger;
}): { accept: FastAccept; close(): void } {
  const { keys, log } = opts;
  const redis = opts.redis as AcceptingRedis;
  redis.defineCommand('inboxAccept', { lua: ACCEPT_LUA }); // the number of keys comes with each call
  let durable = false;
  let retry: NodeJS.Timeout | undefined;
  const check = async () => {
    if (redis.status !== 'ready') await connected(redis, 2000);
    const answer = await redisIsDurable(redis);
    if (answer === undefined) {
      // Not connected yet or down: the PostgreSQL path meanwhile; ask again soon.
      retry = setTimeout(() => void check(), 1000);
      retry.unref();
      return;
    }
    if (answer !== durable)
      log.info(
        { durable: answer },
        answer
          ? '企业微信回调：Redis 每次写入都落盘（appendfsync always），回调消息先写入 Redis 再应答'
          : '企业微信回调：回调消息先写入数据库再应答',
      );
    durable = answer;
  };
  const ready = opts.mode === 'auto' ? check() : Promise.resolve();
  // Concurrent callbacks share one script call (group commit): one command and one fsync for the batch.
  const acceptOne = groupCommit(
    async (batch: { message: InboundMessage; replay: ReplayKey }[]) => {
      const keyList: string[] = [keys.stream];
      const args: (string | number)[] = [DEDUPE_TTL_SEC];
      for (const { message, replay } of batch) {
        keyList.push(
          keys.noncePrefix + replay.key,
          `${keys.dedupePrefix}${message.channel}:${idKey(message.platformMsgId)}`,
        );
        // A Date becomes its ISO string: the WireMessage form fromWire reads.
        args.push(Math.max(1, Math.ceil(replay.ttlSec)), JSON.stringify(message));
      }
      return redis.inboxAccept(keyList.length, ...keyList, ...args);
    },
    { maxBatch: 100, maxInFlight: 2 },
  );
  const timer = opts.mode === 'auto' ? setInterval(() => void check(), 60_000) : undefined;
  timer?.unref();
  return {
    async accept(message, replay) {
      await ready;
      if (!durable) return undefined;
      try {
        return RESULTS[await acceptOne({ message, replay })];
      } catch (err) {
        log.warn({ err: String(err) }, 'Redis 暂不可用：企业微信回调改为先写入数据库');
        return undefined;
      }
    },
    close() {
      if (timer) clearInterval(timer);
      if (retry) clearTimeout(retry);
    },
  };
}

/**
 * The inbox's backlog for /healthz: always healthy (an api process without workers still accepts), but it
 * says how many callbacks wait for a worker and since when, so a stopped worker shows.
 */
export async function inboxBacklog(redis: Redis, keys: InboxKeys): Promise<{ ok: true; detail: string }> {
  try {
    const [waiting, first] = await Promise.all([
      redis.xlen(keys.stream),
      redis.xrange(keys.stream, '-', '+', 'COUNT', 1),
    ]);
    const oldest = Number(first[0]?.[0].split('-')[0]);
    if (waiting === 0 || !Number.isFinite(oldest)) return { ok: true, detail: '回调收件箱没有积压' };
    const age = Math.max(0, Math.round((Date.now() - oldest) / 1000));
    return { ok: true, detail: `回调收件箱积压 ${waiting} 条待 worker 入库，最早的一条 ${age} 秒前收到` };
  } catch {
    return { ok: true, detail: '回调收件箱暂时读不到（见 redis 一项）' };
  }
}

/** Platform ids are short digits or hex (MsgId, evt-…): used as they are; anything longer is hashed. */
const idKey = (id: string) => (id.length <= 64 && /^[\w-]+$/.test(id) ? id : shortHash(id, 24));

type StreamEntry = [id: string, fields: string[]];

/**
 * Moves accepted callbacks from the inbox stream into the usual ingest (store in PostgreSQL, deduped on the
 * platform id, then enqueue), in batches, as a consumer group: several worker processes share the stream,
 * and an entry is acknowledged (and deleted) only once the ingest has taken it. Entries a crashed consumer
 * held are claimed again after `claimIdleMs`. An entry the ingest cannot take (database and Redis queue both
 * down) stays pending and is retried.
 */
export function startInboxDrain(opts: {
  /** A connection of its own: the drain blocks on it. */
  redis: Redis;
  keys: InboxKeys;
  ingest: Ingest;
  log: Logger;
  batch?: number;
  blockMs?: number;
  claimIdleMs?: number;
}): { close(): Promise<void>; drained(): number } {
  const { redis, keys, log } = opts;
  const batch = opts.batch ?? 200;
  const claimIdleMs = opts.claimIdleMs ?? 30_000;
  const consumer = `c-${randomUUID().slice(0, 8)}`;
  let stopped = false;
  let drained = 0;
  let wake: (() => void) | undefined;

  const take = async (entries: StreamEntry[]) => {
    const messages = entries.map(([, fields]) => readEntry(fields));
    const results = await Promise.allSettled(messages.map((m) => (m ? opts.ingest(m) : Promise.resolve(undefined))));
    const done = entries.filter((_, i) => results[i]?.status === 'fulfilled').map(([id]) => id);
    for (const [i, r] of results.entries()) {
      if (r.status === 'rejected') log.warn({ err: String(r.reason) }, '回调消息暂未能入库，稍后重试');
      else if (!messages[i]) log.error({ entry: entries[i]?.[0] }, '回调收件箱中有无法读取的条目，已跳过');
    }
    if (done.length > 0)
      await redis
        .multi()
        .xack(keys.stream, keys.group, ...done)
        .xdel(keys.stream, ...done)
        .exec();
    drained += done.length;
    return done.length;
  };

  const loop = async () => {
    let pause = 0;
    let lastClaim = 0;
    let grouped = false;
    while (!stopped) {
      try {
        if (pause > 0) await sleep(pause, (w) => (wake = w));
        if (stopped) break;
        if (!grouped) {
          // Once, and again after an error (Redis may have restarted without its data).
          await redis.xgroup('CREATE', keys.stream, keys.group, '0', 'MKSTREAM').catch((err: Error) => {
            if (!String(err.message).includes('BUSYGROUP')) throw err;
          });
          grouped = true;
        }
        if (Date.now() - lastClaim > claimIdleMs) {
          lastClaim = Date.now();
          const claimed = (await redis.xautoclaim(
            keys.stream,
            keys.group,
            consumer,
            claimIdleMs,
            '0-0',
            'COUNT',
            batch,
          )) as [string, StreamEntry[]];
          if (claimed[1].length > 0) await take(claimed[1].filter((e) => Array.isArray(e[1])));
        }
        const read = (await redis.xreadgroup(
          'GROUP',
          keys.group,
          consumer,
          'COUNT',
          batch,
          'BLOCK',
          opts.blockMs ?? 1000,
          'STREAMS',
          keys.stream,
          '>',
        )) as [string, StreamEntry[]][] | null;
        const entries = read?.[0]?.[1] ?? [];
        const taken = entries.length > 0 ? await take(entries) : 0;
        pause = taken < entries.length ? 1000 : 0;
      } catch (err) {
        if (stopped) break;
        grouped = false;
        log.warn({ err: String(err) }, '回调收件箱读取失败，稍后重试');
        pause = Math.min(Math.max(pause * 2, 500), 5000);
      }
    }
  };
  const running = loop();
  return {
    drained: () => drained,
    async close() {
      stopped = true;
      wake?.();
      redis.disconnect();
      await running;
    },
  };
}

function readEntry(fields: string[]): InboundMessage | undefined {
  const i = fields.indexOf('m');
  try {
    return i >= 0 ? fromWire(JSON.parse(fields[i + 1] ?? '') as WireMessage) : undefined;
  } catch {
    return undefined;
  }
}

/** Resolves when `redis` is ready, or after `ms`. */
function connected(redis: Redis, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    redis.once('ready', done);
  });
}

function sleep(ms: number, onWake: (wake: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    onWake(() => {
      clearTimeout(t);
      resolve();
    });
  });
}
