import type { Channel } from '../channel.ts';

/**
 * The sandbox channel: a local chat for trying the bot without platform accounts. What the bot sends
 * is already recorded in the outbox, which is the sandbox users' inbox, so sending is immediate.
 */
export function createSandboxChannel(): Channel {
  return {
    id: 'sandbox',
    async start() {},
    async stop() {},
    async send() {
      return { status: 'sent' };
    },
  };
}
