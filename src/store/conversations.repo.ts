import type { Prisma } from '../generated/prisma/client.ts';
import type { PrismaClient } from './db.ts';

/** Per-user conversation memory (the NLU's context object), stored as JSON, keyed "<channel>:<user>". */
export function createConversationStore(prisma: PrismaClient) {
  return {
    async load<T>(key: string): Promise<T | undefined> {
      const row = await prisma.conversationState.findUnique({ where: { key } });
      return (row?.pending ?? undefined) as T | undefined;
    },
    async save(key: string, memory: unknown): Promise<void> {
      const value = memory as Prisma.InputJsonValue;
      await prisma.conversationState.upsert({
        where: { key },
        create: { key, pending: value },
        update: { pending: value },
      });
    },
  };
}

export type ConversationStore = ReturnType<typeof createConversationStore>;
