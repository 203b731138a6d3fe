/**
 * A second view of bench/nlu.bench.ts's "parse ÷ nodejieba cut" ratio for a shared, noisy machine:
 * parse() and the bare nodejieba cut() alternate on the same batches of 2,000 training texts, 40
 * rounds (the first 5 dropped as warm-up), and the median of the per-round ratios is printed. Load
 * from other processes hits both sides of one round alike, and V8's warm-up is over before it is
 * measured; the bench's single pass (10,000 parses, then the cuts) includes both.
 * Usage: npx tsx scripts/nlu-ratio-interleaved.ts
 */
import { join } from 'node:path';
import { loadExamples } from '../src/nlu/load-intents.ts';
import { DEFAULT_NLU_PATHS, loadOrTrainNlu } from '../src/nlu/model-store.ts';
import { createTokenizer } from '../src/nlu/tokenize.ts';

const BATCH = 2000;
const ROUNDS = 40;
const WARM_ROUNDS = 5;

const nlu = loadOrTrainNlu();
const texts = loadExamples(join(DEFAULT_NLU_PATHS.intentsDir, 'train'), 'train', nlu.spec.labels).examples.map(
  (e) => e.text,
);
const nodejieba = createTokenizer(nlu.spec.userDict, 'nodejieba');
const ratios: number[] = [];
const parseUs: number[] = [];
const cutUs: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const batch = Array.from({ length: BATCH }, (_, i) => texts[(r * BATCH + i) % texts.length] ?? '');
  let t = performance.now();
  for (const m of batch) nlu.parser.parse(m);
  const p = performance.now() - t;
  t = performance.now();
  for (const m of batch) nodejieba.cut(m);
  const c = performance.now() - t;
  if (r < WARM_ROUNDS) continue;
  ratios.push(p / c);
  parseUs.push((p * 1000) / BATCH);
  cutUs.push((c * 1000) / BATCH);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? 0;
process.stdout.write(
  `parse ÷ nodejieba cut, median of ${ratios.length} interleaved rounds: ${median(ratios).toFixed(2)}× ` +
    `(parse ${median(parseUs).toFixed(1)} µs, cut ${median(cutUs).toFixed(1)} µs per message)\n`,
);
