import axios from 'axios';
import { DWClient, type DWClientDownStream } from 'dingtalk-stream';
import type WebSocket from 'ws';
import { CodedError, ErrorCode } from '../../domain/errors.ts';
import { safeJson } from './robot-payload.ts';

/** Production open-connection endpoint (platforms.md §5.2); `DINGTALK_GATEWAY_URL` overrides it. */
export const DEFAULT_GATEWAY_URL = 'https://api.dingtalk.com/v1.0/gateway/connections/open';

const UA = 'aftersales-bot';

export interface GatewayClientOptions {
  clientId: string;
  clientSecret: string;
  gatewayUrl: string;
  /** WebSocket handshake and open-connection request timeout (default 10 s). */
  connectTimeoutMs?: number;
  /** A frame that is not valid stream-protocol JSON; it is dropped, the connection stays up. */
  onBadFrame: (reason: string) => void;
  /** The server announced it will close this connection (SYSTEM `disconnect`). */
  onDisconnectNotice: () => void;
}

/**
 * The real `dingtalk-stream` 2.1.5 client, adjusted where 2.1.5 cannot be configured (platforms.md §5.3):
 *
 * - `getEndpoint()` posts to a configurable gateway URL (the SDK hard-codes `GATEWAY_URL`) and sets the
 *   SDK's `dw_url` field, which `_connect()` then opens — so the SDK's own WebSocket, ping answers,
 *   EVENT acks and CALLBACK dispatch run unchanged, against DingTalk or a local fake.
 * - `autoReconnect` is off: the SDK's reconnect storm (double scheduling, no cancel on `disconnect()`)
 *   is replaced by the single-flight backoff loop in `stream.ts`.
 * - SYSTEM `disconnect` is reported at once (`onDisconnectNotice`) instead of waiting for the close.
 * - `onDownStream()` validates the frame first: 2.1.5 calls `JSON.parse` inside the socket's message
 *   handler, so one malformed frame would throw out of an event listener and crash the process.
 */
export class GatewayClient extends DWClient {
  private readonly gatewayUrl: string;
  private readonly connectTimeoutMs: number;
  private readonly onBadFrame: (reason: string) => void;
  private readonly onDisconnectNotice: () => void;

  constructor(opts: GatewayClientOptions) {
    super({ clientId: opts.clientId, clientSecret: opts.clientSecret, keepAlive: false, debug: false, ua: UA });
    this.config.autoReconnect = false;
    // 2.1.5 shallow-copies its default config, so every client would push into one shared subscriptions
    // array; we also drop its EVENT "*" default: we consume CALLBACKs only (EVENTs would just be acked).
    this.config.subscriptions = [];
    this.gatewayUrl = opts.gatewayUrl;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
    this.onBadFrame = opts.onBadFrame;
    // Passed by the SDK as the `ws` options: a handshake that never completes fails instead of hanging.
    this.internals.sslopts = { rejectUnauthorized: true, handshakeTimeout: this.connectTimeoutMs };
    this.onDisconnectNotice = opts.onDisconnectNotice;
  }

  /** Asks the gateway for an endpoint + single-use ticket (valid 90 s) and stores the URL to open. */
  override async getEndpoint(): Promise<this> {
    const body = {
      clientId: this.config.clientId,
      clientSecret: this.config.clientSecret,
      ua: this.config.ua,
      subscriptions: this.config.subscriptions,
    };
    let status = 0;
    let data: unknown;
    try {
      // Accept: JSON, or the gateway answers XML (platforms.md §5.2).
      const res = await axios.post(this.gatewayUrl, body, {
        headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
        timeout: this.connectTimeoutMs,
        validateStatus: () => true,
      });
      status = res.status;
      data = res.data;
    } catch (err) {
      // The axios error holds the request body with the client secret: keep only its code.
      const reason = axios.isAxiosError(err) ? (err.code ?? 'network') : 'network';
      throw new CodedError(ErrorCode.PlatformApiError, `无法连接钉钉 Stream 网关（${reason}）`, { api: 'gateway' });
    }
    const { endpoint, ticket } = (data ?? {}) as { endpoint?: unknown; ticket?: unknown };
    if (status !== 200 || typeof endpoint !== 'string' || typeof ticket !== 'string') {
      throw new CodedError(ErrorCode.PlatformApiError, `钉钉 Stream 网关未返回连接地址（HTTP ${status}）`, {
        api: 'gateway',
        status,
      });
    }
    this.internals.dw_url = `${endpoint}?ticket=${encodeURIComponent(ticket)}`;
    return this;
  }

  /** The socket the SDK opened last. */
  get currentSocket(): WebSocket | undefined {
    return this.internals.socket;
  }

  /** SDK fields that are TS-private in 2.1.5's typings but ordinary fields at runtime (dist/client.mjs). */
  private get internals(): SdkInternals {
    return this as unknown as SdkInternals;
  }

  /** Validates a down frame, then dispatches it exactly as the SDK does. */
  override onDownStream(data: string): void {
    const frame = parseFrame(String(data));
    if (typeof frame === 'string') {
      this.onBadFrame(frame);
      return;
    }
    if (frame.type === 'SYSTEM') {
      this.onSystem(frame);
      // 2.1.5 only flips flags and waits ~10 s for the TCP close; pushes in that window can be lost
      // (platforms.md §5.2 item 4), so the stream reconnects at once.
      if (frame.headers.topic === 'disconnect') this.onDisconnectNotice();
    } else if (frame.type === 'EVENT') this.onEvent(frame);
    else if (frame.type === 'CALLBACK') this.onCallback(frame);
    else this.onBadFrame(`unknown frame type ${frame.type}`);
  }
}

interface SdkInternals {
  /** The URL `_connect()` opens. */
  dw_url?: string;
  socket?: WebSocket;
  /** Options `_connect()` passes to `new WebSocket()`. */
  sslopts: WebSocket.ClientOptions;
}

/** A well-formed down frame, or the reason it is not one. */
function parseFrame(text: string): DWClientDownStream | string {
  const frame = safeJson(text) as Partial<DWClientDownStream> | undefined;
  if (typeof frame !== 'object' || frame === null) return 'frame is not JSON';
  if (typeof frame.type !== 'string') return 'frame has no type';
  if (typeof frame.headers !== 'object' || frame.headers === null) return 'frame has no headers';
  if (typeof frame.headers.topic !== 'string') return 'frame has no topic';
  if (frame.type !== 'SYSTEM' && typeof frame.headers.messageId !== 'string') return 'frame has no messageId';
  if (typeof frame.data !== 'string') return 'frame data is not a string';
  return frame as DWClientDownStream;
}
