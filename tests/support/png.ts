import { randomBytes } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';

/**
 * A real PNG of `width` × `height` 8-bit RGB pixels (signature, IHDR, IDAT, IEND with their CRCs): a gradient, or
 * with `noise` random bytes stored without compression, to make a picture of a known large size.
 */
export function testPng(width: number, height: number, opts: { noise?: boolean } = {}): Buffer {
  const row = (y: number) =>
    Buffer.concat([
      Buffer.from([0]), // filter: none
      opts.noise
        ? randomBytes(width * 3)
        : Buffer.from(
            Array.from({ length: width }, (_, x) => [
              Math.floor((x * 255) / width),
              Math.floor((y * 255) / height),
              128,
            ]).flat(),
          ),
    ]);
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no filter method, no interlace
  const raw = Buffer.concat(Array.from({ length: height }, (_, y) => row(y)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: opts.noise ? 0 : 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
