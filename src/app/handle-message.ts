import { type OutboundMessage, STAFF_REPLY_TO } from '../channels/channel.ts';
import type { ReturnPolicy, ReturnPolicyPart } from '../domain/shop/return-policy.ts';
import { PRODUCT_PROBLEMS, problemKey, problemsChosenBetween } from '../domain/tickets/lifecycle.ts';
import { parseRatingChoice, RATING_LEVELS, type RatingLevel } from '../domain/tickets/rating.ts';
import { zh } from '../i18n/zh.ts';
import {
  type ContextResolver,
  type ConversationMemory,
  continuesPrevious,
  rememberOrders,
  withMedia,
} from '../nlu/context.ts';
import { type Parse, readAs } from '../nlu/contract.ts';
import { PRESENT } from '../nlu/decide.ts';
import type { Parser } from '../nlu/parse.ts';
import type { Sender } from '../store/identities.repo.ts';
import type { StoredDelivery } from './ports.ts';
import type { Responder } from './process-delivery.ts';
import type { ReportMessage } from './reports.ts';

export interface HandlingInput {
  sender: Sender;
  delivery: StoredDelivery;
  parse: Parse;
}

/**
 * What a use case answered, and the orders the answer was about, in the order shown: one order becomes the
 * conversation's order ("催一下" next is about it); several are a list the customer can pick from ("第二个").
 */
export interface Answer {
  text: string;
  orderNos?: string[];
  /** The text says by when someone will answer (a ticket's first-response deadline). */
  promised?: boolean;
  /** The text already says what the return policy would add (a cancellation's refund): none is appended. */
  policyTold?: boolean;
  /** The message opened the ticket the text is about (not a note or a reminder on one already open). */
  opened?: boolean;
}

/**
 * How a customer message relates to chasing: `chase` (a chase word or this message's own urgency) makes it a
 * reminder on the open ticket; `restated` (not merely continuing the previous message, nor giving details)
 * makes it one when it asks for the same thing the ticket was opened for. Anything else on an open ticket is
 * a note.
 */
export interface FollowUpOpts {
  /** The message chases (a chase word or its own urgency): a reminder, not a note. */
  chase: boolean;
  /** Its only chase words ask when or how long (see CustomerMessageOpts.timing). */
  timing?: boolean;
  /** A question: a note answered with the ticket's status. */
  question?: boolean;
  /** Vague: the ticket the conversation is about (last half hour) takes it when no ticket fits its problem. */
  inSession?: boolean;
  /** Names no matter at all: the conversation's ticket comes before one that fits the classifier's guess. */
  anyProblem?: boolean;
  /**
   * Takes the request back ("算了不取消了"): a ticket nobody has picked up yet is resolved as withdrawn when the
   * message takes back what it was opened for, or whatever it was for (`'any'`, "算了 不用处理了"); one being worked
   * on gets the news.
   */
  retract?: boolean | 'any';
  /**
   * Promises the answer later ("我晚上回家拍"): only a ticket waiting on the customer takes it, as a note; it keeps
   * waiting. Undefined when none waits.
   */
  later?: boolean;
}

export interface CustomerMessageOpts {
  chase: boolean;
  /**
   * The only chase words ask when or how long ("退款多久能到账", intents/cues.yml `timing`), without urgency: on a
   * ticket opened in the last half hour and not chased yet, a question (answered with its status), not a reminder.
   */
  timing?: boolean;
  restated?: boolean;
  /** A photo came earlier in this conversation (so a new ticket's reply does not ask for one). */
  photoSent?: boolean;
  /** The message asks something ("补发的单号多少"): as a note, it is answered with the ticket's status. */
  question?: boolean;
  /** A person was asked for outside working hours: the reply says when someone will be in, not "转接中". */
  afterHours?: boolean;
  /**
   * The customer asks again what their previous message asked ("还没发货" twice): an answer from the order
   * ("还在承诺时间内") did not do, so a ticket is opened for a person to look.
   */
  askedAgain?: boolean;
}

/** Ticket side of a message (src/app/tickets); every method is idempotent per delivery. */
export interface TicketHandling {
  /**
   * Open, attach (reminder), resume or reopen; undefined when the parse is no ticket matter. On an open
   * ticket the message is a reminder when it counts as chasing (`chase`), else a note added to it.
   */
  onCustomerMessage(input: HandlingInput, opts?: CustomerMessageOpts): Promise<Answer | undefined>;
  /**
   * A vague message on the customer's open ticket for the problem it leans to: a reminder when it chases
   * (`chase`), else a note added to the ticket.
   */
  onFollowUp(input: HandlingInput, opts?: FollowUpOpts): Promise<Answer | undefined>;
  /** "退货单号 SF…": the parcel sent back, recorded on the open return ticket; undefined when it is not that. */
  onReturnParcel?(input: HandlingInput): Promise<Answer | undefined>;
  /**
   * "都说了很慢了 快点" (not shipped yet, or stuck on the way?) about an order the conversation is about: the
   * clarifying question's option that order's state answers — 催发货 before it ships, 物流延误 on the way, 未收到货
   * once signed; likewise 「算了 我不要了 退款吧」 (cancel, or refund only?): 取消 before it ships, 仅退款 after.
   * Undefined when the options are not those, or no order is known.
   */
  deliveryProblemOf?(input: HandlingInput, options: readonly string[]): Promise<string | undefined>;
  /**
   * The customer rates a resolved ticket ("满意", or a tap on the resolution notice's choices): recorded on it;
   * undefined when there is no ticket to rate.
   */
  onRating?(
    input: Omit<HandlingInput, 'parse'>,
    /** `comment`: what the customer wrote after the rating ("不满意 客服态度太差"). */
    rating: { level: RatingLevel; ticketId?: number; comment?: string },
  ): Promise<Answer | undefined>;
  /** A customer's photo, voice note, video or file: recorded on their open ticket; undefined when none. */
  onCustomerMedia?(input: Omit<HandlingInput, 'parse'>): Promise<Answer | undefined>;
  /**
   * The customer was just shown one of their orders: an order-less ticket they opened recently takes it.
   * Returns what to add to the answer, or undefined.
   */
  onOrderShown?(input: HandlingInput, orderNo: string): Promise<string | undefined>;
  /**
   * A staff member answered the customer on the platform itself (WeCom kf 接待人员): the customer's open
   * tickets get their response recorded (first response, escalations acknowledged).
   */
  onPlatformStaffReply?(input: { staff: Sender; customer: Sender; delivery: StoredDelivery }): Promise<void>;
  /** The customer's unresolved tickets (newest first, at most 3), e.g. for the greeting when they open the chat. */
  openTickets?(sender: Sender): Promise<{ id: number; problem: string; problemZh: string; statusZh: string }[]>;
  /** "我的工单怎么样了": the customer's own tickets' status; undefined when the message asks no such thing. */
  customerTicketStatus?(input: HandlingInput): Promise<string | undefined>;
  /** Staff/manager commands (收到 #12, 解决 #12, …); undefined when the text is no ticket command. */
  onStaffMessage(input: Omit<HandlingInput, 'parse'>): Promise<string | undefined>;
}

/** Order side (src/app/order-query): status answers with identity checks and masking. */
export interface OrderHandling {
  /** Answer an order question; undefined when the message is not about an order. */
  answer(input: HandlingInput): Promise<Answer | undefined>;
}

const QUERY_INTENTS = new Set(['order_status', 'logistics_query']);
/** A letter (any script, so Chinese too) or a digit. */
const HAS_WORDS = /[\p{L}\p{N}]/u;
/** Wordless impatience: question or exclamation marks, an ellipsis, or an angry face. */
const IMPATIENT = /^[\s?？!！.。…]+$|[😡😠🤬💢😤]/u;
/** Wordless agreement or thanks: a thumbs-up, OK hand, folded hands, a smile, a heart. */
const POSITIVE = /^(?:[\s]|👍|👌|🙏|😊|🙂|😀|😄|❤️?|💕|🌹|✌️?|🤝|[\u{1F3FB}-\u{1F3FF}])+$/u;
const ORDER_REFS = new Set(['orderNo', 'trackingNo', 'phone']);
/** Words of a staff member's question about an order ("@bot 这单呢", "物流到哪了"), or a pick from a list ("2", "第二个"). */
const ORDER_WORDS = /单|货|快递|物流|包裹|件|签收|到哪|发了|第|\d/u;
/** "尾号1234": the phone suffix that verifies an order. */
const SUFFIX = /尾号\s*\d{4}/;

/** Entities of these types that this message names — not carried from the conversation (start −1). */
const named = (p: Parse, types: ReadonlySet<string>) => p.entities.filter((e) => types.has(e.type) && e.start >= 0);
const ORDER_NO: ReadonlySet<string> = new Set(['orderNo']);
const namesOrderNo = (p: Parse) => named(p, ORDER_NO).length > 0;

/**
 * An order number, tracking number, phone or a bare "尾号1234" (the answer to a verification question) in
 * this message — not one carried from the conversation, or 「你好」 would show that order again.
 */
function namesAnOrder(p: Parse): boolean {
  return named(p, ORDER_REFS).length > 0 || SUFFIX.test(p.text) || /^\D{0,6}\d{4}\D{0,4}$/.test(p.text.trim());
}

/** The message's only order reference is a full phone number. */
function onlyAPhone(p: Parse): boolean {
  const refs = named(p, ORDER_REFS);
  return refs.length > 0 && refs.every((e) => e.type === 'phone') && !SUFFIX.test(p.text);
}

/** A message that is only a phone number, perhaps introduced ("我手机号是 174…"). */
const JUST_A_PHONE =
  /^(?:我的?)?(?:下单)?(?:手机号码?|手机|电话号码?|号码|电话)?(?:是|为)?[:：\s]*\+?(?:86)?[\s-]?1\d{2}[\s-]?\d{4}[\s-]?\d{4}[\s。.]*$/u;

/** An order number and the phone suffix that proves it, both in this message. */
const provesAnOrder = (p: Parse) => namesOrderNo(p) && SUFFIX.test(p.text);

/** How long a problem waits for its order to be proved (a wrong suffix, then the right one). */
const UNPROVED_WINDOW_MS = 10 * 60_000;

/** An order number, or the phone suffix that verifies one ("尾号1234"), named in this message. */
const givesOrderOrSuffix = (p: Parse) => namesOrderNo(p) || SUFFIX.test(p.text);

/** Where a reply to this delivery goes: the group it came from, or the sender. */
function replyTarget(d: StoredDelivery): OutboundMessage['target'] {
  return d.chatId ? { chatId: d.chatId, userRef: d.userRef } : { userRef: d.userRef };
}

/**
 * The worker's responder: who is this → what do they mean (NLU with conversation memory) → act
 * (order answer, ticket, clarifying question) → the replies. Side effects are idempotent per delivery.
 */
export function createMessageHandler(deps: {
  resolveSender(d: StoredDelivery): Promise<Sender>;
  parser: Parser;
  resolveContext: ContextResolver;
  memory: {
    load(key: string): Promise<ConversationMemory | undefined>;
    save(key: string, m: ConversationMemory): Promise<void>;
  };
  recordParse(deliveryId: string, parse: Parse): Promise<void>;
  tickets?: TicketHandling;
  orders?: OrderHandling;
  /** Words of small talk that get their own answer (intents/smalltalk.yml). */
  smalltalk?: {
    thanks: readonly string[];
    hours?: readonly string[];
    /** A whole message that only says OK ("好的", "嗯嗯"), punctuation aside. */
    okay?: readonly string[];
    /** A question whether a person answers ("你是机器人吗"): one of `ask`, the rest `words` and fillers. */
    bot?: { readonly ask: readonly string[]; readonly words: readonly string[] };
    /** Questions about goods before buying ("尺码表在哪看", "有货吗"). */
    presales?: readonly string[];
    ratings?: Readonly<Record<RatingLevel, readonly string[]>>;
  };
  /** When people are at work, in words (the service calendar), for "你们几点下班". */
  serviceHours?: (now: Date) => string;
  /**
   * Whether people are at work now (the service calendar). Outside those hours a conversation is not handed
   * to a person (微信客服's queue would leave the customer waiting in silence until morning) unless
   * `handoffAfterHours`; the ticket says when someone will be in.
   */
  atWork?: (now: Date) => boolean;
  /** Hand over outside working hours too (env WECOM_KF_HANDOFF_AFTER_HOURS, e.g. for a night shift). */
  handoffAfterHours?: boolean;
  /** Each intent label's 中文名 (intents/labels.yml), the words a clarifying question's options are shown as. */
  labelNames?: Readonly<Record<string, string>>;
  /** Words that make a vague message a chase-up (intents/cues.yml `chase`). */
  chaseWords?: readonly string[];
  /** Chase words that only ask when or how long (intents/cues.yml `timing`). */
  timingWords?: readonly string[];
  /** Words with no matter of their own (intents/cues.yml `filler`). */
  fillerWords?: readonly string[];
  /** Words that take a request back, "算了不取消了" (intents/cues.yml `retract`). */
  retractWords?: readonly string[];
  /** Words that take back whatever was asked, "算了 不用处理了" (intents/cues.yml `retractAny`). */
  retractAnyWords?: readonly string[];
  /** Words that ask how a return or exchange works, "怎么换" (intents/cues.yml `howto`). */
  howtoWords?: readonly string[];
  /** Saying the return goes out later, "那我明天寄" (intents/cues.yml `sendLater`). */
  sendLaterWords?: readonly string[];
  /** The managers' report a staff message asks for ("健康日报", "根因周报"; app/reports.ts), or undefined. */
  reports?: (text: string) => Promise<ReportMessage | undefined>;
  /** A manager's answer to an export request ("批准导出 3"; app/exports.ts), or undefined. */
  exportDecision?: (sender: Sender, text: string) => Promise<string | undefined>;
  /** Promising to answer later, "好的 稍等 我晚上回家拍" (intents/cues.yml `later`). */
  later?: { readonly when: readonly string[]; readonly do: readonly string[]; readonly words: readonly string[] };
  /** Asking what will be done, "你们打算怎么处理" (intents/cues.yml `handling`). */
  handling?: { readonly ask: readonly string[]; readonly words: readonly string[] };
  /** A message only about photos sent, "照片发给你们了" (intents/cues.yml `evidence`). */
  evidence?: { readonly media: readonly string[]; readonly words: readonly string[] };
  /** Words that make a message a question ("多少", "吗"; intents/cues.yml `question`). */
  questionWords?: readonly string[];
  /**
   * Messages kept for this customer while they could not be reached (回复 #N after 48 h of silence), taken
   * to go with the answer to delivery `d`; the same ones again for a retry of `d`.
   */
  heldMessages?: (d: StoredDelivery) => Promise<string[]>;
  /** What "退货寄到哪 / 运费谁出" is answered with (env RETURN_POLICY_FILE). */
  returnPolicy?: ReturnPolicy;
  now?: () => number;
}): Responder {
  const now = deps.now ?? Date.now;
  const saysThanks = containsAnyOf(deps.smalltalk?.thanks ?? []);
  // "收到了 很满意 给你们好评" thanks; "不是很满意" and "不会给好评" do not.
  const isThanks = (text: string) => saysThanks(text) && !NOT_PLEASED.test(text);
  const asksHours = containsAnyOf(deps.smalltalk?.hours ?? []);
  const okayWords = new Set((deps.smalltalk?.okay ?? []).map((w) => w.toLowerCase()));
  /** Each rating word as a message is matched (bareWords), and its level. */
  const ratingWords = new Map(
    RATING_LEVELS.flatMap((level) =>
      (deps.smalltalk?.ratings?.[level] ?? []).map((w) => [bareWords(w), level] as const),
    ),
  );
  const onlyOkay = (text: string) => okayWords.has(bareWords(text).toLowerCase());
  /**
   * "好的", "👍": the customer agrees, asks nothing. With tickets under way they hear that the result will reach
   * them (the answer to the reminder before the 微信客服 window closes); otherwise a plain OK.
   */
  /** The customer's tickets under way, newest first (none for staff, or without a ticket side). */
  const openTicketsOf = async (sender: Sender) =>
    sender.kind === 'customer' ? ((await deps.tickets?.openTickets?.(sender)) ?? []) : [];
  /** The ticket a message about photos goes to: the customer's newest one under way. */
  const photosFor = async (sender: Sender) => {
    const [latest] = await openTicketsOf(sender);
    return latest ? { ticketId: latest.id } : {};
  };
  const acknowledge = async (sender: Sender): Promise<{ text: string }> => {
    const open = await openTicketsOf(sender);
    return { text: open.length > 0 ? zh.okayWithTickets(open) : zh.okay() };
  };
  const hasChaseWord = containsAnyOf(deps.chaseWords ?? []);
  const isChase = (p: Parse) => p.urgency.level !== 'normal' || hasChaseWord(p.text);
  const timingWords = new Set(deps.timingWords ?? []);
  /** "退款多久能到账": chases only by asking when or how long ("还要多久", "怎么还没", "快点" are more). */
  const onlyTiming = (p: Parse) => {
    if (p.urgency.level !== 'normal') return false;
    const hits = (deps.chaseWords ?? []).filter((w) => p.text.includes(w));
    return hits.length > 0 && hits.every((w) => timingWords.has(w));
  };
  const retractsAny = containsAnyOf(deps.retractAnyWords ?? []);
  const retractsOne = containsAnyOf(deps.retractWords ?? []);
  const asksHowToReturn = containsAnyOf(deps.howtoWords ?? []);
  const hasQuestionWord = containsAnyOf(deps.questionWords ?? []);
  const isQuestion = (text: string) => /[？?]\s*$/u.test(text) || hasQuestionWord(text);
  const fillers = [...(deps.chaseWords ?? []), ...(deps.fillerWords ?? [])];
  const onlyFillersAnd = madeOnlyOf(fillers);
  /** Only chase words, fillers and punctuation: "能不能快点啊", "麻烦尽快". */
  const onlyChasing = (text: string) => hasChaseWord(text) && onlyFillersAnd(text);
  /** "你是机器人吗", "是真人在回复吗": asks who answers, nothing else. */
  const onlyAboutBot = onlyAbout(deps.smalltalk?.bot?.ask, deps.smalltalk?.bot?.words, fillers);
  const asksIfBot = (text: string) => isQuestion(text) && onlyAboutBot(text);
  const asksPresales = containsAnyOf(deps.smalltalk?.presales ?? []);
  const sendsLater = containsAnyOf(deps.sendLaterWords ?? []);
  /** The customer's open return / exchange / refund ticket, if any. */
  const openReturn = async (sender: Sender) => (await openTicketsOf(sender)).find((t) => t.problem === 'return');
  /**
   * After the return policy: the return under way, and — when the customer's open ticket is a problem that is
   * the shop's fault (质量, 破损, 发错, 少件) — which shipping rule is theirs ("运费谁出" has one answer for them).
   */
  const returnContext = async (sender: Sender, policy: ReturnPolicy): Promise<string> => {
    const open = await openTicketsOf(sender);
    const returning = open.find((t) => t.problem === 'return');
    const fault = open.find((t) => PRODUCT_PROBLEMS.has(t.problem));
    return (
      (returning ? `\n${zh.returnUnderWay(returning)}` : '') +
      (fault
        ? `\n${zh.shippingOnUs({ id: fault.id, problemZh: fault.problemZh, rule: policy.shipping.ourFault })}`
        : '')
    );
  };
  const saysWhenLater = containsAnyOf(deps.later?.when ?? []);
  const saysDeedLater = containsAnyOf(deps.later?.do ?? []);
  const onlyLater = onlyAbout(deps.later?.when, deps.later?.words, fillers);
  /** "我晚上回家拍" (a time and a deed), or "好的 稍等" alone: the answer staff wait for comes later. */
  const promisesLater = (text: string) => (saysWhenLater(text) && saysDeedLater(text)) || onlyLater(text);
  /** Only asks what will be done: "你们打算怎么处理", "那现在怎么办". */
  const asksHandling = onlyAbout(deps.handling?.ask, deps.handling?.words, fillers);
  /** Only about photos or a video sent: "照片发给你们了，你们看一下", "收到我发的图了吗". */
  const onlyAboutMedia = onlyAbout(deps.evidence?.media, deps.evidence?.words, fillers);
  const reply = (d: StoredDelivery, text: string, opts: { handoff?: boolean } = {}): OutboundMessage => ({
    channel: d.channel,
    target: replyTarget(d),
    kind: 'reply',
    text,
    ...(d.replyContext ? { replyContext: d.replyContext } : {}),
    dedupeKey: `reply-${d.id}-0`,
    ...(opts.handoff ? { handoff: true } : {}),
  });

  /** A rating of a resolved ticket: a tapped choice (its menu id names the ticket), or the whole message a rating word. */
  /** Rating words, longest first: "很不满意" before "不满意" before "满意". */
  const ratingWordsByLength = [...ratingWords.keys()].sort((a, b) => b.length - a.length);
  const ratingOf = (d: StoredDelivery): { level: RatingLevel; ticketId?: number; comment?: string } | undefined => {
    const menuId = d.replyContext?.menu_id;
    const tapped = typeof menuId === 'string' ? parseRatingChoice(menuId) : undefined;
    if (tapped) return tapped;
    // "还行吧", "满意啦": a particle at the end changes no rating (「还行吧」 once reopened the ticket it rated).
    const level = ratingWords.get(bareWords(d.text).replace(TRAILING_PARTICLES, ''));
    if (level) return { level };
    // "不满意 客服态度太差", "还行吧，就是太慢了": the rating, then why — set apart by a space or a comma, so
    // "一般多久到账" (a question) is no rating.
    const text = d.text.trim();
    const word = ratingWordsByLength.find((w) => text.startsWith(w));
    const rest = word ? text.slice(word.length).replace(/^[吧啊呀哦了呢嘛啦哈噢]+/u, '') : '';
    const comment = /^[\s，,。.！!~～;；]+\S/u.test(rest) ? rest.replace(/^[\s，,。.！!~～;；]+/u, '').trim() : '';
    const commented = word ? ratingWords.get(word) : undefined;
    return commented && comment ? { level: commented, comment } : undefined;
  };

  /**
   * The greeting for a customer who opened the chat: what to tap, and when people are at work. A customer with
   * tickets under way hears of them first, and the first answer to tap asks how they are doing.
   */
  const welcome = async (d: StoredDelivery, sender: Sender): Promise<OutboundMessage> => {
    const open = await openTicketsOf(sender);
    const head = open.length > 0 ? zh.welcomeWithTickets(open) : zh.welcome.head;
    const items = open.length > 0 ? [zh.welcomeTicketsItem, ...zh.welcome.items] : zh.welcome.items;
    const tail = deps.serviceHours?.(new Date(now()));
    const text = [head, ...items.map((i) => `· ${i.label}`), ...(tail ? [tail] : [])].join('\n');
    return { ...reply(d, text), choices: { head, items, ...(tail ? { tail } : {}) } };
  };

  const answer = async (d: StoredDelivery): Promise<OutboundMessage[]> => {
    const sender = await deps.resolveSender(d);
    // A 接待人员 rejected this customer's messages (微信客服 拒收): the bot does not talk over that decision. The
    // message is stored; nothing is answered, no ticket opened, until the 接待人员 stops rejecting.
    if (sender.kind === 'customer' && sender.rejected) return [];
    if (d.event === 'session_start') return sender.kind === 'customer' ? [await welcome(d, sender)] : [];
    if (d.event === 'session_end') return sender.kind === 'customer' ? [reply(d, zh.botBack())] : [];
    if (d.event === 'person_joined') {
      // The 接待人员 by name (a WeCom member, as in their own answers), so the customer knows who is there.
      const servicer = d.replyContext?.servicer;
      const person =
        typeof servicer === 'string'
          ? await deps.resolveSender({ ...d, userRef: servicer, role: 'staff', displayName: undefined })
          : undefined;
      // A member known only by their userid (never named by an admin) is not introduced by it.
      const name = person?.name && person.name !== servicer ? person.name : undefined;
      return sender.kind === 'customer' ? [reply(d, zh.personJoined({ name }))] : [];
    }
    const answered = d.replyContext?.[STAFF_REPLY_TO];
    if (typeof answered === 'string' && sender.kind === 'staff') {
      // Not a message to the bot: a person answering a customer. Nothing to reply; the tickets take note.
      const customer = await deps.resolveSender({ ...d, userRef: answered, role: 'customer', displayName: undefined });
      await deps.tickets?.onPlatformStaffReply?.({ staff: sender, customer, delivery: d });
      return [];
    }
    if (sender.kind === 'staff') {
      const command = await deps.tickets?.onStaffMessage({ sender, delivery: d });
      if (command) return [reply(d, command)];
      // "批准导出 3", "导出申请": a manager deciding, or looking at, the export requests.
      const decided = await deps.exportDecision?.(sender, d.text);
      if (decided) return [reply(d, decided)];
      // "@bot 健康日报", "@bot 根因周报": the managers' reports now, as their group gets them in the morning.
      const report = await deps.reports?.(d.text);
      if (report) return [{ ...reply(d, report.text), ...(report.picture ? { picture: report.picture } : {}) }];
    }
    const key = `${d.channel}:${d.userRef}`;
    if (d.media) {
      // A photo, voice note, video or file: no words to parse. Staff sharing one in a group ask nothing.
      if (sender.kind !== 'customer') return [];
      await deps.memory.save(key, withMedia(await deps.memory.load(key), now()));
      const noted = await deps.tickets?.onCustomerMedia?.({ sender, delivery: d });
      return [reply(d, noted?.text ?? zh.mediaWithoutTicket(d.media.kind))];
    }
    const rating = sender.kind === 'customer' ? ratingOf(d) : undefined;
    const rated = rating && (await deps.tickets?.onRating?.({ sender, delivery: d }, rating));
    if (rated) return [reply(d, rated.text)];
    const raw = deps.parser.parse(d.text, { vip: sender.tier === 'vip', includeTokens: true });
    // "@bot 帮助" right after "@bot 查 …" asks nothing about that order, though the conversation would carry it.
    if (sender.kind === 'staff' && !QUERY_INTENTS.has(raw.primary) && !namesAnOrder(raw) && !ORDER_WORDS.test(d.text)) {
      await deps.recordParse(d.id, raw);
      return [reply(d, zh.staffUnknownCommand())];
    }
    const stored = await deps.memory.load(key);
    const { parse, memory } = deps.resolveContext(raw, stored, now());
    const before = stored?.last;
    // The same request about the same order: "SO2 什么时候发货" after "SO1 什么时候发货" asks something new.
    const named = raw.entities.filter((e) => e.type === 'orderNo').map((e) => e.value);
    const askedAgain =
      before !== undefined &&
      now() - before.atMs <= ASKED_AGAIN_WINDOW_MS &&
      before.primary === parse.primary &&
      named.every((no) => before.entities.some((e) => e.type === 'orderNo' && e.value === no));
    await deps.recordParse(d.id, parse);
    // Chasing is what this message says (a chase word, its own urgency cues), not the urgency a follow-up
    // inherits from the message it continues: "订单号 …" after "宝宝喝了拉肚子" chases nothing.
    const unproved =
      memory.unproved && now() - memory.unproved.atMs <= UNPROVED_WINDOW_MS ? memory.unproved : undefined;
    const out = await act(sender, d, parse, {
      photoSent: memory.mediaAtMs !== undefined,
      chase: isChase(raw),
      timing: onlyTiming(raw),
      unproved: unproved?.text,
      askedAgain,
    });
    // A clarifying question is remembered only when it was asked: when the message was answered some
    // other way (an order lookup, a reminder on a ticket), the next message is not its answer.
    const { unproved: _was, ...acted } = out.asked ? memory : actedOn(memory);
    // A problem waiting for its order's proof waits through more tries; an answer of any other kind ends it.
    const waiting = out.unproved ? { atMs: now(), text: d.text } : out.verifying ? unproved : undefined;
    const kept: ConversationMemory = waiting ? { ...acted, unproved: waiting } : acted;
    await deps.memory.save(key, out.orderNos ? rememberOrders(kept, out.orderNos, now()) : kept);
    const answer = reply(d, out.text, out.handoff ? { handoff: true } : {});
    if (out.asked && parse.clarify) return [withChoices(answer, parse.clarify.options)];
    // A list of the customer's orders: each is an answer to tap ("第2单 …" picks it, nlu/context.ts).
    if (sender.kind === 'customer' && out.orderNos && out.orderNos.length > 1) {
      const items = out.orderNos.slice(0, 5).map((no, i) => ({ id: `order_${i + 1}`, label: `第${i + 1}单 ${no}` }));
      return [{ ...answer, choices: { head: answer.text, items } }];
    }
    return [answer];
  };

  return async (d) => {
    const replies = await answer(d);
    const [first, ...rest] = replies;
    // What staff wrote while the customer could not be reached (微信客服's 48 h window) goes with this answer, or
    // with the welcome when the customer opens the chat. Should it not arrive, they are kept again (outbox.mark).
    const carries = !d.event || d.event === 'session_start';
    if (first?.kind !== 'reply' || !carries || d.role !== 'customer' || !deps.heldMessages) return replies;
    const held = await deps.heldMessages(d);
    if (held.length === 0) return replies;
    const before = `${zh.heldMessages(held)}\n\n`;
    const choices = first.choices ? { choices: { ...first.choices, head: `${before}${first.choices.head}` } } : {};
    return [{ ...first, text: `${before}${first.text}`, ...choices }, ...rest];
  };

  /**
   * A clarifying question with its options to tap (微信客服 shows them as a menu): each is the option's 中文名,
   * which the answer resolver reads back as that option (nlu/clarify.ts).
   */
  function withChoices(message: OutboundMessage, options: readonly string[]): OutboundMessage {
    const items = options.flatMap((id) => {
      const label = deps.labelNames?.[id];
      return label ? [{ id: `clarify_${id}`, label }] : [];
    });
    return items.length === options.length ? { ...message, choices: { head: message.text, items } } : message;
  }

  async function act(
    sender: Sender,
    d: StoredDelivery,
    parse: Parse,
    {
      photoSent,
      chase,
      timing,
      unproved,
      askedAgain,
    }: {
      photoSent: boolean;
      chase: boolean;
      /** CustomerMessageOpts.timing. */
      timing: boolean;
      /** This message asks what the previous one did, within half an hour (CustomerMessageOpts.askedAgain). */
      askedAgain: boolean;
      /** The description of a problem whose order the customer could not prove a moment ago. */
      unproved?: string;
    },
  ): Promise<
    Answer & {
      handoff?: boolean;
      asked?: boolean;
      /** A problem was reported with an order that could not be proved. */
      unproved?: boolean;
      /** The answer is about proving an order and proved none (another wrong suffix). */
      verifying?: boolean;
    }
  > {
    const input = { sender, delivery: d, parse };
    // Chasing (`chase`): a chase word or this message's own urgency. A message asking again for what its open
    // ticket is for also counts; one that only continues the conversation ("我问问家里人") or adds to it does
    // not (open.ts).
    const question = isQuestion(d.text);
    if (sender.kind === 'customer') {
      const status = await deps.tickets?.customerTicketStatus?.(input);
      if (status) return { text: status };
      // "能不能快点" during a conversation about a ticket chases that ticket, not the delivery 快点 sounds like.
      if (onlyChasing(d.text)) {
        const chased = await deps.tickets?.onFollowUp(input, { chase: true, inSession: true, anyProblem: true });
        if (chased) return chased;
      }
      // "算了不取消了": the customer takes a request back. The classifier hears 取消 (or, for 「算了 不用处理了」,
      // nothing, and the conversation carried the order question before it); this is no new ticket, no reminder and
      // no order lookup, but news for the ticket it is about.
      if (retractsAny(d.text) || retractsOne(d.text)) {
        const retract = retractsAny(d.text) ? 'any' : true;
        return (
          (await deps.tickets?.onFollowUp(input, { chase: false, retract, inSession: true })) ?? {
            text: zh.retractedNothingOpen(),
          }
        );
      }
      // "好的 稍等 我晚上回家拍" after staff asked for photos (等待客户): a promise, not yet the answer. The ticket
      // keeps waiting with its SLA paused; its owner hears of it.
      if (!clearMatter(parse) && promisesLater(d.text)) {
        const kept = await deps.tickets?.onFollowUp(input, { chase: false, later: true });
        if (kept) return kept;
      }
      // "你是机器人吗": the customer hears who answers and how to reach a person; asking is not yet asking for one.
      if (asksIfBot(d.text)) return { text: zh.botIntro() };
      // "尺码表在哪看", "有货吗": the product page and the pre-sales staff know; unless an after-sales matter is clear.
      if (asksPresales(d.text) && !clearMatter(parse) && !BOUGHT.test(d.text)) return { text: zh.presales() };
      // "收到的衣服怎么洗", "下单送的赠品是什么": about the goods, bought or not (intents/rules.yml care-question,
      // gift-question); a message that also names a problem is not read so by the rules.
      if (parse.primary === 'other' && parse.notes.includes(CARE_QUESTION)) return { text: zh.presales() };
      if (parse.primary === 'other' && parse.notes.includes(GIFT_QUESTION)) return { text: zh.giftQuestion() };
      // "我明天不在家，能晚点送吗": the courier arranges when and where the parcel is handed over; the shop's delivery
      // note says how to ask for it. A message the classifier placed among order questions is answered below.
      const handoverNote = asksHandover(d.text) && !clearMatter(parse) ? deps.returnPolicy?.delivery : undefined;
      if (handoverNote && !QUERY_INTENTS.has(parse.primary) && !namesAnOrder(parse))
        return { text: `${zh.deliveryPolicy(handoverNote)}\n${zh.deliveryOrderHint()}` };
      // "怎么联系你们" and nothing the classifier is sure of: the shop's phone (or that people answer right here).
      if (asksOurPhone(d.text) && !clearMatter(parse)) return { text: zh.hotline(deps.returnPolicy?.hotline) };
      // "可以拒收吗": yes — and what follows (the parcel goes back, the refund after it arrives).
      if (ASKS_REFUSE.test(d.text) && !clearMatter(parse) && deps.returnPolicy)
        return { text: zh.refuseDelivery(deps.returnPolicy) };
      // "我已经拒收了": the parcel is on its way back; the refund is what to follow up — a refund ticket, with the rule.
      if (REFUSED.test(d.text) && !ASKS_REFUSE.test(d.text) && (parse.clarify || REFUSAL_READINGS.has(parse.primary))) {
        const asRefund = { ...input, parse: readAs(parse, 'refund_only', [REFUSED_NOTE]) };
        const opened = await deps.tickets?.onCustomerMessage(asRefund, {
          chase,
          timing,
          restated: true,
          photoSent,
          question,
          afterHours: false,
          askedAgain,
        });
        const rule = deps.returnPolicy ? `\n${zh.refusedNote(deps.returnPolicy)}` : '';
        if (opened) return { ...opened, text: `${opened.text}${rule}` };
      }
      // "你们打算怎么处理", "补发的单号呢": a question for the ticket the customer is in (whatever it is about), not
      // a new 投诉 or 补发 ticket.
      if (asksHandling(d.text) || (ASKS_TRACKING_NO.test(d.text) && !namesAnOrder(parse))) {
        const asked = await deps.tickets?.onFollowUp(input, { chase: false, question: true, anyProblem: true });
        if (asked) return asked;
      }
      // "要拍照吗": which photos help; "拍好了": send them here. Neither is a return question nor a greeting.
      const words = bareWords(d.text);
      if (ASKS_FOR_PHOTOS.test(words)) return { text: zh.photosWanted(await photosFor(sender)) };
      if (PHOTOS_READY.test(words)) return { text: zh.photosReady(await photosFor(sender)) };
      // "照片发给你们了，你们看一下": the photos are for the ticket the customer is in; whatever the classifier
      // hears in the words (it once opened a 投诉 ticket), they open none.
      if (onlyAboutMedia(d.text)) {
        // "收到我发的图了吗" when no photo came: saying 收到 would be untrue.
        if (question && !photoSent) return { text: zh.mediaNotSeen(await photosFor(sender)) };
        const about = { ...input, parse: { ...parse, primary: 'other', intents: [] } };
        const noted = await deps.tickets?.onFollowUp(about, { chase: false, anyProblem: true });
        return noted ?? { text: photoSent ? zh.mediaWithoutTicket('image') : zh.mediaNotSeen() };
      }
      const parcel = await deps.tickets?.onReturnParcel?.(input);
      if (parcel) return parcel;
      // "发票怎么开": the shop's invoice rule answers it. With an invoice ticket open it is a question for that
      // ticket (where it stands), not a reminder; with none, asking how opens no ticket.
      if (ASKS_HOW_INVOICE.test(d.text)) {
        const rule = deps.returnPolicy?.invoice;
        const invoicing = (await openTicketsOf(sender)).some((t) => t.problem === 'invoice');
        const asked = invoicing
          ? await deps.tickets?.onFollowUp(
              { ...input, parse: readAs(parse, 'invoice') },
              { chase: false, question: true },
            )
          : undefined;
        if (asked) return { ...asked, text: rule ? `${asked.text}\n${zh.invoicePolicy(rule)}` : asked.text };
        if (rule) return { text: `${zh.invoicePolicy(rule)}\n${zh.invoiceDetailsHint()}` };
      }
      // "怎么换", "退货流程": how a return or exchange works is the shop's policy. Asked while one is under way,
      // it is answered — not counted as chasing that ticket.
      if (deps.returnPolicy && asksHowToReturn(d.text)) {
        const returning = await openReturn(sender);
        if (returning)
          return { text: `${zh.returnPolicy(deps.returnPolicy)}${await returnContext(sender, deps.returnPolicy)}` };
      }
    }
    if (
      sender.kind === 'staff' ||
      QUERY_INTENTS.has(parse.primary) ||
      // A bare reference with nothing else understood shows that order; a phone number written into a
      // complaint ("内胆有划痕 电话139…") is how to reach the customer, not a lookup.
      (namesAnOrder(parse) && (parse.primary === 'other' || (parse.clarify && !onlyAPhone(parse)))) ||
      // "我手机号174…" and nothing else: how to look an order up (a phone alone proves nothing).
      (onlyAPhone(parse) && JUST_A_PHONE.test(d.text.trim())) ||
      // "订单号 390…" right after a ticket asked for it: the order is checked (and verified) first.
      (continuesPrevious(parse) && givesOrderOrSuffix(parse))
    ) {
      // "可以送货上门吗", "你们发什么快递" about no order in particular: the shop's delivery note answers it.
      const delivery = sender.kind === 'customer' && asksHandover(d.text) ? deps.returnPolicy?.delivery : undefined;
      if (delivery && !namesAnOrder(parse) && QUERY_INTENTS.has(parse.primary))
        return { text: `${zh.deliveryPolicy(delivery)}\n${zh.deliveryOrderHint()}` };
      const answer = await deps.orders?.answer(input);
      // "SO123… 尾号1234" after "东西坏了" opened a ticket without an order: that is the ticket's order.
      const shown = answer?.orderNos?.length === 1 ? answer.orderNos[0] : undefined;
      const added = shown && sender.kind === 'customer' ? await deps.tickets?.onOrderShown?.(input, shown) : undefined;
      // "SO… 尾号5555 台灯收到就不亮" (破损 or 质量?): the order is shown, and the question asked; the answer
      // opens the ticket on that order.
      const ask = sender.kind === 'customer' && parse.clarify && problemsChosenBetween(parse.clarify.options);
      if (answer && ask && !added && parse.clarify)
        return { ...answer, text: `${answer.text}\n${parse.clarify.question}`, asked: true };
      // "尾号6142" after "390… 尾号1111 台灯插电没反应" failed its check: the order is proved now, and the
      // problem the customer described then gets its ticket on it, recording that description.
      if (shown && !added && unproved && continuesPrevious(parse) && problemKey(parse.primary)) {
        const described = { ...input, delivery: { ...d, text: unproved } };
        const ticket = await deps.tickets?.onCustomerMessage(described, { chase: false, restated: false, photoSent });
        if (ticket)
          return {
            ...ticket,
            text: `${ticket.text}${policyNote(parse, deps.returnPolicy, { asksHow: false, opened: ticket.opened === true })}`,
          };
      }
      if (answer && !shown && unproved && sender.kind === 'customer') return { ...answer, verifying: true };
      // "可以送货上门吗", "你们发什么快递": how parcels go out and are handed over, after the order it is about.
      const handover = delivery ? `\n${zh.deliveryPolicy(delivery)}` : '';
      if (answer) {
        const text = added ? `${added}\n${answer.text}` : answer.text;
        return { ...answer, text: `${text}${handover}` };
      }
      if (sender.kind === 'staff') return { text: zh.staffUnknownCommand() };
    }
    // Emoji or punctuation alone ("😡😡😡") says how the customer feels, not what happened: ask, do not
    // open a ticket on the classifier's guess, nor ask which service they want.
    if (sender.kind === 'customer' && !HAS_WORDS.test(d.text)) {
      // "？？？" or "😡" while the customer's ticket is in the conversation: they are waiting, and say so.
      const waiting = IMPATIENT.test(d.text)
        ? await deps.tickets?.onFollowUp(input, { chase: true, inSession: true })
        : undefined;
      if (waiting) return waiting;
      if (POSITIVE.test(d.text)) return acknowledge(sender);
      return { text: parse.primary === 'other' && !parse.clarify ? zh.greeting() : zh.askWhatHappened() };
    }
    // Whatever the classifier makes of it: 「收到」 alone reports no problem (it once opened a 破损 ticket).
    if (sender.kind === 'customer' && !parse.clarify && onlyOkay(d.text)) return acknowledge(sender);
    // "行 那我明天寄": the customer will send the return; they hear where the number goes, not the greeting.
    if (sender.kind === 'customer' && !clearMatter(parse) && sendsLater(d.text)) {
      const returning = await openReturn(sender);
      if (returning) return { text: zh.returnSendLater(returning) };
    }
    // "退货寄到哪", "运费谁出": the shop's return policy answers it; a person need not. With a return under way,
    // the answer also says that it is registered (as for "怎么换" above).
    // Only when the question is heard (present, or a part of the policy named): 「我在外地出差」 got the whole policy
    // as the best of weak guesses (0.08).
    const part = policyPartAsked(d.text);
    if (parse.primary === 'return_info' && deps.returnPolicy && (parse.confidence >= PRESENT || part)) {
      // One thing asked ("退货地址发我一下", "运费谁出") gets that part; anything else the whole policy.
      const told = part ? zh.returnPolicyPart(deps.returnPolicy, part) : zh.returnPolicy(deps.returnPolicy);
      return { text: `${told}${await returnContext(sender, deps.returnPolicy)}` };
    }
    if (parse.clarify) {
      const chased =
        sender.kind === 'customer'
          ? await deps.tickets?.onFollowUp(input, { chase, timing, question, inSession: true })
          : undefined;
      if (chased) return chased;
      // The order being talked about answers the question ("还没发货，还是物流不动？" for a parcel on its way).
      const known =
        sender.kind === 'customer' ? await deps.tickets?.deliveryProblemOf?.(input, parse.clarify.options) : undefined;
      if (known) {
        const ticket = await deps.tickets?.onCustomerMessage(
          { ...input, parse: readAs(parse, known) },
          { chase, timing, restated: true, photoSent, question, afterHours: false, askedAgain },
        );
        if (ticket) return ticket;
      }
      return { text: parse.clarify.question, asked: true };
    }
    // A person takes over when the customer asks for one, or when the problem needs one at once
    // (critical cues such as 过敏, or a complaint headed for a manager: 12315, 曝光, 律师 …).
    const wantsPerson =
      sender.kind === 'customer' &&
      (parse.primary === 'human_agent' || parse.escalateToManager || parse.urgency.level === 'critical');
    const afterHours = wantsPerson && !deps.handoffAfterHours && deps.atWork?.(new Date(now())) === false;
    const handoff = wantsPerson && !afterHours;
    if (sender.kind === 'customer') {
      // "SO… 尾号5555 台灯不亮": the order is proved first (and bound to the customer), so the ticket is
      // opened on it; a number and suffix that do not match get the verification answer instead.
      if (provesAnOrder(parse) && problemKey(parse.primary) && deps.orders) {
        const proof = await deps.orders.answer(input);
        if (proof && !proof.orderNos?.length) return { ...proof, unproved: true };
      }
      const ticket =
        (await deps.tickets?.onCustomerMessage(input, {
          chase,
          timing,
          restated: !continuesPrevious(parse) && !givesDetails(parse),
          photoSent,
          question,
          afterHours,
          askedAgain,
        })) ?? (await deps.tickets?.onFollowUp(input, { chase, timing, question }));
      // Asked for a person after hours: when people are next in ("下次上班是 明天 09:00"), not a deadline at night.
      // A complaint or a critical problem keeps its deadline (those SLAs run around the clock, and the duty ladder
      // is pushed at once): the service hours beside it would contradict it.
      const hours =
        afterHours && parse.primary === 'human_agent' && !ticket?.promised && deps.serviceHours
          ? `\n${deps.serviceHours(new Date(now()))}`
          : '';
      // "你们客服电话多少": the number (or that there is none) goes with whatever else the message got.
      const phone = asksOurPhone(d.text) ? `\n${zh.hotline(deps.returnPolicy?.hotline)}` : '';
      if (ticket)
        return {
          ...ticket,
          text: `${ticket.text}${ticket.policyTold ? '' : policyNote(parse, deps.returnPolicy, { asksHow: asksHowToReturn(d.text), opened: ticket.opened === true })}${phone}${hours}`,
          handoff,
        };
    }
    // "你们几点下班": the service calendar answers; the bot itself never closes.
    if (parse.primary === 'other' && deps.serviceHours && asksHours(d.text))
      return { text: `${deps.serviceHours(new Date(now()))}${zh.botAlwaysOn()}` };
    const text =
      afterHours && parse.primary === 'human_agent' ? zh.handoffAfterHours() : fallback(parse, isThanks(d.text));
    return { text: text ?? (await greet(sender)), handoff };
  }

  /** "你好": a customer with tickets under way hears of those first, as in the 微信客服 welcome. */
  async function greet(sender: Sender): Promise<string> {
    const open = await openTicketsOf(sender);
    return open.length > 0 ? zh.greetingWithTickets(open) : zh.greeting();
  }
}

/** The parse names an after-sales problem or request, and is sure of it. */
const clearMatter = (p: Parse) =>
  !QUERY_INTENTS.has(p.primary) && p.primary !== 'other' && p.primary !== 'human_agent' && p.confidence >= 0.6;

/** How recent the previous message must be for the same request to count as asked again. */
const ASKED_AGAIN_WINDOW_MS = 30 * 60_000;

/**
 * Asks for the shop's phone or how to reach a person ("你们客服电话多少", "怎么联系人工") — not a courier's ("快递员电话多少")
 * nor one the customer gives.
 */
const ASKS_PHONE =
  /(?:客服|你们|人工|售后|商家|店家|店铺|官方)的?(?:电话|热线|联系方式)|(?:电话|热线)(?:是|号码)?多少|怎么(?:联系|找到?)(?:你们|客服|人工)|联系方式(?:是|有)?(?:多少|什么|吗)/u;
const OTHER_PHONES = /快递|骑手|司机|网点|驿站|师傅/u;
/** Asks how parcels go out or are handed over ("可以送货上门吗", "会放驿站吗", "你们发什么快递"), not about one left there. */
const ASKS_HANDOVER =
  /送货上门|送上门|送到家|送上楼|送到门口|放(?:到|在)?(?:菜鸟)?(?:门口|驿站|快递柜|丰巢|门卫|物业|前台)|(?:晚点|晚些|晚一点|改天|明天再|后天再|周末再|下午再|晚上再)(?:送|派送|配送)|改约|(?:发|用|走)(?:的)?(?:什么|哪家|哪个)快递/u;
const asksHandover = (text: string) => ASKS_HANDOVER.test(text) && !/了[吗？?。！!]*$/u.test(text.trim());
/** Asks whether the parcel may be refused ("可以拒收吗", "能不能拒收"), not reporting that it was. */
const ASKS_REFUSE =
  /(?:可以|能|能不能|可不可以|是否可以|直接)拒收|拒收(?:可以|行|能退款)吗|拒收(?:会|要)?怎么样|拒收(?:的话|后)/u;

/** Says the parcel was refused ("我已经拒收了", "快递我拒收了"). */
const REFUSED = /拒收了|已拒收|我拒收|拒签了|已拒签/u;
/** Marks the parse of a refusal turned into a refund request (tickets/open.ts guesses the order on its way back). */
export const REFUSED_NOTE = 'cue:refused';
/** What the classifier makes of "我已经拒收了" when it names no problem of its own (破损 … would keep theirs). */
const REFUSAL_READINGS = new Set(['other', 'return_info', 'return_refund', 'refund_only', 'refund_progress']);

/** Says the goods were bought already ("下单的时候优惠券没用上"): no pre-sales question, whatever its words. */
const BOUGHT = /下单|下了单|买了|已经买|付款|付了|拍了|收到/u;
/** Praise words negated ("不是很满意", "不太喜欢", "不会给好评", "好评返现没给"): no thank-you for these. */
const NOT_PLEASED =
  /不(?:是|太|怎么|很)?(?:很|太|特别|非常)?(?:满意|喜欢)|不(?:会|想|能)?给(?:你们)?好评|好评返现|差评|失望/u;
/** Parse notes of the rules that read a question about the goods themselves (intents/rules.yml). */
const CARE_QUESTION = 'rule:care-question';
const GIFT_QUESTION = 'rule:gift-question';

/** What a return-policy question can ask about on its own (zh.returnPolicyPart). */
const POLICY_PARTS: readonly [ReturnPolicyPart, RegExp][] = [
  ['address', /寄到哪|寄回哪|寄哪|退到哪|发到哪|寄去哪|地址|收件人|寄给谁/u],
  ['shipping', /运费|邮费|快递费|谁出|谁承担|谁付/u],
  ['window', /几天内|多少天|几天可以|七天|7天|无理由|过了.{0,3}天|超过.{0,3}天/u],
  ['refund', /退款.{0,4}(?:多久|几天|什么时候|啥时候|时效)|(?:多久|几天|什么时候|啥时候).{0,4}(?:退款|到账)/u],
];
/** The one part of the return policy a question asks about, or undefined for none or several ("怎么退货"). */
function policyPartAsked(text: string): ReturnPolicyPart | undefined {
  const asked = POLICY_PARTS.filter(([, re]) => re.test(text)).map(([part]) => part);
  return asked.length === 1 ? asked[0] : undefined;
}

/** Asks how to get an invoice ("发票怎么开", "怎么申请开票", "开票流程") — not why it has not come ("发票怎么还没开"). */
const ASKS_HOW_INVOICE =
  /(?:发票|开票|票)(?:要|该|应该)?(?:怎么|怎样|如何)(?:开|申请|弄|操作|办|拿|获取|下载)|(?:怎么|怎样|如何)(?:才能)?(?:开|申请|开具|拿到|获取|下载)(?:个|一下|张)?(?:发票|票)|(?:开票|发票)(?:的)?(?:流程|步骤|方法)/u;
const asksOurPhone = (text: string) => ASKS_PHONE.test(text) && !OTHER_PHONES.test(text);

/** A Chinese postal address: a place level, then a street, number or building within a few characters. */
const ADDRESS = /(?:省|市|区|县|镇|乡).{0,20}?(?:路|街|道|巷|弄|号|村|小区|栋|幢|单元|室)/u;

const DETAIL_ENTITIES = new Set(['phone', 'trackingNo', 'orderNo', 'size', 'colour']);

/** What an invoice needs: the title, a tax id (统一社会信用代码, 15–20 letters and digits), an e-mail to send it to. */
const INVOICE_DETAILS =
  /抬头|税号|专票|普票|增值税|电子发票|纸质发票|电子票|纸质票|纳税人识别号|信用代码|开户行|(?<![A-Za-z0-9])[0-9A-Z]{15,20}(?![A-Za-z0-9])|[\w.+-]+@[\w-]+\.[\w.]+/u;

/** Where the customer has looked for a parcel ("快递柜也没有 问了门卫也没有"): what they did, for the ticket. */
const LOOKED_FOR =
  /(?:问了|问过|找了|找过|看了|看过|查了|翻了|去了)[^，。,.]{0,8}?(?:也|都)?(?:没有|没找到|没看到|没见|没)|(?:快递柜|丰巢|驿站|门卫|物业|邻居|前台|门口|家人)[^，。,.]{0,6}?(?:也|都)(?:没有|没|说没)/u;

/** Which item it is ("少的是赠品 那个小勺子", "碎的是大的那个"): a detail of the problem already reported. */
const WHICH_ITEM =
  /(?:少|缺|漏发?|坏|破|碎|错)的是|(?:少|缺|漏)了?的那个|是(?:赠品|配件|说明书)|(?:赠品|配件|说明书|小样|充电器|数据线|充电线|遥控器|螺丝|零件|盖子|袋子)(?:也|都)?(?:没|没有)(?:收到|发|给|到|在)/u;

/**
 * The message gives details (an address, a phone, order or tracking number, a size or colour, invoice
 * details, where the parcel was looked for, which item it is): the customer answers, not asks again.
 */
function givesDetails(p: Parse): boolean {
  return (
    ADDRESS.test(p.text) ||
    LOOKED_FOR.test(p.text) ||
    WHICH_ITEM.test(p.text) ||
    INVOICE_DETAILS.test(p.text) ||
    p.entities.some((e) => e.start >= 0 && DETAIL_ENTITIES.has(e.type))
  );
}

/**
 * What the return policy adds to a ticket's reply: "我要退货，寄到哪里" (or "…怎么退", `asksHow`) the address,
 * "退款多久到账" when refunds are paid, "降价了能退差价吗" the shop's price-protection rule.
 */
function policyNote(
  parse: Parse,
  policy: ReturnPolicy | undefined,
  { asksHow, opened }: { asksHow: boolean; opened: boolean },
): string {
  if (!policy) return '';
  // "怎么申请退款" (仅退款: nothing goes back): the refund rule, not where to send goods.
  if (asksHow && parse.primary === 'refund_only') return `\n${zh.refundTiming(policy)}`;
  if (asksHow || parse.intents.some((i) => i.id === 'return_info')) return `\n${zh.returnAddress(policy)}`;
  if (parse.primary === 'refund_progress') return `\n${zh.refundTiming(policy)}`;
  // Told once, with the new ticket: the rule does not change with each 抬头 or chase that follows.
  if (parse.primary === 'invoice' && policy.invoice && opened) return `\n${zh.invoicePolicy(policy.invoice)}`;
  if (parse.primary === 'price_protection' && policy.priceProtection)
    return `\n${zh.priceProtection(policy.priceProtection)}`;
  return '';
}

/** Modal particles at the end of a message ("还行吧", "满意啦"). */
const TRAILING_PARTICLES = /[吧啊呀哦了呢嘛啦哈噢]+$/u;

/** Asks whether to send photos ("要拍照吗", "需要拍照片给你们吗", "视频要不要发"), and nothing else. */
const ASKS_FOR_PHOTOS =
  /^(?:那|请问)?(?:我)?(?:要|需要|用|要不要|需不需要)(?:我)?(?:拍|发)(?:个|张|几张)?(?:照|照片|图|图片|视频)(?:给你们|给你|过去)?(?:吗|么|不|嘛)?$|^(?:照片|图片|视频)(?:要不要|需不需要)(?:拍|发)$/u;
/** The photos are ready ("拍好了", "照片拍好了"), not yet sent. */
const PHOTOS_READY = /^(?:好的?)?(?:照片|图片|视频)?(?:拍好了|拍完了|拍好啦)(?:马上发|等下发|这就发)?$/u;

/** Asks for the tracking number of something under way ("补发的单号呢", "寄回的单号多少"). */
const ASKS_TRACKING_NO = /单号(?:呢|多少|是多少|是什么|是啥|发我|给我|在哪|有了吗|出来了吗)/u;

/** The message without spaces, punctuation and symbols (emoji): what a whole-message word list is matched on. */
const bareWords = (text: string) => text.replace(/[\s\p{P}\p{S}]+/gu, '');

/**
 * A case-insensitive test: the text says one of `ask` and is otherwise made only of `ask`, `words`, `fillers`,
 * spaces, punctuation and symbols ("你们打算怎么处理": 怎么处理 among 你们, 打算).
 */
function onlyAbout(
  ask: readonly string[] = [],
  words: readonly string[] = [],
  fillers: readonly string[] = [],
): (text: string) => boolean {
  const says = containsAnyOf(ask);
  const only = madeOnlyOf([...ask, ...words, ...fillers]);
  return (text) => says(text) && only(text);
}

/** A case-insensitive test: the text is made only of these words, spaces, punctuation and symbols. */
function madeOnlyOf(words: readonly string[]): (text: string) => boolean {
  // Longest first, so 能不能 goes before 能.
  const lower = words.map((w) => w.toLowerCase()).sort((a, b) => b.length - a.length);
  return (text) => {
    let rest = text.toLowerCase();
    for (const w of lower) rest = rest.split(w).join('');
    return !/[\p{L}\p{N}]/u.test(rest);
  };
}

/** A case-insensitive "contains one of these words" test. */
function containsAnyOf(words: readonly string[]): (text: string) => boolean {
  const lower = words.map((w) => w.toLowerCase());
  return (text) => {
    const t = text.toLowerCase();
    return lower.some((w) => t.includes(w));
  };
}

/** The memory after a message that was acted on: its open question (never asked) becomes the last request. */
function actedOn(memory: ConversationMemory): ConversationMemory {
  const { pending, ...rest } = memory;
  if (!pending) return memory;
  const { question: _q, options: _o, ...last } = pending;
  return { ...rest, last };
}

/** The answer when nothing else applied; undefined for the greeting (see greet). */
function fallback(p: Parse, thanks: boolean): string | undefined {
  if (p.primary === 'human_agent') return zh.handoff();
  if (QUERY_INTENTS.has(p.primary)) return zh.askOrder();
  return thanks && p.primary === 'other' ? zh.thanks() : undefined;
}
