/**
 * zod schemas for every file under `intents/` (style.md §7: intents/ files are parsed with zod next to
 * their consumer). Types are inferred from the schemas so the data format has one definition.
 */
import { z } from 'zod';

const LabelId = z.string().regex(/^[a-z_]+$/, '标签 id 只能包含小写字母和下划线');
const Version = z.literal(1, { error: '缺少 version: 1（每个 intents 文件都必须声明版本）' });
/** A word in a list; YAML reads `12315` as a number, so numbers are accepted and turned into text. */
const Word = z.union([z.string().min(1), z.number()]).transform(String);

export const LabelsFile = z.strictObject({
  version: Version,
  labels: z
    .array(
      z.strictObject({
        id: LabelId,
        group: z.enum(['query', 'request', 'problem', 'escalation', 'other']),
        precedence: z.number().int().min(1).max(9),
        zh: z.string().min(1),
        meaning: z.string().min(1),
      }),
    )
    .min(1),
});
export type LabelsFile = z.infer<typeof LabelsFile>;
export type LabelDef = LabelsFile['labels'][number];

const EntityTypeSchema = z.enum([
  'orderNo',
  'trackingNo',
  'phone',
  'amount',
  'sku',
  'product',
  'size',
  'colour',
  'date',
  'carrier',
]);

export const ExpectedEntity = z.strictObject({ type: EntityTypeSchema, value: z.string().min(1) });
export type ExpectedEntity = z.infer<typeof ExpectedEntity>;

const UrgencySchema = z.enum(['normal', 'high', 'critical']);

const ExampleItem = z.union([
  z.string().min(1),
  z.strictObject({
    text: z.string().min(1),
    entities: z.array(ExpectedEntity).optional(),
    urgency: UrgencySchema.optional(),
  }),
]);

export const SingleExamplesFile = z.strictObject({
  version: Version,
  intent: LabelId,
  examples: z.array(ExampleItem).min(1),
});

export const MultiExamplesFile = z.strictObject({
  version: Version,
  multi: z
    .array(
      z.strictObject({
        text: z.string().min(1),
        intents: z.array(LabelId).min(1),
        entities: z.array(ExpectedEntity).optional(),
        urgency: UrgencySchema.optional(),
      }),
    )
    .min(1),
});

const ContextRule = z.strictObject({
  bonus: z.array(Word).optional(),
  penalty: z.array(Word).optional(),
});

export const EntitiesFile = z.strictObject({
  version: Version,
  contextWindow: z.number().int().min(1).max(40),
  patterns: z.array(
    z.strictObject({
      name: z.string().min(1),
      type: EntityTypeSchema,
      source: z.string().optional(),
      regex: z.string().min(1),
      priority: z.number().int(),
      normalize: z.enum(['upper', 'digits', 'amount', 'cn_amount', 'raw']),
      bound: z.enum(['both', 'start', 'none']).default('both'),
      context: ContextRule.optional(),
    }),
  ),
  lookups: z.array(
    z.strictObject({
      file: z.string().min(1),
      type: EntityTypeSchema,
      keyed: z.boolean().optional(),
      /** A word of the list right before one of these is not that entity (手机 in 「手机尾号 1234」 is no product). */
      notFollowedBy: z.array(Word).optional(),
    }),
  ),
});
export type EntitiesFile = z.infer<typeof EntitiesFile>;
export type EntityPattern = EntitiesFile['patterns'][number];

const Level = z.enum(['high', 'critical']);

export const CuesFile = z.strictObject({
  version: Version,
  urgency: z.array(z.strictObject({ cue: Word, level: Level, unless: z.array(Word).optional() })),
  manager: z.array(Word),
  /** Words that make a vague message on an open ticket a chase-up rather than a note (tickets/open.ts). */
  chase: z.array(Word).default([]),
  /** Words that take a request back ("算了不取消了"): a note on the ticket, never a new one (handle-message.ts). */
  retract: z.array(Word).default([]),
  /** Words that take back whatever was asked ("算了 不用处理了"): the conversation's ticket, whatever it is for. */
  retractAny: z.array(Word).default([]),
  /** Asking how a return or exchange works ("怎么换", "退货流程"): answered with the return policy. */
  howto: z.array(Word).default([]),
  /** Saying the return goes out later ("那我明天寄"): answered with where the tracking number goes. */
  sendLater: z.array(Word).default([]),
  /**
   * Promising to answer later ("好的 稍等 我晚上回家拍") while staff wait for the customer: `when` with `do`, or a
   * message only of `when` and `words`. The ticket keeps waiting (SLA paused) instead of resuming.
   */
  later: z
    .strictObject({ when: z.array(Word), do: z.array(Word), words: z.array(Word) })
    .default({ when: [], do: [], words: [] }),
  /** Asking what will be done ("你们打算怎么处理"): a question for the ticket in the conversation. */
  handling: z.strictObject({ ask: z.array(Word), words: z.array(Word) }).default({ ask: [], words: [] }),
  /** A message only about photos the customer sent ("照片发给你们了"): noted on their ticket, never opens one. */
  evidence: z.strictObject({ media: z.array(Word), words: z.array(Word) }).default({ media: [], words: [] }),
  /**
   * Chase words that only ask when or how long ("退款多久能到账", "什么时候能换好"): asked about a ticket opened in the
   * last half hour and not yet chased, they make a question, not a reminder (tickets/open.ts).
   */
  timing: z.array(Word).default([]),
  /** Words that make a message a question; a question noted on a ticket is answered with its status. */
  question: z.array(Word).default([]),
  /** Words that carry no matter of their own ("能不能", "麻烦", "啊"): a chase made only of these and chase words names nothing new. */
  filler: z.array(Word).default([]),
  context: z.strictObject({
    repeatContact: z.strictObject({ minContacts: z.number().int().min(1), level: Level, cue: z.string().min(1) }),
    vip: z.strictObject({ level: Level, cue: z.string().min(1) }),
  }),
});
export type CuesFile = z.infer<typeof CuesFile>;

export const SmalltalkFile = z.strictObject({
  version: Version,
  thanks: z.array(Word),
  /** Asking when people are at work: answered from the service calendar. */
  hours: z.array(Word).default([]),
  /** A whole message that only says OK (punctuation aside): answered with the tickets still under way. */
  okay: z.array(Word).default([]),
  /** A whole-message question whether a person answers ("你是机器人吗"): answered, no hand-over. */
  bot: z.strictObject({ ask: z.array(Word), words: z.array(Word) }).default({ ask: [], words: [] }),
  /** Questions about goods before buying (尺码表, 有货吗): pointed to the product page and pre-sales staff. */
  presales: z.array(Word).default([]),
  /** A whole message rating a resolved ticket (punctuation aside), per level; the first is what is offered. */
  ratings: z
    .strictObject({ good: z.array(Word).min(1), okay: z.array(Word).min(1), bad: z.array(Word).min(1) })
    .optional(),
});
export type SmalltalkFile = z.infer<typeof SmalltalkFile>;

export const ClarifyFile = z.strictObject({
  version: Version,
  minConfidence: z.number().min(0).max(1),
  tieMargin: z.number().min(0).max(1),
  pairs: z.array(z.strictObject({ labels: z.tuple([LabelId, LabelId]), question: z.string().min(1) })),
  fallback: z.strictObject({ question: z.string().min(1), options: z.array(LabelId).min(1) }),
  answers: z.record(LabelId, z.array(Word)),
  ordinals: z.array(z.array(Word).min(1)),
  followup: z.strictObject({
    windowMinutes: z.number().positive(),
    markers: z.array(Word),
    /** Markers that add to what was said ("还有", "另外"): before a matter stated with confidence, that matter. */
    adding: z.array(Word),
    fillers: z.array(Word),
  }),
});
export type ClarifyFile = z.infer<typeof ClarifyFile>;

export const RulesFile = z.strictObject({
  version: Version,
  rules: z.array(
    z.strictObject({
      id: z.string().min(1),
      any: z.array(Word).min(1),
      unless: z.array(Word).optional(),
      /** The rule stands back when the message holds one of these anywhere (「能机洗吗」 beside 「洗了就缩水」). */
      unlessWith: z.array(Word).optional(),
      add: LabelId,
      score: z.number().min(0).max(1),
      remove: z.array(LabelId).optional(),
      /** The rule stands back when the classifier already found a matter (a label other than `other`) scoring this much. */
      unlessAbove: z.number().min(0).max(1).optional(),
    }),
  ),
  /**
   * Evidence a label needs (applied after the rules): the label is dropped when the message holds none of
   * `any` and the label scores below `keepAbove`. For labels whose false alarms cost most (安全问题 → VIP lane).
   */
  requires: z
    .array(
      z.strictObject({
        id: z.string().min(1),
        label: LabelId,
        any: z.array(Word).min(1),
        keepAbove: z.number().min(0).max(1),
      }),
    )
    .optional(),
  /**
   * Requests said not to be wanted (「不要补偿」, 「不用转人工」, 「我没说要退货」): a label is dropped when the message
   * names its cue words only right after a negator.
   */
  negation: z
    .strictObject({
      negators: z.array(Word).min(1),
      cues: z.record(LabelId, z.array(Word).min(1)),
    })
    .optional(),
});
export type RulesFile = z.infer<typeof RulesFile>;
export type NegationDef = NonNullable<RulesFile['negation']>;
export type RuleDef = RulesFile['rules'][number];
export type RequireDef = NonNullable<RulesFile['requires']>[number];
