import type { OutboundPicture } from '../channel.ts';

/**
 * A message's picture as PNG bytes a platform takes (`limit`: its image limit, named for the log), or why it is
 * left out: empty, or too large. The message's text reads whole without it (OutboundMessage.picture).
 */
export function pictureWithin(
  picture: OutboundPicture | undefined,
  limit: { bytes: number; name: string },
): { png: Buffer } | { skipped: string } | undefined {
  if (!picture) return undefined;
  const png = Buffer.from(picture.png, 'base64');
  if (png.length === 0) return { skipped: '图片为空' };
  if (png.length > limit.bytes) return { skipped: `图片 ${png.length} 字节，超过${limit.name}上限` };
  return { png };
}

/** The PNG bytes when the platform takes them; undefined when there is no picture or it is left out. */
export const pngWithin = (picture: OutboundPicture | undefined, limit: { bytes: number; name: string }) => {
  const p = pictureWithin(picture, limit);
  return p && 'png' in p ? p.png : undefined;
};

/**
 * Publishes pictures at public URLs, for platforms that take an image only as a link (the WeCom 智能机器人's
 * markdown). The same `dedupeKey` (a retried message) gets the same URL.
 */
export interface PictureLinks {
  link(dedupeKey: string, picture: { png: Buffer; title: string }): Promise<string>;
}
