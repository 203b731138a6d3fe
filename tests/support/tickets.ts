import { createNotifier } from '../../src/app/notify.ts';
import type { Sender, StoredDelivery, TimerScheduler } from '../../src/app/ports.ts';
import { createTicketService, type KfWindows } from '../../src/app/tickets/index.ts';
import { createLogger } from '../../src/lib/logger.ts';
import type { Parse } from '../../src/nlu/contract.ts';
import type { Database } from '../../src/store/db.ts';
import { createDirectory } from '../../src/store/directory.repo.ts';
import { createOutbox } from '../../src/store/outbox.repo.ts';
import { seedAndLoadTicketConfig } from '../../src/store/seed-tickets.ts';
import { createTicketRepo } from '../../src/store/tickets.repo.ts';

/**
 * The ticket service on a test database: real repo, seeded config, outbox pushes that "send" (by default,
 * always), the real clock unless `now` is given.
 */
export async function ticketServiceOn(
  db: Database,
  timers: TimerScheduler,
  opts: { send?: Sender; now?: () => Date; kf?: KfWindows } = {},
) {
  const send = opts.send ?? (async () => ({ status: 'sent' as const }));
  const directory = createDirectory(db.prisma, {});
  return createTicketService({
    repo: createTicketRepo(db.prisma, db.sql),
    config: await seedAndLoadTicketConfig(db.prisma),
    timers,
    notifier: createNotifier({ outbox: createOutbox(db.sql), send, directory }),
    directory,
    ...(opts.kf ? { kf: opts.kf } : {}),
    now: opts.now ?? (() => new Date()),
    log: createLogger({ level: 'silent', secretKeys: [] }),
  });
}

/** A confident, normal-urgency parse of one problem. */
export function problemParse(primary: string, text = ''): Parse {
  return {
    text,
    intents: [{ id: primary, score: 0.9 }],
    primary,
    entities: [],
    urgency: { level: 'normal', cues: [] },
    confidence: 0.9,
    notes: [],
    escalateToManager: false,
  };
}

/** A sandbox customer message as the worker sees it. */
export function customerDelivery(id: string, userRef: string, text: string): StoredDelivery {
  return {
    id,
    channel: 'sandbox',
    platformMsgId: id,
    userRef,
    role: 'customer',
    text,
    status: 'processing',
    attempts: 1,
    receivedAt: new Date(),
  };
}
