/**
 * NLU commands: `parse`, `eval`, `train` (issue 3). All of them train the model first when the
 * artefact is missing or older than the data (model-store.ts), and say so on stderr.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { CodedError, ErrorCode } from '../domain/errors.ts';
import { examplesToEvalItems, parseToPrediction } from '../nlu/eval-items.ts';
import { type EvalItem, evaluate, HELDOUT_FLOOR } from '../nlu/evaluate.ts';
import { loadExamples } from '../nlu/load-intents.ts';
import { DEFAULT_NLU_PATHS, type LoadedNlu, loadOrTrainNlu } from '../nlu/model-store.ts';
import type { TokenizerKind } from '../nlu/tokenize.ts';
import { formatEvalReport } from './nlu-report.ts';

const EvalLine = z.strictObject({
  text: z.string(),
  primary: z.string().min(1),
  labels: z.array(z.string().min(1)).optional(),
  entities: z.array(z.strictObject({ type: z.string().min(1), value: z.string().min(1) })).optional(),
});

/** Reads an eval JSONL file; every bad line is reported with its line number. */
export function readEvalJsonl(file: string): EvalItem[] {
  const items: EvalItem[] = [];
  const problems: string[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((raw, i) => {
      if (raw.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        problems.push(`${file}:${i + 1}: 不是合法的 JSON`);
        return;
      }
      const line = EvalLine.safeParse(value);
      if (!line.success) problems.push(`${file}:${i + 1}: ${line.error.issues.map((x) => x.message).join('；')}`);
      else items.push({ ...line.data, labels: line.data.labels ?? [line.data.primary] });
    });
  if (problems.length > 0) throw new CodedError(ErrorCode.BadRequest, `评测文件有错误：\n${problems.join('\n')}`);
  return items;
}

function loadNlu(opts: { tokenizer?: TokenizerKind }): LoadedNlu {
  const nlu = loadOrTrainNlu({ tokenizer: opts.tokenizer });
  const what = nlu.source === 'trained' ? `已重新训练（${nlu.timings.trainMs.toFixed(0)} ms）` : '已加载';
  process.stderr.write(`意图模型${what}，启动耗时 ${nlu.timings.totalMs.toFixed(0)} ms\n`);
  return nlu;
}

interface EvalOpts {
  json?: boolean;
  heldout?: boolean;
  minAccuracy?: string;
  errors?: string;
  tokenizer?: TokenizerKind;
}

function runEval(file: string | undefined, opts: EvalOpts): void {
  if (!file && !opts.heldout)
    throw new CodedError(ErrorCode.BadRequest, '请给出评测文件（JSONL），或使用 --heldout 评测留出集');
  const nlu = loadNlu(opts);
  const items = opts.heldout
    ? examplesToEvalItems(
        loadExamples(`${DEFAULT_NLU_PATHS.intentsDir}/heldout`, 'heldout', nlu.spec.labels).examples,
        nlu.spec.labels,
      )
    : readEvalJsonl(file ?? '');
  const report = evaluate(
    items,
    items.map((i) => parseToPrediction(nlu.parser.parse(i.text))),
  );
  const floor = opts.minAccuracy ? Number(opts.minAccuracy) : opts.heldout ? HELDOUT_FLOOR.primaryAccuracy : undefined;
  const passed = floor === undefined || report.primaryAccuracy >= floor;
  if (opts.json) process.stdout.write(`${JSON.stringify({ ...report, floor: floor ?? null, passed })}\n`);
  else process.stdout.write(formatEvalReport(report, { errors: Number(opts.errors ?? 0) }));
  if (!passed) {
    process.stderr.write(
      `主意图准确率 ${(report.primaryAccuracy * 100).toFixed(1)}% 低于下限 ${(Number(floor) * 100).toFixed(1)}%\n`,
    );
    process.exitCode = 1;
  }
}

/** Adds `parse`, `eval` and `train` to the `aftersales` program. */
export function registerNluCommands(program: Command): void {
  const tokenizerHelp = '分词器：node-rs（默认）或 nodejieba';
  program
    .command('parse')
    .description('解析一条消息，输出意图、实体、紧急程度（JSON）')
    .argument('<text>', '客户消息；「-」从标准输入逐行读取，每行输出一个 JSON（JSONL）')
    .option('--tokens', '同时输出分词结果')
    .option('--tokenizer <kind>', tokenizerHelp)
    .action((text: string, opts: { tokens?: boolean; tokenizer?: TokenizerKind }) => {
      const nlu = loadNlu(opts);
      const includeTokens = opts.tokens === true;
      if (text !== '-') {
        process.stdout.write(`${JSON.stringify(nlu.parser.parse(text, { includeTokens }), null, 2)}\n`);
        return;
      }
      // A chat export or a list of phrases to check: one message per line, blank lines skipped.
      const lines = readFileSync(0, 'utf8').split(/\r?\n/u);
      const out = lines
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.stringify(nlu.parser.parse(l, { includeTokens })));
      process.stdout.write(out.length > 0 ? `${out.join('\n')}\n` : '');
    });
  program
    .command('eval')
    .description('评测意图识别：主意图准确率、micro-F1、各标签精确率/召回率、混淆表、实体 F1')
    .argument('[file]', 'JSONL 文件，每行 {"text","primary","labels":[..],"entities"?:[{type,value}]}')
    .option('--json', '输出一个 JSON 对象')
    .option('--heldout', '评测 intents/heldout 留出集（低于下限时以非零状态退出）')
    .option('--min-accuracy <ratio>', '主意图准确率下限（0–1），低于它以非零状态退出')
    .option('--errors <n>', '列出前 n 条判错的样例', '0')
    .option('--tokenizer <kind>', tokenizerHelp)
    .action((file: string | undefined, opts: EvalOpts) => runEval(file, opts));
  program
    .command('train')
    .description('用 intents/train 训练意图模型，写入 data/model/intents-model.json')
    .option('--tokenizer <kind>', tokenizerHelp)
    .action((opts: { tokenizer?: TokenizerKind }) => {
      const nlu = loadOrTrainNlu({ tokenizer: opts.tokenizer }, true);
      const size = JSON.stringify(nlu.model).length;
      process.stdout.write(
        `已训练：${nlu.model.labels.length} 个标签，${nlu.model.vocab.length} 个特征，` +
          `${(size / 1024 / 1024).toFixed(1)} MB，耗时 ${nlu.timings.trainMs.toFixed(0)} ms\n` +
          `模型文件：${DEFAULT_NLU_PATHS.modelPath}\n`,
      );
    });
}
