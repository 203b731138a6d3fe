/**
 * Plain-text rendering for targets without markdown (微信客服, WeChat plugin, group text): every
 * message keeps a readable plain form (platforms.md §8.5). Handles the WeCom markdown subset.
 */
export function markdownToText(markdown: string): string {
  return markdown
    .replace(/<font[^>]*>(.*?)<\/font>/gis, '$1')
    .replace(/<@([^>]+)>/g, '@$1')
    .replace(/!\[([^\]]*)\]\(([^)]+)\)/g, '$1')
    .replace(/\[([^\]]+)\]\(([^)]+)\)/g, '$1（$2）')
    .replace(/^#{1,6}\s+/gm, '')
    .replace(/^>+\s?/gm, '')
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/(^|[^*])\*(?!\s)([^*\n]+?)\*/g, '$1$2')
    .replace(/```[a-z]*\n?/gi, '')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/^\s*---+\s*$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Plain text of a card: title, body and how to answer without buttons (`收到 #id` for `ack:id:level`). */
export function cardToText(card: {
  title: string;
  body: string;
  buttons: Array<{ id: string; label: string }>;
}): string {
  const hints = card.buttons.map((b) => {
    const ack = /^ack:([^:]+)/.exec(b.id);
    return ack ? `回复「收到 #${ack[1]}」= ${b.label}` : b.label;
  });
  return [`【${card.title}】`, card.body, ...(hints.length ? ['', ...hints] : [])].join('\n');
}

/**
 * Joins merged updates into one message: a header with the count, then each update, oldest first;
 * the oldest are dropped when the result would exceed `maxBytes`.
 */
export function combineUpdates(texts: string[], maxBytes: number): string {
  if (texts.length === 1) return texts[0] ?? '';
  const unique = texts.filter((t, i) => texts.indexOf(t) === i);
  for (let start = 0; start < unique.length; start++) {
    const kept = unique.slice(start);
    const dropped = start > 0 ? `（较早的 ${start} 条已省略）\n` : '';
    const text = `【进展汇总】共 ${unique.length} 条更新\n${dropped}\n${kept.join('\n\n')}`;
    if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  }
  return unique[unique.length - 1] ?? '';
}
