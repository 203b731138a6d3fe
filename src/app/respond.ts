import type { OutboundMessage } from '../channels/channel.ts';
import type { Logger } from '../lib/logger.ts';
import type { StoredDelivery } from './ports.ts';
import type { Responder } from './process-delivery.ts';

/** Where a reply to this delivery goes: the group it came from, or the sender. */
export function replyTarget(d: StoredDelivery): OutboundMessage['target'] {
  return d.chatId ? { chatId: d.chatId, userRef: d.userRef } : { userRef: d.userRef };
}

/**
 * First step before the NLU lands: answer with the jieba tokenisation of the message, clearly labelled.
 */
export async function createResponder(_deps: { log: Logger }): Promise<Responder> {
  const { Jieba } = await import('@node-rs/jieba');
  const { dict } = await import('@node-rs/jieba/dict.js');
  const jieba = Jieba.withDict(dict);
  return async (d) => [
    {
      channel: d.channel,
      target: replyTarget(d),
      kind: 'reply',
      text: `【分词预览】${jieba.cut(d.text, false).join(' / ')}`,
      replyContext: d.replyContext,
      dedupeKey: `reply-${d.id}-0`,
    },
  ];
}
