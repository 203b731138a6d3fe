import { z } from 'zod';

/** Bodies of `message/send` (doc 90236) we use; `touser`/`agentid` are added by the client. */
export type AppMessageBody =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'markdown'; markdown: { content: string } }
  | { msgtype: 'template_card'; template_card: ButtonCard }
  /** A picture uploaded first with `media/upload` (type image); the media_id is valid 3 days. */
  | { msgtype: 'image'; image: { media_id: string } };

/** Kinds of temporary media `media/upload` takes (上传临时素材, doc 90253). */
export type MediaType = 'image' | 'voice' | 'video' | 'file';

/** One file for `media/upload`: sent as the multipart part `media`. */
export interface MediaFile {
  bytes: Buffer;
  /** Shown by WeCom where the file is listed, e.g. `report.png`. */
  filename: string;
  /** MIME type of the part, e.g. `image/png`. */
  contentType: string;
}

/** `template_card` of card_type `button_interaction`; clicks come back as `template_card_event`. */
export interface ButtonCard {
  card_type: 'button_interaction';
  main_title: { title: string; desc?: string };
  sub_title_text?: string;
  /** Unique per app, ≤ 128 bytes of [A-Za-z0-9_-@]. */
  task_id: string;
  button_list: Array<{ text: string; style?: number; key: string }>;
}

/** Bodies of `kf/send_msg` (doc 94677) we use; `touser`/`open_kfid`/`msgid` are added by the client. */
export type KfMessageBody =
  | { msgtype: 'text'; text: { content: string } }
  | {
      msgtype: 'msgmenu';
      msgmenu: {
        head_content?: string;
        list: Array<{ type: 'click'; click: { id: string; content: string } }>;
        tail_content?: string;
      };
    };

/** Group robot webhook bodies (doc 91770). */
export type GroupRobotMessage =
  | { msgtype: 'text'; text: { content: string; mentioned_list?: string[] } }
  | { msgtype: 'markdown'; markdown: { content: string } }
  /** The raw JPG/PNG (≤ 2 MB) base64-encoded, with the hex MD5 of the raw bytes. */
  | { msgtype: 'image'; image: { base64: string; md5: string } };

const id = z.union([z.string(), z.number()]).transform(String);
/** An optional string field that may come as a number (ids, prices) or be missing. */
const text = z.union([z.string(), z.number()]).transform(String).optional().catch(undefined);
/** An optional type object whose fields we read loosely: a surprise in one never drops the message. */
const loose = <T extends z.ZodRawShape>(shape: T) => z.object(shape).passthrough().optional().catch(undefined);

/** One entry of `kf/sync_msg`'s msg_list, narrowed to what we read (platforms.md §4.5). */
export const kfMessageSchema = z.object({
  msgid: id,
  open_kfid: z.string().optional(),
  external_userid: z.string().optional(),
  send_time: z.number().optional(),
  /** 3 = customer, 4 = system event, 5 = servicer replying from the WeCom client. */
  origin: z.number(),
  servicer_userid: z.string().optional(),
  msgtype: z.string(),
  text: z.object({ content: z.string(), menu_id: z.string().optional() }).optional(),
  image: z.object({ media_id: z.string() }).optional(),
  voice: z.object({ media_id: z.string() }).optional(),
  video: z.object({ media_id: z.string() }).optional(),
  file: z.object({ media_id: z.string() }).optional(),
  event: z.object({ event_type: z.string() }).passthrough().optional(),
  // What else a customer can send (doc 94670); read only for the words a person would see in it.
  location: loose({ name: text, address: text }),
  link: loose({ title: text, desc: text, url: text }),
  miniprogram: loose({ title: text, pagepath: text }),
  channels_shop_product: loose({ product_id: text, title: text, sales_price: text }),
  channels_shop_order: loose({ order_id: text, product_titles: text, price_wording: text, state: text }),
  channels: loose({ nickname: text, title: text }),
});
export type KfMessage = z.infer<typeof kfMessageSchema>;

export const kfSyncPageSchema = z.object({
  next_cursor: z.string().optional().default(''),
  has_more: z.number().optional().default(0),
  msg_list: z.array(z.unknown()).optional().default([]),
});

export interface KfSyncPage {
  nextCursor: string;
  hasMore: boolean;
  /** Entries that match {@link kfMessageSchema}; others are counted in `skipped`. */
  messages: KfMessage[];
  skipped: number;
}

/** `fail_type` of a kf msg_send_fail event (接收消息和事件, doc 94670), in words for staff. */
export const KF_FAIL_TYPES: Readonly<Record<number, string>> = {
  0: '未知原因',
  1: '客服帐号已删除',
  2: '应用已关闭',
  4: '会话已过期（顾客超过 48 小时未发言）',
  5: '会话已关闭',
  6: '超过 5 条的发送限制',
  10: '顾客拒收',
};

/** replyContext flag of the answer to a kf session a 接待人员 ended: the bot may talk to the customer again. */
export const SESSION_ENDED_KEY = 'sessionEnded';

/** kf session states (分配客服会话, doc 94669). */
export enum KfServiceState {
  Untreated = 0,
  BotServing = 1,
  Queued = 2,
  HumanServing = 3,
  Ended = 4,
}
