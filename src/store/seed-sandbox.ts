import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { isUniqueViolation } from '../lib/db-errors.ts';
import type { PrismaClient } from './db.ts';

const Roster = z.object({
  team: z.object({ id: z.string(), name: z.string(), calendarId: z.string() }),
  staff: z.array(
    z.object({
      userRef: z.string(),
      name: z.string(),
      role: z.enum(['agent', 'supervisor', 'manager', 'warehouse', 'admin']),
    }),
  ),
});

/**
 * The sandbox's pretend company: one team with agents, a supervisor, a manager and a warehouse
 * colleague, reachable as sandbox users (agent1, sup1, mgr1, …) so escalations have someone to climb to.
 * Idempotent: runs on every start.
 */
export async function seedSandboxStaff(prisma: PrismaClient): Promise<void> {
  const roster = Roster.parse(
    JSON.parse(await readFile(new URL('../channels/sandbox/staff.json', import.meta.url), 'utf8')),
  );
  // createMany + skipDuplicates is atomic where upsert is not (several processes seed at once).
  await prisma.team.createMany({ data: [roster.team], skipDuplicates: true });
  for (const s of roster.staff) {
    const existing = await prisma.identity.findUnique({
      where: { platform_externalId: { platform: 'sandbox', externalId: s.userRef } },
    });
    if (existing) continue;
    await prisma.staff
      .create({
        data: {
          name: s.name,
          role: s.role,
          teamId: roster.team.id,
          identities: { create: { platform: 'sandbox', externalId: s.userRef, kind: 'staff', displayName: s.name } },
        },
      })
      .catch((err: { code?: string }) => {
        if (!isUniqueViolation(err)) throw err; // another process seeded it first
      });
  }
}
