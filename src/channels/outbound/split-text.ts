/**
 * Splits text by UTF-8 bytes, not characters (a Chinese character is 3 bytes): WeCom truncates
 * text/markdown beyond 2048 bytes (platforms.md §8.4, LangBot #1065). Cuts at line breaks when a line
 * fits, else at character boundaries; parts keep their order and nothing is lost.
 */
export function splitUtf8(text: string, maxBytes: number): string[] {
  if (maxBytes < 4) throw new RangeError('maxBytes must be at least 4');
  if (byteLength(text) <= maxBytes) return [text];
  const parts: string[] = [];
  let current = '';
  for (const line of text.split(/(?<=\n)/)) {
    if (byteLength(current + line) <= maxBytes) {
      current += line;
      continue;
    }
    if (current) parts.push(current);
    current = '';
    for (const piece of splitLine(line, maxBytes)) {
      if (byteLength(current + piece) <= maxBytes) current += piece;
      else {
        parts.push(current);
        current = piece;
      }
    }
  }
  if (current) parts.push(current);
  return parts.map((p) => p.replace(/\n+$/, '')).filter((p) => p.length > 0);
}

/** Cuts `text` to at most `maxBytes` UTF-8 bytes, ending with `suffix` when something was cut. */
export function truncateUtf8(text: string, maxBytes: number, suffix = '…'): string {
  if (byteLength(text) <= maxBytes) return text;
  const room = maxBytes - byteLength(suffix);
  let out = '';
  for (const ch of text) {
    if (byteLength(out + ch) > room) break;
    out += ch;
  }
  return out + suffix;
}

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function splitLine(line: string, maxBytes: number): string[] {
  if (byteLength(line) <= maxBytes) return [line];
  const pieces: string[] = [];
  let piece = '';
  for (const ch of line) {
    if (byteLength(piece + ch) > maxBytes) {
      pieces.push(piece);
      piece = '';
    }
    piece += ch;
  }
  if (piece) pieces.push(piece);
  return pieces;
}
