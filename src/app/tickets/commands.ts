import type { ChannelId, OutboundMessage } from '../../channels/channel.ts';
import { isCodedError } from '../../domain/errors.ts';
import { chinaDayStart } from '../../domain/orders/cn-time.ts';
import { maskContactsIn } from '../../domain/orders/mask.ts';
import { currentState } from '../../domain/orders/timeline.ts';
import { sourceLabel } from '../../domain/orders/types.ts';
import { FIRST_RESPONSE_TARGET_MINS } from '../../domain/reports/health.ts';
import { expandQuickReply } from '../../domain/shop/quick-replies.ts';
import { parseAck } from '../../domain/tickets/escalation.ts';
import {
  STATUS_ZH,
  type TicketAction,
  type TicketStatus,
  ticketNameZh,
  ticketProblemZh,
  transition,
} from '../../domain/tickets/lifecycle.ts';
import { lower, PRIORITIES, type Priority, raise } from '../../domain/tickets/priority.ts';
import { RATING_LEVELS, ratingChoiceId } from '../../domain/tickets/rating.ts';
import { zh } from '../../i18n/zh.ts';
import type { TicketRow } from '../../store/tickets.repo.ts';
import type { HandlingInput } from '../handle-message.ts';
import { customerLabel, fmtTime, SESSION_MS, TICKET_STAFF_ROLES, type TicketDeps, wantsOf } from './context.ts';
import { acknowledge } from './escalate.ts';
import { moveTicket, recordStaffResponse } from './move.ts';
import { deadlineText, missed, openCounts } from './queue.ts';
import { teamText, teamView } from './team.ts';
import { updateAndReschedule } from './timers.ts';

const VERBS: Record<string, TicketAction> = {
  受理: 'acknowledge',
  接单: 'start',
  处理: 'start',
  处理中: 'start',
  等待: 'wait_customer',
  等待客户: 'wait_customer',
  解决: 'resolve',
  关闭: 'close',
  重开: 'reopen',
};
/** The verb, the ticket id, and what the staff member wrote after it ("解决 #12 已补发，顺丰 SF…"). */
const COMMAND =
  /^(?:@\S+\s*)?(受理|接单|处理中|处理|等待客户|等待|解决|关闭|重开|工单)\s*[#＃]?\s*(\d+)(?:\s*[,，:：]?\s*([\s\S]*))?$/;
/** 转派 #12 李四 · 转给 李四 #12 · 指派 #12 agent2 · 把 #12 转给小李 · 12号工单转给小李 (a name or a staff id). */
const REASSIGN = [
  /^(?:@\S+\s*)?(?:转派|指派|转给|分配)\s*[#＃]\s*(?<id>\d+)\s*(?:给\s*)?(?<who>\S+)\s*$/,
  /^(?:@\S+\s*)?(?:转派给|指派给|转给|分配给)\s*(?<who>[^\s#＃]+)\s*[#＃]\s*(?<id>\d+)\s*$/,
  /^(?:@\S+\s*)?(?:把|将)?\s*(?:工单\s*)?(?:[#＃]\s*(?<id>\d+)|(?<no>\d+)\s*号(?:工单|单)?)\s*(?:转派|指派|转|分配|交)给\s*(?<who>[^\s#＃]+?)(?:处理|跟进|负责)?\s*(?:吧)?\s*$/u,
];
const REPLY = /^(?:@\S+\s*)?回复\s*[#＃]?\s*(\d+)\s+([\s\S]+)$/;
/** 话术 · 快捷回复: the shop's quick replies, numbered, to send with 回复 #12 /名字. */
const QUICK_LIST = /^(?:@\S+\s*)?(?:话术|快捷回复|快捷话术|常用回复|话术库|话术列表)\s*$/u;
/** 备注 #12 顾客说颜色也发错了: an internal note on the ticket, for whoever works on it; the customer never sees it. */
const NOTE = /^(?:@\S+\s*)?(?:备注|内部备注)\s*[#＃]?\s*(\d+)\s*[,，:：]?\s*(\S[\s\S]*)$/;
/** 我的工单, or 工单 alone. */
const MINE = /^(?:@\S+\s*)?(?:我的)?工单\s*$/;
/** 加急工单 · 紧急工单 · "今天有哪些加急的": the unresolved P1/P2 tickets of everyone. */
const URGENT = /^(?:@\S+\s*)?[^#＃\d]{0,12}(?:加急|紧急|P1|p1)(?:的)?(?:工单|单子|的)[^#＃\d]{0,6}$/u;
/**
 * 待处理工单 · 工单列表 · "今天有哪些工单" · "还有哪些单子没处理": everyone's unfinished tickets, most urgent first.
 * 未分配工单 · "没人接的单子": those nobody owns yet.
 */
const QUEUE =
  /^(?:@\S+\s*)?(?:工单列表|[^#＃\d]{0,8}(?:未完成|没完成|待处理|未处理|没处理|所有|全部|哪些)的?(?:工单|单子)[^#＃\d]{0,8}|[^#＃\d]{0,8}(?:工单|单子)(?:还)?(?:没处理|未处理|没完成|待处理)[^#＃\d]{0,6})[?？]?\s*$/u;
const UNASSIGNED = /未分配|没分配|没人接|没人管|没人处理|无人处理|没有人处理|没人跟/u;
/** 设为VIP #12 · 标记VIP #12 · 取消VIP #12: the customer of ticket 12. */
const VIP = /^(?:@\S+\s*)?(设为|标记|设置|取消)\s*VIP\s*[#＃]\s*(\d+)\s*$/iu;
/** Who may change a customer's tier. */
const TIER_ROLES = new Set(['supervisor', 'manager', 'admin']);
/** 优先级 #12 P1 [理由] · 调整优先级 #12 P2 · 设为P1 #12 [理由] · 加急 #12 [理由] (one level up). */
const PRIORITY_SET =
  /^(?:@\S+\s*)?(?:调整|修改|改|设置|设)?优先级\s*[#＃]\s*(?<id>\d+)\s*(?:改为|改成|调为|调成|调到|设为|为|→|->)?\s*(?<p>[Pp][1-4])(?:\s*[,，:：]?\s*(?<why>[\s\S]*))?$/u;
const PRIORITY_TO =
  /^(?:@\S+\s*)?(?:设为|改为|改成|调为|调成|调到|升为|降为|升到|降到)\s*(?<p>[Pp][1-4])\s*[#＃]\s*(?<id>\d+)(?:\s*[,，:：]?\s*(?<why>[\s\S]*))?$/u;
const RUSH = /^(?:@\S+\s*)?(?<way>加急|降级)\s*[#＃]\s*(?<id>\d+)(?:\s*[,，:：]?\s*(?<why>[\s\S]*))?$/u;
/** 超时工单 · "超时的工单有哪些" · "哪些工单超时了". */
const OVERDUE =
  /^(?:@\S+\s*)?(?:[^#＃\d]{0,8}(?:超时|逾期|超期)了?的?(?:工单|单子)|[^#＃\d]{0,8}(?:工单|单子)(?:已经)?(?:超时|逾期|超期)了?)[^#＃\d]{0,6}$/u;
/** 今日概况 · 工单统计 · "今天情况怎么样" · "今天有多少工单": the day's numbers for staff and managers. */
const SUMMARY =
  /^(?:@\S+\s*)?(?:(?:今[日天]|当日)?的?(?:工单)?(?:概况|统计|情况|汇总)(?:怎么样|如何)?|今[日天]有?多少张?工单)[?？]?\s*$/u;
/** 客服绩效 · 团队情况 · 客服工作量 · "大家的工单情况" (supervisors and managers): each colleague's load and last 7 days. */
const TEAM =
  /^(?:@\S+\s*)?(?:[^#＃\d]{0,6}(?:客服|团队|大家|每个人|各人)的?(?:绩效|工作量|情况|数据|表现|工单情况|处理情况)[^#＃\d]{0,6}|绩效|工作量)[?？]?\s*$/u;
/** 下班 · 休息了 · 暂停接单: no new tickets for me; 上班 · 我回来了 · 恢复接单: new tickets again. */
const OFF_DUTY =
  /^(?:@\S+\s*)?我?(?:今天|现在)?(?:先|要)?(?:下班|休息|暂停接单|不接单|请假|离开一下|离线|下线|走|撤)(?:了|啦|咯|喽)?[。.!！]?\s*$/u;
const ON_DUTY =
  /^(?:@\S+\s*)?我?(?:来)?(?:上班|回来|恢复接单|开始接单|继续接单|在线|上线|开工)(?:了|啦|咯|喽)?[。.!！]?\s*$/u;
/** 谁在岗 · 在岗名单 · "今天谁值班": who gets new tickets now. */
const WHO_ON_DUTY = /^(?:@\S+\s*)?(?:谁在岗|在岗名单|在岗客服|谁在线|谁值班|今天谁值班|值班名单|现在谁在)[?？]?\s*$/u;
/** 满意度 · 顾客评价: how customers rated resolved tickets in the last 30 days. */
const RATINGS = /^(?:@\S+\s*)?(?:满意度|顾客评价|评价统计)\s*$/;
const RATINGS_DAYS = 30;

/** A ticket named the ways staff write it: #12, 12号(工单), 工单12. */
const TICKET_REF = /[#＃]\s*(\d+)|(\d+)\s*号(?:工单|单)?|工单\s*(\d+)/u;
/** Words around a natural command that change nothing ("帮我看下", "…吧"). */
const POLITE = /帮我|麻烦|请|一下|吧|啊|呢|哈|哦|^把|^将/gu;
/** What a natural command says besides the ticket; `note` (what follows) is kept word for word. */
const NATURAL: { verb: string; said: RegExp }[] = [
  {
    verb: '工单',
    said: /^(?:看|看下|看看|查|查下|查看)?(?:工单|单子)?的?(?:情况|详情|进度|状态|进展)?(?:怎么样了?|如何|啥情况|什么情况|到哪了|到哪一步了)?$|^(?:这个|这位)?(?:顾客|客户)(?:还有)?(?:别的|其他|其它)(?:的)?(?:工单|单子|问题)(?:吗|没有|么)?$|^(?:现在)?(?:是)?谁在?(?:处理|负责|跟进|跟|管)(?:的|呢)?$|^(?:现在)?(?:处理|进展)到哪(?:一步)?了?$/u,
  },
  { verb: '接单', said: /^(?:我来(?:处理|跟进|负责)?|我接(?:了|手)?|我(?:处理|负责|跟进)|交给我)$/u },
  {
    verb: '解决',
    said: /^(?:已经?)?(?:处理好了?|搞定了?|解决了|处理完了?|完成了?)(?:[，,。:：\s]+(?<note>\S[\s\S]*))?$/u,
  },
  // "12号工单已经补发了 顺丰SF…": what was done is the result the customer is told.
  {
    verb: '解决',
    said: /^(?<note>(?:已经?|已)(?:补发|退款|退了款|换新|重新发货?|寄出|发出|赔付)了?(?:[，,。:：\s]+\S[\s\S]*)?)$/u,
  },
  { verb: '回复', said: /^回复(?:顾客|客户|他|她)?[，,:：\s]+(?<note>\S[\s\S]*)$/u },
  { verb: '备注', said: /^(?:备注|内部备注|记一下)[，,:：\s]*(?<note>\S[\s\S]*)$/u },
  { verb: '关闭', said: /^(?:可以)?(?:关了|关掉|关闭|关吧)$/u },
  // "12号工单改成P1 顾客是孕妇", "#12 加急": the priority, with why.
  {
    verb: '优先级',
    said: /^(?:工单)?(?:优先级)?(?:改为|改成|改到|调为|调成|调到|调整为|调整到|升为|降为|升到|降到|提到|提为|升级成|升级为|升级到|设为|设成|变成)(?<note>[Pp][1-4](?:[，,:：\s]+\S[\s\S]*)?)$/u,
  },
  // "#12 加急", "把12号改成紧急", "12号工单优先级调高一点": one level up; "…调低一点": one down.
  {
    verb: '加急',
    said: /^(?:工单)?(?:加急|加急处理|优先处理|(?:改成|改为|设为|标为|调成)(?:紧急|加急)|优先级(?:调高|提高|升高|往上调)(?:一点|一级|点)?|(?:调高|提高|升高)(?:一下)?优先级)(?:[，,:：\s]+(?<note>\S[\s\S]*))?$/u,
  },
  {
    verb: '降级',
    said: /^(?:工单)?(?:优先级(?:调低|降低|往下调)(?:一点|一级|点)?|(?:调低|降低)(?:一下)?优先级|不用加急|不急了?)(?:[，,:：\s]+(?<note>\S[\s\S]*))?$/u,
  },
  {
    verb: '等待客户',
    said: /^(?:先)?等(?:顾客|客户)(?:回复|回话|答复|(?:发|补|拍|提供|确认)\S{0,6})?(?:[，,:：\s]+(?:问(?:一下|下)?(?:顾客|客户)?[，,:：\s]*)?(?<note>\S[\s\S]*))?$/u,
  },
];

/**
 * "#12 我来处理", "12号单我接了", "帮我看下12号工单", "12号工单处理好了，已补发", "12号工单回复顾客：…": what staff write
 * in a group, as the command it means (接单 #12, 工单 #12, 解决 #12 已补发, 回复 #12 …). Undefined when the text is
 * not one of these.
 */
export function naturalCommand(text: string): string | undefined {
  const bare = text.replace(/^\s*[@＠]\S+\s*/u, '');
  const ref = TICKET_REF.exec(bare);
  const id = ref?.[1] ?? ref?.[2] ?? ref?.[3];
  if (!ref || !id) return undefined;
  const rest = (bare.slice(0, ref.index) + bare.slice(ref.index + ref[0].length)).trim();
  // Polite words are dropped from what says the command, never from the note (a reply to the customer).
  const cut = rest.search(/[，,。:：\s]/u);
  const [head, tail] = cut < 0 ? [rest, ''] : [rest.slice(0, cut), rest.slice(cut)];
  const said = `${head.replace(POLITE, '')}${tail}`.replace(/^[，,。:：\s]+|[，,。!！\s]+$/gu, '');
  for (const { verb, said: re } of NATURAL) {
    const m = re.exec(said);
    if (m) return `${verb} #${id}${m.groups?.note ? ` ${m.groups.note}` : ''}`;
  }
  return undefined;
}

/** "收到", "好的收到，马上处理" with no number: the answer to the push just sent (an escalation, a new ticket). */
const BARE_ACK = /^(?:@\S+\s*)?(?:好的[，,\s]*)?(?:收到|确认)(?:了|啦)?(?:[，,。!！\s]+[^#＃\d]*)?$/u;
/** "#12 收到…" (withTicketInView's form of a bare 收到) as the acknowledgement command. */
const ackOf = (inView: string) => {
  const id = TICKET_REF.exec(inView)?.[1];
  return id ? `收到 #${id}` : undefined;
};

/** "这单", "这个工单", "这张": the ticket the chat is about, said without its number. */
const THIS_TICKET = /这(?:一|个|张)?(?:工单|单子|单)|该工单|这张/u;

/**
 * "这单谁负责", "我来处理这单", "这单处理好了，已补发": a command about the ticket the bot last named in this chat
 * (in the last half hour), written with that ticket's number. The text as it was when it names a ticket itself,
 * says no "这单", or nothing was named.
 */
async function withTicketInView(deps: TicketDeps, input: Omit<HandlingInput, 'parse'>, said: string): Promise<string> {
  if (TICKET_REF.test(said)) return said;
  const { channel, chatId, userRef } = input.delivery;
  const since = new Date(deps.now().getTime() - SESSION_MS);
  const id = await deps.repo.lastNamedIn(channel, chatId ? { chatId } : { userRef }, since, zh.staffUnknownCommand());
  if (id === undefined) return said;
  const mention = /^\s*[@＠]\S+\s*/u.exec(said)?.[0] ?? '';
  return `${mention}#${id} ${said.slice(mention.length).replace(THIS_TICKET, '').trim()}`; // the one "这单" it says
}

/** Who wrote a staff command and where: the actor and channel of the ticket event it records. */
const byStaff = (input: Omit<HandlingInput, 'parse'>) => ({
  actor: `staff:${input.sender.id}`,
  channel: input.delivery.channel,
});

/** Staff and manager commands in chat: acks for escalations and ticket state changes. */
export async function onStaffMessage(
  deps: TicketDeps,
  input: Omit<HandlingInput, 'parse'>,
): Promise<string | undefined> {
  const said = input.delivery.text.trim();
  const bareAck = BARE_ACK.test(said);
  const inView = bareAck || THIS_TICKET.test(said) ? await withTicketInView(deps, input, said) : said;
  const text = naturalCommand(said) ?? (bareAck ? ackOf(inView) : naturalCommand(inView)) ?? said;
  const ackId = parseAck(text);
  const staff = { id: input.sender.id, ...(input.sender.name ? { name: input.sender.name } : {}) };
  if (ackId !== undefined) {
    const r = await acknowledge(deps, ackId, staff);
    if (r === 'missing') return zh.ackUnknown({ id: ackId });
    const t = await deps.repo.byId(ackId);
    if (t && t.status === 'open') await act(deps, ackId, 'acknowledge', input);
    return zh.ackDone({ id: ackId, by: staff.name ?? '员工' });
  }
  if (MINE.test(text)) return mine(deps, input.sender.id);
  const vip = VIP.exec(text);
  if (vip) return setTier(deps, Number(vip[2]), vip[1] === '取消' ? 'normal' : 'vip', input);
  const prio = (PRIORITY_SET.exec(text) ?? PRIORITY_TO.exec(text))?.groups;
  if (prio) return setPriority(deps, Number(prio.id), prio.p?.toUpperCase() as Priority, prio.why ?? '', input);
  const rush = RUSH.exec(text)?.groups;
  if (rush) return setPriority(deps, Number(rush.id), rush.way === '降级' ? 'lower' : 'raise', rush.why ?? '', input);
  if (OVERDUE.test(text)) return overdue(deps);
  if (SUMMARY.test(text)) return daySummary(deps);
  if (URGENT.test(text)) return openList(deps, 'urgent');
  if (QUEUE.test(text) || (UNASSIGNED.test(text) && /工单|单子/u.test(text) && !TICKET_REF.test(text)))
    return openList(deps, UNASSIGNED.test(text) ? 'unassigned' : 'all');
  if (RATINGS.test(text)) return ratings(deps);
  const duty = OFF_DUTY.test(text) ? 'off' : ON_DUTY.test(text) ? 'on' : undefined;
  if (duty) return setDuty(deps, input, duty);
  if (WHO_ON_DUTY.test(text)) return whoOnDuty(deps);
  if (TEAM.test(text)) {
    if (!TIER_ROLES.has(input.sender.staffRole ?? '')) return zh.teamNotAllowed();
    const now = deps.now();
    return teamText(await teamView(deps.repo, now), now);
  }
  const handOver = REASSIGN.map((re) => re.exec(text)?.groups).find(Boolean);
  if (handOver) return reassign(deps, Number(handOver.id ?? handOver.no), handOver.who ?? '', input);
  if (QUICK_LIST.test(text)) return zh.quickReplies(deps.quickReplies ?? []);
  const r = REPLY.exec(text);
  if (r) {
    const said = (r[2] ?? '').trim();
    const quick = expandQuickReply(deps.quickReplies ?? [], said);
    if (quick && 'unknown' in quick)
      return zh.quickReplyUnknown({ asked: quick.unknown, names: (deps.quickReplies ?? []).map((q) => q.name) });
    return replyToCustomer(deps, Number(r[1]), quick ? quick.text : said, input);
  }
  const n = NOTE.exec(text);
  if (n) return addStaffNote(deps, Number(n[1]), (n[2] ?? '').trim(), input);
  const m = COMMAND.exec(text);
  if (!m) return undefined;
  const [, verb = '', idText = '', rest = ''] = m;
  const id = Number(idText);
  if (verb === '工单') return describe(deps, id);
  const action = VERBS[verb];
  if (!action) return undefined;
  return act(deps, id, action, input, rest.trim().slice(0, 500), { takeOver: verb === '接单' });
}

/** 接单 by someone other than the owner: who takes it, and from whom. Undefined when they own it already. */
async function takerOf(deps: TicketDeps, t: TicketRow, input: Omit<HandlingInput, 'parse'>) {
  if (t.assigneeId === input.sender.id) return undefined;
  const staff = await deps.directory.staffByRole(TICKET_STAFF_ROLES);
  const taker = staff.find((s) => s.id === input.sender.id);
  if (!taker) return undefined;
  const before = staff.find((s) => s.id === t.assigneeId);
  return { id: taker.id, name: taker.name, before };
}

/** The previous owner hears that a colleague took their ticket. */
async function tellPreviousOwner(
  deps: TicketDeps,
  id: number,
  taker: { name: string; before?: { id: string } },
  deliveryId: string,
) {
  if (!taker.before) return;
  await deps.notifier.push({
    to: { staffIds: [taker.before.id] },
    kind: 'push',
    text: zh.takenOver({ id, by: taker.name }),
    dedupeKey: `taken-${id}-${deliveryId}`,
    ticketId: id,
  });
}

/**
 * Moves ticket `id` by `action`. `note` is what the staff member wrote after the id: recorded with the move,
 * and for the customer where the move concerns them — the result with 解决, the question with 等待客户.
 */
async function act(
  deps: TicketDeps,
  id: number,
  action: TicketAction,
  input: Omit<HandlingInput, 'parse'>,
  note = '',
  opts: { takeOver?: boolean } = {},
): Promise<string> {
  const t = await deps.repo.byId(id);
  if (!t) return zh.ackUnknown({ id });
  // 接单 means "I take it": whoever says it becomes the owner, also of a ticket a colleague is working on.
  const taker = opts.takeOver ? await takerOf(deps, t, input) : undefined;
  const takenFrom = taker ? `，由 ${taker.name} 接手（原负责人 ${taker.before?.name ?? '未分配'}）` : '';
  let to: TicketStatus;
  try {
    to = transition(t.status as TicketStatus, action);
  } catch (err) {
    if (!isCodedError(err)) throw err;
    if (!taker || t.status !== 'in_progress') return `工单 #${id}：${err.message}`;
    await assign(deps, t, taker.id, `接单：${taker.before?.name ?? '未分配'} → ${taker.name}`, input);
    await tellPreviousOwner(deps, id, taker, input.delivery.id);
    return zh.takenOverDone({ id, before: taker.before?.name });
  }
  const from = t.status as TicketStatus;
  await moveTicket(
    deps,
    t,
    action,
    {
      ...byStaff(input),
      deliveryId: input.delivery.id,
      ...(note || taker
        ? { reason: `${STATUS_ZH[from]} → ${STATUS_ZH[to]}${takenFrom}${note ? `：${note}` : ''}` }
        : {}),
      ...(note ? { note } : {}),
    },
    {
      // Any staff move but closing is a response to the customer.
      ...(!t.firstRespondedAt && action !== 'close' ? { firstRespondedAt: deps.now() } : {}),
      ...(taker ? { assigneeId: taker.id } : {}),
    },
  );
  if (taker) await tellPreviousOwner(deps, id, taker, input.delivery.id);
  const done = `${zh.transitionDone({ id, statusZh: STATUS_ZH[to] })}${taker ? zh.takenOverNote({ before: taker.before?.name }) : ''}`;
  if (to === 'waiting_customer' && note) {
    // "等待客户 #12 请拍一下外包装": the question goes to the customer, whose answer resumes the ticket.
    const asked = await tellCustomer(deps, t, `【工单 #${id}】${note}`, {
      dedupeKey: `wait-${id}-${input.delivery.id}`,
    });
    return `${done}${toldNote(asked, '已把问题发给顾客。')}`;
  }
  if (to !== 'resolved') return done;
  // The customer hears that it is done (and the result, when given), and how to say it is not: a reply
  // reopens it (onCustomerMessage).
  // …and is asked to rate how it was handled: three answers to tap (typed, they work too; tickets/rating.ts).
  const head = `${zh.resolvedToCustomer({ id, problemZh: ticketNameZh(t), ...(note ? { result: note } : {}) })}\n${zh.rateAsk()}`;
  const items = RATING_LEVELS.map((level) => ({ id: ratingChoiceId(id, level), label: zh.ratingLabels[level] }));
  const told = await tellCustomer(deps, t, `${head}${items.map((i) => i.label).join(' / ')}`, {
    dedupeKey: `resolved-${id}-${input.delivery.id}`,
    choices: { head, items },
  });
  return `${done}${toldNote(told, '已通知顾客。')}`;
}

/** What became of a message for the customer: out now, out later (a platform rate limit), or not to them at all. */
type Told = { status: 'sent' } | { status: 'later' } | { status: 'missed' | 'held'; why: string };

/**
 * Sends `text` to the ticket's customer on the channel the ticket came from, as a person's message (not paced
 * like automatic updates), and says what became of it: a 微信客服 customer silent for 48 h, or served by a
 * 接待人员, cannot get it — the staff group gets it instead, and whoever sent it must hear so.
 */
async function tellCustomer(
  deps: TicketDeps,
  t: TicketRow,
  text: string,
  opts: { dedupeKey: string; choices?: OutboundMessage['choices'] },
): Promise<Told> {
  const who = await deps.repo.customerContact(t.customerId);
  if (!who) return { status: 'missed', why: zh.noCustomerContact };
  const { results } = await deps.notifier.push({
    to: { direct: [{ channel: t.channel as ChannelId, userRef: who.userRef }] },
    kind: 'push',
    personal: true,
    text,
    ...(opts.choices ? { choices: opts.choices } : {}),
    dedupeKey: opts.dedupeKey,
    ticketId: t.id,
  });
  const [result] = results;
  // No result: it went out before (the same command delivered again).
  if (!result || result.status === 'sent') return { status: 'sent' };
  if (result.status === 'deferred') return { status: 'later' };
  const why = result.error ?? zh.sendFailed;
  // Kept for the customer's next message (SendResult.held): they will get it then.
  if (result.held) return { status: 'held', why };
  return { status: 'missed', why: result.status === 'rerouted' ? `${why}${zh.reroutedToStaff}` : why };
}

/** What the staff member who sent something to the customer hears of it; `sent` is their words for success. */
function toldNote(told: Told, sent: string): string {
  if (told.status === 'sent') return sent;
  if (told.status === 'later') return zh.toldLater;
  if (told.status === 'held') return zh.customerHeld(told.why);
  return zh.customerMissed(told.why);
}

/**
 * 设为VIP #id / 取消VIP #id (supervisors and managers): the ticket's customer becomes VIP or not. VIP raises
 * the priority of their tickets by one and puts damage/allergy cases in the 30-minute lane; the open tickets
 * keep their priority until their next reminder. Recorded on the ticket.
 */
async function setTier(deps: TicketDeps, id: number, tier: 'normal' | 'vip', input: Omit<HandlingInput, 'parse'>) {
  if (!TIER_ROLES.has(input.sender.staffRole ?? '')) return zh.tierNotAllowed();
  const t = await deps.repo.byId(id);
  if (!t) return zh.ackUnknown({ id });
  if ((t.customer.tier === 'vip') === (tier === 'vip'))
    return zh.tierSame({ name: customerLabel(t), vip: tier === 'vip' });
  const { name } = await deps.repo.setCustomerTier(t.customerId, tier);
  await deps.repo.addEvent({
    ticketId: id,
    type: 'note',
    ...byStaff(input),
    reason: tier === 'vip' ? '顾客设为 VIP' : '顾客取消 VIP',
  });
  return zh.tierDone({ name: name ?? '该顾客', vip: tier === 'vip' });
}

/**
 * 优先级 #id P1 / 加急 #id: staff set a ticket's priority by hand, with why. The deadlines follow the new
 * priority (a new timer revision), the change is an event and one of the priority's reasons, and it stays:
 * reminders no longer move it. Anyone on the ticket side may raise one; lowering is for supervisors and
 * managers. The owner hears of a change someone else made.
 */
async function setPriority(
  deps: TicketDeps,
  id: number,
  to: Priority | 'raise' | 'lower',
  why: string,
  input: Omit<HandlingInput, 'parse'>,
): Promise<string> {
  const t = await deps.repo.byId(id);
  if (!t) return zh.ackUnknown({ id });
  const status = t.status as TicketStatus;
  if (status === 'resolved' || status === 'closed') return zh.priorityFinished({ id, statusZh: STATUS_ZH[status] });
  const from = t.priority as Priority;
  const who = input.sender.name ?? '同事';
  const reason = why.trim().slice(0, 100);
  // A retry of this very command (the worker stopped after storing it): tell the owner (once) and answer again.
  if (await deps.repo.handled(id, input.delivery.id)) return priorityTold(deps, t, input, { who, reason });
  const target = to === 'raise' ? raise(from) : to === 'lower' ? lower(from) : to;
  if (target === from) return zh.prioritySame({ id, priority: from });
  const lowering = PRIORITIES.indexOf(target) > PRIORITIES.indexOf(from);
  if (lowering && !TIER_ROLES.has(input.sender.staffRole ?? '')) return zh.priorityLowerNotAllowed();
  const flags = (t.flags ?? {}) as Record<string, unknown>;
  const updated = await updateAndReschedule(
    deps,
    t,
    {
      priority: target,
      priorityReasons: [
        ...(t.priorityReasons as string[]),
        `${who} 手动调整 → ${target}${reason ? `（${reason}）` : ''}`,
      ],
      flags: { ...flags, manualPriority: target },
    },
    {
      type: 'priority',
      ...byStaff(input),
      reason: `${who} 调整优先级 ${from} → ${target}${reason ? `：${reason}` : ''}`,
      data: { deliveryId: input.delivery.id, from, to: target },
    },
  );
  return priorityTold(deps, updated, input, { who, reason, from });
}

/** After a priority change: the owner's push (when someone else made it; once per delivery) and the answer. */
async function priorityTold(
  deps: TicketDeps,
  t: TicketRow,
  input: Omit<HandlingInput, 'parse'>,
  { who, reason, from }: { who: string; reason: string; from?: string },
): Promise<string> {
  const to = t.priority;
  if (t.assigneeId && t.assigneeId !== input.sender.id) {
    await deps.notifier.push({
      to: { staffIds: [t.assigneeId] },
      kind: 'push',
      text: zh.priorityChangedForOwner({
        id: t.id,
        to,
        by: who,
        ...(from ? { from } : {}),
        ...(reason ? { why: reason } : {}),
      }),
      dedupeKey: `priority-${t.id}-${input.delivery.id}`,
      ticketId: t.id,
    });
  }
  const firstDue = t.firstRespondedAt ? undefined : t.firstResponseDueAt;
  return zh.priorityDone({
    id: t.id,
    to,
    ...(from ? { from } : {}),
    ...(firstDue ? { firstDue: fmtTime(firstDue) } : {}),
    ...(t.resolveDueAt ? { resolveDue: fmtTime(t.resolveDueAt) } : {}),
  });
}

/**
 * 下班 / 上班: whether new tickets go to the sender (round robin over colleagues on duty) and whether the first
 * escalation step reaches them. Going off duty tells them what they still own and whether anyone is left
 * to take new tickets.
 */
async function setDuty(deps: TicketDeps, input: Omit<HandlingInput, 'parse'>, duty: 'on' | 'off'): Promise<string> {
  // New tickets go round robin over agents; supervisors and managers are not in the rotation.
  const staff = await deps.directory.staffByRole(['agent']);
  const me = staff.find((s) => s.id === input.sender.id);
  if (!me) return zh.dutyNotTicketStaff();
  if (me.onDuty === (duty === 'on')) return duty === 'on' ? zh.dutyAlreadyOn() : zh.dutyAlreadyOff();
  await deps.directory.setOnDuty(me.id, duty === 'on');
  if (duty === 'on') return zh.dutyOn();
  const mine = await deps.repo.openAssignedTo(me.id, 10);
  const others = staff.filter((s) => s.onDuty && s.id !== me.id);
  return zh.dutyOff({ open: mine.map((t) => t.id), othersOnDuty: others.map((s) => s.name) });
}

/** 谁在岗: the agents who get new tickets now, and those off duty. */
async function whoOnDuty(deps: TicketDeps): Promise<string> {
  const staff = await deps.directory.staffByRole(['agent']);
  const names = (on: boolean) => staff.filter((s) => s.onDuty === on).map((s) => s.name);
  return zh.whoOnDuty({ on: names(true), off: names(false) });
}

/** Ticket `t` now belongs to staff member `to`, by what `input`'s sender did (`reason`): one 'assigned' event. */
function assign(deps: TicketDeps, t: TicketRow, to: string, reason: string, input: Omit<HandlingInput, 'parse'>) {
  return deps.repo.update(
    t.id,
    { assigneeId: to },
    {
      type: 'assigned',
      ...byStaff(input),
      reason,
      data: { deliveryId: input.delivery.id, from: t.assigneeId, to },
    },
  );
}

/** 转派 #id 某人: the ticket moves to another staff member (by name or id), who gets a push; recorded as an event. */
async function reassign(deps: TicketDeps, id: number, who: string, input: Omit<HandlingInput, 'parse'>) {
  const t = await deps.repo.byId(id);
  if (!t) return zh.ackUnknown({ id });
  const staff = await deps.directory.staffByRole(TICKET_STAFF_ROLES);
  const name = who.replace(/^[@＠]/, '');
  // "小李" for 客服小李: a part of one colleague's name, when it is no one else's.
  const partly = staff.filter((s) => s.name.includes(name));
  const target = staff.find((s) => s.id === name || s.name === name) ?? (partly.length === 1 ? partly[0] : undefined);
  if (!target) return zh.reassignUnknown({ who, names: staff.map((s) => s.name) });
  if (t.assigneeId === target.id) return zh.reassignSame({ id, name: target.name });
  const before = staff.find((s) => s.id === t.assigneeId)?.name ?? '未分配';
  const updated = await assign(deps, t, target.id, `转派：${before} → ${target.name}`, input);
  await deps.notifier.push({
    to: { staffIds: [target.id] },
    kind: 'push',
    text: zh.reassignedToYou({
      id,
      priority: updated.priority,
      summary: updated.summary,
      by: input.sender.name ?? '同事',
      ...(updated.firstResponseDueAt && !updated.firstRespondedAt
        ? { dueText: fmtTime(updated.firstResponseDueAt) }
        : {}),
    }),
    dedupeKey: `reassigned-${id}-${input.delivery.id}`,
    ticketId: id,
  });
  return zh.reassignDone({ id, name: target.name });
}

const EVENT_ZH: Record<string, string> = {
  created: '创建工单',
  reminder: '顾客催促',
  status: '状态变更',
  assigned: '分配负责人',
  priority: '调整优先级',
  sla_warning: 'SLA 即将超时',
  sla_breach: 'SLA 已超时',
  escalated: '升级',
  acked: '已确认',
  note: '顾客补充',
  rule: '规则触发',
  reply: '回复顾客',
  rating: '顾客评价',
};

/** One line of the conversation as staff see it in a group: the first line, short, phones and addresses masked. */
function transcriptLine(text: string, max: number): string {
  const first = maskContactsIn(text.split('\n')[0] ?? '');
  const more = first.length > max || text.includes('\n');
  return `${first.slice(0, max)}${more ? '…' : ''}`;
}

async function describe(deps: TicketDeps, id: number): Promise<string> {
  const t = await deps.repo.byId(id);
  if (!t) return zh.ackUnknown({ id });
  // The conversation from half an hour before the ticket: what the customer said before it was opened too.
  const since = new Date(t.createdAt.getTime() - SESSION_MS);
  const [events, talk, staff, open] = await Promise.all([
    deps.repo.recentEvents(id, 8),
    deps.repo.conversation(t.customerId, since, 12),
    deps.directory.staffByRole(TICKET_STAFF_ROLES),
    deps.repo.openOfCustomer(t.customerId, 6),
  ]);
  // The same customer's other unfinished tickets: whoever answers sees the whole picture at once.
  const others = open.filter((o) => o.id !== t.id).slice(0, 5);
  const owner = staff.find((s) => s.id === t.assigneeId)?.name;
  const reach = await kfReach(deps, t);
  const who = (actor: string) => {
    const [kind, ref] = actor.split(':');
    if (kind === 'staff') return staff.find((s) => s.id === ref)?.name ?? '同事';
    if (kind === 'customer') return '顾客';
    if (kind === 'rule') return '规则';
    return '系统';
  };
  const order = t.order
    ? `${t.order.orderNo}（${sourceLabel(t.order.source)}）${currentState({
        status: t.order.status,
        ...(t.order.lastTrackingKind ? { lastTrackingKind: t.order.lastTrackingKind } : {}),
        ...(t.order.lastSignoffKind ? { lastSignoffKind: t.order.lastSignoffKind } : {}),
      })}`
    : '未关联订单';
  const lines = [
    `工单 #${t.id} · ${t.priority} · ${STATUS_ZH[t.status as TicketStatus]}`,
    `顾客：${customerLabel(t)}　订单：${order}`,
    `负责人：${owner ?? t.assigneeId ?? '未分配'}`,
    `问题：${maskContactsIn(t.summary)}`,
    ...(wantsOf(t) ? [`顾客希望：${wantsOf(t)}`] : []),
    `优先级依据：${(t.priorityReasons as string[]).join('；')}`,
    ...(t.firstResponseDueAt ? [`首响截止：${fmtTime(t.firstResponseDueAt)}`] : []),
    ...(t.resolveDueAt ? [`解决截止：${fmtTime(t.resolveDueAt)}`] : []),
    ...(reach ? [reach] : []),
    ...(others.length > 0
      ? [
          `该顾客其他未完成工单：${others
            .map((o) => `#${o.id} ${o.priority} ${ticketNameZh(o)}（${STATUS_ZH[o.status as TicketStatus]}）`)
            .join('、')}`,
        ]
      : []),
    ...(talk.length > 0
      ? [
          '最近对话：',
          // The customer's words in full (to a line), the bot's answers as a reminder of what was said.
          ...talk.map((m) =>
            m.who === 'customer'
              ? `· ${fmtTime(m.at)} 顾客：${m.recalled ? zh.recalledLine : transcriptLine(m.text, 60)}`
              : `· ${fmtTime(m.at)} 助手：${transcriptLine(m.text, 30)}`,
          ),
        ]
      : []),
    '记录：',
    ...events.map((e) => {
      const what = EVENT_ZH[e.type] ?? e.type;
      // What the customer added ("顾客补充：…电话139…") is masked like the problem: the view lands in a group.
      const reason = e.reason ? maskContactsIn(e.reason) : undefined;
      const why = reason ? (e.type === 'created' ? `${what}（${reason}）` : reason) : what;
      const name = who(e.actor);
      // "经理陈总 确认了升级提醒" under 经理陈总 needs the name once.
      return `· ${fmtTime(e.at)} ${name}：${why.startsWith(`${name} `) ? why.slice(name.length + 1) : why}`;
    }),
  ];
  return lines.join('\n');
}

/**
 * For a 微信客服 ticket still open: whether a message can still reach the customer there, and until when —
 * what the person about to write 回复 #N needs to know. Undefined for other channels.
 */
async function kfReach(deps: TicketDeps, t: TicketRow): Promise<string | undefined> {
  if (t.channel !== 'wecom_kf' || !deps.kf || t.status === 'closed') return undefined;
  const who = await deps.repo.customerContact(t.customerId);
  const w = who ? await deps.kf.window(who.userRef) : undefined;
  if (!w) return zh.kfWindowClosed;
  return zh.kfWindowOpen({ until: fmtTime(w.closesAt), left: w.sendsLeft });
}

/** 回复 #id <text>: the text reaches the customer on the channel the ticket came from; counts as a response. */
async function replyToCustomer(
  deps: TicketDeps,
  id: number,
  text: string,
  input: Omit<HandlingInput, 'parse'>,
): Promise<string> {
  const t = await deps.repo.byId(id);
  if (!t) return zh.ackUnknown({ id });
  const told = await tellCustomer(deps, t, `【工单 #${id}】${text}`, { dedupeKey: `staff-reply-${input.delivery.id}` });
  if (told.status === 'missed' || told.status === 'held') {
    // Not a response to the customer, who has not seen it: the ticket keeps its clock, and the attempt is on record.
    const later = told.status === 'held' ? '，顾客下次来消息时转告' : '';
    await deps.repo.addEvent({
      ticketId: id,
      type: 'note',
      ...byStaff(input),
      reason: `回复顾客未送达（${told.why}${later}）：${text.slice(0, 100)}`,
    });
    return `工单 #${id} 的回复没有发给顾客。${toldNote(told, '')}`;
  }
  await recordStaffResponse(deps, t, {
    ...byStaff(input),
    deliveryId: input.delivery.id,
    reason: `回复顾客：${text.slice(0, 100)}`,
  });
  return told.status === 'later' ? `工单 #${id} 的回复${zh.toldLater}` : `已把回复发给工单 #${id} 的顾客。`;
}

/**
 * 备注 #12 …: kept on the ticket (工单 #12 shows it under 记录) and pushed to its owner when someone else wrote
 * it. Not a response to the customer: the SLA clock is untouched. Once per delivery.
 */
async function addStaffNote(
  deps: TicketDeps,
  id: number,
  text: string,
  input: Omit<HandlingInput, 'parse'>,
): Promise<string> {
  const t = await deps.repo.byId(id);
  if (!t) return zh.ackUnknown({ id });
  if (!(await deps.repo.handled(id, input.delivery.id))) {
    await deps.repo.addEvent({
      ticketId: id,
      type: 'note',
      ...byStaff(input),
      reason: `员工备注：${text.slice(0, 200)}`,
      data: { deliveryId: input.delivery.id },
    });
    if (t.assigneeId && t.assigneeId !== input.sender.id) {
      await deps.notifier.push({
        to: { staffIds: [t.assigneeId] },
        kind: 'push',
        text: `工单 #${id}（${input.sender.name ?? '同事'} 备注）：${maskContactsIn(text).slice(0, 200)}`,
        dedupeKey: `staff-note-${id}-${input.delivery.id}`,
        ticketId: id,
      });
    }
  }
  return `已在工单 #${id} 记下备注（顾客看不到）。`;
}

/** 超时工单: what is past its SLA now, with how long and who owns it, under the open count per priority. */
async function overdue(deps: TicketDeps): Promise<string> {
  const now = deps.now();
  const [list, open] = await Promise.all([deps.repo.overdue(now, 20), deps.repo.openByPriority()]);
  const counts = openCounts(open);
  const head = `未完成工单 ${counts.total} 张（${counts.text}）。`;
  if (list.length === 0) return `${head}目前没有超时的工单。`;
  const lines = list.map(
    (t) =>
      `#${t.id} ${t.priority} ${STATUS_ZH[t.status as TicketStatus]} ${ticketNameZh(t)} · ${missed(t, now)}（${t.assignee?.name ?? '未分配'}）`,
  );
  return [`${head}其中 ${list.length} 张已超时：`, ...lines].join('\n');
}

/** 今日概况: what came in and went out today, the first-response time against its target, what is open. */
async function daySummary(deps: TicketDeps): Promise<string> {
  const now = deps.now();
  const since = chinaDayStart(now);
  const [day, open] = await Promise.all([deps.repo.daySummary(since, now), deps.repo.openByPriority()]);
  const counts = openCounts(open);
  const problems = day.byProblem.map((p) => `${ticketProblemZh(p.problem)} ${p.n}`).join('、');
  const median = day.medianFirstResponseMins;
  const firstResponse =
    median === undefined
      ? '今天还没有首次响应'
      : `首次响应 ${day.responded} 张，中位用时 ${median < 1 ? '不到 1' : Math.round(median)} 分钟（目标 ≤ ${FIRST_RESPONSE_TARGET_MINS} 分钟 ${median <= FIRST_RESPONSE_TARGET_MINS ? '✔' : '✘'}）`;
  return [
    `今日工单概况（${fmtTime(since)} 至 ${fmtTime(now)}）：`,
    `· 新建 ${day.created} 张${problems ? `：${problems}` : ''}`,
    `· 已解决 ${day.resolved} 张`,
    `· ${firstResponse}${day.firstResponseLate > 0 ? `；今天新建的工单里首响超时 ${day.firstResponseLate} 张` : ''}`,
    `· 未完成 ${counts.total} 张（${counts.text}）${day.overdueNow > 0 ? `，其中已超时 ${day.overdueNow} 张，发「超时工单」看明细` : ''}`,
  ].join('\n');
}

const LIST_MAX = 20;
const LIST_OF = {
  urgent: { only: { priorities: ['P1', 'P2'] }, zh: '未完成的加急工单（P1/P2）' },
  unassigned: { only: { unassigned: true }, zh: '还没有人负责的未完成工单' },
  all: { only: {}, zh: '未完成工单' },
} as const;

/**
 * 加急工单, 未分配工单, 待处理工单: unresolved tickets (P1/P2 only, nobody's, or all), with their state, owner and
 * what is due next, the most urgent 20.
 */
async function openList(deps: TicketDeps, which: keyof typeof LIST_OF): Promise<string> {
  const { only, zh: what } = LIST_OF[which];
  const [list, open] = await Promise.all([
    deps.repo.openList(LIST_MAX, only),
    which === 'all' ? deps.repo.openByPriority() : undefined,
  ]);
  if (list.length === 0) return `目前没有${what}。`;
  const counts = open ? openCounts(open) : undefined;
  const gap = what.endsWith('）') ? '' : ' ';
  const head = counts
    ? `${what}${gap}${counts.total} 张（${counts.text}）${counts.total > list.length ? `，最急的 ${list.length} 张` : ''}：`
    : `${what}${gap}${list.length}${list.length === LIST_MAX ? '+' : ''} 张：`;
  const lines = list.map((t) => {
    const due = deadlineText(t);
    return `${ticketLine(t)}（${t.assignee?.name ?? '未分配'}${due ? `，${due}` : ''}）`;
  });
  return [head, ...lines].join('\n');
}

/** 满意度: the ratings of the last 30 days (latest per ticket), and the 不满意 tickets to call back. */
async function ratings(deps: TicketDeps): Promise<string> {
  const since = new Date(deps.now().getTime() - RATINGS_DAYS * 24 * 3_600_000);
  const { rated, resolved } = await deps.repo.ratingsSince(since);
  const total = rated.length;
  if (total === 0) return `近 ${RATINGS_DAYS} 天还没有顾客评价（已解决 ${resolved} 单）。`;
  const counts = RATING_LEVELS.map((l) => {
    const n = rated.filter((r) => r.level === l).length;
    return `${zh.ratingLabels[l]} ${n}（${Math.round((100 * n) / total)}%）`;
  });
  const bad = rated.filter((r) => r.level === 'bad').slice(0, 10);
  const lines = [
    `近 ${RATINGS_DAYS} 天顾客评价 ${total} 条（已解决 ${resolved} 单${resolved > 0 ? `，评价率 ${Math.min(100, Math.round((100 * total) / resolved))}%` : ''}）：`,
    counts.join(' · '),
  ];
  if (bad.length > 0) {
    lines.push('不满意的工单（请回访）：');
    for (const t of bad) lines.push(`· #${t.id} ${ticketProblemZh(t.problem)} · ${t.assignee ?? '未分配'}`);
  }
  return lines.join('\n');
}

/** "#12 P2 处理中 商品破损：杯子收到就是碎的": one ticket in a staff list, phones masked. */
function ticketLine(t: Pick<TicketRow, 'id' | 'priority' | 'status' | 'problem' | 'summary' | 'flags'>): string {
  return `#${t.id} ${t.priority} ${STATUS_ZH[t.status as TicketStatus]} ${ticketNameZh(t)}：${maskContactsIn(t.summary).slice(0, 30)}`;
}

async function mine(deps: TicketDeps, staffId: string): Promise<string> {
  const list = await deps.repo.openAssignedTo(staffId, 20);
  if (list.length === 0) return '您目前没有未完成的工单。';
  const lines = list.map(
    (t) =>
      `${ticketLine(t)}${t.firstResponseDueAt && !t.firstRespondedAt ? `（首响截止 ${fmtTime(t.firstResponseDueAt)}）` : ''}`,
  );
  return [`您有 ${list.length} 张未完成的工单：`, ...lines].join('\n');
}
