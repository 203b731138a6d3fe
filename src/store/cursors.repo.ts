import type { PrismaClient } from './db.ts';

/** Persistent cursors (WeCom kf/sync_msg), so a restart neither loses nor repeats messages. */
export function createCursorStore(prisma: PrismaClient) {
  return {
    async get(id: string): Promise<string | undefined> {
      return (await prisma.syncCursor.findUnique({ where: { id } }))?.cursor;
    },
    async set(id: string, cursor: string): Promise<void> {
      await prisma.syncCursor.upsert({ where: { id }, create: { id, cursor }, update: { cursor } });
    },
  };
}
