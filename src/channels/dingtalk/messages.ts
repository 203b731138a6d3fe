import type { CardButton, OutboundMessage } from '../channel.ts';
import { ackText } from './robot-payload.ts';
import { splitByUtf8Bytes } from './split-text.ts';

/** A sessionWebhook body (platforms.md §6.2). */
export type WebhookMessage =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'markdown'; markdown: { title: string; text: string } }
  | {
      msgtype: 'actionCard';
      actionCard: { title: string; text: string; btnOrientation: '0'; btns: { title: string; actionURL: string }[] };
    };

/** A robot-API message (`msgKey` + `msgParam`, sent as a JSON string; platforms.md §6.3). */
export interface RobotTemplate {
  msgKey: string;
  msgParam: Record<string, string>;
}

/** One DingTalk message, before it is shaped for the webhook or the robot API. */
export type DingtalkPart =
  | { kind: 'text'; content: string }
  | { kind: 'markdown'; title: string; text: string }
  | { kind: 'card'; title: string; text: string; buttons: { title: string; url: string }[] };

/** DingTalk's limit for an uploaded image (`media/upload`, type image). */
export const IMAGE_LIMIT = { bytes: 10 * 1024 * 1024, name: '钉钉 10 MB' };

/** sampleActionCard2…5 hold 2–5 buttons; button titles ≤ 20 characters (DingTalk message-type doc). */
const MAX_BUTTONS = 5;
const MAX_BUTTON_TITLE = 20;

/**
 * Renders an outbound message as DingTalk parts, each at most `maxBytes` UTF-8 bytes, in order:
 * a card → its body (split) with the buttons on the last part (in groups plus a typed fallback for
 * ack buttons, see {@link toLinkButton}); markdown → markdown parts unless it
 * uses what DingTalk cannot show (tables, code blocks: platforms.md §6.2) — then the plain text.
 */
export function renderParts(message: OutboundMessage, opts: { maxBytes: number; group: boolean }): DingtalkPart[] {
  const { maxBytes } = opts;
  const title = titleOf(message);
  const choices = message.choices;
  if (!message.card && choices && !opts.group && choices.items.length <= MAX_BUTTONS) {
    // Answers to tap, in a 1:1 chat: buttons that send their words as the person's message (toLinkButton).
    const body = [choices.head, choices.tail].filter(Boolean).join('\n\n');
    return renderParts({ ...message, choices: undefined, card: { title, body, buttons: choices.items } }, opts);
  }
  if (message.card) {
    const { buttons } = message.card;
    const hint = opts.group ? ackHint(buttons) : undefined;
    const chunks = splitByUtf8Bytes(hint ? `${message.card.body}\n\n${hint}` : message.card.body, maxBytes);
    const last = chunks.pop() ?? '';
    const cardTitle = message.card.title || title;
    const head = chunks.map((text): DingtalkPart => ({ kind: 'markdown', title: cardTitle, text }));
    const cardButtons = buttons.slice(0, MAX_BUTTONS).map(toLinkButton);
    if (cardButtons.length === 0) return [...head, { kind: 'markdown', title: cardTitle, text: last }];
    return [...head, { kind: 'card', title: cardTitle, text: last, buttons: cardButtons }];
  }
  if (message.markdown && markdownSupported(message.markdown)) {
    return splitByUtf8Bytes(message.markdown, maxBytes).map((text) => ({ kind: 'markdown', title, text }));
  }
  return splitByUtf8Bytes(message.text, maxBytes).map((content) => ({ kind: 'text', content }));
}

/** The sessionWebhook body for a part. */
export function toWebhookMessage(part: DingtalkPart): WebhookMessage {
  if (part.kind === 'text') return { msgtype: 'text', text: { content: part.content } };
  if (part.kind === 'markdown') return { msgtype: 'markdown', markdown: { title: part.title, text: part.text } };
  const btns = part.buttons.map((b) => ({ title: b.title, actionURL: b.url }));
  return { msgtype: 'actionCard', actionCard: { title: part.title, text: part.text, btnOrientation: '0', btns } };
}

/** The robot-API template for a part: sampleText, sampleMarkdown, sampleActionCard[2-5]. */
export function toRobotTemplate(part: DingtalkPart): RobotTemplate {
  if (part.kind === 'text') return { msgKey: 'sampleText', msgParam: { content: part.content } };
  if (part.kind === 'markdown') return { msgKey: 'sampleMarkdown', msgParam: { title: part.title, text: part.text } };
  const [first, ...rest] = part.buttons;
  if (!first) return { msgKey: 'sampleMarkdown', msgParam: { title: part.title, text: part.text } };
  if (rest.length === 0) {
    const msgParam = { title: part.title, text: part.text, singleTitle: first.title, singleURL: first.url };
    return { msgKey: 'sampleActionCard', msgParam };
  }
  const msgParam: Record<string, string> = { title: part.title, text: part.text };
  part.buttons.forEach((b, i) => {
    msgParam[`actionTitle${i + 1}`] = b.title;
    msgParam[`actionURL${i + 1}`] = b.url;
  });
  return { msgKey: `sampleActionCard${part.buttons.length}`, msgParam };
}

/**
 * The robot-API template for a picture: `sampleImageMsg`, whose photoURL may be a media_id from
 * `media/upload` (a sessionWebhook cannot carry one, so pictures always go through the robot API).
 */
export function toImageTemplate(mediaId: string): RobotTemplate {
  return { msgKey: 'sampleImageMsg', msgParam: { photoURL: mediaId } };
}

/**
 * An ack button (`ack:<ticketId>:<level>`) becomes a DingTalk client link that sends `收到 #<ticketId>`
 * into the chat as the clicker, so the click returns as an ordinary robot message in a 1:1 chat. In a
 * group that message does not @ the robot and never reaches us — hence the typed fallback in {@link ackHint}.
 */
function toLinkButton(button: CardButton): { title: string; url: string } {
  const title = [...button.label].slice(0, MAX_BUTTON_TITLE).join('');
  if (/^https?:\/\//.test(button.id)) return { title, url: button.id };
  const content = ackText(button.id) ?? button.label;
  return { title, url: `dtmd://dingtalkclient/sendMessage?content=${encodeURIComponent(content)}` };
}

function ackHint(buttons: CardButton[]): string | undefined {
  const text = buttons.map((b) => ackText(b.id)).find(Boolean);
  return text ? `（请 @我 回复「${text}」确认）` : undefined;
}

/** DingTalk markdown has no tables or fenced code (mobile shows raw pipes). */
function markdownSupported(markdown: string): boolean {
  return !/^\s*\|.*\|\s*$/m.test(markdown) && !markdown.includes('```');
}

/** The conversation-list preview: the first line of the plain text, without markdown marks. */
function titleOf(message: OutboundMessage): string {
  const line = message.text.split('\n').find((l) => l.trim() !== '') ?? '';
  const plain = line
    .replace(/^[\s#>]+/, '')
    .replace(/[*`]/g, '')
    .trim();
  return [...plain].slice(0, 30).join('') || '消息';
}
