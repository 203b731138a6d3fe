/**
 * Prisma stores DateTime as `timestamp(3)` holding UTC wall time. Raw SQL must write and read it the same
 * way whatever the server's or the process's time zone: write ISO strings (a zone in a literal cast to
 * `timestamp` is ignored, so the UTC digits land as they are) and read `col AT TIME ZONE 'UTC'`.
 */

/** A Date as the text parameter for a `timestamp(3)` column; null passes through. */
export function ts(d: Date | undefined | null): string | null {
  return d ? d.toISOString() : null;
}

/** `"col" AT TIME ZONE 'UTC' AS "col"` for SELECT lists; `alias` prefixes the column (e.g. `o`). */
export function utcColumn(column: string, alias?: string): string {
  const ref = alias ? `${alias}."${column}"` : `"${column}"`;
  return `(${ref} AT TIME ZONE 'UTC') AS "${column}"`;
}

/** A timestamp read back: Date from a timestamptz column, or the zone-less text JSON renders, read as UTC. */
export function toDate(v: unknown): Date | undefined {
  if (v === null || v === undefined) return undefined;
  if (v instanceof Date) return v;
  if (typeof v === 'string') return new Date(/(?:Z|[+-]\d{2}:?\d{2})$/.test(v) ? v : `${v}Z`);
  if (typeof v === 'number') return new Date(v);
  return undefined;
}

/** Postgres `json` columns come back parsed from pg and PGlite alike, but be lenient with text. */
export function toJson<T>(v: unknown, fallback: T): T {
  if (v === null || v === undefined) return fallback;
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

/** SQL NULL → undefined for optional fields. */
export function opt<T>(v: T | null): T | undefined {
  return v === null ? undefined : v;
}
