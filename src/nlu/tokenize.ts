/**
 * Word segmentation behind one small interface, with two jieba implementations that both load the
 * project's user dictionary (intents/dict/user.dict). Both cut without the HMM step (dictionary
 * words only, deterministic; user-dictionary words such as 仅退款 and 运费险 stay whole).
 *
 * The two do not give identical tokens: on the 2,644 example texts of intents/ they agree on 85 %
 * (nodejieba without HMM splits ASCII and digit runs into single characters, and the two base
 * dictionaries differ slightly: 太差); with HMM on, 95 %. A model is therefore trained with one
 * tokenizer and records which (model-store.ts keeps one artefact per tokenizer).
 */
import { createRequire } from 'node:module';
import { CodedError, ErrorCode } from '../domain/errors.ts';

export type TokenizerKind = 'node-rs' | 'nodejieba';

/**
 * The default: ~1.8× the speed of nodejieba, ~250 MB less RSS, no native build at install, keeps
 * SKU/tracking runs (sf1402…) whole, and the same held-out accuracy (bench/nlu.bench.ts).
 */
export const DEFAULT_TOKENIZER: TokenizerKind = 'node-rs';

export interface Tokenizer {
  readonly kind: TokenizerKind;
  /** Splits `text` into words; whitespace-only pieces are dropped. */
  cut(text: string): string[];
}

/** The user dictionary as loaded by load-intents.ts: its path (for nodejieba) and its content (for @node-rs/jieba). */
export interface UserDict {
  path: string;
  content: string;
}

const require = createRequire(import.meta.url);

const WHITESPACE = /\s/; // the characters String.prototype.trim removes

/**
 * Drops whitespace-only pieces in place; a text without whitespace has none. In place, not with
 * `filter`: with the filtered copy, the first message with a space deoptimised the featurizer
 * ("wrong map" at its token loop, then a ~15 ms recompile within the first 3,000 parses) in every
 * --trace-deopt run; with the native array itself it does not.
 */
function withoutBlanks(tokens: string[], text: string): string[] {
  if (!WHITESPACE.test(text)) return tokens;
  let n = 0;
  for (const t of tokens) if (t.trim() !== '') tokens[n++] = t;
  tokens.length = n;
  return tokens;
}

interface RsJieba {
  cut(sentence: string, hmm?: boolean): string[];
  loadDict(dict: Uint8Array): void;
}

function createNodeRsTokenizer(userDict: UserDict): Tokenizer {
  const { Jieba } = require('@node-rs/jieba') as { Jieba: { withDict(d: Uint8Array): RsJieba } };
  const { dict } = require('@node-rs/jieba/dict') as { dict: Uint8Array };
  const jieba = Jieba.withDict(dict);
  jieba.loadDict(Buffer.from(userDict.content, 'utf8'));
  return { kind: 'node-rs', cut: (text) => withoutBlanks(jieba.cut(text, false), text) };
}

interface NodeJieba {
  load(opts: { userDict?: string }): void;
  cut(sentence: string, hmm?: boolean): string[];
}

/** nodejieba keeps one dictionary per process: load() is global, so a second, different dictionary is refused. */
let nodejiebaDict: string | undefined;

function createNodejiebaTokenizer(userDict: UserDict): Tokenizer {
  const nodejieba = require('nodejieba') as NodeJieba;
  if (nodejiebaDict === undefined) {
    nodejieba.load({ userDict: userDict.path });
    nodejiebaDict = userDict.path;
  } else if (nodejiebaDict !== userDict.path) {
    throw new CodedError(
      ErrorCode.ConfigInvalid,
      `nodejieba 在一个进程里只能加载一次词典（已加载 ${nodejiebaDict}），请改用 node-rs 分词器`,
    );
  }
  return { kind: 'nodejieba', cut: (text) => nodejieba.cut(text, false).filter((t) => t.trim() !== '') };
}

/** Builds a tokenizer of `kind`; the native library is only loaded when chosen (nodejieba alone costs ~200 MB RSS). */
export function createTokenizer(userDict: UserDict, kind: TokenizerKind = DEFAULT_TOKENIZER): Tokenizer {
  return kind === 'nodejieba' ? createNodejiebaTokenizer(userDict) : createNodeRsTokenizer(userDict);
}
