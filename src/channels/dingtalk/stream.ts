import type { DWClientDownStream } from 'dingtalk-stream';
import { TOPIC_CARD, TOPIC_ROBOT } from 'dingtalk-stream';
import pino from 'pino';
import WebSocket from 'ws';
import type { Logger } from '../../lib/logger.ts';
import type { InboundMessage, Ingest } from '../channel.ts';
import { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF } from './backoff.ts';
import { DEFAULT_GATEWAY_URL, GatewayClient } from './gateway-client.ts';
import { cardClickToInbound, RobotMessageSchema, safeJson, toInbound } from './robot-payload.ts';

export interface DingtalkStreamOptions {
  /** `DINGTALK_CLIENT_ID` (AppKey). */
  clientId: string;
  /** `DINGTALK_CLIENT_SECRET` (AppSecret). */
  clientSecret: string;
  /** `DINGTALK_GATEWAY_URL`; default the production open-connection endpoint. */
  gatewayUrl?: string;
  ingest: Ingest;
  log?: Logger;
  backoff?: Partial<BackoffPolicy>;
  /** Client ping interval; a socket silent for two intervals is a zombie and is replaced (default 15 s, 0 = off). */
  heartbeatMs?: number;
  /** A connection that stayed up this long resets the backoff (default 30 s). */
  stableMs?: number;
  connectTimeoutMs?: number;
  /** Extra ingest attempts when the store is briefly unavailable (default 3). */
  ingestRetries?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The DingTalk Stream Mode receiver: robot messages (1:1 and group @-messages) and interactive-card
 * clicks → `ingest`. Every CALLBACK is acked before anything else (platforms.md §8.1); duplicates
 * (the platform re-pushes unacked frames, several connections) are absorbed by `ingest`'s durable
 * dedupe on msgId. The connection loop is ours, not the SDK's: one attempt at a time, exponential
 * backoff with jitter, and `stop()` cancels everything (no reconnect, no timer, no socket left).
 */
export class DingtalkStream {
  /** Open-connection attempts, successful connections and dropped malformed frames. */
  readonly stats = { attempts: 0, connects: 0, badFrames: 0 };
  private readonly client: GatewayClient;
  private readonly log: Logger;
  private readonly policy: BackoffPolicy;
  private running = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private connecting: Promise<void> | undefined;
  private socket: WebSocket | undefined;
  /** When the current socket opened: a connection that lived `stableMs` resets the backoff. */
  private openedAt = 0;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly opts: DingtalkStreamOptions) {
    this.log = opts.log ?? pino({ level: 'silent' });
    this.policy = { ...DEFAULT_BACKOFF, ...opts.backoff };
    this.client = new GatewayClient({
      clientId: opts.clientId,
      clientSecret: opts.clientSecret,
      gatewayUrl: opts.gatewayUrl ?? DEFAULT_GATEWAY_URL,
      connectTimeoutMs: opts.connectTimeoutMs,
      onBadFrame: (reason) => {
        this.stats.badFrames++;
        this.log.warn({ reason }, '钉钉 Stream：丢弃格式错误的帧');
      },
      onDisconnectNotice: () => this.retire(this.socket, 'server disconnect'),
    });
    this.client.registerCallbackListener(TOPIC_ROBOT, (frame) => this.onFrame(frame, 'robot'));
    this.client.registerCallbackListener(TOPIC_CARD, (frame) => this.onFrame(frame, 'card'));
  }

  /** True while a WebSocket to the gateway is open. */
  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Connects (first attempt awaited; on failure retries continue in the background). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.connectNow();
  }

  /** Stops for good: cancels the pending reconnect, closes the socket, waits for in-flight ingests. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.connecting;
    this.stopWatchdog();
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await closeSocket(socket, 2_000);
    await Promise.race([Promise.allSettled([...this.pending]), sleep(5_000)]);
  }

  private connectNow(): Promise<void> {
    this.connecting ??= this.connectOnce().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connectOnce(): Promise<void> {
    if (!this.running) return;
    this.stats.attempts++;
    try {
      await this.client.getEndpoint();
      if (!this.running) return;
      await this.client._connect();
    } catch (err) {
      this.log.warn({ err: errText(err), attempt: this.attempt }, '钉钉 Stream 连接失败，稍后重试');
      this.scheduleReconnect();
      return;
    }
    const socket = this.client.currentSocket;
    if (!socket) return this.scheduleReconnect();
    if (!this.running) return void (await closeSocket(socket, 2_000));
    this.adopt(socket);
  }

  private adopt(socket: WebSocket): void {
    this.socket = socket;
    this.stats.connects++;
    this.openedAt = Date.now();
    socket.once('close', () => this.retire(socket, 'socket closed'));
    this.startWatchdog(socket);
    this.log.info('钉钉 Stream 已连接');
  }

  /**
   * Drops `socket` — it closed, the server announced a disconnect, or it went silent — and reconnects
   * with backoff. A socket that is no longer current (stop(), already retired) is ignored.
   */
  private retire(socket: WebSocket | undefined, reason: string): void {
    if (!socket || socket !== this.socket) return;
    this.socket = undefined;
    this.stopWatchdog();
    void closeSocket(socket, 2_000);
    if (Date.now() - this.openedAt >= (this.opts.stableMs ?? 30_000)) this.attempt = 0;
    this.log.warn({ reason }, '钉钉 Stream 连接断开，重连中');
    this.scheduleReconnect();
  }

  /** At most one pending reconnect; none after stop(). */
  private scheduleReconnect(): void {
    if (!this.running || this.timer) return;
    const delay = backoffDelay(this.attempt++, this.policy);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.connectNow();
    }, delay);
  }

  /** Zombie-connection watchdog (openclaw-channel-dingtalk PR #308): ping; silence for 2 intervals → replace. */
  private startWatchdog(socket: WebSocket): void {
    const every = this.opts.heartbeatMs ?? 15_000;
    if (every <= 0) return;
    let lastSeen = Date.now();
    const seen = () => {
      lastSeen = Date.now();
    };
    socket.on('pong', seen);
    socket.on('message', seen);
    this.watchdog = setInterval(() => {
      if (Date.now() - lastSeen > 2 * every) return this.retire(socket, 'heartbeat timeout');
      if (socket.readyState === WebSocket.OPEN) socket.ping();
    }, every);
  }

  private stopWatchdog(): void {
    clearInterval(this.watchdog);
    this.watchdog = undefined;
  }

  /** Ack first, then map and ingest. Never throws: this runs inside the socket's message handler. */
  private onFrame(frame: DWClientDownStream, kind: 'robot' | 'card'): void {
    try {
      this.client.socketCallBackResponse(frame.headers.messageId, null);
    } catch (err) {
      this.log.warn({ err: errText(err) }, '钉钉 Stream：ack 发送失败');
    }
    const inbound = kind === 'robot' ? robotInbound(frame.data) : cardClickToInbound(frame.data);
    if (!inbound) {
      this.log.debug({ kind, messageId: frame.headers.messageId }, '钉钉 Stream：忽略无文本或无法识别的消息');
      return;
    }
    const job = this.ingestWithRetry(inbound).finally(() => this.pending.delete(job));
    this.pending.add(job);
  }

  private async ingestWithRetry(message: InboundMessage): Promise<void> {
    const retries = this.opts.ingestRetries ?? 3;
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.opts.ingest(message);
        this.log.debug({ platformMsgId: message.platformMsgId, status: result.status }, '钉钉消息已接收');
        return;
      } catch (err) {
        if (attempt >= retries) {
          this.log.error({ err: errText(err), platformMsgId: message.platformMsgId }, '钉钉消息入库失败，已放弃');
          return;
        }
        await sleep(200 * 2 ** attempt);
      }
    }
  }
}

function robotInbound(data: string): InboundMessage | undefined {
  const parsed = RobotMessageSchema.safeParse(safeJson(data));
  return parsed.success ? toInbound(parsed.data) : undefined;
}

/** Closes gracefully, terminating if the peer does not complete the close handshake in `graceMs`. */
function closeSocket(socket: WebSocket, graceMs: number): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => socket.terminate(), graceMs);
    socket.once('close', () => {
      clearTimeout(force);
      resolve();
    });
    if (socket.readyState === WebSocket.OPEN) socket.close(1000, 'client stop');
    else socket.terminate();
  });
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
