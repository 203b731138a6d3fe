import type { Calendar } from '../../domain/tickets/business-clock.ts';
import type { LadderStep } from '../../domain/tickets/escalation.ts';
import type { Priority } from '../../domain/tickets/priority.ts';
import type { Rule } from '../../domain/tickets/rules.ts';
import type { SlaPolicy } from '../../domain/tickets/sla.ts';

/** Ticket configuration as data (seeded from prisma/seed/tickets, stored in the DB, loaded at start). */
export interface TicketConfig {
  policies: Map<Priority, SlaPolicy>;
  calendars: Map<string, Calendar>;
  ladder: LadderStep[];
  rules: Rule[];
  defaultTeamId?: string;
}

export function calendarFor(cfg: TicketConfig, id: string): Calendar {
  const cal = cfg.calendars.get(id) ?? cfg.calendars.values().next().value;
  if (!cal) throw new Error(`没有可用的工作日历（${id}）：请检查 prisma/seed/tickets/calendar-*.json`);
  return cal;
}

export function policyFor(cfg: TicketConfig, p: Priority): SlaPolicy {
  const policy = cfg.policies.get(p);
  if (!policy) throw new Error(`缺少优先级 ${p} 的 SLA 策略：请检查 prisma/seed/tickets/sla-policies.json`);
  return policy;
}
