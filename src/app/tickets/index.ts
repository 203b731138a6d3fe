import type { ChannelId } from '../../channels/channel.ts';
import { STATUS_ZH, type TicketStatus, ticketNameZh } from '../../domain/tickets/lifecycle.ts';
import { zh } from '../../i18n/zh.ts';
import type { TicketHandling } from '../handle-message.ts';
import type { TimerSpec } from '../ports.ts';
import { closeResolved } from './auto-close.ts';
import { onStaffMessage } from './commands.ts';
import type { TicketDeps } from './context.ts';
import { customerTicketStatus } from './customer-status.ts';
import { escalate, onEscalationTimer } from './escalate.ts';
import { keepKfCustomersReachable } from './keepalive.ts';
import { onCustomerMedia } from './media.ts';
import { deliveryProblemOf, onCustomerMessage, onFollowUp } from './open.ts';
import { onGuessCorrected, onOrderShown } from './order-link.ts';
import { onPlatformStaffReply } from './platform-reply.ts';
import { onRating } from './rating.ts';
import { onReturnParcel } from './return-parcel.ts';
import { onSlaTimer, restoreMissingTimers, updateAndReschedule } from './timers.ts';

export type { KfWindows, TicketDeps } from './context.ts';

/** The ticket use cases behind the message handler, the timer worker and the sweep. */
export function createTicketService(deps: TicketDeps): TicketHandling & {
  onTimer(t: TimerSpec): Promise<string>;
  sweep(): Promise<number>;
  keepKfCustomersReachable(): Promise<number>;
  closeResolved(days: number): Promise<number>;
} {
  return {
    onCustomerMessage: async (input, opts) =>
      (await onGuessCorrected(deps, input)) ?? onCustomerMessage(deps, input, opts),
    onFollowUp: (input, opts) => onFollowUp(deps, input, opts),
    onOrderShown: (input, orderNo) => onOrderShown(deps, input, orderNo),
    onCustomerMedia: (input) => onCustomerMedia(deps, input),
    onReturnParcel: (input) => onReturnParcel(deps, input),
    deliveryProblemOf: (input, options) => deliveryProblemOf(deps, input, options),
    onRating: (input, rating) => onRating(deps, input, rating),
    onPlatformStaffReply: (input) => onPlatformStaffReply(deps, input),
    customerTicketStatus: (input) => customerTicketStatus(deps, input),
    openTickets: async (sender) =>
      (await deps.repo.openOfCustomer(sender.id, 3)).map((t) => ({
        id: t.id,
        problem: t.problem,
        problemZh: ticketNameZh(t),
        statusZh: STATUS_ZH[t.status as TicketStatus],
      })),
    onStaffMessage: (input) => onStaffMessage(deps, input),
    async onTimer(spec) {
      if (spec.kind.startsWith('escalation-')) return onEscalationTimer(deps, spec);
      return onSlaTimer(deps, spec, async (t, timer) => {
        if (timer === 'next_update') {
          // The customer is owed a progress update: send one on the bot's behalf, restart the interval.
          const flags = (t.flags ?? {}) as Record<string, unknown>;
          const who = await deps.repo.customerContact(t.customerId);
          await deps.notifier.push({
            to: { direct: who ? [{ channel: t.channel as ChannelId, userRef: who.userRef }] : [] },
            kind: 'push',
            text: zh.progressToCustomer({ id: t.id, statusZh: STATUS_ZH[t.status as TicketStatus] }),
            dedupeKey: `progress-${t.id}-${t.policyRevision}`,
            ticketId: t.id,
          });
          await updateAndReschedule(deps, t, { flags: { ...flags, lastUpdateAt: deps.now().toISOString() } });
        }
        await escalate(deps, t, 'sla_breach');
      });
    },
    sweep: () => restoreMissingTimers(deps),
    keepKfCustomersReachable: () => keepKfCustomersReachable(deps),
    closeResolved: (days) => closeResolved(deps, days),
  };
}
