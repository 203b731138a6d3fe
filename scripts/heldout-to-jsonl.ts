/**
 * Exports the held-out split (intents/heldout) as the JSONL that `aftersales eval <file>` reads:
 * one `{"text","primary","labels",["entities"]}` per line, the primary by the precedence of
 * shared/docs/intents.md. Usage: npx tsx scripts/heldout-to-jsonl.ts [out.jsonl]  (stdout without a path)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { examplesToEvalItems } from '../src/nlu/eval-items.ts';
import { loadExamples, loadIntents } from '../src/nlu/load-intents.ts';
import { DEFAULT_NLU_PATHS } from '../src/nlu/model-store.ts';

const spec = loadIntents(DEFAULT_NLU_PATHS.intentsDir);
const heldout = loadExamples(join(DEFAULT_NLU_PATHS.intentsDir, 'heldout'), 'heldout', spec.labels);
const lines = examplesToEvalItems(heldout.examples, spec.labels).map((item) => JSON.stringify(item));
const out = `${lines.join('\n')}\n`;
const target = process.argv[2];
if (target) {
  writeFileSync(target, out);
  process.stderr.write(`已写出 ${lines.length} 条留出集样例到 ${target}\n`);
} else process.stdout.write(out);
