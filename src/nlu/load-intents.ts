/**
 * Reads and validates the `intents/` folder (the only file-reading module of src/nlu, style.md §6.2).
 * Every problem is reported as `path:line: message`, all at once, in one CodedError(IntentsInvalid).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { CodedError, ErrorCode } from '../domain/errors.ts';
import type { EntityType, Urgency } from './contract.ts';
import {
  ClarifyFile,
  CuesFile,
  EntitiesFile,
  type ExpectedEntity,
  type LabelDef,
  LabelsFile,
  MultiExamplesFile,
  RulesFile,
  SingleExamplesFile,
  SmalltalkFile,
} from './intents-schema.ts';
import { checkSpecReferences } from './spec-references.ts';

/** One entry of a lookup list: the canonical value, an optional id (`source`) and every spelling. */
export interface LookupEntry {
  value: string;
  source?: string;
  aliases: string[];
}

export interface LookupList {
  type: EntityType;
  entries: LookupEntry[];
  /** Words after which an entry is not this entity (entities.yml `notFollowedBy`). */
  notFollowedBy?: string[];
}

/** Everything in intents/ except the examples: vocabulary, patterns, cues, questions, rules. */
export interface IntentsSpec {
  labels: LabelDef[];
  entities: EntitiesFile;
  lookups: LookupList[];
  t2s: Map<string, string>;
  /** Typos spelled right in what customers send (lookups/typos.txt; src/nlu/normalize.ts `fixTypos`). */
  typos: Map<string, string>;
  userDict: { path: string; content: string };
  cues: CuesFile;
  clarify: ClarifyFile;
  rules: RulesFile['rules'];
  /** Evidence some labels need (rules.yml `requires`). */
  requires: NonNullable<RulesFile['requires']>;
  /** Requests said not to be wanted (rules.yml `negation`). */
  negation?: RulesFile['negation'];
  /** Words of small talk that get their own reply (intents/smalltalk.yml). */
  smalltalk: SmalltalkFile;
}

/** One labelled sentence; `where` is `file:line` for error messages and data checks. */
export interface Example {
  text: string;
  labels: string[];
  entities?: ExpectedEntity[];
  urgency?: Urgency;
  where: string;
}

/** Examples of one split. The classifier refuses any set whose split is not `train`. */
export interface ExampleSet {
  split: 'train' | 'heldout';
  examples: Example[];
  /** Every file read (a file without `version: 1` fails validation, so each of these has one). */
  files: string[];
}

class Problems {
  readonly list: string[] = [];
  add(where: string, message: string): void {
    this.list.push(`${where}: ${message}`);
  }
  throwIfAny(what: string): void {
    if (this.list.length === 0) return;
    const head = `${what}有 ${this.list.length} 处错误：\n${this.list.slice(0, 30).join('\n')}`;
    throw new CodedError(ErrorCode.IntentsInvalid, head, { problems: this.list });
  }
}

interface Parsed<T> {
  data?: T;
  lineOf: (path: ReadonlyArray<PropertyKey>) => number;
}

function parseYamlFile<S extends z.ZodType>(
  file: string,
  schema: S,
  problems: Problems,
  shown: string,
): Parsed<z.output<S>> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter, uniqueKeys: true });
  const lineOf = (path: ReadonlyArray<PropertyKey>): number => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as unknown[], true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return 1;
  };
  for (const err of doc.errors)
    problems.add(`${shown}:${err.linePos?.[0]?.line ?? 1}`, `YAML 语法错误：${err.message}`);
  if (doc.errors.length > 0) return { lineOf };
  const result = schema.safeParse(doc.toJS());
  if (result.success) return { data: result.data, lineOf };
  for (const issue of result.error.issues) {
    problems.add(`${shown}:${lineOf(issue.path)}`, `${issue.path.join('.') || '(根)'}: ${issue.message}`);
  }
  return { lineOf };
}

function readLookup(file: string, type: EntityType, keyed: boolean, problems: Problems, shown: string): LookupList {
  const entries: LookupEntry[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const parts = line.split(/\s+/);
      const [first, second] = parts;
      if (first === undefined || (keyed && second === undefined)) {
        problems.add(`${shown}:${i + 1}`, '带 id 的词表每行至少需要 id 和名称两项');
        return;
      }
      if (keyed && second !== undefined) entries.push({ source: first, value: second, aliases: parts.slice(1) });
      else entries.push({ value: first, aliases: parts });
    });
  return { type, entries };
}

function readT2s(file: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('#')) continue;
    for (const pair of line.split(/\s+/)) {
      const [from, to] = [...pair];
      if (from !== undefined && to !== undefined && pair.length === 2) map.set(from, to);
    }
  }
  return map;
}

/**
 * Typos customers often make (「退宽」, 「物留」, 「tk」), each line `typo correct`. Both sides must have the same
 * length, so that an offset in the folded message is still the offset in the original (entities report them).
 */
function readTypos(file: string, problems: Problems, shown: string): Map<string, string> {
  const typos = new Map<string, string>();
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const [typo, correct, extra] = line.toLowerCase().split(/\s+/);
      if (!typo || !correct || extra !== undefined || typo.length < 2 || typo.length !== correct.length) {
        problems.add(`${shown}:${i + 1}`, '每行两项「错字 正字」，长度相同且至少两个字');
        return;
      }
      typos.set(typo, correct);
    });
  return typos;
}

/** Loads and validates the vocabulary of `root` (normally `<repo>/intents`). Throws IntentsInvalid listing every problem. */
export function loadIntents(root: string): IntentsSpec {
  const problems = new Problems();
  const shown = (name: string) => relative(process.cwd(), join(root, name)) || name;
  const read = <S extends z.ZodType>(name: string, schema: S) =>
    parseYamlFile(join(root, name), schema, problems, shown(name)).data;
  const labels = read('labels.yml', LabelsFile);
  const entities = read('entities.yml', EntitiesFile);
  const cues = read('cues.yml', CuesFile);
  const clarify = read('clarify.yml', ClarifyFile);
  const rules = read('rules.yml', RulesFile);
  const smalltalk = read('smalltalk.yml', SmalltalkFile);
  problems.throwIfAny('intents 配置');
  if (!labels || !entities || !cues || !clarify || !rules || !smalltalk)
    throw new CodedError(ErrorCode.IntentsInvalid, 'intents 配置缺失');
  const lookups = entities.lookups.map((l) => ({
    ...readLookup(join(root, 'lookups', l.file), l.type, l.keyed ?? false, problems, shown(`lookups/${l.file}`)),
    ...(l.notFollowedBy ? { notFollowedBy: l.notFollowedBy } : {}),
  }));
  const t2sFile = join(root, 'lookups', 't2s.txt');
  const t2s = existsSync(t2sFile) ? readT2s(t2sFile) : new Map<string, string>();
  const typosFile = join(root, 'lookups', 'typos.txt');
  const typos = existsSync(typosFile)
    ? readTypos(typosFile, problems, shown('lookups/typos.txt'))
    : new Map<string, string>();
  const dictPath = join(root, 'dict', 'user.dict');
  const userDict = { path: dictPath, content: readFileSync(dictPath, 'utf8') };
  const spec: IntentsSpec = {
    labels: labels.labels,
    entities,
    lookups,
    t2s,
    typos,
    userDict,
    cues,
    clarify,
    rules: rules.rules,
    requires: rules.requires ?? [],
    ...(rules.negation ? { negation: rules.negation } : {}),
    smalltalk,
  };
  for (const p of checkSpecReferences(spec)) problems.add(shown(p.file), p.message);
  problems.throwIfAny('intents 配置');
  return spec;
}

function examplesOfFile(file: string, shown: string, declared: ReadonlySet<string>, problems: Problems): Example[] {
  const isMulti = basename(file) === '_multi.yml';
  const out: Example[] = [];
  if (isMulti) {
    const parsed = parseYamlFile(file, MultiExamplesFile, problems, shown);
    parsed.data?.multi.forEach((m, i) => {
      const where = `${shown}:${parsed.lineOf(['multi', i])}`;
      for (const id of m.intents) if (!declared.has(id)) problems.add(where, `未声明的标签 ${id}（见 labels.yml）`);
      out.push({ text: m.text, labels: m.intents, entities: m.entities, urgency: m.urgency, where });
    });
    return out;
  }
  const parsed = parseYamlFile(file, SingleExamplesFile, problems, shown);
  const data = parsed.data;
  if (!data) return out;
  if (!declared.has(data.intent)) problems.add(`${shown}:${parsed.lineOf(['intent'])}`, `未声明的标签 ${data.intent}`);
  if (basename(file, '.yml') !== data.intent) problems.add(`${shown}:1`, `文件名应为 ${data.intent}.yml`);
  data.examples.forEach((item, i) => {
    const where = `${shown}:${parsed.lineOf(['examples', i])}`;
    if (typeof item === 'string') out.push({ text: item, labels: [data.intent], where });
    else out.push({ text: item.text, labels: [data.intent], entities: item.entities, urgency: item.urgency, where });
  });
  return out;
}

/**
 * Loads every `*.yml` in `dir` as the examples of `split`. A directory named `heldout` can never be
 * loaded as training data: the held-out split is for measuring only (style.md §7).
 */
/**
 * The raw text of every example file of `dir` (`*.yml`, by name), without parsing: what the model
 * artefact's data hash covers, so a start-up whose model is current need not parse the examples.
 */
export function exampleFileTexts(dir: string): { name: string; text: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }));
}

export function loadExamples(dir: string, split: 'train' | 'heldout', labels: readonly LabelDef[]): ExampleSet {
  if (split === 'train' && basename(dir) === 'heldout') {
    throw new CodedError(ErrorCode.IntentsInvalid, `拒绝用留出集训练：${dir} 只能用于评测`);
  }
  const problems = new Problems();
  const declared = new Set(labels.map((l) => l.id));
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.yml'))
        .sort()
    : [];
  const examples: Example[] = [];
  const shownFiles: string[] = [];
  for (const name of files) {
    const file = join(dir, name);
    const shown = relative(process.cwd(), file) || file;
    shownFiles.push(shown);
    examples.push(...examplesOfFile(file, shown, declared, problems));
  }
  problems.throwIfAny(`${split === 'train' ? '训练集' : '留出集'} ${dir} `);
  return { split, examples, files: shownFiles };
}
