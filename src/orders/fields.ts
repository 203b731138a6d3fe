import { z } from 'zod';
import { findCarrier } from '../domain/orders/carriers.ts';
import { LOGISTICS_KINDS, ORDER_SOURCES, ORDER_STATUSES, SIGNOFF_KINDS } from '../domain/orders/types.ts';

/**
 * Field parsers shared by the order and logistics row schemas. Every message is Chinese and names the
 * fix, because it ends up in the import report next to a line number.
 */

/** CSV cells arrive as strings: trim, and treat "" as missing. */
export const blank = (v: unknown) => {
  if (typeof v !== 'string') return v ?? undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
};

const NAIVE = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?$/;
const CHINA_OFFSET_MS = 8 * 3_600_000;
const MS_SCALE = [1, 100, 10, 1];

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** A China wall-clock time from its parts; undefined when a part is out of range (2026-02-30, 25:00). */
function chinaTime(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): Date | undefined {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  if (d > (mo === 2 && leap(y) ? 29 : (DAYS_IN_MONTH[mo - 1] as number))) return undefined;
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms) - CHINA_OFFSET_MS);
}

/** Two or four ASCII digits at `i` as a number, or -1. */
function digits(v: string, i: number, n: 2 | 4): number {
  let out = 0;
  for (let k = i; k < i + n; k++) {
    const c = v.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    out = out * 10 + c;
  }
  return out;
}

/** "2026-11-20 10:02:33", the shape ERP exports use, read without a regex; null when `v` has another shape. */
function exportTime(v: string): Date | undefined | null {
  if (v.length !== 19 || v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45 || v.charCodeAt(13) !== 58) return null;
  if (v.charCodeAt(16) !== 58 || (v.charCodeAt(10) !== 32 && v.charCodeAt(10) !== 84)) return null;
  const y = digits(v, 0, 4);
  const mo = digits(v, 5, 2);
  const d = digits(v, 8, 2);
  const h = digits(v, 11, 2);
  const mi = digits(v, 14, 2);
  const s = digits(v, 17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0) return null;
  return chinaTime(y, mo, d, h, mi, s, 0);
}

/**
 * Instants: ISO with zone, naive "2026-11-20 10:02:33" (read as China time, as Chinese ERPs export),
 * or epoch seconds / milliseconds. Naive times are built from their parts (no string re-parse): this
 * runs for every time cell of an import.
 */
export function parseInstant(v: unknown): Date | undefined {
  if (typeof v === 'number') return new Date(v < 1e11 ? v * 1000 : v);
  if (typeof v !== 'string') return undefined;
  const fast = exportTime(v);
  if (fast !== null) return fast;
  if (/^\d{10}$|^\d{13}$/.test(v)) return parseInstant(Number(v));
  const m = NAIVE.exec(v);
  if (m) {
    const frac = m[7] ?? '';
    const ms = frac ? Number(frac) * (MS_SCALE[frac.length] ?? 1) : 0;
    return chinaTime(
      Number(m[1]),
      Number(m[2]),
      Number(m[3]),
      Number(m[4] ?? 0),
      Number(m[5] ?? 0),
      Number(m[6] ?? 0),
      ms,
    );
  }
  if (!/^\d{4}-\d{2}-\d{2}T.*(?:Z|[+-]\d{2}:?\d{2})$/.test(v)) return undefined;
  const date = new Date(v);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Accepted instants: 2000-01-01 … 2100-12-31 (China time). */
const EARLIEST = Date.UTC(2000, 0, 1) - CHINA_OFFSET_MS;
const LATEST = Date.UTC(2101, 0, 1) - CHINA_OFFSET_MS;

const YUAN = /^[¥￥]?\s*(\d{1,9})(?:\.(\d{1,2}))?$/;
const MOBILE = /^1[3-9]\d{9}$/;

/** "199", "199.9", "¥1,299.00" → cents, without floating-point rounding. */
export function parseYuan(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.round(v * 100) : undefined;
  if (typeof v !== 'string') return undefined;
  const m = YUAN.exec(v.includes(',') ? v.replace(/,/g, '') : v);
  if (!m) return undefined;
  return Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0'));
}

/** Mobile "138 1234 1234" / "+86-138…" → "13812341234"; landline "0571-8888 6666" → "057188886666". */
export function normalizePhone(v: string): string | undefined {
  if (MOBILE.test(v)) return v;
  let digits = v.replace(/[\s-]/g, '').replace(/^\+?86(?=1\d{10}$)/, '');
  if (MOBILE.test(digits)) return digits;
  digits = digits.replace(/[()（）]/g, '');
  return /^0\d{9,11}$/.test(digits) ? digits : undefined;
}

/** Why a cell cannot be stored; the message names the fix. */
export class Invalid {
  constructor(readonly message: string) {}
}

/** Reads one non-blank cell (a trimmed string from CSV, or any JSON value from JSONL / the API). */
export type Reader<T> = (v: NonNullable<unknown>) => T | Invalid;

/** One cell: the value, or `z.NEVER` after recording why not. */
function readCell<T>(v: unknown, read: Reader<T>, missing: string | undefined, ctx: z.core.$RefinementCtx) {
  const b = blank(v);
  if (b === undefined) {
    if (missing === undefined) return undefined;
    ctx.addIssue({ code: 'custom', message: missing });
    return z.NEVER;
  }
  const out = read(b);
  if (!(out instanceof Invalid)) return out;
  ctx.addIssue({ code: 'custom', message: out.message });
  return z.NEVER;
}

/*
 * A field is one zod step: blank → missing, else its reader. Not a chain of preprocess → pipe → optional →
 * checks: an order row has ~25 fields, and each chained step allocated its own result and issue list — the
 * chain took ~12 µs of a row's ~50 µs of import CPU.
 */

/** Optional field: blank → undefined, anything else must satisfy `read`. */
export const opt = <T>(read: Reader<T>) =>
  z.transform((v: unknown, ctx): T | undefined => readCell(v, read, undefined, ctx));

/** Required field: blank → the `missing` issue. */
export const req = <T>(read: Reader<T>, missing: string) =>
  z.transform((v: unknown, ctx): T => readCell(v, read, missing, ctx) as T);

/** Text as given; numbers (JSONL) are taken as their digits. */
function asText(v: NonNullable<unknown>, label: string): string | Invalid {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return new Invalid(`${label}必须是文本`);
}

export const instant =
  (label: string): Reader<Date> =>
  (v) => {
    const d = parseInstant(v);
    if (d && d.getTime() >= EARLIEST && d.getTime() < LATEST) return d;
    return new Invalid(`${label}不是有效时间（例：2026-11-20 10:02:33）`);
  };

export const yuan =
  (label: string): Reader<number> =>
  (v) => {
    const cents = parseYuan(v);
    if (cents !== undefined && cents <= 2_000_000_000) return cents;
    return new Invalid(`${label}不是有效金额（单位元，最多两位小数，例：199.00）`);
  };

/** A whole number in [min, max], from a number or its digits. */
export const int =
  (label: string, min: number, max: number): Reader<number> =>
  (v) => {
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d{1,12}$/.test(v) ? Number(v) : Number.NaN;
    if (Number.isInteger(n) && n >= min && n <= max) return n;
    return new Invalid(`${label}必须是 ${min} 到 ${max} 之间的整数`);
  };

export const phone: Reader<string> = (v) => {
  const t = asText(v, '手机号');
  if (t instanceof Invalid) return t;
  return normalizePhone(t) ?? new Invalid('手机号格式不正确（应为 11 位手机号，或带区号的座机）');
};

const SOURCE_ALIASES: Record<string, string> = {
  天猫: 'tmall',
  淘宝: 'taobao',
  京东: 'jd',
  拼多多: 'pdd',
  抖音: 'douyin',
  抖店: 'douyin',
  自营: 'own',
  官网: 'own',
};
const STATUS_ALIASES: Record<string, string> = {
  待付款: 'pending_payment',
  已付款: 'paid',
  待审核: 'paid',
  已审核: 'approved',
  待发货: 'approved',
  已拣货: 'picked',
  已发货: 'shipped',
  已签收: 'signed',
  已取消: 'cancelled',
  已关闭: 'closed',
  已退款: 'refunded',
};
const KIND_ALIASES: Record<string, string> = {
  揽收: 'pickup',
  已揽收: 'pickup',
  运输中: 'transit',
  派送中: 'delivering',
  签收: 'signed',
  已签收: 'signed',
  异常: 'exception',
};
const SIGNOFF_ALIASES: Record<string, string> = {
  电子签收: 'electronic',
  柜机签收: 'locker',
  快递柜: 'locker',
  驿站: 'locker',
  照片签收: 'photo',
  拍照签收: 'photo',
  验证码签收: 'otp',
  OTP签收: 'otp',
};

/** An enum that also accepts the Chinese names ERP exports use. */
function oneOf(values: readonly string[], aliases: Record<string, string>, label: string): Reader<string> {
  return (v) => {
    const t = asText(v, label);
    if (t instanceof Invalid) return t;
    const id = aliases[t] ?? t.toLowerCase();
    if (values.includes(id)) return id;
    return new Invalid(`${label}「${t}」无效，可选：${values.join(' / ')}`);
  };
}

export const source = oneOf(ORDER_SOURCES, SOURCE_ALIASES, '来源渠道');
export const status = oneOf(ORDER_STATUSES, STATUS_ALIASES, '订单状态');
export const logisticsKind = oneOf(LOGISTICS_KINDS, KIND_ALIASES, '物流节点类型');
export const signoffKind = oneOf(SIGNOFF_KINDS, SIGNOFF_ALIASES, '签收方式');

/** Known carriers become their id ("顺丰" → "sf"); unknown names are kept as given. */
export const carrier: Reader<string> = (v) => {
  const t = asText(v, '快递公司');
  if (t instanceof Invalid) return t;
  if (t.length > 40) return new Invalid('快递公司名称过长');
  return findCarrier(t)?.id ?? t;
};

const CODE = /^[A-Za-z0-9_-]+$/;

/** Order and tracking numbers: letters, digits, - and _. */
export const code =
  (label: string, max = 40): Reader<string> =>
  (v) => {
    const t = asText(v, label);
    if (t instanceof Invalid) return t;
    if (t.length > max) return new Invalid(`${label}过长（最多 ${max} 个字符）`);
    return CODE.test(t) ? t : new Invalid(`${label}只能包含字母、数字、- 和 _`);
  };

export const text =
  (label: string, max: number): Reader<string> =>
  (v) => {
    const t = asText(v, label);
    if (t instanceof Invalid) return t;
    return t.length > max ? new Invalid(`${label}过长（最多 ${max} 个字符）`) : t;
  };

/** JSON carried inside one CSV cell (items, status_history), or already an array in JSONL. */
export const jsonCell =
  (label: string): Reader<unknown> =>
  (v) => {
    if (typeof v !== 'string') return v;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return new Invalid(`${label}不是合法的 JSON 数组`);
    }
  };
