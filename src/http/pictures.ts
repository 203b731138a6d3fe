import type { FastifyInstance } from 'fastify';
import { CodedError, ErrorCode } from '../domain/errors.ts';
import type { PictureStore } from '../store/pictures.repo.ts';

/** The path of a linked picture under PUBLIC_BASE_URL. */
export const picturePath = (token: string) => `/pictures/${token}.png`;

/**
 * `GET /pictures/<token>.png`: a picture the bot linked from a platform that takes images only as URLs (the
 * WeCom 智能机器人's markdown). No login: the platform's servers fetch it, so the 24-character random token is the
 * key, and the picture lapses after 30 days. Only report charts are linked — aggregates, no customer's details.
 */
export function registerPictureRoutes(app: FastifyInstance, deps: { pictures: PictureStore; now?: () => Date }): void {
  const now = deps.now ?? (() => new Date());
  app.get<{ Params: { file: string } }>('/pictures/:file', async (req, reply) => {
    const token = req.params.file.endsWith('.png') ? req.params.file.slice(0, -4) : '';
    const picture = token ? await deps.pictures.read(token, now()) : undefined;
    if (!picture) throw new CodedError(ErrorCode.NotFound, '图片不存在或已过期（图表链接保留 30 天）');
    return reply
      .type('image/png')
      .header('cache-control', 'public, max-age=86400, immutable')
      .header('x-content-type-options', 'nosniff')
      .send(picture.png);
  });
}
