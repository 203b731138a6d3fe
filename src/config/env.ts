import { createHash } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { CodedError, ErrorCode } from '../domain/errors.ts';

/**
 * Every setting the service reads, in one table. `loadEnv()` parses `process.env` once at start-up
 * and reports every bad key together, in Chinese, with the fix. No other module reads process.env.
 * Platform channels are optional as a group: set all keys of a group or none (the sandbox always runs).
 */

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();
const optionalUrl = (hint: string) =>
  optionalString.refine((v) => v === undefined || URL.canParse(v), { message: hint });
const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);
const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(3000, 0, 65535),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().default('data'),
  DATABASE_URL: optionalString.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
    message:
      'DATABASE_URL 必须以 postgresql:// 开头，例如 postgresql://user:pass@host:5432/aftersales；不设置则使用内置 PGlite（数据在 ./data/pglite）',
  }),
  REDIS_URL: optionalString.refine((v) => v === undefined || /^rediss?:\/\//.test(v), {
    message:
      'REDIS_URL 必须以 redis:// 开头，例如 redis://127.0.0.1:6379；不设置则自动探测本机 6379 或启动内置 redis-server',
  }),
  QUEUE_PREFIX: optionalString.refine((v) => v === undefined || /^[A-Za-z0-9_-]+$/.test(v), {
    message: 'QUEUE_PREFIX 只能包含字母、数字、- 和 _',
  }),
  BODY_LIMIT_BYTES: int(256 * 1024, 1024, 10 * 1024 * 1024),
  SANDBOX_ENABLED: bool(true),
  SANDBOX_REPLY_TIMEOUT_MS: int(8000, 100, 60_000),
  DEMO_DATA: z.enum(['auto', 'off']).default('auto'),
  /** Escalation ladder JSON (levels, roles, delays); default prisma/seed/tickets/escalation-ladder.json. */
  ESCALATION_LADDER_FILE: optionalString,
  /** Return policy JSON (address, window, who pays shipping); default prisma/seed/shop/return-policy.json. */
  RETURN_POLICY_FILE: optionalString,
  /** Quick replies staff send by name (回复 #12 /退货地址); default prisma/seed/shop/quick-replies.json. */
  QUICK_REPLIES_FILE: optionalString,
  WORKER_CONCURRENCY: int(8, 1, 256),
  SHUTDOWN_TIMEOUT_MS: int(10_000, 100, 120_000),
  NLU_MODEL_PATH: optionalString,
  RADAR_INTERVAL_MS: int(5 * 60_000, 1000, 24 * 3600_000),
  /** Resolved tickets the customer has not come back to within this many days are closed (0 = never). */
  RESOLVED_AUTO_CLOSE_DAYS: int(7, 0, 365),
  /** When the daily health report goes to the managers' group (China time, "HH:MM"), or "off". */
  HEALTH_REPORT_AT: z
    .string()
    .trim()
    .regex(/^(off|([01]\d|2[0-3]):[0-5]\d)$/, '格式应为 "09:00"（中国时间，每天推送健康日报的时刻）或 "off"')
    .default('09:00'),

  /**
   * Where this service is reachable from the internet (the host of the WeCom callback URLs), e.g.
   * https://aftersales.example.com. The report charts in 智能机器人 replies are linked from here; unset, those
   * replies go without them.
   */
  PUBLIC_BASE_URL: optionalUrl(
    'PUBLIC_BASE_URL 必须是本服务的公网地址，例如 https://aftersales.example.com（企业微信回调地址所在的域名）',
  ),

  // WeCom (企业微信) self-built app + 微信客服 + group robots
  WECOM_CORP_ID: optionalString,
  WECOM_AGENT_ID: optionalString,
  WECOM_SECRET: optionalString,
  WECOM_TOKEN: optionalString,
  WECOM_ENCODING_AES_KEY: optionalString.refine((v) => v === undefined || /^[A-Za-z0-9]{43}$/.test(v), {
    message: 'WECOM_ENCODING_AES_KEY 必须是 43 位字母数字：在企业微信管理后台 → 应用 → 接收消息 → 设置 API 接收 中获取',
  }),
  WECOM_API_BASE: z.string().url().default('https://qyapi.weixin.qq.com'),
  /**
   * Where a WeCom callback's message is made durable before the 200: `auto` — in Redis when Redis fsyncs
   * every write (AOF with appendfsync always), else in PostgreSQL; `postgres` — always PostgreSQL.
   */
  WECOM_ACCEPT_STORE: z.enum(['auto', 'postgres']).default('auto'),
  WECOM_KF_SECRET: optionalString,
  WECOM_KF_OPEN_KFID: optionalString,
  /**
   * Hand a 微信客服 session to the human queue also outside the service calendar's hours. Off by default:
   * at night nobody picks it up, and while it waits in the queue the bot may not answer the customer.
   */
  WECOM_KF_HANDOFF_AFTER_HOURS: bool(false),
  /**
   * China-time hours ("8-22": from 8:00 to 22:00) in which a 微信客服 customer with a ticket under way may be
   * reminded to write once before their 48 h window closes; "off" sends no reminders.
   */
  WECOM_KF_KEEPALIVE_HOURS: z
    .string()
    .regex(/^(off|([01]?\d|2[0-4])-([01]?\d|2[0-4]))$/, '格式应为 "8-22"（中国时间的起止小时）或 "off"')
    .default('8-22'),
  /** How often the keep-alive sweep looks for windows about to close. */
  WECOM_KF_KEEPALIVE_SWEEP_MS: int(10 * 60_000, 500, 3600_000),
  WECOM_BOT_TOKEN: optionalString,
  WECOM_BOT_NAME: optionalString,
  WECOM_BOT_ENCODING_AES_KEY: optionalString,
  WECOM_MANAGER_WEBHOOK: optionalUrl(
    'WECOM_MANAGER_WEBHOOK 必须是群机器人 webhook 地址（https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...）',
  ),
  WECOM_WAREHOUSE_WEBHOOK: optionalUrl('WECOM_WAREHOUSE_WEBHOOK 必须是群机器人 webhook 地址'),
  WECOM_STAFF_WEBHOOK: optionalUrl('WECOM_STAFF_WEBHOOK 必须是群机器人 webhook 地址'),

  // DingTalk (钉钉) Stream Mode robot
  DINGTALK_CLIENT_ID: optionalString,
  DINGTALK_CLIENT_SECRET: optionalString,
  DINGTALK_ROBOT_CODE: optionalString,
  DINGTALK_API_BASE: z.string().url().default('https://api.dingtalk.com'),
  DINGTALK_OAPI_BASE: z.string().url().default('https://oapi.dingtalk.com'),
  DINGTALK_GATEWAY_URL: z.string().url().default('https://api.dingtalk.com/v1.0/gateway/connections/open'),
  DINGTALK_MANAGER_GROUP: optionalString,
  DINGTALK_WAREHOUSE_GROUP: optionalString,

  // Admin HTTP API (Authorization: Bearer <ADMIN_TOKEN>); unset disables it
  ADMIN_TOKEN: optionalString.refine((v) => v === undefined || v.length >= 16, {
    message: 'ADMIN_TOKEN 至少 16 个字符（建议用 openssl rand -hex 24 生成）',
  }),

  // ERP order API (HMAC-signed)
  ORDER_API_SECRET: optionalString,
});

export type Env = Omit<z.infer<typeof EnvSchema>, 'QUEUE_PREFIX'> & { QUEUE_PREFIX: string };

/**
 * Default queue prefix: `aftersales` with PostgreSQL (all processes of one deployment share it); for the
 * embedded database, one per data directory, so two installs on one machine sharing the local Redis never
 * take each other's jobs (a job is only meaningful to the database that stored its delivery).
 */
function defaultQueuePrefix(env: z.infer<typeof EnvSchema>): string {
  if (env.DATABASE_URL) return 'aftersales';
  const dir = path.resolve(env.DATA_DIR);
  return `aftersales-${createHash('sha256').update(dir).digest('hex').slice(0, 8)}`;
}

/** Keys whose values must never reach a log line; feeds the logger's redaction. */
export const SECRET_KEYS = [
  'WECOM_SECRET',
  'WECOM_TOKEN',
  'WECOM_ENCODING_AES_KEY',
  'WECOM_KF_SECRET',
  'WECOM_BOT_TOKEN',
  'WECOM_MANAGER_WEBHOOK',
  'WECOM_WAREHOUSE_WEBHOOK',
  'WECOM_STAFF_WEBHOOK',
  'WECOM_BOT_ENCODING_AES_KEY',
  'DINGTALK_CLIENT_SECRET',
  'ORDER_API_SECRET',
  'ADMIN_TOKEN',
  'DATABASE_URL',
  'REDIS_URL',
] as const satisfies readonly (keyof Env)[];

/** Keys that must be set together for a channel to be enabled, with where to find each. */
const GROUPS: Record<string, Partial<Record<keyof Env, string>>> = {
  企业微信自建应用: {
    WECOM_CORP_ID: '在企业微信管理后台 → 我的企业 → 企业信息 → 企业ID 中获取',
    WECOM_AGENT_ID: '在管理后台 → 应用管理 → 自建应用 → AgentId 中获取',
    WECOM_SECRET: '在管理后台 → 应用管理 → 自建应用 → Secret 中查看',
    WECOM_TOKEN: '在管理后台 → 应用 → 接收消息 → 设置 API 接收 中获取',
    WECOM_ENCODING_AES_KEY: '在管理后台 → 应用 → 接收消息 → 设置 API 接收 中获取',
  },
  钉钉机器人: {
    DINGTALK_CLIENT_ID: '在钉钉开放平台 → 应用开发 → 凭证与基础信息 → Client ID (AppKey) 中获取',
    DINGTALK_CLIENT_SECRET: '在钉钉开放平台 → 凭证与基础信息 → Client Secret (AppSecret) 中获取',
    DINGTALK_ROBOT_CODE: '在钉钉开放平台 → 机器人 → 机器人配置 → RobotCode 中获取（通常与 Client ID 相同）',
  },
};

function groupProblems(env: z.infer<typeof EnvSchema>): string[] {
  const problems: string[] = [];
  for (const [group, keys] of Object.entries(GROUPS)) {
    const entries = Object.entries(keys) as [keyof Env, string][];
    const set = entries.filter(([k]) => env[k as keyof typeof env] !== undefined);
    if (set.length === 0 || set.length === entries.length) continue;
    for (const [key, hint] of entries) {
      if (env[key] === undefined)
        problems.push(`缺少 ${key}：已配置部分${group}参数，${hint}（或删除该组全部参数以关闭此渠道）`);
    }
  }
  return problems;
}

/**
 * Parse and validate the environment. Throws one {@link CodedError} (ConfigInvalid) listing every
 * problem, one per line, each with its fix.
 */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const result = EnvSchema.safeParse(source);
  const problems: string[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = issue.path.join('.');
      problems.push(issue.message.includes(key) ? issue.message : `${key} 无效：${issue.message}`);
    }
  } else {
    problems.push(...groupProblems(result.data));
  }
  if (problems.length > 0 || !result.success) {
    throw new CodedError(ErrorCode.ConfigInvalid, `配置有 ${problems.length} 处问题：\n- ${problems.join('\n- ')}`, {
      problems,
    });
  }
  return { ...result.data, QUEUE_PREFIX: result.data.QUEUE_PREFIX ?? defaultQueuePrefix(result.data) };
}

export const wecomEnabled = (env: Env) => env.WECOM_CORP_ID !== undefined;
export const dingtalkEnabled = (env: Env) => env.DINGTALK_CLIENT_ID !== undefined;
