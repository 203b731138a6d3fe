/**
 * The one transport contract. Adapters (sandbox, wecom, dingtalk) verify, decrypt, parse, dedupe and
 * ack; they hand the core one {@link InboundMessage} type through {@link Ingest} and deliver
 * {@link OutboundMessage}s. No NLU or ticket logic lives in an adapter.
 */

export type ChannelId = 'sandbox' | 'wecom' | 'wecom_kf' | 'wecom_bot' | 'dingtalk';
export type SenderRole = 'customer' | 'staff' | 'manager';

/** What a message without words carries: a photo, a voice note, a video or a file. */
export type MediaKind = 'image' | 'voice' | 'video' | 'file';

/** The text a media message stands in as (logs, ticket records, the sandbox). */
export const MEDIA_TEXT: Readonly<Record<MediaKind, string>> = {
  image: '[图片]',
  voice: '[语音]',
  video: '[视频]',
  file: '[文件]',
};

/** A message from a person, normalised across platforms. */
export interface InboundMessage {
  channel: ChannelId;
  /** The platform's own message id (MsgId, msgid, msgId, sandbox id): the dedupe key. */
  platformMsgId: string;
  /** The sender as the platform names them (WeCom userid / external_userid, DingTalk staffId, sandbox user). */
  userRef: string;
  role: SenderRole;
  /** Group chat id; absent in 1:1 chats. */
  chatId?: string;
  text: string;
  displayName?: string;
  /** Platform-specific data the reply path needs (e.g. DingTalk sessionWebhook + expiry, kf open_kfid). */
  replyContext?: Record<string, unknown>;
  /** When the platform says the message was sent. */
  sentAt?: Date;
  /** A photo, voice note, video or file instead of words (`text` is then its MEDIA_TEXT); `ref` is the platform's media id. */
  media?: { kind: MediaKind; ref?: string };
  /**
   * Something that happened rather than words (`text` is then empty): `session_start` — a customer opened
   * the chat (微信客服 enter_session), which the bot may greet once; `person_joined` — a person took the
   * conversation from the queue (`replyContext.servicer` names them); `session_end` — the person serving the
   * customer ended the session (微信客服), and the bot is theirs again.
   */
  event?: InboundEvent;
}

export const INBOUND_EVENTS = ['session_start', 'person_joined', 'session_end'] as const;
export type InboundEvent = (typeof INBOUND_EVENTS)[number];

/**
 * replyContext key of a staff member's answer written on the platform itself (a WeCom kf 接待人员 in their
 * own client): the userRef of the customer it went to, on the same channel. The bot does not reply to it;
 * the customer's tickets record the response.
 */
export const STAFF_REPLY_TO = 'staffReplyTo';

export type IngestStatus = 'accepted' | 'duplicate';

export interface IngestResult {
  status: IngestStatus;
  deliveryId: string;
}

/** Store (deduped on channel + platformMsgId) and enqueue. Nothing else happens on the request path. */
export type Ingest = (message: InboundMessage) => Promise<IngestResult>;

/** A signed callback request's replay-guard key and how long to keep it. */
export interface ReplayKey {
  key: string;
  ttlSec: number;
}

export type FastAcceptResult = IngestStatus | 'replay';

/**
 * A platform callback's message accepted durably in one round trip together with its replay guard, or
 * undefined when that is not possible now: the caller then takes the usual path (replay guard, then
 * {@link Ingest}). Implemented by the callback inbox (jobs/callback-inbox.ts).
 */
export type FastAccept = (message: InboundMessage, replay: ReplayKey) => Promise<FastAcceptResult | undefined>;

export interface CardButton {
  /** Opaque action id, e.g. `ack:123:2`; comes back as an inbound action. */
  id: string;
  label: string;
}

/** One tappable answer: `label` is what the customer sends by tapping it. */
export interface Choice {
  id: string;
  label: string;
}

/** A message the bot sends; channels downgrade markdown/cards where a target cannot show them. */
export interface OutboundMessage {
  channel: ChannelId;
  /** Person or group to reach, in the channel's own terms. */
  target: { userRef?: string; chatId?: string };
  kind: 'reply' | 'push' | 'alert';
  text: string;
  markdown?: string;
  card?: { title: string; body: string; buttons: CardButton[] };
  /** From the inbound message this answers, if any. */
  replyContext?: Record<string, unknown>;
  /** Stable key; a channel must not send two messages with the same key. */
  dedupeKey: string;
  /**
   * Answers the customer can tap instead of typing (微信客服 msgmenu): `head`, the items, then `tail`. A tap
   * comes back as a message with the item's label as its text. `text` must read whole without them: channels
   * that cannot show a menu send it instead.
   */
  choices?: { head: string; items: Choice[]; tail?: string };
  /**
   * After this reply, hand the conversation to a person: 微信客服 moves the session into the human
   * queue (`kf/service_state/trans`). Channels without a human queue send the reply as usual.
   */
  handoff?: boolean;
  /**
   * A reminder whose only purpose is to keep the customer reachable (微信客服's 48 h window): it goes out
   * only while the window is open and a send is left, and is never rerouted to staff.
   */
  keepalive?: boolean;
  /**
   * Written or set off by a person for this customer (回复 #N, a question while the ticket waits for them, the
   * resolution notice): planned like a reply — sent at once, and may use every send the platform still allows —
   * not paced and merged like automatic progress updates.
   */
  personal?: boolean;
  /**
   * A picture that goes after the text (the managers' report charts): a PNG, base64-encoded, with a title for
   * where a platform shows one. `text` must read whole without it: channels or targets that cannot send
   * pictures leave it out.
   */
  picture?: OutboundPicture;
}

export interface OutboundPicture {
  /** PNG bytes, base64 (≤ 2 MB raw: WeCom's group robot limit, the smallest of the platforms'). */
  png: string;
  title: string;
}

export interface SendResult {
  /** `withheld`: not sent on purpose — a person serves this customer on the platform (WeCom kf). */
  status: 'sent' | 'deferred' | 'rerouted' | 'withheld' | 'failed';
  /**
   * The customer cannot be reached now but can be later (微信客服: 48 h of silence, or the 5 sends spent): a
   * personal message is kept, to go with the bot's answer when the customer next writes.
   */
  held?: boolean;
  /** Platform message ids of the parts sent (long texts may be split). */
  platformIds?: string[];
  error?: string;
}

export interface Channel {
  readonly id: ChannelId;
  /** Begin receiving (open streams, start pollers). HTTP routes are mounted separately. */
  start(): Promise<void>;
  /** Stop receiving and release connections; must really stop (no reconnects after). */
  stop(): Promise<void>;
  send(message: OutboundMessage): Promise<SendResult>;
}
