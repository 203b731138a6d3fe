import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TicketConfig } from '../app/tickets/config.ts';
import { CodedError, ErrorCode } from '../domain/errors.ts';
import { CalendarFile, calendarFromFile } from '../domain/tickets/business-clock.ts';
import { ladderFromFile } from '../domain/tickets/escalation.ts';
import type { Priority } from '../domain/tickets/priority.ts';
import { RuleSchema, rulesFromFile } from '../domain/tickets/rules.ts';
import { SlaPoliciesFile, type SlaPolicy } from '../domain/tickets/sla.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { isUniqueViolation } from '../lib/db-errors.ts';
import type { PrismaClient } from './db.ts';

/** prisma/seed/tickets of this checkout, wherever the process was started from. */
const SEED_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'prisma', 'seed', 'tickets');
const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as unknown;
const read = (file: string) => readJson(path.join(SEED_DIR, file));

/** Where the escalation ladder comes from: `ladderFile` (env ESCALATION_LADDER_FILE) or the shipped default. */
export interface TicketConfigSource {
  ladderFile?: string;
}
async function readLadder(src: TicketConfigSource) {
  const file = src.ladderFile ?? path.join(SEED_DIR, 'escalation-ladder.json');
  try {
    return ladderFromFile(await readJson(file));
  } catch (err) {
    throw new CodedError(ErrorCode.ConfigInvalid, `升级阶梯文件 ${file} 无法使用：${(err as Error).message}`);
  }
}

/**
 * Seeds SLA policies, the business calendar and the rules into the database (the source of truth):
 * a row is inserted when missing and replaced only when the file carries a higher revision, so edits
 * made in the database are not overwritten by a restart. Then loads the ticket configuration.
 */
export async function seedAndLoadTicketConfig(
  prisma: PrismaClient,
  src: TicketConfigSource = {},
): Promise<TicketConfig> {
  const policies = SlaPoliciesFile.parse(await read('sla-policies.json')).policies;
  for (const p of policies) {
    const row = {
      name: p.name,
      priority: p.priority,
      firstResponseMins: p.firstResponseMins,
      nextUpdateMins: p.nextUpdateMins ?? null,
      resolutionMins: p.resolutionMins,
      warnFraction: p.warnFraction,
      businessHours: p.businessHours,
      calendarId: p.calendarId,
      revision: p.revision,
    };
    const existing = await prisma.slaPolicy.findUnique({ where: { id: p.id } });
    if (!existing) await prisma.slaPolicy.create({ data: { id: p.id, ...row } }).catch(ignoreDuplicate);
    else if (existing.revision < p.revision) await prisma.slaPolicy.update({ where: { id: p.id }, data: row });
  }
  const calJson = CalendarFile.parse(await read('calendar-cn-mainland.json'));
  const overrides = {
    holidays: calJson.holidays,
    workdays: calJson.workdays,
    workingWeekdays: calJson.workingWeekdays,
    provisional: calJson.provisional ?? {},
  } as Prisma.InputJsonValue;
  const calendar = {
    name: calJson.name,
    timezone: calJson.timezone,
    hours: calJson.hours,
    overrides,
    revision: calJson.revision,
  };
  const created = await prisma.businessCalendar.createMany({
    data: [{ id: calJson.id, ...calendar }],
    skipDuplicates: true,
  });
  // Like the policies: an existing calendar (perhaps edited through the admin API) is replaced only by
  // a file with a higher revision, e.g. a release that ships next year's holidays.
  if (created.count === 0)
    await prisma.businessCalendar.updateMany({
      where: { id: calJson.id, revision: { lt: calJson.revision } },
      data: calendar,
    });
  for (const r of rulesFromFile(await read('rules.json'))) {
    const existing = await prisma.rule.findUnique({ where: { id: r.id } });
    const data = {
      name: r.name,
      event: r.when.event ?? 'ticket_opened',
      conditions: { when: r.when, any: r.any ?? null, explain: r.explain } as Prisma.InputJsonValue,
      actions: r.actions as Prisma.InputJsonValue,
      enabled: r.enabled,
    };
    if (!existing) await prisma.rule.create({ data: { id: r.id, ...data } }).catch(ignoreDuplicate);
  }
  return loadTicketConfig(prisma, src);
}

function ignoreDuplicate(err: { code?: string }) {
  if (!isUniqueViolation(err)) throw err;
}

export async function loadTicketConfig(prisma: PrismaClient, src: TicketConfigSource = {}): Promise<TicketConfig> {
  const policies = new Map<Priority, SlaPolicy>();
  for (const p of await prisma.slaPolicy.findMany()) {
    policies.set(p.priority as Priority, {
      id: p.id,
      name: p.name,
      priority: p.priority as Priority,
      firstResponseMins: p.firstResponseMins,
      ...(p.nextUpdateMins ? { nextUpdateMins: p.nextUpdateMins } : {}),
      resolutionMins: p.resolutionMins,
      warnFraction: p.warnFraction,
      businessHours: p.businessHours,
      calendarId: p.calendarId,
      revision: p.revision,
    });
  }
  const calendars = new Map();
  for (const c of await prisma.businessCalendar.findMany()) {
    const o = c.overrides as {
      holidays: string[];
      workdays: string[];
      workingWeekdays: number[];
      provisional: Record<string, unknown>;
    };
    calendars.set(
      c.id,
      calendarFromFile({ version: 1, id: c.id, name: c.name, timezone: c.timezone, hours: c.hours, ...o }),
    );
  }
  const rules = (await prisma.rule.findMany({ where: { enabled: true }, orderBy: { id: 'asc' } })).map((r) => {
    const c = r.conditions as { when: unknown; any: unknown; explain: string };
    return RuleSchema.parse({
      id: r.id,
      name: r.name,
      enabled: r.enabled,
      when: c.when,
      ...(c.any ? { any: c.any } : {}),
      actions: r.actions,
      explain: c.explain,
    });
  });
  const team = await prisma.team.findFirst({ orderBy: { id: 'asc' } });
  return {
    policies,
    calendars,
    ladder: await readLadder(src),
    rules,
    ...(team ? { defaultTeamId: team.id } : {}),
  };
}
