import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { badRequest } from '../../domain/errors.ts';
import type { SandboxReader } from '../../store/sandbox.repo.ts';
import { type Ingest, MEDIA_TEXT } from '../channel.ts';

const MessageBody = z
  .object({
    id: z.string().trim().min(1).max(128).optional(),
    user: z
      .string()
      .trim()
      .regex(/^[\w.@-]{1,64}$/, 'user 只能包含字母、数字、_ . @ -，最长 64 个字符'),
    role: z.enum(['customer', 'staff', 'manager']).default('customer'),
    chat: z
      .string()
      .trim()
      .regex(/^[\w.@-]{1,64}$/, 'chat 只能包含字母、数字、_ . @ -')
      .optional(),
    text: z.string().trim().min(1, 'text 不能为空').max(2000, 'text 最长 2000 个字符').optional(),
    /** A photo, voice note, video or file instead of text (what a platform delivers without words). */
    media: z.enum(['image', 'voice', 'video', 'file']).optional(),
    /** `session_start`: the customer opens the chat (as 微信客服 enter_session), and the bot may greet them. */
    event: z.enum(['session_start']).optional(),
  })
  .refine((b) => b.text !== undefined || b.media !== undefined || b.event !== undefined, {
    message: 'text 不能为空（或用 media 发图片、语音等）',
    path: ['text'],
  })
  .refine((b) => b.event === undefined || (b.role === 'customer' && b.chat === undefined), {
    message: '只有顾客单聊才有“打开会话”事件',
    path: ['event'],
  });

const InboxQuery = z
  .object({
    user: z.string().max(64).optional(),
    chat: z.string().max(64).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .refine((q) => q.user || q.chat, { message: '需要 user 或 chat 参数' });

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw badRequest(result.error.issues.map((i) => `${i.path.join('.') || '请求'}：${i.message}`).join('；'));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForOutcome(reader: SandboxReader, deliveryId: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const state = await reader.deliveryState(deliveryId).catch(() => undefined);
    if (state && (state.status === 'done' || state.status === 'failed')) return state;
    await sleep(40);
  }
  return undefined;
}

/**
 * The sandbox page and its API. Messages take the same path as platform deliveries (store → queue →
 * worker); the API then waits a few seconds for the worker's replies.
 */
export function registerSandboxRoutes(
  app: FastifyInstance,
  deps: { ingest: Ingest; reader: SandboxReader; replyTimeoutMs: number },
) {
  const pageUrl = new URL('./page.html', import.meta.url);
  app.get('/sandbox', async (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(await readFile(pageUrl, 'utf8')),
  );

  app.post('/api/sandbox/messages', async (req, reply) => {
    const body = parseOrThrow(MessageBody, req.body);
    const platformMsgId = body.id ?? randomUUID();
    // In a group the platforms deliver only messages that @ the bot (WeCom 智能机器人, DingTalk group robots);
    // the sandbox does the same, so chatting among colleagues gets no answer from the bot.
    if (body.chat && !body.media && !/^\s*[@＠]/u.test(body.text ?? '')) {
      return reply.status(200).send({
        id: platformMsgId,
        status: 'not_addressed',
        replies: [],
        note: '群聊里没有 @机器人 的消息不会发给机器人（与企业微信、钉钉一致）',
      });
    }
    const result = await deps.ingest({
      channel: 'sandbox',
      platformMsgId,
      userRef: body.user,
      role: body.role,
      ...(body.chat ? { chatId: body.chat } : {}),
      text: body.media ? MEDIA_TEXT[body.media] : body.chat ? withoutMentions(body.text ?? '') : (body.text ?? ''),
      ...(body.media ? { media: { kind: body.media, ref: `sandbox-${platformMsgId}` } } : {}),
      ...(body.event && !body.text && !body.media ? { event: body.event } : {}),
      sentAt: new Date(),
    });
    const outcome = result.deliveryId.startsWith('pending-')
      ? undefined
      : await waitForOutcome(deps.reader, result.deliveryId, deps.replyTimeoutMs);
    const replies = outcome ? await deps.reader.repliesTo(result.deliveryId) : [];
    return reply.status(outcome ? 200 : 202).send({
      id: platformMsgId,
      deliveryId: result.deliveryId,
      status: result.status,
      processing: outcome?.status ?? 'pending',
      replies,
      ...(outcome?.parse ? { parse: outcome.parse } : {}),
    });
  });

  app.get('/api/sandbox/inbox', async (req) => {
    const q = parseOrThrow(InboxQuery, req.query);
    return { user: q.user, chat: q.chat, messages: await deps.reader.inbox(q) };
  });
}

/** The text after its leading @-mentions, as WeCom's 智能机器人 and DingTalk's group robots deliver it. */
function withoutMentions(text: string): string {
  return text.replace(/^(?:\s*[@＠]\S+)+/u, '').trim() || text;
}
