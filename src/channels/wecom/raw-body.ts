import type { FastifyInstance } from 'fastify';
import { readLimitedBody } from '../../http/limited-body.ts';

/** Callbacks are a few hundred bytes; 64 KB leaves room for long texts and stops abuse (platforms.md §8.7). */
export const DEFAULT_BODY_LIMIT = 64 * 1024;

/**
 * Makes every body in this (encapsulated) scope a raw UTF-8 string, whatever its Content-Type, and
 * enforces `limitBytes` with a coded error. WeCom's Content-Type varies (text/xml, application/xml,
 * application/json, none), and the signature covers the exact text, so nothing may be re-serialised.
 */
export function registerRawBodyParser(scope: FastifyInstance, limitBytes = DEFAULT_BODY_LIMIT): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', (request, payload, done) => {
    readLimitedBody(payload, request.headers['content-length'], limitBytes).then(
      (body) => done(null, body),
      (err: Error) => done(err, undefined),
    );
  });
}

/** The raw body a route in a {@link registerRawBodyParser} scope received. */
export function rawBody(body: unknown): string {
  return typeof body === 'string' ? body : '';
}
