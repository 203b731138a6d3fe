import { CodedError, ErrorCode } from '../domain/errors.ts';

const tooLarge = (limit: number) =>
  new CodedError(ErrorCode.PayloadTooLarge, `请求体超过 ${Math.round(limit / 1024)} KB 上限，已拒绝`, { limit });

/**
 * Reads a request body as UTF-8 text, refusing (PayloadTooLarge) a declared or actual size over `limitBytes`
 * without buffering the rest.
 */
export function readLimitedBody(
  payload: NodeJS.ReadableStream,
  contentLength: string | undefined,
  limitBytes: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    if (Number(contentLength ?? 0) > limitBytes) {
      payload.resume();
      reject(tooLarge(limitBytes));
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
        reject(tooLarge(limitBytes));
        return;
      }
      chunks.push(chunk);
    });
    payload.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    payload.on('error', (err) => {
      if (!failed) reject(err);
      failed = true;
    });
  });
}
