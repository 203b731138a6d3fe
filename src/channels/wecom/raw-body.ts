import type { FastifyInstance } from 'fastify';
import { CodedError, ErrorCode } from '../../domain/errors.ts';

/** Callbacks are a few hundred bytes; 64 KB leaves room for long texts and stops abuse (platforms.md §8.7). */
export const DEFAULT_BODY_LIMIT = 64 * 1024;

const tooLarge = (limit: number) =>
  new CodedError(ErrorCode.PayloadTooLarge, `请求体超过 ${Math.round(limit / 1024)} KB 上限，已拒绝`, { limit });

/**
 * Makes every body in this (encapsulated) scope a raw UTF-8 string, whatever its Content-Type, and
 * enforces `limitBytes` with a coded error. WeCom's Content-Type varies (text/xml, application/xml,
 * application/json, none), and the signature covers the exact text, so nothing may be re-serialised.
 */
export function registerRawBodyParser(scope: FastifyInstance, limitBytes = DEFAULT_BODY_LIMIT): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', (request, payload, done) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > limitBytes) {
      payload.resume();
      done(tooLarge(limitBytes), undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    payload.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limitBytes) {
        failed = true;
        done(tooLarge(limitBytes), undefined);
        return;
      }
      chunks.push(chunk);
    });
    payload.on('end', () => {
      if (!failed) done(null, Buffer.concat(chunks).toString('utf8'));
    });
    payload.on('error', (err) => {
      if (!failed) done(err, undefined);
      failed = true;
    });
  });
}

/** The raw body a route in a {@link registerRawBodyParser} scope received. */
export function rawBody(body: unknown): string {
  return typeof body === 'string' ? body : '';
}
