import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/domain/errors.ts';
import { loadExamples, loadIntents } from '../../src/nlu/load-intents.ts';
import { fixTypos } from '../../src/nlu/normalize.ts';
import { INTENTS_DIR, realSpec } from '../support/nlu.ts';

function tempDir(name: string, files: Record<string, string>): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'intents-')), name);
  mkdirSync(dir);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

describe('loadExamples', () => {
  const labels = realSpec().labels;

  it('reports a missing version and a bad example with file and line', () => {
    const dir = tempDir('train', {
      'damaged.yml': 'intent: damaged\nexamples:\n  - 杯子碎了\n  - { txt: 错字段 }\n',
    });
    expect(() => loadExamples(dir, 'train', labels)).toThrow(
      expect.objectContaining({
        code: ErrorCode.IntentsInvalid,
        message: expect.stringMatching(/damaged\.yml:1: .*version[\s\S]*damaged\.yml:4: examples\.1/),
      }),
    );
  });

  it('reports an undeclared label and a file named after another label', () => {
    const dir = tempDir('train', {
      'damaged.yml': 'version: 1\nintent: broken\nexamples:\n  - 杯子碎了\n',
    });
    expect(() => loadExamples(dir, 'train', labels)).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/未声明的标签 broken[\s\S]*文件名应为 broken\.yml/) }),
    );
  });

  it('refuses the held-out folder as training data', () => {
    expect(() => loadExamples(join(INTENTS_DIR, 'heldout'), 'train', labels)).toThrow(
      expect.objectContaining({ code: ErrorCode.IntentsInvalid, message: expect.stringContaining('拒绝用留出集训练') }),
    );
  });

  it('reads multi-label examples with their entities', () => {
    const dir = tempDir('heldout', {
      '_multi.yml':
        'version: 1\nmulti:\n  - { text: "碎了 退货", intents: [damaged, return_refund], entities: [{ type: orderNo, value: SO202601010001 }] }\n',
    });
    const set = loadExamples(dir, 'heldout', labels);
    expect(set.examples).toEqual([
      expect.objectContaining({
        text: '碎了 退货',
        labels: ['damaged', 'return_refund'],
        entities: [{ type: 'orderNo', value: 'SO202601010001' }],
      }),
    ]);
  });
});

describe('the real intents/ vocabulary', () => {
  it('declares the 24 labels of shared/docs/intents.md with their precedence', () => {
    const byId = new Map(realSpec().labels.map((l) => [l.id, l.precedence]));
    expect(byId.size).toBe(24);
    expect(byId.get('safety_issue')).toBe(1);
    expect(byId.get('complaint')).toBe(2);
    expect(byId.get('exchange')).toBe(3);
    expect(byId.get('damaged')).toBe(4);
    expect(byId.get('urge_shipment')).toBe(5);
    expect(byId.get('human_agent')).toBe(6);
    expect(byId.get('other')).toBe(7);
  });
});

describe('typos (intents/lookups/typos.txt)', () => {
  it('are read from the real vocabulary', () => {
    expect(realSpec().typos.get('退宽')).toBe('退款');
  });

  it('a pair whose sides differ in length is reported with its line (offsets would move)', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'intents-')), 'intents');
    cpSync(INTENTS_DIR, dir, { recursive: true });
    writeFileSync(join(dir, 'lookups', 'typos.txt'), '# typos\n退宽 退款\n退宽款 退款\n');
    expect(() => loadIntents(dir)).toThrow(
      expect.objectContaining({ code: ErrorCode.IntentsInvalid, message: expect.stringContaining('typos.txt:3') }),
    );
  });

  it('are spelled right in place; a Latin typo only as a word of its own', () => {
    const typos = new Map([
      ['退宽', '退款'],
      ['tk', '退款'],
    ]);
    const text = '退宽了吗 仅tk sf12tk34 tks';
    const fixed = fixTypos(text, typos);
    expect(fixed).toBe('退款了吗 仅退款 sf12tk34 tks');
    expect(fixed.length).toBe(text.length);
    expect(fixTypos('没有错字', typos)).toBe('没有错字');
  });
});
