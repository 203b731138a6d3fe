const encoder = new TextEncoder();

/** UTF-8 length: what platform limits count (a Chinese character is 3 bytes). */
export function utf8Bytes(text: string): number {
  return encoder.encode(text).length;
}

/**
 * Splits `text` into parts of at most `maxBytes` UTF-8 bytes, in order, cutting at line breaks where
 * possible (platforms.md §8.4: by bytes, not characters; keep order). A single line longer than the
 * limit is cut between code points, never inside a surrogate pair.
 */
export function splitByUtf8Bytes(text: string, maxBytes: number): string[] {
  if (maxBytes < 4) throw new RangeError('maxBytes must be at least 4');
  if (utf8Bytes(text) <= maxBytes) return [text];
  const parts: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    const candidate = current === '' ? line : `${current}\n${line}`;
    if (utf8Bytes(candidate) <= maxBytes) {
      current = candidate;
      continue;
    }
    if (current !== '') parts.push(current);
    current = '';
    for (const piece of cutLine(line, maxBytes)) {
      if (current !== '') parts.push(current);
      current = piece;
    }
  }
  if (current !== '') parts.push(current);
  return parts;
}

/** Cuts one line into pieces of at most `maxBytes`, between code points. */
function cutLine(line: string, maxBytes: number): string[] {
  if (utf8Bytes(line) <= maxBytes) return [line];
  const pieces: string[] = [];
  let piece = '';
  let size = 0;
  for (const ch of line) {
    const n = utf8Bytes(ch);
    if (size + n > maxBytes) {
      pieces.push(piece);
      piece = '';
      size = 0;
    }
    piece += ch;
    size += n;
  }
  if (piece !== '') pieces.push(piece);
  return pieces;
}
