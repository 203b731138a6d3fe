import type { ChannelId, SenderRole } from '../channels/channel.ts';
import { isUniqueViolation } from '../lib/db-errors.ts';
import type { PrismaClient } from './db.ts';

/** Who sent a message, as the core sees it. */
export interface Sender {
  kind: 'customer' | 'staff';
  /** Customer.id or Staff.id */
  id: string;
  role: SenderRole;
  /** For staff: agent | supervisor | manager | warehouse | admin */
  staffRole?: string;
  tier?: string;
  name?: string;
  /** 微信客服: a 接待人员 rejected this customer's messages (拒收); the bot leaves them be until that stops. */
  rejected?: boolean;
}

/** The identity platform of a channel (WeCom app and AI bot share userids). */
export const PLATFORM: Record<ChannelId, string> = {
  sandbox: 'sandbox',
  wecom: 'wecom',
  wecom_bot: 'wecom',
  wecom_kf: 'wecom_kf',
  dingtalk: 'dingtalk',
};

/**
 * Maps a platform identity to a customer or a staff member, creating it on first contact. Staff roles
 * come from the Staff table (a manager is a staff member with role manager), so a platform never
 * decides who is a manager; the sandbox, which has no directory, takes the role from the message.
 */
export function createIdentityStore(prisma: PrismaClient) {
  return {
    async resolve(channel: ChannelId, userRef: string, claimed: SenderRole, displayName?: string): Promise<Sender> {
      try {
        return await resolveOnce(channel, userRef, claimed, displayName);
      } catch (err) {
        // Two messages of a new user processed at once: the loser of the unique race reads the winner's row.
        if (isUniqueViolation(err)) return resolveOnce(channel, userRef, claimed, displayName);
        throw err;
      }
    },
    /**
     * A 接待人员 (WeCom userid `by`) rejected the messages of customer `userRef` on `channel`, or stopped: recorded
     * on their identity. Returns the customer's id and whether this changed anything (an event read twice does
     * not); undefined when no such customer is known yet.
     */
    async setRejected(
      channel: ChannelId,
      userRef: string,
      change: { rejected: boolean; by: string; at: Date },
    ): Promise<{ customerId: string; changed: boolean } | undefined> {
      const platform = PLATFORM[channel];
      const found = await prisma.identity.findUnique({
        where: { platform_externalId: { platform, externalId: userRef } },
      });
      if (!found?.customerId) return undefined;
      const changed = (found.rejectedAt !== null) !== change.rejected;
      if (changed) {
        await prisma.identity.update({
          where: { id: found.id },
          data: change.rejected
            ? { rejectedAt: change.at, rejectedBy: change.by }
            : { rejectedAt: null, rejectedBy: null },
        });
      }
      return { customerId: found.customerId, changed };
    },
  };

  async function resolveOnce(
    channel: ChannelId,
    userRef: string,
    claimed: SenderRole,
    displayName?: string,
  ): Promise<Sender> {
    // A kf 接待人员 is a corp member (WeCom userid), the same person as on the app, not a kf external user.
    const platform = claimed !== 'customer' && channel === 'wecom_kf' ? PLATFORM.wecom : PLATFORM[channel];
    const found = await prisma.identity.findUnique({
      where: { platform_externalId: { platform, externalId: userRef } },
      include: { customer: true, staff: true },
    });
    if (found?.staff) return staffSender(found.staff);
    if (found?.customer)
      return {
        kind: 'customer',
        id: found.customer.id,
        role: 'customer',
        tier: found.customer.tier,
        ...(found.customer.name ? { name: found.customer.name } : {}),
        ...(found.rejectedAt ? { rejected: true } : {}),
      };
    const isStaff = claimed !== 'customer';
    if (isStaff) {
      const staff = await prisma.staff.create({
        data: {
          name: displayName ?? userRef,
          role: channel === 'sandbox' && claimed === 'manager' ? 'manager' : 'agent',
          identities: { create: { platform, externalId: userRef, kind: 'staff', displayName: displayName ?? null } },
        },
      });
      return staffSender(staff);
    }
    const customer = await prisma.customer.create({
      data: {
        name: displayName ?? null,
        identities: { create: { platform, externalId: userRef, kind: 'customer', displayName: displayName ?? null } },
      },
    });
    return { kind: 'customer', id: customer.id, role: 'customer', tier: customer.tier };
  }
}

function staffSender(s: { id: string; role: string; name: string }): Sender {
  return {
    kind: 'staff',
    id: s.id,
    role: s.role === 'manager' || s.role === 'supervisor' ? 'manager' : 'staff',
    staffRole: s.role,
    name: s.name,
  };
}

export type IdentityStore = ReturnType<typeof createIdentityStore>;
