import pino, { type Logger } from 'pino';

export type { Logger };

const PHONE = /(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)/g;

/** Masks mainland mobile numbers inside free text: 13812341234 → 138****1234. */
export function scrubText(text: string): string {
  return text.replace(PHONE, '$1****$2');
}

function scrubDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, depth + 1));
  if (value instanceof Error) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubDeep(v, depth + 1);
  return out;
}

/**
 * The service logger. Secrets are removed by key (env keys, tokens, authorization headers), personal
 * data by key (phone, address) and by pattern (mobile numbers anywhere in a logged string).
 */
export function createLogger(opts: {
  level: string;
  secretKeys: readonly string[];
  destination?: NodeJS.WritableStream;
}): Logger {
  const keys = [...opts.secretKeys, 'secret', 'token', 'password', 'access_token', 'accessToken', 'phone', 'address'];
  const paths = keys.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);
  paths.push('req.headers.authorization', 'req.headers.cookie', 'headers.authorization');
  const options: pino.LoggerOptions = {
    level: opts.level,
    redact: { paths, censor: '[已隐藏]' },
    formatters: {
      log: (obj) => scrubDeep(obj) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        const scrubbed = args.map((a) => (typeof a === 'string' ? scrubText(a) : a)) as Parameters<typeof method>;
        return method.apply(this, scrubbed);
      },
    },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
