import type { Directory, GroupName } from '../app/notify.ts';
import type { ChannelId } from '../channels/channel.ts';
import type { PrismaClient } from './db.ts';

const CHANNEL_OF_PLATFORM: Record<string, ChannelId> = { sandbox: 'sandbox', wecom: 'wecom', dingtalk: 'dingtalk' };

/**
 * The staff directory on the Staff/Identity tables. Groups are configuration: the sandbox has chats
 * named after the group; WeCom group robots are named `managers`/`warehouse`/`staff`; DingTalk groups
 * are openConversationIds from the environment.
 */
export function createDirectory(
  prisma: PrismaClient,
  groups: Partial<Record<GroupName, { channel: ChannelId; chatId: string }[]>>,
) {
  const directory: Directory & {
    staffByRole(
      roles: string[],
      opts?: { onDutyOnly?: boolean },
    ): Promise<{ id: string; name: string; role: string; teamId: string | null; onDuty: boolean }[]>;
  } = {
    async staffTargets(staffId) {
      const ids = await prisma.identity.findMany({ where: { staffId }, orderBy: { createdAt: 'asc' } });
      return ids.flatMap((i) => {
        const channel = CHANNEL_OF_PLATFORM[i.platform];
        return channel ? [{ channel, userRef: i.externalId }] : [];
      });
    },
    groupTargets(group) {
      return groups[group] ?? [];
    },
    async staffByRole(roles, opts = {}) {
      return prisma.staff.findMany({
        where: { role: { in: roles }, ...(opts.onDutyOnly ? { onDuty: true } : {}) },
        orderBy: { createdAt: 'asc' },
        select: { id: true, name: true, role: true, teamId: true, onDuty: true },
      });
    },
  };
  return directory;
}

export type StaffDirectory = ReturnType<typeof createDirectory>;
