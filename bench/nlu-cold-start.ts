/**
 * Child process of bench/nlu.bench.ts: one cold start of the NLU (intents + model artefact +
 * tokenizer + first parse) in a fresh process, printed as JSON with the resident memory.
 * Usage: node --import tsx bench/nlu-cold-start.ts [node-rs|nodejieba]
 */
const t0 = performance.now();
const { loadOrTrainNlu } = await import('../src/nlu/model-store.ts');
const kind = process.argv[2] === 'nodejieba' ? 'nodejieba' : 'node-rs';
const nlu = loadOrTrainNlu({ tokenizer: kind });
nlu.parser.parse('快递三天没更新了 SF1234567890123');
const readyMs = performance.now() - t0;
process.stdout.write(
  `${JSON.stringify({ kind, source: nlu.source, readyMs, loadMs: nlu.timings.loadMs, rssMb: process.memoryUsage().rss / 2 ** 20 })}\n`,
);
