import { type InboundMessage, type Ingest, MEDIA_TEXT, type MediaKind, STAFF_REPLY_TO } from '../channel.ts';
import type { LockFn } from '../outbound/redis-lock.ts';
import type { WecomApiClient } from './api-client.ts';
import { type KfMessage, SESSION_ENDED_KEY } from './api-types.ts';

/** Where the kf pull position lives; the lead implements it on Prisma's SyncCursor table. */
export interface CursorStore {
  get(id: string): Promise<string | undefined>;
  set(id: string, cursor: string): Promise<void>;
}

export interface SyncKfOptions {
  client: Pick<WecomApiClient, 'kfSyncMsg'>;
  cursors: CursorStore;
  ingest: Ingest;
  openKfId: string;
  /** Token from the kf_msg_or_event callback (valid 10 minutes). */
  token?: string;
  /** Page size, ≤ 1000. */
  limit?: number;
  /** Safety stop for a runaway has_more loop (default 100 pages). */
  maxPages?: number;
  /** Serialises syncs per open_kfid across processes; parallel syncs would read the same cursor. */
  lock?: LockFn;
  /** Called for every customer message seen (also duplicates), e.g. to reset the kf send budget. */
  onCustomerMessage?: (message: InboundMessage) => Promise<void>;
  /**
   * WeCom reports that a message it accepted from kf/send_msg did not reach the customer (msg_send_fail).
   * Called again when a page is read twice, so it must be idempotent.
   */
  onSendFailed?: (failure: KfSendFailure) => Promise<void>;
  /** The customer took back (撤回) one of their messages (user_recall_msg); idempotent like onSendFailed. */
  onRecalled?: (recall: KfRecall) => Promise<void>;
  /** A 接待人员 rejected (拒收) the customer's messages, or stopped (reject_customer_msg_switch_change); idempotent. */
  onRejectSwitch?: (change: KfRejectSwitch) => Promise<void>;
}

/** A reject_customer_msg_switch_change event: a 接待人员 rejected a customer's messages (`rejected`) or stopped. */
export interface KfRejectSwitch {
  openKfId: string;
  externalUserId: string;
  servicerUserId: string;
  rejected: boolean;
}

/** A user_recall_msg event: the customer's kf message `msgid` was taken back. */
export interface KfRecall {
  openKfId: string;
  externalUserId: string;
  msgid: string;
}

/** A msg_send_fail event: which of our messages (its kf msgid) did not reach which customer, and why. */
export interface KfSendFailure {
  openKfId: string;
  externalUserId: string;
  msgid: string;
  failType: number;
}

export interface SyncKfResult {
  pages: number;
  accepted: number;
  duplicates: number;
  ignored: number;
}

/** Cursor key of one kf account in the CursorStore. */
export const kfCursorId = (openKfId: string) => `wecom_kf:${openKfId}`;

/** Customers (origin 3) writing text; a 接待人员 (origin 5) answering them from the WeCom client. */
const CUSTOMER = 3;
const SERVICER = 5;

/**
 * Pulls every pending kf message (platforms.md §4.5): pages through `kf/sync_msg` while `has_more`,
 * ingests each page, then persists `next_cursor` — after the page, so a crash re-reads at most one
 * page (ingest dedupes by msgid) and never skips one.
 */
export async function syncKf(options: SyncKfOptions): Promise<SyncKfResult> {
  const run = () => pullAll(options);
  return options.lock ? options.lock(`kf-sync:${options.openKfId}`, run) : run();
}

async function pullAll(options: SyncKfOptions): Promise<SyncKfResult> {
  const { client, cursors, openKfId } = options;
  const result: SyncKfResult = { pages: 0, accepted: 0, duplicates: 0, ignored: 0 };
  let cursor = await cursors.get(kfCursorId(openKfId));
  for (let hasMore = true; hasMore && result.pages < (options.maxPages ?? 100); ) {
    const page = await client.kfSyncMsg({ cursor, token: options.token, openKfId, limit: options.limit });
    result.pages++;
    result.ignored += page.skipped;
    for (const message of page.messages) await ingestOne(message, options, result);
    if (page.nextCursor && page.nextCursor !== cursor) {
      cursor = page.nextCursor;
      await cursors.set(kfCursorId(openKfId), cursor);
    }
    hasMore = page.hasMore && Boolean(page.nextCursor);
  }
  return result;
}

async function ingestOne(message: KfMessage, options: SyncKfOptions, result: SyncKfResult): Promise<void> {
  const failure = sendFailureOf(message, options.openKfId);
  if (failure) await options.onSendFailed?.(failure);
  const recall = recallOf(message, options.openKfId);
  if (recall) await options.onRecalled?.(recall);
  const reject = rejectSwitchOf(message, options.openKfId);
  if (reject) await options.onRejectSwitch?.(reject);
  const inbound = failure || recall || reject ? undefined : toInbound(message, options.openKfId);
  if (!inbound) {
    result.ignored++;
    return;
  }
  const { status } = await options.ingest(inbound);
  if (status === 'duplicate') result.duplicates++;
  else result.accepted++;
  // Opening the chat or a person ending it is no message from the customer: the 48 h / 5-message window
  // counts from their last message only.
  if (inbound.role === 'customer' && !inbound.event) await options.onCustomerMessage?.(inbound);
}

/**
 * A customer's message as an InboundMessage — text, media, or the words of a card they sent; a 接待人员's
 * answer (origin 5) as a staff message carrying the customer it went to ({@link STAFF_REPLY_TO}), so the
 * tickets see the person's response; a customer opening the chat, or a person ending it, as a session
 * event; undefined for anything else.
 */
export function toInbound(message: KfMessage, openKfId: string): InboundMessage | undefined {
  const kfId = message.open_kfid ?? openKfId;
  const base = {
    channel: 'wecom_kf' as const,
    platformMsgId: message.msgid,
    sentAt: message.send_time ? new Date(message.send_time * 1000) : undefined,
  };
  if (message.origin === SERVICER && message.servicer_userid && message.external_userid) {
    return {
      ...base,
      userRef: message.servicer_userid,
      role: 'staff',
      text: message.text?.content ?? `[${message.msgtype}]`,
      replyContext: { open_kfid: kfId, [STAFF_REPLY_TO]: message.external_userid },
    };
  }
  if (message.msgtype === 'event') return sessionEvent(message, kfId, base);
  if (message.origin !== CUSTOMER || !message.external_userid) return undefined;
  const customer = { ...base, userRef: message.external_userid, role: 'customer' as const };
  const media = mediaOf(message);
  if (media) return { ...customer, text: MEDIA_TEXT[media.kind], media, replyContext: { open_kfid: kfId } };
  if (message.msgtype !== 'text' || !message.text) {
    return { ...customer, text: wordsOf(message), replyContext: { open_kfid: kfId } };
  }
  return {
    ...customer,
    text: message.text.content,
    replyContext: { open_kfid: kfId, ...(message.text.menu_id ? { menu_id: message.text.menu_id } : {}) },
  };
}

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/** An event entry (origin 4): its body, and the customer and kf account it is about. */
function eventOf(message: KfMessage, openKfId: string) {
  const event = message.msgtype === 'event' ? (message.event as Record<string, unknown> | undefined) : undefined;
  const user = str(event?.external_userid) ?? message.external_userid;
  if (!event || !user) return undefined;
  return { event, user, openKfId: str(event.open_kfid) ?? message.open_kfid ?? openKfId };
}

/** A msg_send_fail event (origin 4) as a {@link KfSendFailure}; undefined for anything else. */
export function sendFailureOf(message: KfMessage, openKfId: string): KfSendFailure | undefined {
  const e = eventOf(message, openKfId);
  const msgid = str(e?.event.fail_msgid);
  if (!e || !msgid || e.event.event_type !== 'msg_send_fail') return undefined;
  return { openKfId: e.openKfId, externalUserId: e.user, msgid, failType: Number(e.event.fail_type ?? 0) };
}

/** A user_recall_msg event (origin 4) as a {@link KfRecall}; undefined for anything else. */
export function recallOf(message: KfMessage, openKfId: string): KfRecall | undefined {
  const e = eventOf(message, openKfId);
  const msgid = str(e?.event.recall_msgid);
  if (!e || !msgid || e.event.event_type !== 'user_recall_msg') return undefined;
  return { openKfId: e.openKfId, externalUserId: e.user, msgid };
}

/** A reject_customer_msg_switch_change event (origin 4) as a {@link KfRejectSwitch}; undefined for anything else. */
export function rejectSwitchOf(message: KfMessage, openKfId: string): KfRejectSwitch | undefined {
  const e = eventOf(message, openKfId);
  if (e?.event.event_type !== 'reject_customer_msg_switch_change') return undefined;
  const rejected = Number(e.event.reject_switch) === 1;
  return { openKfId: e.openKfId, externalUserId: e.user, servicerUserId: str(e.event.servicer_userid) ?? '', rejected };
}

/** session_status_change `change_type`s (doc 94670): a 接待人员 took the session from the queue; ended it. */
const PERSON_JOINED = 1;
const SESSION_ENDED = 3;

/**
 * Session events the bot may answer once, through kf/send_msg_on_event with the event's code (valid 20 s):
 * - enter_session with a `welcome_code` (WeCom hands one out only when the customer has had no welcome for
 *   48 h and has not written yet): `session_start`, answered with the welcome;
 * - session_status_change where a 接待人员 took the session from the queue, with its `msg_code`:
 *   `person_joined`, answered with who is now serving the customer;
 * - session_status_change where a 接待人员 ended the session, with its `msg_code`: `session_end`, answered
 *   with a note that the bot is back (and the bot may talk to the customer again).
 * Other events, and these without a code, are nothing to answer.
 */
function sessionEvent(
  message: KfMessage,
  kfId: string,
  base: Pick<InboundMessage, 'channel' | 'platformMsgId' | 'sentAt'>,
): InboundMessage | undefined {
  const e = eventOf(message, kfId);
  if (!e) return undefined;
  const { event, openKfId: open_kfid } = e;
  const customer = { ...base, userRef: e.user, role: 'customer' as const, text: '' };
  const welcome = str(event.welcome_code);
  if (event.event_type === 'enter_session' && welcome) {
    return { ...customer, event: 'session_start', replyContext: { open_kfid, event_code: welcome } };
  }
  const code = str(event.msg_code);
  if (event.event_type !== 'session_status_change' || !code) return undefined;
  const joined = str(event.new_servicer_userid);
  if (Number(event.change_type) === PERSON_JOINED && joined) {
    return { ...customer, event: 'person_joined', replyContext: { open_kfid, event_code: code, servicer: joined } };
  }
  if (Number(event.change_type) === SESSION_ENDED) {
    return {
      ...customer,
      event: 'session_end',
      replyContext: { open_kfid, event_code: code, [SESSION_ENDED_KEY]: true },
    };
  }
  return undefined;
}

/**
 * The words a customer sees in a card they sent — a location, a link, a mini-program page, a 视频号 product or
 * order — so the bot can answer it like a typed message ("[订单] 订单号 …" finds the order). A kind with no
 * words gets a bracketed name, which the bot answers by asking what the matter is.
 */
function wordsOf(m: KfMessage): string {
  const join = (tag: string, ...parts: (string | undefined)[]) =>
    [tag, ...parts.filter((p): p is string => Boolean(p?.trim()))].join(' ');
  switch (m.msgtype) {
    case 'location':
      return join('[位置]', m.location?.name, m.location?.address);
    case 'link':
      return join('[链接]', m.link?.title, m.link?.desc, idsIn(m.link?.url));
    case 'miniprogram':
      return join('[小程序]', m.miniprogram?.title, idsIn(m.miniprogram?.pagepath));
    case 'channels_shop_product':
      return join('[商品]', m.channels_shop_product?.title);
    case 'channels_shop_order': {
      const o = m.channels_shop_order;
      const what = `${o?.product_titles ?? ''}${o?.state ? `（${o.state}）` : ''}`;
      return join('[订单]', o?.order_id && `订单号 ${o.order_id}`, what);
    }
    case 'channels':
      return join('[视频号]', m.channels?.title ?? m.channels?.nickname);
    case 'business_card':
      return '[名片]';
    default:
      return '[其他消息]';
  }
}

/** Query values of a URL or page path that look like an order or tracking number (8+ letters and digits). */
function idsIn(url: string | undefined): string | undefined {
  const query = url?.split('?')[1];
  if (!query) return undefined;
  const ids = [...new URLSearchParams(query).values()].filter((v) => /^[A-Za-z0-9-]{8,40}$/.test(v) && /\d{6}/.test(v));
  return ids.length > 0 ? ids.join(' ') : undefined;
}

const KF_MEDIA: readonly MediaKind[] = ['image', 'voice', 'video', 'file'];

/** A customer's photo, voice note, video or file (kf/sync_msg msgtype with its media_id), else undefined. */
function mediaOf(message: KfMessage): InboundMessage['media'] {
  const kind = KF_MEDIA.find((k) => k === message.msgtype);
  if (!kind) return undefined;
  const ref = message[kind]?.media_id;
  return ref ? { kind, ref } : { kind };
}
