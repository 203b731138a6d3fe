import path from 'node:path';
import type { Env } from '../config/env.ts';
import type { Logger } from '../lib/logger.ts';
import { type LoadedNlu, loadOrTrainNlu } from '../nlu/model-store.ts';

const loaded = new Map<string, LoadedNlu>();

/** Loads the intent model (training it when missing or stale), once per process and model path. */
export function loadNlu(env: Env, log: Logger): LoadedNlu {
  const modelPath = path.resolve(env.NLU_MODEL_PATH ?? path.join(env.DATA_DIR, 'model', 'intents-model.json'));
  const cached = loaded.get(modelPath);
  if (cached) return cached;
  const nlu = loadOrTrainNlu({ modelPath });
  loaded.set(modelPath, nlu);
  log.info(
    {
      source: nlu.source,
      loadMs: Math.round(nlu.timings.loadMs),
      trainMs: Math.round(nlu.timings.trainMs),
      totalMs: Math.round(nlu.timings.totalMs),
    },
    nlu.source === 'trained' ? '意图模型已训练并保存' : '意图模型已加载',
  );
  return nlu;
}
