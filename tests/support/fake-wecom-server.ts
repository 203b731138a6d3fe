import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encryptWecom } from '../../src/channels/wecom/crypto.ts';
import { computeWecomSignature } from '../../src/channels/wecom/verify-signature.ts';

/**
 * A real local WeCom API server (platforms.md §9.2): gettoken, media/upload (multipart), message/send (an
 * image only with a media_id it issued → else 40007), kf/sync_msg, kf/send_msg (48 h / 5-message window →
 * 95002 / 95001, session state → 95018), service_state, group robot webhooks (20/min → 45009; images
 * checked for base64, md5, ≤ 2 MB, JPG/PNG) and the 智能机器人 response_url. It records what each person
 * or group would see, and can script failures. Its clock is settable so tests can cross 48 h.
 */

type Json = Record<string, unknown>;
export type Scripted = { errcode: number; errmsg?: string } | { status: number } | { hang: true };
export interface Received {
  method: string;
  path: string;
  query: Record<string, string>;
  body: Json | undefined;
}
export interface KfLogEntry {
  msgid: string;
  open_kfid: string;
  external_userid: string;
  send_time: number;
  origin: number;
  msgtype: string;
  text?: { content: string; menu_id?: string };
  /** A photo or voice note the customer sent (msgtype image / voice). */
  image?: { media_id: string };
  voice?: { media_id: string };
  event?: Json;
  /** The 接待人员 who wrote it (origin 5). */
  servicer_userid?: string;
}

/** A file uploaded through media/upload. */
export interface Upload {
  mediaId: string;
  type: string;
  filename: string;
  contentType: string;
  bytes: Buffer;
  at: number;
}

const HOUR = 3_600_000;
/** Temporary media live 3 days (上传临时素材). */
const MEDIA_TTL_MS = 72 * HOUR;
/** A robot image: raw JPG/PNG ≤ 2 MB (platforms.md §4.4). */
const ROBOT_IMAGE_MAX_BYTES = 2 * 1024 * 1024;

export class FakeWecomServer {
  readonly received: Received[] = [];
  /** What members saw through message/send, in order; an image names its upload (`content` is then ''). */
  readonly appMessages: Array<{ touser: string; msgtype: string; content: string; body: Json; image?: Upload }> = [];
  /** Files uploaded through media/upload, in order. */
  readonly uploads: Upload[] = [];
  /**
   * What customers saw through kf/send_msg and kf/send_msg_on_event (`via: 'event'`); a menu's `content` is
   * its head, item labels and tail on separate lines, `menu` its items.
   */
  readonly kfSent: Array<{
    touser: string;
    open_kfid: string;
    msgid: string;
    content: string;
    at: number;
    msgtype?: string;
    menu?: Array<{ id: string; content: string }>;
    via?: 'event';
  }> = [];
  /** What each robot's group saw, by webhook key; an image carries its raw bytes and md5 (`content` is then ''). */
  readonly robotMessages: Array<{
    key: string;
    msgtype: string;
    content: string;
    at: number;
    image?: { bytes: Buffer; md5: string };
  }> = [];
  readonly botReplies: Array<{ responseCode: string; content: string }> = [];
  readonly kfLog: KfLogEntry[] = [];
  readonly serviceStates = new Map<string, number>();
  tokenCalls = 0;
  tokenTtlSec = 7200;
  nowMs = Date.now();
  private server: Server | undefined;
  private readonly tokens = new Map<string, { secret: string; expiresAt: number; revoked: boolean }>();
  private readonly scripts = new Map<string, Scripted[]>();
  private readonly kfTokens = new Set<string>();
  private readonly eventCodes = new Map<string, { openKfId: string; user: string; at: number; used: boolean }>();
  private readonly usedResponseCodes = new Set<string>();
  private readonly hung = new Set<ServerResponse>();
  private seq = 0;

  constructor(readonly secrets: Record<string, string[]> = { wwcorp: ['app-secret', 'kf-secret'] }) {}

  get baseUrl(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    return `http://127.0.0.1:${address?.port ?? 0}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.hung) res.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
    this.server?.closeAllConnections();
  }

  advance(ms: number): void {
    this.nowMs += ms;
  }

  /** The next call(s) to `api` (e.g. `kf/send_msg`, `gettoken`, `webhook/send`) get these answers. */
  script(api: string, ...answers: Scripted[]): void {
    this.scripts.set(api, [...(this.scripts.get(api) ?? []), ...answers]);
  }

  /** Every token issued so far now answers 42001 (expired), as WeCom may do early. */
  expireTokens(): void {
    for (const t of this.tokens.values()) t.revoked = true;
  }

  webhookUrl(key: string): string {
    return `${this.baseUrl}/cgi-bin/webhook/send?key=${key}`;
  }

  responseUrl(code: string): string {
    return `${this.baseUrl}/cgi-bin/aibot/response?response_code=${code}`;
  }

  /** A customer writes in kf; returns the callback Token WeCom would push with kf_msg_or_event. */
  customerWrites(
    openKfId: string,
    externalUserId: string,
    content: string,
    opts: { menuId?: string; atMs?: number } = {},
  ): string {
    const text = { content, ...(opts.menuId ? { menu_id: opts.menuId } : {}) };
    return this.customerSends(openKfId, externalUserId, 'text', text, opts.atMs);
  }

  /**
   * A customer sends a message of any kind in kf — `msgtype` with its type object (`image`, a
   * `channels_shop_order` card …) — at `atMs` (default now); returns the callback Token.
   */
  customerSends(openKfId: string, externalUserId: string, msgtype: string, body: Json, atMs = this.nowMs): string {
    // Writing after an ended session (4) starts a new one, untreated (0).
    if (this.serviceStates.get(`${openKfId}/${externalUserId}`) === 4)
      this.serviceStates.set(`${openKfId}/${externalUserId}`, 0);
    this.kfLog.push({
      msgid: `kfmsg-${++this.seq}`,
      open_kfid: openKfId,
      external_userid: externalUserId,
      send_time: Math.floor(atMs / 1000),
      origin: 3,
      msgtype,
      [msgtype]: body,
    });
    return this.kfCallbackToken();
  }

  /**
   * A customer opens the kf chat (enter_session). With `welcome` (the default) the event carries a
   * welcome_code, valid 20 s for one kf/send_msg_on_event, as when the customer has had no welcome in 48 h.
   * Returns the callback Token.
   */
  customerEnters(openKfId: string, externalUserId: string, opts: { welcome?: boolean } = {}): string {
    const code = opts.welcome === false ? undefined : this.eventCode('welcome', openKfId, externalUserId);
    return this.kfEvent(openKfId, externalUserId, {
      event_type: 'enter_session',
      scene: 'shop_page',
      ...(code ? { welcome_code: code } : {}),
    });
  }

  /**
   * WeCom reports that a message it accepted did not reach the customer (msg_send_fail, e.g. fail_type 10:
   * the customer refuses messages). Returns the callback Token.
   */
  sendFails(msgid: string, failType: number): string {
    const sent = this.kfSent.find((s) => s.msgid === msgid);
    if (!sent) throw new Error(`fake: no kf message ${msgid} was sent`);
    return this.kfEvent(sent.open_kfid, sent.touser, {
      event_type: 'msg_send_fail',
      fail_msgid: msgid,
      fail_type: failType,
    });
  }

  /** The customer takes back (撤回) their kf message `msgid` (user_recall_msg). Returns the callback Token. */
  customerRecalls(msgid: string): string {
    const original = this.kfLog.find((m) => m.msgid === msgid && m.origin === 3);
    if (!original) throw new Error(`fake: no customer message ${msgid}`);
    return this.kfEvent(original.open_kfid, original.external_userid, {
      event_type: 'user_recall_msg',
      recall_msgid: msgid,
    });
  }

  /**
   * A 接待人员 (WeCom userid `servicer`) rejects the customer's messages in WeCom, or stops (`rejected` false):
   * reject_customer_msg_switch_change. Returns the callback Token.
   */
  servicerRejects(openKfId: string, externalUserId: string, servicer: string, rejected = true): string {
    return this.kfEvent(openKfId, externalUserId, {
      event_type: 'reject_customer_msg_switch_change',
      servicer_userid: servicer,
      reject_switch: rejected ? 1 : 0,
    });
  }

  /**
   * A 接待人员 takes the customer's session from the queue (session_status_change, change_type 1): the session
   * is served by a person (state 3), and the event carries a msg_code for one kf/send_msg_on_event within 20 s.
   * Returns the callback Token.
   */
  personTakesSession(openKfId: string, externalUserId: string, servicer: string): string {
    this.serviceStates.set(`${openKfId}/${externalUserId}`, 3);
    return this.kfEvent(openKfId, externalUserId, {
      event_type: 'session_status_change',
      change_type: 1,
      new_servicer_userid: servicer,
      msg_code: this.eventCode('join', openKfId, externalUserId),
    });
  }

  /**
   * The 接待人员 serving the customer ends the session (session_status_change, change_type 3): the session is
   * ended (state 4) and the event carries a msg_code for one kf/send_msg_on_event within 20 s. Returns the
   * callback Token.
   */
  personEndsSession(openKfId: string, externalUserId: string, servicer: string): string {
    this.serviceStates.set(`${openKfId}/${externalUserId}`, 4);
    return this.kfEvent(openKfId, externalUserId, {
      event_type: 'session_status_change',
      change_type: 3,
      old_servicer_userid: servicer,
      msg_code: this.eventCode('end', openKfId, externalUserId),
    });
  }

  /** A code for one kf/send_msg_on_event to this customer within 20 s, named `<kind>-…`. */
  private eventCode(kind: string, openKfId: string, user: string): string {
    const code = `${kind}-${randomBytes(6).toString('hex')}`;
    this.eventCodes.set(code, { openKfId, user, at: this.nowMs, used: false });
    return code;
  }

  /** A system event (origin 4) about a customer in the kf log; returns the callback Token. */
  private kfEvent(openKfId: string, externalUserId: string, event: Json): string {
    this.kfEntry({
      open_kfid: openKfId,
      external_userid: '',
      origin: 4,
      msgtype: 'event',
      event: { open_kfid: openKfId, external_userid: externalUserId, ...event },
    });
    return this.kfCallbackToken();
  }

  /** Adds a non-customer entry (event, servicer reply) to the kf log. */
  kfEntry(entry: Omit<KfLogEntry, 'msgid' | 'send_time'> & { [type: string]: unknown }): void {
    this.kfLog.push({ ...entry, msgid: `kfmsg-${++this.seq}`, send_time: Math.floor(this.nowMs / 1000) });
  }

  kfCallbackToken(): string {
    const token = `ENC${randomBytes(8).toString('hex')}`;
    this.kfTokens.add(token);
    return token;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    const raw = req.method === 'POST' ? await readBody(req) : undefined;
    const form = raw ? multipartOf(req.headers['content-type'], raw) : undefined;
    const body = raw && !form ? parseJson(raw) : undefined;
    const api = url.pathname.replace(/^\/cgi-bin\//, '');
    this.received.push({ method: req.method ?? 'GET', path: url.pathname, query, body: body ?? summary(form) });
    const scripted = this.scripts.get(api)?.shift();
    if (scripted && 'hang' in scripted) return void this.hung.add(res);
    if (scripted && 'status' in scripted) return send(res, scripted.status, { error: 'scripted' });
    if (scripted) return send(res, 200, { errmsg: 'scripted', ...scripted });
    send(res, 200, this.route(api, query, body ?? {}, form));
  }

  private route(api: string, query: Record<string, string>, body: Json, form?: MultipartPart[]): Json {
    if (api === 'gettoken') return this.gettoken(query);
    if (api === 'webhook/send') return this.webhook(query.key ?? '', body);
    if (api === 'aibot/response') return this.aibotResponse(query.response_code ?? '', body);
    const tokenError = this.checkToken(query.access_token);
    if (tokenError) return tokenError;
    if (api === 'media/upload') return this.mediaUpload(query.type ?? '', form);
    if (api === 'message/send') return this.messageSend(body);
    if (api === 'kf/sync_msg') return this.kfSync(body);
    if (api === 'kf/send_msg') return this.kfSend(body);
    if (api === 'kf/send_msg_on_event') return this.kfSendOnEvent(body);
    if (api === 'kf/service_state/get') return this.stateGet(body);
    if (api === 'kf/service_state/trans') return this.stateTrans(body);
    return { errcode: 404, errmsg: `fake: unknown api ${api}` };
  }

  private gettoken(q: Record<string, string>): Json {
    this.tokenCalls++;
    const allowed = this.secrets[q.corpid ?? ''] ?? [];
    if (!q.corpsecret || !allowed.includes(q.corpsecret)) return { errcode: 40001, errmsg: 'invalid credential' };
    const token = `tok-${++this.seq}-${randomBytes(4).toString('hex')}`;
    this.tokens.set(token, { secret: q.corpsecret, expiresAt: this.nowMs + this.tokenTtlSec * 1000, revoked: false });
    return { errcode: 0, errmsg: 'ok', access_token: token, expires_in: this.tokenTtlSec };
  }

  private checkToken(token: string | undefined): Json | undefined {
    const t = token ? this.tokens.get(token) : undefined;
    if (!t) return { errcode: 40014, errmsg: 'invalid access_token' };
    if (t.revoked || t.expiresAt <= this.nowMs) return { errcode: 42001, errmsg: 'access_token expired' };
    return undefined;
  }

  /**
   * media/upload: a `type` of image, voice, video or file (else 40004) and a non-empty multipart part `media`
   * with a filename (else 44001, empty media); stores the bytes under a fresh media_id.
   */
  private mediaUpload(type: string, form: MultipartPart[] | undefined): Json {
    if (!['image', 'voice', 'video', 'file'].includes(type)) return { errcode: 40004, errmsg: 'invalid media type' };
    const media = form?.find((p) => p.name === 'media');
    if (!media?.filename || media.data.length === 0)
      return { errcode: 44001, errmsg: 'fake: media part missing, empty or without filename' };
    const upload: Upload = {
      mediaId: `media-${++this.seq}-${randomBytes(4).toString('hex')}`,
      type,
      filename: media.filename,
      contentType: media.contentType ?? '',
      bytes: media.data,
      at: this.nowMs,
    };
    this.uploads.push(upload);
    const createdAt = String(Math.floor(this.nowMs / 1000));
    return { errcode: 0, errmsg: 'ok', type, media_id: upload.mediaId, created_at: createdAt };
  }

  private messageSend(body: Json): Json {
    const msgtype = String(body.msgtype);
    const inner = (body[msgtype] ?? {}) as Json;
    let image: Upload | undefined;
    if (msgtype === 'image') {
      image = this.uploads.find((u) => u.mediaId === inner.media_id && u.type === 'image');
      if (!image || this.nowMs > image.at + MEDIA_TTL_MS) return { errcode: 40007, errmsg: 'invalid media_id' };
    }
    const content = String(inner.content ?? (inner.main_title as Json | undefined)?.title ?? '');
    this.appMessages.push({ touser: String(body.touser), msgtype, content, body, ...(image ? { image } : {}) });
    return { errcode: 0, errmsg: 'ok', invaliduser: '', msgid: `appmsg-${++this.seq}` };
  }

  private kfSync(body: Json): Json {
    const openKfId = String(body.open_kfid ?? '');
    if (!openKfId) return { errcode: 95000, errmsg: 'invalid open_kfid' };
    if (body.token !== undefined && !this.kfTokens.has(String(body.token)))
      return { errcode: 95007, errmsg: 'invalid msg token' };
    const all = this.kfLog.filter((m) => m.open_kfid === openKfId);
    const start = body.cursor ? Number(String(body.cursor).replace(/^c/, '')) : 0;
    const limit = Math.min(Number(body.limit ?? 1000), 1000);
    const page = all.slice(start, start + limit);
    const next = start + page.length;
    return { errcode: 0, errmsg: 'ok', next_cursor: `c${next}`, has_more: next < all.length ? 1 : 0, msg_list: page };
  }

  private kfSend(body: Json): Json {
    const touser = String(body.touser);
    const openKfId = String(body.open_kfid);
    const state = this.serviceStates.get(`${openKfId}/${touser}`) ?? 0;
    if (state !== 0 && state !== 1) return { errcode: 95018, errmsg: 'send msg session status invalid' };
    const last = this.kfLog
      .filter((m) => m.origin === 3 && m.external_userid === touser && m.open_kfid === openKfId)
      .at(-1);
    if (!last || this.nowMs > last.send_time * 1000 + 48 * HOUR)
      return { errcode: 95002, errmsg: 'send msg over 48 hours' };
    // Event replies (send_msg_on_event) are outside the 5-message window.
    const since = this.kfSent.filter(
      (s) => s.touser === touser && s.open_kfid === openKfId && s.at >= last.send_time * 1000 && !s.via,
    );
    if (since.length >= 5) return { errcode: 95001, errmsg: 'send msg count limit' };
    const refused = this.refusedBody(body);
    if (refused) return refused;
    const msgid = String(body.msgid ?? `kfsend-${++this.seq}`);
    this.kfSent.push({ touser, open_kfid: openKfId, msgid, at: this.nowMs, ...kfContent(body) });
    return { errcode: 0, errmsg: 'ok', msgid };
  }

  /**
   * What WeCom refuses in any kf message body: a msgid used before (40096 here; it makes a retried send
   * idempotent), and a msgmenu beyond its limits — more than 10 items, an item not of type click with an id
   * ≤ 64 B and words ≤ 128 B, head or tail over 1024 B (40058, invalid parameter).
   */
  private refusedBody(body: Json): Json | undefined {
    if (body.msgid && this.kfSent.some((s) => s.msgid === String(body.msgid)))
      return { errcode: 40096, errmsg: 'fake: duplicate msgid' };
    if (body.msgtype !== 'msgmenu') return undefined;
    const m = (body.msgmenu ?? {}) as Json;
    const list = (m.list ?? []) as Json[];
    const bytes = (v: unknown) => Buffer.byteLength(typeof v === 'string' ? v : '');
    const badItem = (i: Json) => {
      const click = (i.click ?? {}) as Json;
      return i.type !== 'click' || !click.id || bytes(click.id) > 64 || !click.content || bytes(click.content) > 128;
    };
    if (
      list.length === 0 ||
      list.length > 10 ||
      list.some(badItem) ||
      bytes(m.head_content) > 1024 ||
      bytes(m.tail_content) > 1024
    )
      return { errcode: 40058, errmsg: 'fake: invalid msgmenu' };
    return undefined;
  }

  private kfSendOnEvent(body: Json): Json {
    const code = this.eventCodes.get(String(body.code ?? ''));
    if (!code || code.used || this.nowMs > code.at + 20_000)
      return { errcode: 95010, errmsg: 'fake: event code invalid, used or older than 20 s' };
    const refused = this.refusedBody(body);
    if (refused) return refused;
    code.used = true;
    const msgid = String(body.msgid ?? `kfevent-${++this.seq}`);
    this.kfSent.push({
      touser: code.user,
      open_kfid: code.openKfId,
      msgid,
      at: this.nowMs,
      via: 'event',
      ...kfContent(body),
    });
    return { errcode: 0, errmsg: 'ok', msgid };
  }

  private stateGet(body: Json): Json {
    const state = this.serviceStates.get(`${body.open_kfid}/${body.external_userid}`) ?? 0;
    return { errcode: 0, errmsg: 'ok', service_state: state, servicer_userid: '' };
  }

  private stateTrans(body: Json): Json {
    const key = `${body.open_kfid}/${body.external_userid}`;
    const from = this.serviceStates.get(key) ?? 0;
    const to = Number(body.service_state);
    const allowed: Record<number, number[]> = { 0: [1, 2, 3, 4], 1: [1, 2, 3, 4], 2: [2, 3, 4], 3: [3, 4], 4: [] };
    if (!allowed[from]?.includes(to)) return { errcode: 95016, errmsg: 'invalid service state transition' };
    if (to === 3 && !body.servicer_userid) return { errcode: 95014, errmsg: 'servicer required' };
    this.serviceStates.set(key, to);
    return { errcode: 0, errmsg: 'ok', msg_code: `code-${++this.seq}` };
  }

  private webhook(key: string, body: Json): Json {
    if (!key) return { errcode: 93000, errmsg: 'invalid webhook url' };
    const recent = this.robotMessages.filter((m) => m.key === key && m.at > this.nowMs - 60_000);
    if (recent.length >= 20) return { errcode: 45009, errmsg: 'api freq out of limit' };
    const msgtype = String(body.msgtype);
    if (msgtype === 'image') {
      const { image, refused } = robotImage((body.image ?? {}) as Json);
      if (!image) return refused;
      this.robotMessages.push({ key, msgtype, content: '', at: this.nowMs, image });
      return { errcode: 0, errmsg: 'ok' };
    }
    const content = String(((body[msgtype] ?? {}) as Json).content ?? '');
    this.robotMessages.push({ key, msgtype, content, at: this.nowMs });
    return { errcode: 0, errmsg: 'ok' };
  }

  private aibotResponse(code: string, body: Json): Json {
    if (!code || this.usedResponseCodes.has(code))
      return { errcode: 40098, errmsg: 'fake: response_code used or invalid' };
    this.usedResponseCodes.add(code);
    this.botReplies.push({ responseCode: code, content: String(((body.markdown ?? {}) as Json).content ?? '') });
    return { errcode: 0, errmsg: 'ok' };
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

function parseJson(raw: Buffer): Json | undefined {
  try {
    return JSON.parse(raw.toString('utf8')) as Json;
  } catch {
    return undefined;
  }
}

/**
 * A robot image body checked as WeCom would: `base64` must decode (strictly), `md5` must be the hex MD5 of
 * the decoded bytes, the bytes ≤ 2 MB and a JPG or PNG. Returns the picture, or the answer refusing it
 * (errcode 40009 here).
 */
function robotImage(
  image: Json,
): { image: { bytes: Buffer; md5: string }; refused?: never } | { image?: never; refused: Json } {
  const refuse = (errmsg: string) => ({ refused: { errcode: 40009, errmsg: `fake: ${errmsg}` } });
  const base64 = typeof image.base64 === 'string' ? image.base64 : '';
  const bytes = Buffer.from(base64, 'base64');
  if (!base64 || bytes.toString('base64') !== base64) return refuse('invalid image base64');
  const md5 = createHash('md5').update(bytes).digest('hex');
  if (image.md5 !== md5) return refuse('image md5 does not match');
  if (bytes.length > ROBOT_IMAGE_MAX_BYTES) return refuse('image larger than 2 MB');
  const png = bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const jpg = bytes.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]));
  if (!png && !jpg) return refuse('image is neither JPG nor PNG');
  return { image: { bytes, md5 } };
}

/** One part of a multipart/form-data body. */
interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/**
 * The parts of a multipart/form-data body (RFC 7578), or undefined when the request is not multipart or
 * the body is malformed (no boundary, no closing delimiter, a part without Content-Disposition name).
 */
function multipartOf(contentType: string | undefined, raw: Buffer): MultipartPart[] | undefined {
  if (!contentType || !/^multipart\/form-data\s*;/i.test(contentType)) return undefined;
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) return undefined;
  const delimiter = Buffer.from(`--${boundary}`);
  const next = Buffer.from(`\r\n--${boundary}`);
  const parts: MultipartPart[] = [];
  let at = raw.indexOf(delimiter);
  if (at < 0) return undefined;
  for (;;) {
    at += delimiter.length;
    const after = raw.subarray(at, at + 2).toString('latin1');
    if (after === '--') return parts;
    if (after !== '\r\n') return undefined;
    const end = raw.indexOf(next, at + 2);
    if (end < 0) return undefined;
    const part = multipartPart(raw.subarray(at + 2, end));
    if (!part) return undefined;
    parts.push(part);
    at = end + 2;
  }
}

/** One part: header lines, a blank line, then the data (bytes kept as they are). */
function multipartPart(chunk: Buffer): MultipartPart | undefined {
  const split = chunk.indexOf('\r\n\r\n');
  if (split < 0) return undefined;
  const headers = new Map<string, string>();
  for (const line of chunk.subarray(0, split).toString('utf8').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const disposition = headers.get('content-disposition') ?? '';
  const name = /(?:^|;)\s*name="([^"]*)"/i.exec(disposition)?.[1];
  if (!/^form-data\s*(;|$)/i.test(disposition) || name === undefined) return undefined;
  const filename = /(?:^|;)\s*filename="([^"]*)"/i.exec(disposition)?.[1];
  return { name, filename, contentType: headers.get('content-type'), data: chunk.subarray(split + 4) };
}

/** What `received` records of a multipart body: its parts without their bytes. */
function summary(form: MultipartPart[] | undefined): Json | undefined {
  if (!form) return undefined;
  return {
    parts: form.map((p) => ({ name: p.name, filename: p.filename, contentType: p.contentType, size: p.data.length })),
  };
}

/** What a customer sees of a kf text or msgmenu body. */
function kfContent(body: Json): { content: string; msgtype: string; menu?: Array<{ id: string; content: string }> } {
  const msgtype = String(body.msgtype ?? 'text');
  if (msgtype !== 'msgmenu') return { msgtype, content: String(((body.text ?? {}) as Json).content ?? '') };
  const m = (body.msgmenu ?? {}) as Json;
  const menu = ((m.list ?? []) as Json[]).map((i) => {
    const click = (i.click ?? {}) as Json;
    return { id: String(click.id ?? ''), content: String(click.content ?? '') };
  });
  const lines = [m.head_content, ...menu.map((i) => i.content), m.tail_content].filter((l) => typeof l === 'string');
  return { msgtype, content: lines.join('\n'), menu };
}

function send(res: ServerResponse, status: number, body: Json): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

// ---------------------------------------------------------------- callbacks WeCom pushes to us

export interface CallbackCredentials {
  token: string;
  encodingAesKey: string;
  /** CorpID for app/kf callbacks, '' for the 智能机器人. */
  receiveId: string;
}

/** An encrypted, signed callback as WeCom would POST it: the URL (path + query) and the raw body. */
export function buildCallback(
  creds: CallbackCredentials,
  plaintext: string,
  opts: { path?: string; format?: 'xml' | 'json'; timestamp?: number; nonce?: string } = {},
): { url: string; body: string; contentType: string } {
  const encrypt = encryptWecom(creds.encodingAesKey, plaintext, creds.receiveId);
  const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = opts.nonce ?? String(Math.floor(Math.random() * 1e10));
  const signature = computeWecomSignature(creds.token, timestamp, nonce, encrypt);
  const url = `${opts.path ?? '/wecom/callback'}?msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`;
  if (opts.format === 'json') return { url, body: JSON.stringify({ encrypt }), contentType: 'application/json' };
  const body = `<xml><ToUserName><![CDATA[${creds.receiveId}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>`;
  return { url, body, contentType: 'text/xml' };
}

/** A URL-verification GET as the admin console sends it (echostr percent-encoded once). */
export function buildEcho(
  creds: CallbackCredentials,
  echo: string,
  opts: { path?: string; timestamp?: number } = {},
): string {
  const echostr = encryptWecom(creds.encodingAesKey, echo, creds.receiveId);
  const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = String(Math.floor(Math.random() * 1e10));
  const signature = computeWecomSignature(creds.token, timestamp, nonce, echostr);
  const query = `msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}&echostr=${encodeURIComponent(echostr)}`;
  return `${opts.path ?? '/wecom/callback'}?${query}`;
}

/** Plaintext XML of the app callbacks the adapter handles. */
export const appXml = {
  text: (p: { from: string; content: string; msgId: string; createTime?: number; corpId?: string }) =>
    `<xml><ToUserName><![CDATA[${p.corpId ?? 'wwcorp'}]]></ToUserName><FromUserName><![CDATA[${p.from}]]></FromUserName><CreateTime>${p.createTime ?? Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${p.content}]]></Content><MsgId>${p.msgId}</MsgId><AgentID>1000002</AgentID></xml>`,
  kfEvent: (p: { openKfId: string; token: string; createTime?: number }) =>
    `<xml><ToUserName><![CDATA[wwcorp]]></ToUserName><CreateTime>${p.createTime ?? Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[kf_msg_or_event]]></Event><Token><![CDATA[${p.token}]]></Token><OpenKfId><![CDATA[${p.openKfId}]]></OpenKfId></xml>`,
  cardEvent: (p: { from: string; eventKey: string; taskId?: string; createTime?: number }) =>
    `<xml><ToUserName><![CDATA[wwcorp]]></ToUserName><FromUserName><![CDATA[${p.from}]]></FromUserName><CreateTime>${p.createTime ?? Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event><EventKey><![CDATA[${p.eventKey}]]></EventKey><TaskId><![CDATA[${p.taskId ?? 'task-1'}]]></TaskId><CardType><![CDATA[button_interaction]]></CardType><ResponseCode><![CDATA[rc-1]]></ResponseCode><AgentID>1000002</AgentID></xml>`,
};

/** Plaintext JSON of a 智能机器人 group @-mention (doc 100719). */
export function botTextJson(p: {
  msgId: string;
  from: string;
  chatId?: string;
  content: string;
  responseUrl?: string;
}): string {
  return JSON.stringify({
    msgid: p.msgId,
    aibotid: 'aibot-1',
    chatid: p.chatId,
    chattype: p.chatId ? 'group' : 'single',
    from: { userid: p.from },
    response_url: p.responseUrl,
    msgtype: 'text',
    text: { content: p.content },
  });
}
