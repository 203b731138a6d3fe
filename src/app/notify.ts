import type { CardButton, ChannelId, OutboundMessage, OutboundPicture, SendResult } from '../channels/channel.ts';
import { DONE, type Outbox, type Sender } from './ports.ts';

export type GroupName = 'managers' | 'warehouse' | 'staff';

/** Where people and groups can be reached, per channel. */
export interface Directory {
  /** Channels and user refs where a staff member can be reached (sandbox, wecom, dingtalk). */
  staffTargets(staffId: string): Promise<{ channel: ChannelId; userRef: string }[]>;
  groupTargets(group: GroupName): { channel: ChannelId; chatId: string }[];
}

export interface Push {
  to: { staffIds?: string[]; group?: GroupName; direct?: { channel: ChannelId; userRef: string }[] };
  kind: 'push' | 'alert';
  text: string;
  markdown?: string;
  card?: { title: string; body: string; buttons: CardButton[] };
  /** Answers the customer can tap (see OutboundMessage.choices). */
  choices?: OutboundMessage['choices'];
  /** A kf keep-alive (see OutboundMessage.keepalive). */
  keepalive?: boolean;
  /** Written or set off by a person for the customer (see OutboundMessage.personal). */
  personal?: boolean;
  /** A chart after the text (see OutboundMessage.picture). */
  picture?: OutboundPicture;
  /** Stable per logical push; each target gets `<key>-<channel>-<ref>`, so a retry never sends twice. */
  dedupeKey: string;
  ticketId?: number;
}

/** The Notifier port the channels implement: pushes to staff, managers and groups through the outbox. */
export interface Notifier {
  push(p: Push): Promise<PushOutcome>;
  /**
   * Every target of this push has it already (its outbox rows need nothing more): what a scheduled push checks
   * before it does the work of composing the message again.
   */
  delivered(p: Pick<Push, 'to' | 'dedupeKey'>): Promise<boolean>;
}

export interface PushOutcome {
  /** Targets it was handed to now (not those that had it already). */
  sent: number;
  /** What each of those targets' channels did with it: sent, deferred, rerouted to staff (and why), failed … */
  results: SendResult[];
}

type Target = { channel: ChannelId; target: OutboundMessage['target']; ref: string };

export function createNotifier(deps: { outbox: Outbox; send: Sender; directory: Directory }): Notifier {
  /** Who a push reaches: each staff member on each of their channels, direct refs, the group's chats. */
  async function targetsOf(to: Push['to']): Promise<Target[]> {
    const targets: Target[] = [];
    for (const staffId of to.staffIds ?? []) {
      for (const t of await deps.directory.staffTargets(staffId))
        targets.push({ channel: t.channel, target: { userRef: t.userRef }, ref: t.userRef });
    }
    for (const d of to.direct ?? [])
      targets.push({ channel: d.channel, target: { userRef: d.userRef }, ref: d.userRef });
    if (to.group) {
      for (const g of deps.directory.groupTargets(to.group))
        targets.push({ channel: g.channel, target: { chatId: g.chatId }, ref: g.chatId });
    }
    return targets;
  }
  const keyOf = (dedupeKey: string, t: Target) => `${dedupeKey}-${t.channel}-${t.ref}`;
  return {
    async delivered(p) {
      for (const t of await targetsOf(p.to)) if (!(await deps.outbox.isDone(keyOf(p.dedupeKey, t)))) return false;
      return true;
    },
    async push(p) {
      const results: SendResult[] = [];
      for (const t of await targetsOf(p.to)) {
        const message: OutboundMessage = {
          channel: t.channel,
          target: t.target,
          kind: p.kind,
          text: p.text,
          ...(p.markdown ? { markdown: p.markdown } : {}),
          ...(p.card ? { card: p.card } : {}),
          ...(p.choices ? { choices: p.choices } : {}),
          ...(p.keepalive ? { keepalive: true } : {}),
          ...(p.personal ? { personal: true } : {}),
          ...(p.picture ? { picture: p.picture } : {}),
          dedupeKey: keyOf(p.dedupeKey, t),
        };
        const entry = await deps.outbox.record(message, {
          ...(p.ticketId !== undefined ? { ticketId: p.ticketId } : {}),
        });
        if (DONE.has(entry.status)) continue;
        const result = await deps.send(message);
        await deps.outbox.mark(entry.id, result);
        results.push(result);
      }
      return { sent: results.length, results };
    },
  };
}
