import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { freePort } from './redis.ts';

/**
 * A local DingTalk: the Stream gateway (open-connection endpoint + WebSocket speaking the stream
 * protocol of platforms.md §5.2), session webhooks, the robot OpenAPI (§6.3) and the old API host's
 * `media/upload`, on one random port.
 * It records what it receives so tests assert what a user would see, and can be told to fail.
 */

type Json = Record<string, unknown>;
export type AckFrame = { code: number; headers: { messageId?: string }; message?: string; data?: string };
export type SendRoute = 'batchSend' | 'groupSend' | 'webhook';

export interface RecordedSend {
  route: SendRoute;
  body: Json;
  /** `msgParam` parsed (robot APIs). */
  msgParam?: Json;
  /** Webhook session id. */
  session?: string;
}

/** A file DingTalk accepted on `media/upload`. */
export interface RecordedUpload {
  mediaId: string;
  type: string;
  filename: string;
  contentType: string;
  bytes: Buffer;
}

/** One part of a multipart/form-data body. */
interface FormPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

const FIXTURES = path.join(import.meta.dirname, '../fixtures/dingtalk');
const ROBOT_TOPIC = '/v1.0/im/bot/messages/get';
const CARD_TOPIC = '/v1.0/card/instances/callback';

export function robotFixture(name: 'robot-group-text' | 'robot-single-text'): Json {
  return JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')) as Json;
}

export class FakeDingtalkGateway {
  readonly clientId = 'dingclientid01';
  readonly clientSecret = 'fake-client-secret-01';
  /** POSTs to the open-connection endpoint (each reconnect makes one). */
  connectionAttempts = 0;
  /** WebSocket connections accepted. */
  wsConnections = 0;
  tokenCalls = 0;
  tokenExpireIn = 7200;
  /** Bodies of the open-connection requests. */
  readonly openRequests: Json[] = [];
  readonly sends: RecordedSend[] = [];
  /** Files accepted on `media/upload`, in order (failed and refused uploads are not here). */
  readonly uploads: RecordedUpload[] = [];
  /** Every frame a client sent up (acks, ping answers), parsed. */
  readonly upFrames: AckFrame[] = [];
  /** `ok`; `http500`: the gateway answers 500; `refuse`: hands out an endpoint nobody listens on. */
  gatewayMode: 'ok' | 'http500' | 'refuse' = 'ok';
  /** `drop`: accept the WebSocket, then terminate it at once. */
  wsMode: 'ok' | 'drop' = 'ok';
  readonly flowControlled = new Set<string>();
  /** Requests per route, failed ones included (to count retries). */
  readonly hits: Record<SendRoute | 'token' | 'upload', number> = {
    batchSend: 0,
    groupSend: 0,
    webhook: 0,
    token: 0,
    upload: 0,
  };
  private readonly expiredSessions = new Set<string>();
  private readonly validTokens = new Set<string>();
  /** media_ids issued by `media/upload`. */
  private readonly media = new Set<string>();
  private readonly failures = new Map<string, { status: number; body: Json }[]>();
  private readonly tickets = new Map<string, boolean>();
  private readonly sockets = new Set<WebSocket>();
  private readonly waiters = new Map<string, (frame: AckFrame) => void>();
  private readonly wss = new WebSocketServer({ noServer: true });
  private counter = 0;
  private refusedPort = 0;

  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<FakeDingtalkGateway> {
    const server = http.createServer();
    const fake = new FakeDingtalkGateway(server);
    server.on('request', (req, res) => void fake.onRequest(req, res));
    server.on('upgrade', (req, socket, head) => fake.onUpgrade(req, socket, head));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.refusedPort = await freePort();
    return fake;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  get gatewayUrl(): string {
    return `${this.baseUrl}/v1.0/gateway/connections/open`;
  }
  /** Open stream connections. */
  get openSockets(): number {
    return [...this.sockets].filter((s) => s.readyState === WebSocket.OPEN && !s.isPaused).length;
  }

  sessionWebhook(session: string): string {
    return `${this.baseUrl}/robot/sendBySession?session=${session}`;
  }
  /** The session now answers 300001 (as DingTalk does after sessionWebhookExpiredTime). */
  expireSession(session: string): void {
    this.expiredSessions.add(session);
  }
  /** Every token issued so far is rejected with 401 from now on. */
  expireTokens(): void {
    this.validTokens.clear();
  }
  /** The next `times` calls to `route` ('batchSend' | 'groupSend' | 'webhook' | 'token' | 'upload') answer `status`. */
  failNext(route: SendRoute | 'token' | 'upload', status: number, body: Json = {}, times = 1): void {
    const list = this.failures.get(route) ?? [];
    for (let i = 0; i < times; i++) list.push({ status, body });
    this.failures.set(route, list);
  }
  sentTo(route: SendRoute): RecordedSend[] {
    return this.sends.filter((s) => s.route === route);
  }

  /** A robot message frame built from `payload`; resolves with the client's ack frame. */
  pushRobotMessage(payload: Json, opts: { messageId?: string; timeoutMs?: number } = {}): Promise<AckFrame> {
    return this.pushCallback(ROBOT_TOPIC, JSON.stringify(payload), opts);
  }
  pushCardCallback(payload: Json, opts: { messageId?: string; timeoutMs?: number } = {}): Promise<AckFrame> {
    return this.pushCallback(CARD_TOPIC, JSON.stringify(payload), opts);
  }

  /** Sends a CALLBACK frame to one open connection (chosen at random, like DingTalk) and awaits its ack. */
  async pushCallback(topic: string, data: string, opts: { messageId?: string; timeoutMs?: number } = {}) {
    const messageId = opts.messageId ?? `m-${++this.counter}`;
    const headers = { appId: 'app1', connectionId: 'c1', contentType: 'application/json', messageId, time: '0', topic };
    const acked = this.awaitAck(messageId, opts.timeoutMs ?? 3000);
    this.pushRaw(JSON.stringify({ specVersion: '1.0', type: 'CALLBACK', headers, data }));
    return acked;
  }

  /** Sends any text as a frame (for malformed frames). */
  pushRaw(text: string): void {
    const open = [...this.sockets].filter((s) => s.readyState === WebSocket.OPEN && !s.isPaused);
    const target = open[Math.floor(Math.random() * open.length)];
    if (!target) throw new Error('fake gateway: no open stream connection');
    target.send(text);
  }

  /** SYSTEM ping; resolves with the client's echo. */
  ping(opaque: string): Promise<AckFrame> {
    const messageId = `ping-${++this.counter}`;
    const acked = this.awaitAck(messageId, 3000);
    const headers = { contentType: 'application/json', messageId, time: '0', topic: 'ping' };
    this.pushRaw(JSON.stringify({ specVersion: '1.0', type: 'SYSTEM', headers, data: JSON.stringify({ opaque }) }));
    return acked;
  }

  /** SYSTEM disconnect on every connection (DingTalk then closes TCP ~10 s later; we never do). */
  announceDisconnect(): void {
    const frame = { specVersion: '1.0', type: 'SYSTEM', headers: { topic: 'disconnect' }, data: '{"reason":"test"}' };
    for (const s of this.sockets) if (s.readyState === WebSocket.OPEN) s.send(JSON.stringify(frame));
  }

  /** Zombie connections: stop reading every open socket (no pongs, no acks), without closing them. */
  freezeConnections(): void {
    for (const s of this.sockets) s.pause();
  }

  /** Kills every stream connection without a close handshake. */
  dropConnections(): void {
    for (const s of this.sockets) s.terminate();
  }

  async waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('fake gateway: condition not reached in time');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private awaitAck(messageId: string, timeoutMs: number): Promise<AckFrame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(messageId);
        reject(new Error(`fake gateway: no ack for ${messageId}`));
      }, timeoutMs);
      this.waiters.set(messageId, (frame) => {
        clearTimeout(timer);
        resolve(frame);
      });
    });
  }

  private onUpgrade(req: http.IncomingMessage, socket: import('node:stream').Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const ticket = url.searchParams.get('ticket') ?? '';
    // A ticket is single-use (platforms.md §5.2 item 1).
    if (url.pathname !== '/connect' || this.tickets.get(ticket) !== false) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    this.tickets.set(ticket, true);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
  }

  private onSocket(ws: WebSocket): void {
    this.wsConnections++;
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    ws.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as AckFrame;
      this.upFrames.push(frame);
      const id = frame.headers?.messageId;
      const waiter = id ? this.waiters.get(id) : undefined;
      if (id && waiter) {
        this.waiters.delete(id);
        waiter(frame);
      }
    });
    if (this.wsMode === 'drop') ws.terminate();
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const reply = (status: number, json: Json) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    const contentType = String(req.headers['content-type'] ?? '');
    let body: Json = {};
    let form: FormPart[] | undefined;
    if (/^multipart\/form-data/i.test(contentType)) {
      form = parseMultipart(raw, contentType);
      if (!form) return reply(400, { errcode: 40035, errmsg: '不合法的参数（multipart 格式错误）' });
    } else {
      const text = raw.toString('utf8');
      body = (text ? JSON.parse(text) : {}) as Json;
    }
    const url = new URL(req.url ?? '/', this.baseUrl);
    const route = ROUTES[url.pathname];
    if (!route) return reply(404, { code: 'NotFound' });
    const token = String(req.headers['x-acs-dingtalk-access-token'] ?? '');
    const out = route(this, { body, url, token, form });
    reply(out.status, out.json);
  }

  /** @internal used by ROUTES */
  openConnection(body: Json): Answer {
    this.connectionAttempts++;
    this.openRequests.push(body);
    if (body.clientId !== this.clientId || body.clientSecret !== this.clientSecret) {
      return { status: 401, json: { code: 'InvalidAuthentication' } };
    }
    if (this.gatewayMode === 'http500') return { status: 500, json: { code: 'ServiceUnavailable' } };
    const ticket = `t-${++this.counter}`;
    this.tickets.set(ticket, false);
    const port = this.gatewayMode === 'refuse' ? this.refusedPort : this.port;
    return { status: 200, json: { endpoint: `ws://127.0.0.1:${port}/connect`, ticket } };
  }

  /** @internal */
  issueToken(body: Json): Answer {
    this.tokenCalls++;
    this.hits.token++;
    const failure = this.takeFailure('token');
    if (failure) return failure;
    if (body.appKey !== this.clientId || body.appSecret !== this.clientSecret) {
      return { status: 400, json: { code: 'invalidClientIdOrSecret', message: '无效的clientId或者clientSecret' } };
    }
    const accessToken = `tok-${++this.counter}`;
    this.validTokens.add(accessToken);
    return { status: 200, json: { accessToken, expireIn: this.tokenExpireIn } };
  }

  /** @internal */
  robotSend(route: 'batchSend' | 'groupSend', body: Json, token: string): Answer {
    this.hits[route]++;
    if (!this.validTokens.has(token)) {
      return { status: 401, json: { code: 'InvalidAuthentication', message: '不合法的access_token' } };
    }
    const failure = this.takeFailure(route);
    if (failure) return failure;
    const msgParam = JSON.parse(String(body.msgParam)) as Json;
    if (body.msgKey === 'sampleImageMsg') {
      const photo = typeof msgParam.photoURL === 'string' ? msgParam.photoURL : '';
      if (!this.media.has(photo) && !/^https?:\/\//.test(photo)) {
        return {
          status: 400,
          json: { code: 'invalidParameter.photoURL', message: 'photoURL 不是有效的图片地址或 mediaId' },
        };
      }
    }
    this.sends.push({ route, body, msgParam });
    const users = Array.isArray(body.userIds) ? (body.userIds as string[]) : [];
    return {
      status: 200,
      json: {
        processQueryKey: `pqk-${++this.counter}`,
        invalidStaffIdList: [],
        flowControlledStaffIdList: users.filter((u) => this.flowControlled.has(u)),
      },
    };
  }

  /** @internal */
  webhook(body: Json, session: string): Answer {
    this.hits.webhook++;
    const failure = this.takeFailure('webhook');
    if (failure) return failure;
    if (this.expiredSessions.has(session)) return { status: 200, json: { errcode: 300001, errmsg: 'session 不存在' } };
    this.sends.push({ route: 'webhook', body, session });
    return { status: 200, json: { errcode: 0, errmsg: 'ok' } };
  }

  /**
   * @internal `POST /media/upload?access_token=…&type=image` (old API host): errcode 0 with a fresh media_id,
   * or DingTalk's errcodes — 40014 for a token it did not issue (or expired with `expireTokens`).
   */
  upload(url: URL, form: FormPart[] | undefined): Answer {
    this.hits.upload++;
    const failure = this.takeFailure('upload');
    if (failure) return failure;
    if (!this.validTokens.has(url.searchParams.get('access_token') ?? '')) {
      return { status: 200, json: { errcode: 40014, errmsg: '不合法的access_token' } };
    }
    const type = url.searchParams.get('type') ?? '';
    if (type !== 'image') return { status: 200, json: { errcode: 40004, errmsg: '不合法的媒体文件类型' } };
    const media = form?.find((p) => p.name === 'media' && p.filename !== undefined);
    if (!media || media.data.length === 0) {
      return { status: 200, json: { errcode: 41005, errmsg: '缺少多媒体文件数据（media）' } };
    }
    const mediaId = `@lA${randomBytes(18).toString('base64url')}`;
    this.media.add(mediaId);
    this.uploads.push({
      mediaId,
      type,
      filename: media.filename ?? '',
      contentType: media.contentType ?? '',
      bytes: media.data,
    });
    const createdAt = Date.now();
    return { status: 200, json: { errcode: 0, errmsg: 'ok', type, media_id: mediaId, created_at: createdAt } };
  }

  private takeFailure(route: string): Answer | undefined {
    const next = this.failures.get(route)?.shift();
    return next ? { status: next.status, json: next.body } : undefined;
  }
}

type Answer = { status: number; json: Json };
type RouteFn = (
  fake: FakeDingtalkGateway,
  req: { body: Json; url: URL; token: string; form: FormPart[] | undefined },
) => Answer;

const ROUTES: Record<string, RouteFn> = {
  '/v1.0/gateway/connections/open': (f, r) => f.openConnection(r.body),
  '/v1.0/oauth2/accessToken': (f, r) => f.issueToken(r.body),
  '/v1.0/robot/oToMessages/batchSend': (f, r) => f.robotSend('batchSend', r.body, r.token),
  '/v1.0/robot/groupMessages/send': (f, r) => f.robotSend('groupSend', r.body, r.token),
  '/robot/sendBySession': (f, r) => f.webhook(r.body, r.url.searchParams.get('session') ?? ''),
  '/media/upload': (f, r) => f.upload(r.url, r.form),
};

/**
 * A small multipart/form-data parser (RFC 7578), enough for the fake: parts split on the boundary, each
 * with its Content-Disposition name/filename and Content-Type. Undefined when the body is not well formed.
 */
function parseMultipart(raw: Buffer, contentType: string): FormPart[] | undefined {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) return undefined;
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: FormPart[] = [];
  let pos = raw.indexOf(delimiter);
  if (pos < 0) return undefined;
  for (;;) {
    pos += delimiter.length;
    if (raw.subarray(pos, pos + 2).toString() === '--') return parts; // the closing delimiter
    if (raw.subarray(pos, pos + 2).toString() !== '\r\n') return undefined;
    pos += 2;
    const headerEnd = raw.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) return undefined;
    const next = raw.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    if (next < 0) return undefined;
    const headers = new Map<string, string>();
    for (const line of raw.subarray(pos, headerEnd).toString('utf8').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const disposition = headers.get('content-disposition') ?? '';
    const name = /(?:^|;)\s*name="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined) return undefined;
    const filename = /(?:^|;)\s*filename="([^"]*)"/i.exec(disposition)?.[1];
    parts.push({ name, filename, contentType: headers.get('content-type'), data: raw.subarray(headerEnd + 4, next) });
    pos = next + 2;
  }
}
