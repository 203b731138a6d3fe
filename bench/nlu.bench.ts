/**
 * NLU speed (issue 3): parse() msg/s and p50/p99 latency on one core over 10,000 realistic messages
 * (the example texts of intents/, cycled), bare jieba cut() of the same messages for both tokenizers
 * (and parse ÷ nodejieba-cut cost ratio), training time, model load time, cold start and RSS.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { loadIntentClassifier, trainIntentModel } from '../src/nlu/classifier.ts';
import { examplesToEvalItems, parseToPrediction } from '../src/nlu/eval-items.ts';
import { evaluate } from '../src/nlu/evaluate.ts';
import { loadExamples } from '../src/nlu/load-intents.ts';
import { DEFAULT_NLU_PATHS, type LoadedNlu, loadOrTrainNlu } from '../src/nlu/model-store.ts';
import { createTokenizer, type Tokenizer } from '../src/nlu/tokenize.ts';
import type { BenchRow } from './run.ts';

const N = Number(process.env.BENCH_NLU_MESSAGES ?? 10_000);
const ROOT = join(DEFAULT_NLU_PATHS.intentsDir, '..');

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

function timeCut(tok: Tokenizer, messages: readonly string[]): { msgPerS: number; tokPerS: number } {
  for (const m of messages.slice(0, 1000)) tok.cut(m);
  let tokens = 0;
  const t0 = performance.now();
  for (const m of messages) tokens += tok.cut(m).length;
  const s = (performance.now() - t0) / 1000;
  return { msgPerS: messages.length / s, tokPerS: tokens / s };
}

/**
 * The same ratio once V8 has warmed up: parse() and the bare cut alternate on batches of 2,000 messages
 * (load from other processes hits both sides of a round alike); median of the per-round ratios. The
 * single pass above includes the first few thousand parses, which run at about half speed while V8
 * compiles them.
 */
function steadyRatio(parse: (m: string) => unknown, tok: Tokenizer, messages: readonly string[]): number {
  const ratios: number[] = [];
  for (let r = 0; r < 20; r++) {
    const batch = Array.from({ length: 2000 }, (_, i) => messages[(r * 2000 + i) % messages.length] ?? '');
    let t = performance.now();
    for (const m of batch) parse(m);
    const p = performance.now() - t;
    t = performance.now();
    for (const m of batch) tok.cut(m);
    ratios.push(p / (performance.now() - t));
  }
  return [...ratios].sort((a, b) => a - b)[ratios.length >> 1] ?? 0;
}

function coldStart(kind: string): { readyMs: number; rssMb: number } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'nlu-cold-start.ts'), kind], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as { readyMs: number; rssMb: number };
}

function heldoutAccuracy(nlu: LoadedNlu, examples: Parameters<typeof examplesToEvalItems>[0]): number {
  const items = examplesToEvalItems(examples, nlu.spec.labels);
  return evaluate(
    items,
    items.map((i) => parseToPrediction(nlu.parser.parse(i.text))),
  ).primaryAccuracy;
}

export async function bench(): Promise<BenchRow[]> {
  const nlu = loadOrTrainNlu();
  const train = loadExamples(join(DEFAULT_NLU_PATHS.intentsDir, 'train'), 'train', nlu.spec.labels);
  const heldout = loadExamples(join(DEFAULT_NLU_PATHS.intentsDir, 'heldout'), 'heldout', nlu.spec.labels);
  const texts = [...train.examples, ...heldout.examples].map((e) => e.text);
  const messages = Array.from({ length: N }, (_, i) => texts[i % texts.length] ?? '');
  const avgChars = messages.reduce((a, m) => a + m.length, 0) / messages.length;

  for (const m of messages.slice(0, 1000)) nlu.parser.parse(m);
  const lat: number[] = [];
  const p0 = performance.now();
  for (const m of messages) {
    const s = performance.now();
    nlu.parser.parse(m);
    lat.push(performance.now() - s);
  }
  const parseS = (performance.now() - p0) / 1000;
  lat.sort((a, b) => a - b);

  const rs = timeCut(nlu.tokenizer, messages);
  const nodejieba = createTokenizer(nlu.spec.userDict, 'nodejieba');
  const cpp = timeCut(nodejieba, messages);
  const steady = steadyRatio((m) => nlu.parser.parse(m), nodejieba, messages);
  const t0 = performance.now();
  const model = trainIntentModel(train, {
    labels: nlu.spec.labels,
    t2s: nlu.spec.t2s,
    tokenizer: nlu.tokenizer,
    dataHash: 'bench',
  });
  const trainMs = performance.now() - t0;
  const json = JSON.stringify(model);
  const l0 = performance.now();
  loadIntentClassifier(JSON.parse(json));
  const loadMs = performance.now() - l0;
  // Both artefacts exist before the cold starts, so those measure loading, not training.
  const nluCpp = loadOrTrainNlu({ tokenizer: 'nodejieba' });
  const accRs = heldoutAccuracy(nlu, heldout.examples);
  const accCpp = heldoutAccuracy(nluCpp, heldout.examples);
  const coldRs = coldStart('node-rs');
  const coldCpp = coldStart('nodejieba');
  const parsePerS = N / parseS;
  return [
    {
      name: 'parse() throughput',
      value: parsePerS,
      unit: 'msg/s',
      note: `${N} msgs, avg ${avgChars.toFixed(1)} chars`,
    },
    { name: 'parse() p50', value: percentile(lat, 0.5), unit: 'ms' },
    { name: 'parse() p99', value: percentile(lat, 0.99), unit: 'ms' },
    { name: 'nodejieba cut()', value: cpp.msgPerS, unit: 'msg/s', note: `${Math.round(cpp.tokPerS)} tokens/s` },
    { name: '@node-rs/jieba cut()', value: rs.msgPerS, unit: 'msg/s', note: `${Math.round(rs.tokPerS)} tokens/s` },
    {
      name: 'parse ÷ nodejieba cut cost, single pass',
      value: cpp.msgPerS / parsePerS,
      unit: '×',
      note: 'same messages, same run; includes V8 warm-up',
    },
    {
      name: 'parse ÷ nodejieba cut cost, steady state',
      value: steady,
      unit: '×',
      note: 'alternating batches of 2,000, median of 20; target ≤ 3×',
    },
    {
      name: 'training (5-fold calibration + final fit)',
      value: trainMs,
      unit: 'ms',
      note: `${train.examples.length} examples`,
    },
    {
      name: 'model load (JSON.parse + rebuild)',
      value: loadMs,
      unit: 'ms',
      note: `${(json.length / 2 ** 20).toFixed(1)} MB`,
    },
    {
      name: 'cold start, node-rs (fresh process)',
      value: coldRs.readyMs,
      unit: 'ms',
      note: `RSS ${coldRs.rssMb.toFixed(0)} MB`,
    },
    {
      name: 'cold start, nodejieba (fresh process)',
      value: coldCpp.readyMs,
      unit: 'ms',
      note: `RSS ${coldCpp.rssMb.toFixed(0)} MB`,
    },
    { name: 'held-out primary accuracy, node-rs model', value: accRs, unit: 'ratio' },
    { name: 'held-out primary accuracy, nodejieba model', value: accCpp, unit: 'ratio' },
    {
      name: 'RSS of this bench process',
      value: process.memoryUsage().rss / 2 ** 20,
      unit: 'MB',
      note: 'both tokenizers loaded',
    },
  ];
}
