import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrTrainNlu } from '../../src/nlu/model-store.ts';
import { INTENTS_DIR, MINI_DIR } from '../support/nlu.ts';

describe('model store', () => {
  const modelPath = join(mkdtempSync(join(tmpdir(), 'model-')), 'model', 'intents-model.json');
  const opts = { intentsDir: INTENTS_DIR, trainDir: join(MINI_DIR, 'train'), modelPath };

  it('trains when the artefact is missing, then loads it', () => {
    const first = loadOrTrainNlu(opts);
    expect(first.source).toBe('trained');
    expect(first.timings.trainMs).toBeGreaterThan(0);
    const second = loadOrTrainNlu(opts);
    expect(second.source).toBe('loaded');
    expect(second.parser.parse('杯子碎了').primary).toBe(first.parser.parse('杯子碎了').primary);
  });

  it('retrains a stale artefact (data hash differs) to the same bytes', () => {
    const good = readFileSync(modelPath, 'utf8');
    writeFileSync(modelPath, good.replace(/"dataHash":"[0-9a-f]+"/, '"dataHash":"stale"'));
    expect(loadOrTrainNlu(opts).source).toBe('trained');
    expect(readFileSync(modelPath, 'utf8')).toBe(good);
  });

  it('retrains over an unreadable artefact instead of failing start-up', () => {
    writeFileSync(modelPath, '{ not json');
    expect(loadOrTrainNlu(opts).source).toBe('trained');
  });
});
