import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotifier } from '../../src/app/notify.ts';
import { pushScheduledReports } from '../../src/app/reports.ts';
import type { OutboundMessage } from '../../src/channels/channel.ts';
import type { Database } from '../../src/store/db.ts';
import { createDirectory } from '../../src/store/directory.repo.ts';
import { createOutbox } from '../../src/store/outbox.repo.ts';
import { createReportSources } from '../../src/store/reports.repo.ts';
import { freshPgDatabase } from '../support/db.ts';

describe("the scheduled reports to the managers' group (PostgreSQL outbox)", () => {
  let db: Database;
  let cleanup: () => Promise<void>;
  const sent: OutboundMessage[] = [];
  let push: (now: Date) => Promise<string[]>;
  beforeAll(async () => {
    ({ db, cleanup } = await freshPgDatabase());
    const directory = createDirectory(db.prisma, { managers: [{ channel: 'sandbox', chatId: 'managers' }] });
    const notifier = createNotifier({
      outbox: createOutbox(db.sql),
      send: async (m) => {
        sent.push(m);
        return { status: 'sent' };
      },
      directory,
    });
    const sources = createReportSources(db.sql);
    push = (now) => pushScheduledReports({ at: '09:00', now, sources, notifier });
  });
  afterAll(async () => cleanup());

  const heads = () => sent.map((m) => m.text.split('（')[0]);

  it('each report goes once a day however often the scheduler ticks; the root-cause report on Mondays only', async () => {
    expect(await push(new Date('2026-11-30T00:55:00Z'))).toEqual([]); // Monday 08:55: not yet
    // Monday 09:00: both; the later ticks find the group has them and draw nothing again.
    expect(await push(new Date('2026-11-30T01:00:00Z'))).toEqual(['health-report', 'root-cause']);
    for (const minute of ['01:05', '01:30']) expect(await push(new Date(`2026-11-30T${minute}:00Z`))).toEqual([]);
    expect(heads()).toEqual(['订单与售后健康日报', '售后根因周报']);
    expect(sent.every((m) => m.target.chatId === 'managers')).toBe(true);
    await push(new Date('2026-12-01T01:10:00Z')); // Tuesday 09:10: the health report only
    expect(heads()).toEqual(['订单与售后健康日报', '售后根因周报', '订单与售后健康日报']);
    // A worker that was down at 09:00 and back at 11:00 sends nothing that day.
    expect(await push(new Date('2026-12-02T03:00:00Z'))).toEqual([]);
    expect(sent).toHaveLength(3);
  });
});
