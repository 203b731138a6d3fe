import { isCodedError } from '../../domain/errors.ts';
import type { OutboundMessage, SendResult } from '../channel.ts';
import { splitUtf8, truncateUtf8 } from '../outbound/split-text.ts';
import type { BudgetTarget, RerouteReason } from '../send-budget.ts';
import { type KfMessageBody, KfServiceState, SESSION_ENDED_KEY } from './api-types.ts';
import { failed, LIMITS, plainText, REROUTE_TEXT, type SendContext, stableId, stringField } from './send-context.ts';

const CUT_NOTE = '…（内容较长，余下部分请联系人工客服）';

/**
 * A reply or update to a customer through 微信客服: plain text only, split at 2048 bytes, within the
 * 48 h / 5-message budget; what the budget cannot carry is merged, deferred or rerouted to staff.
 */
export async function sendKf(ctx: SendContext, message: OutboundMessage): Promise<SendResult> {
  const user = message.target.userRef;
  // A push (resolution notice, 回复 #N) carries no open_kfid: it goes where the customer last wrote.
  const openKfId =
    stringField(message.replyContext?.open_kfid) ??
    (user ? await ctx.budget.kfAccountOf(user) : undefined) ??
    ctx.defaultOpenKfId;
  if (!openKfId || !user) return failed('微信客服消息缺少 open_kfid 或客户 external_userid');
  const eventCode = stringField(message.replyContext?.event_code);
  if (eventCode && message.kind === 'reply') {
    // A person ended the session: it is the bot's again (no need to ask kf/service_state/get first).
    if (message.replyContext?.[SESSION_ENDED_KEY] === true) await ctx.redis.del(personKey(ctx, openKfId, user));
    return sendOnEvent(ctx, message, eventCode);
  }
  if (await withPerson(ctx, openKfId, user)) return unreachable(ctx, message, 'kf_session_state', plainText(message));
  const result = await sendText(ctx, message, openKfId, user);
  // The hand-over happens whether or not the reply itself could go out now (budget, 48 h window).
  if (message.handoff && !(await handOver(ctx, openKfId, user))) {
    const note = { ...message, dedupeKey: `${message.dedupeKey}:handoff`, handoff: false };
    await ctx.reroute(note, 'kf_handoff_failed', plainText(message));
  }
  return result;
}

async function sendText(
  ctx: SendContext,
  message: OutboundMessage,
  openKfId: string,
  user: string,
): Promise<SendResult> {
  const target = { kind: 'kf', openKfId, externalUserId: user } as const satisfies BudgetTarget;
  const text = plainText(message);
  const menu = menuOf(message);
  const parts = menu ? [text] : splitUtf8(text, LIMITS.kfText);
  const kind = message.keepalive ? 'keepalive' : message.personal ? 'reply' : message.kind;
  const admission = await ctx.budget.admit(target, message, { kind, parts: parts.length }, text);
  if (admission.action === 'deferred') return { status: 'deferred' };
  if (admission.action === 'reroute') return unreachable(ctx, message, admission.reason, text);
  const allowed = parts.slice(0, admission.parts);
  if (allowed.length < parts.length) {
    allowed[allowed.length - 1] = truncateUtf8(allowed[allowed.length - 1] ?? '', LIMITS.kfText, CUT_NOTE);
  }
  const ids: string[] = [];
  for (const [i, content] of allowed.entries()) {
    try {
      const msgid = `${stableId(message.dedupeKey)}-${i}`;
      const body = menu ?? ({ msgtype: 'text', text: { content } } as const);
      ids.push(await ctx.kfApi.kfSendMsg({ touser: user, openKfId, msgid, body }));
    } catch (err) {
      await admission.release(allowed.length - i);
      const refused = await onKfRefusal(ctx, target, err);
      if (refused) return unreachable(ctx, message, refused, allowed.slice(i).join('\n'));
      throw err;
    }
  }
  return { status: 'sent', platformIds: ids };
}

/** Reasons that last only until the customer writes again: 48 h of silence, the 5 sends spent. */
const UNTIL_CUSTOMER_WRITES: ReadonlySet<RerouteReason> = new Set([
  'kf_window_closed',
  'kf_budget_exhausted',
  'kf_budget_reserved',
]);

/**
 * What becomes of a message that cannot reach the customer now (`reason`), in one place:
 * - a keep-alive has nothing to tell anyone: it is withheld while a person serves the customer (who keeps
 *   them talking), else it simply did not go out;
 * - while a person serves the customer, the bot's own replies are withheld and what staff meant for the
 *   customer goes to the staff group (holdForPerson);
 * - otherwise the staff group hears of it, and a person's message (回复 #N, the resolution notice) that only
 *   the 48 h window or the 5 sends stop is also kept, to go with the bot's answer when the customer next writes.
 */
async function unreachable(
  ctx: SendContext,
  message: OutboundMessage,
  reason: RerouteReason,
  text: string,
): Promise<SendResult> {
  if (message.keepalive) {
    return reason === 'kf_session_state'
      ? { status: 'withheld', error: REROUTE_TEXT[reason] }
      : failed(REROUTE_TEXT[reason]);
  }
  if (reason === 'kf_session_state') return holdForPerson(ctx, message);
  const result = await ctx.reroute(message, reason, text);
  return message.personal && UNTIL_CUSTOMER_WRITES.has(reason) ? { ...result, held: true } : result;
}

/** Whether a kf msgid is one we sent for `dedupeKey` (a text part `<id>-<n>`, or the welcome's `<id>`). */
export function ownsKfMsgId(dedupeKey: string, msgid: string): boolean {
  const id = stableId(dedupeKey);
  return msgid === id || msgid.startsWith(`${id}-`);
}

/**
 * The answer to a session event (the welcome, the note after a person ended the session), through
 * kf/send_msg_on_event with the event's code: once, within 20 s, outside the 5-message budget. When WeCom
 * refuses it (the code expired or was used) the customer simply does not get it; nothing is rerouted.
 */
async function sendOnEvent(ctx: SendContext, message: OutboundMessage, code: string): Promise<SendResult> {
  const body = menuOf(message) ?? {
    msgtype: 'text' as const,
    text: { content: truncateUtf8(plainText(message), LIMITS.kfText, '') },
  };
  try {
    return {
      status: 'sent',
      platformIds: [await ctx.kfApi.kfSendMsgOnEvent({ code, msgid: stableId(message.dedupeKey), body })],
    };
  } catch (err) {
    if (isCodedError(err) && typeof err.details?.errcode === 'number')
      return failed(`会话事件消息未发出：${err.message}`);
    throw err;
  }
}

/**
 * The message's choices as a kf msgmenu (platforms.md §4.5: ≤ 10 items, head and tail ≤ 1024 B, an item
 * ≤ 128 B, its id ≤ 64 B); undefined when it has none or they do not fit, and the text goes instead.
 */
function menuOf(message: OutboundMessage): KfMessageBody | undefined {
  const c = message.choices;
  const fits = (s: string | undefined, max: number) => Buffer.byteLength(s ?? '') <= max;
  if (!c || c.items.length === 0 || c.items.length > 10) return undefined;
  if (!fits(c.head, 1024) || !fits(c.tail, 1024)) return undefined;
  if (c.items.some((i) => !fits(i.label, 128) || !fits(i.id, 64) || !i.label)) return undefined;
  return {
    msgtype: 'msgmenu',
    msgmenu: {
      head_content: c.head,
      list: c.items.map((i) => ({ type: 'click' as const, click: { id: i.id, content: i.label } })),
      ...(c.tail ? { tail_content: c.tail } : {}),
    },
  };
}

/**
 * Moves the session into the 接待池 queue (state 2), where WeCom assigns a 接待人员 (platforms.md §4.5).
 * 95016 means the state does not allow the move — already queued, with a person, or ended — which is
 * fine. Any other failure is reported (false) rather than thrown: the reply is already out, and a retry
 * would send it again.
 */
async function handOver(ctx: SendContext, openKfId: string, externalUserId: string): Promise<boolean> {
  try {
    await ctx.kfApi.kfTransServiceState({ openKfId, externalUserId, serviceState: KfServiceState.Queued });
  } catch (err) {
    if (!isCodedError(err) || err.details?.errcode !== 95016) return false;
  }
  await markWithPerson(ctx, openKfId, externalUserId);
  return true;
}

/*
 * While a session is queued for or served by a person (states 2 and 3), kf/send_msg refuses every
 * message (95018) and the person sees the customer's messages in their own client. So the bot keeps
 * recording (tickets, NLU) but stops talking: its automatic replies are withheld without noise, and
 * what staff meant for the customer (a 回复 #N, a progress update) goes to the staff group with the
 * reason. The mark is only a hint — set by our hand-over and by 95018, kept 48 h (a session's life) —
 * and is checked against kf/service_state/get before anything is withheld, so a session the person
 * has ended is the bot's again at the customer's next message.
 */
const PERSON_TTL_SEC = 48 * 3600;
const personKey = (ctx: SendContext, openKfId: string, user: string) =>
  `${ctx.keyPrefix}wecom:kf:person:${stableId(`${openKfId}|${user}`, 32)}`;

async function markWithPerson(ctx: SendContext, openKfId: string, user: string): Promise<void> {
  await ctx.redis.set(personKey(ctx, openKfId, user), '1', 'EX', PERSON_TTL_SEC);
}

async function withPerson(ctx: SendContext, openKfId: string, user: string): Promise<boolean> {
  const key = personKey(ctx, openKfId, user);
  if ((await ctx.redis.exists(key)) === 0) return false;
  let state: number;
  try {
    state = (await ctx.kfApi.kfGetServiceState({ openKfId, externalUserId: user })).serviceState;
  } catch {
    return false; // unknown: try to send; a 95018 answers the question
  }
  if (state === KfServiceState.Queued || state === KfServiceState.HumanServing) return true;
  await ctx.redis.del(key);
  return false;
}

async function holdForPerson(ctx: SendContext, message: OutboundMessage): Promise<SendResult> {
  if (message.kind === 'reply') return { status: 'withheld', error: REROUTE_TEXT.kf_session_state };
  return ctx.reroute({ ...message, handoff: false }, 'kf_session_state', plainText(message));
}

/**
 * 95001 / 95002 / 95018 mean "cannot reach this customer now": fix our view (the budget, or the session
 * being with a person) and say why.
 */
async function onKfRefusal(ctx: SendContext, target: BudgetTarget & { kind: 'kf' }, err: unknown) {
  const errcode = isCodedError(err) ? err.details?.errcode : undefined;
  if (errcode === 95001) {
    await ctx.budget.markKfRefused(target, 'count');
    return 'kf_budget_exhausted' as const;
  }
  if (errcode === 95002) {
    await ctx.budget.markKfRefused(target, 'window');
    return 'kf_window_closed' as const;
  }
  if (errcode === 95018) {
    await markWithPerson(ctx, target.openKfId, target.externalUserId);
    return 'kf_session_state' as const;
  }
  return undefined;
}
