/**
 * A unique-constraint violation however it arrives: Prisma's P2002, SQLSTATE 23505 on a raw query's error (pg and
 * PGlite), or 23505 in the cause of the driver adapter's error (Prisma over the embedded PGlite).
 */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  return e?.code === 'P2002' || e?.code === '23505' || e?.cause?.code === '23505';
}
