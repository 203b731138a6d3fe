import type { InboundMessage } from '../../src/channels/channel.ts';

/** A WeCom customer's message with this platform id (user `u-<id>`, sent 2026-11-29 18:00 China time); `fields` override. */
export const inboundMessage = (id: string, fields: Partial<InboundMessage> = {}): InboundMessage => ({
  channel: 'wecom',
  platformMsgId: id,
  userRef: `u-${id}`,
  role: 'customer',
  text: '还没到',
  sentAt: new Date('2026-11-29T10:00:00Z'),
  ...fields,
});
