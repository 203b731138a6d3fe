import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { signatureInvalid } from '../../domain/errors.ts';
import type { FrontRoute } from '../../http/server.ts';
import { parseBotMessage } from './bot-payload.ts';
import { type CallbackSecrets, openCallback, readCallbackQuery, replayKey } from './callback-guard.ts';
import { acceptCallback, appCallbackWork, botCallbackWork, type DispatchDeps } from './dispatch.ts';
import { DEFAULT_BODY_LIMIT, rawBody, registerRawBodyParser } from './raw-body.ts';
import { DEFAULT_WINDOW_SEC } from './verify-signature.ts';
import { extractEncryptFromJson, extractEncryptFromXml, parseAppMessage } from './xml.ts';

/** Callback settings (from WECOM_* env, see the channel README section). */
export interface WecomCallbackConfig {
  /** CorpID, the receiveid of app and kf callbacks. */
  corpId: string;
  /** Token of the self-built app's 接收消息 settings. */
  token: string;
  /** EncodingAESKey of the same settings (43 chars). */
  encodingAesKey: string;
  /** 智能机器人 (AI bot) HTTP callback; routes under /wecom/bot/callback exist only when set. */
  bot?: { token: string; encodingAesKey: string; name?: string };
  /** Replay window for timestamps, seconds (default 300). */
  windowSec?: number;
  /** Body size cap in bytes (default 64 KB). */
  bodyLimitBytes?: number;
}

export interface WecomRouteDeps extends DispatchDeps {
  config: WecomCallbackConfig;
  /** Injected clock, ms. */
  now?: () => number;
}

/**
 * Mounts `GET|POST /wecom/callback` (self-built app + kf events; the POST through `front`) and, when
 * configured, `GET|POST /wecom/bot/callback` (智能机器人) in an encapsulated scope, so the raw-body parser and
 * limit apply to these routes only. Handlers only verify → decrypt → parse → ingest/enqueue and
 * answer an empty 200 (WeCom retries after 5 s, platforms.md §2.6). Errors are thrown as
 * CodedErrors for the app's error handler to map (401 signature, 400 malformed, 413 too large…).
 */
export function registerWecomRoutes(
  app: FastifyInstance,
  deps: WecomRouteDeps,
  front: (route: FrontRoute) => void,
): void {
  const { config } = deps;
  const windowSec = config.windowSec ?? DEFAULT_WINDOW_SEC;
  const now = deps.now ?? Date.now;
  const appSecrets: CallbackSecrets = { ...config, receiveId: config.corpId, windowSec };
  const limitBytes = config.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  /** POST /wecom/callback: resolves the (empty) answer once the message is durably accepted. */
  const appPost = async (url: string, body: string) => {
    const query = readCallbackQuery(url);
    const plaintext = openCallback(query, extractEncryptFromXml(body), appSecrets, now());
    const work = appCallbackWork(parseAppMessage(plaintext), plaintext);
    await acceptCallback(deps, replayKey('app', query, windowSec), work);
    return '';
  };
  // The busiest route is served on node:http ahead of Fastify (http/server.ts), with the same error answers.
  front({ method: 'POST', path: '/wecom/callback', limitBytes, handle: appPost });
  app.register(async (scope) => {
    registerRawBodyParser(scope, limitBytes);
    scope.get('/wecom/callback', (req, reply) => answerUrlVerification(req, reply, appSecrets, now()));
    const bot = config.bot;
    if (!bot) return;
    const botSecrets: CallbackSecrets = { ...bot, receiveId: '', windowSec };
    scope.get('/wecom/bot/callback', (req, reply) => answerUrlVerification(req, reply, botSecrets, now()));
    scope.post('/wecom/bot/callback', async (req, reply) => {
      const query = readCallbackQuery(req.url);
      const plaintext = openCallback(query, extractEncryptFromJson(rawBody(req.body)), botSecrets, now());
      await acceptCallback(
        deps,
        replayKey('bot', query, windowSec),
        botCallbackWork(parseBotMessage(plaintext, bot.name)),
      );
      return ok(reply);
    });
  });
}

/**
 * URL verification (platforms.md §2.2): the body is the decrypted echostr, raw — no quotes, no
 * newline. No replay guard: the admin console may verify the same URL repeatedly and it is harmless.
 */
function answerUrlVerification(req: FastifyRequest, reply: FastifyReply, secrets: CallbackSecrets, nowMs: number) {
  const query = readCallbackQuery(req.url);
  if (!query.echostr) throw signatureInvalid('缺少 echostr 参数');
  const echo = openCallback(query, query.echostr, secrets, nowMs);
  return reply.code(200).type('text/plain; charset=utf-8').send(echo);
}

/** An empty 200: "received, the reply follows through the send APIs" (platforms.md §2.5–2.6). */
function ok(reply: FastifyReply) {
  return reply.code(200).type('text/plain; charset=utf-8').send('');
}
