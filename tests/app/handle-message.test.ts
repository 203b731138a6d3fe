import { describe, expect, it } from 'vitest';
import { createMessageHandler, type TicketHandling } from '../../src/app/handle-message.ts';
import type { StoredDelivery } from '../../src/app/ports.ts';
import type { ConversationMemory } from '../../src/nlu/context.ts';
import type { Parse } from '../../src/nlu/contract.ts';
import type { Sender } from '../../src/store/identities.repo.ts';

/** What the classifier would say of "转人工": a person is asked for. */
const humanAgent = (text: string): Parse => ({
  text,
  intents: [{ id: 'human_agent', score: 1 }],
  primary: 'human_agent',
  entities: [],
  urgency: { level: 'normal', cues: [] },
  confidence: 1,
  notes: [],
  escalateToManager: false,
});

const delivery: StoredDelivery = {
  id: 'd1',
  channel: 'wecom_kf',
  platformMsgId: 'm1',
  userRef: 'wmA',
  role: 'customer',
  text: '转人工',
  replyContext: { open_kfid: 'wkSHOP' },
  status: 'processing',
  attempts: 1,
  receivedAt: new Date(),
};

/** The handler with a fake ticket side that records what it was told, at work or not. */
function handler(atWork: boolean, handoffAfterHours = false) {
  const told: Parameters<TicketHandling['onCustomerMessage']>[1][] = [];
  const tickets: TicketHandling = {
    async onCustomerMessage(_input, opts) {
      told.push(opts);
      return { text: opts?.afterHours ? '工单 #7（下班后）' : '工单 #7（转接中）' };
    },
    onFollowUp: async () => undefined,
    onStaffMessage: async () => undefined,
  };
  const memory = new Map<string, ConversationMemory>();
  const respond = createMessageHandler({
    resolveSender: async (): Promise<Sender> => ({ kind: 'customer', id: 'cust1', role: 'customer' }),
    parser: { parse: (text: string) => humanAgent(text) } as never,
    resolveContext: (parse, mem) => ({ parse, memory: mem ?? { version: 1 } }),
    memory: { load: async (k) => memory.get(k), save: async (k, m) => void memory.set(k, m) },
    recordParse: async () => {},
    tickets,
    atWork: () => atWork,
    handoffAfterHours,
  });
  return { respond, told };
}

describe('asking for a person (转人工) and the service hours', () => {
  it('at work: the reply hands the conversation over (微信客服 queues it for a person)', async () => {
    const { respond, told } = handler(true);
    const [reply] = await respond(delivery);
    expect(reply).toMatchObject({ text: '工单 #7（转接中）', handoff: true });
    expect(told[0]?.afterHours).toBe(false);
  });

  it('after hours: no hand-over (nobody would pick it up, and the bot would have to stay silent); the ticket says so', async () => {
    const { respond, told } = handler(false);
    const [reply] = await respond(delivery);
    expect(reply?.handoff).toBeUndefined();
    expect(reply?.text).toBe('工单 #7（下班后）');
    expect(told[0]?.afterHours).toBe(true);
  });

  it('after hours with WECOM_KF_HANDOFF_AFTER_HOURS: handed over as during the day', async () => {
    const { respond } = handler(false, true);
    const [reply] = await respond(delivery);
    expect(reply).toMatchObject({ handoff: true });
  });
});
