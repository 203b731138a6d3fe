import type { Directory, GroupName } from '../app/notify.ts';
import type { ChannelId } from '../channels/channel.ts';
import type { PrismaClient } from './db.ts';

const CHANNEL_OF_PLATFORM: Record<string, ChannelId> = { sandbox: 'sandbox', wecom: 'wecom', dingtalk: 'dingtalk' };

/** Platform identities of a staff member (oldest first) → where pushes reach them. */
export function identityTargets(ids: readonly { platform: string; externalId: string }[]) {
  return ids.flatMap((i) => {
    const channel = CHANNEL_OF_PLATFORM[i.platform];
    return channel ? [{ channel, userRef: i.externalId }] : [];
  });
}

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
    /** 上班 / 下班: whether new tickets are given to this colleague (and the first escalation step reaches them). */
    setOnDuty(staffId: string, onDuty: boolean): Promise<void>;
  } = {
    // Raw SQL, not the ORM: escalations and pushes to staff read these. (A new ticket gets its assignee and
    // push targets from its own insert; see tickets.repo open.)
    async staffTargets(staffId) {
      const ids = await prisma.$queryRaw<{ platform: string; externalId: string }[]>`
        SELECT platform, "externalId" FROM "Identity" WHERE "staffId" = ${staffId} ORDER BY "createdAt", id`;
      return identityTargets(ids);
    },
    groupTargets(group) {
      return groups[group] ?? [];
    },
    async staffByRole(roles, opts = {}) {
      return prisma.$queryRaw<{ id: string; name: string; role: string; teamId: string | null; onDuty: boolean }[]>`
        SELECT id, name, role, "teamId", "onDuty" FROM "Staff"
        WHERE role = ANY(${roles}::text[]) AND (${opts.onDutyOnly === true} = false OR "onDuty")
        ORDER BY "createdAt", id`;
    },
    async setOnDuty(staffId, onDuty) {
      await prisma.$executeRaw`UPDATE "Staff" SET "onDuty" = ${onDuty} WHERE id = ${staffId}`;
    },
  };
  return directory;
}

export type StaffDirectory = ReturnType<typeof createDirectory>;
