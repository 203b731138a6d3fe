import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEvalJsonl } from '../../src/cli/nlu-commands.ts';
import { formatEvalReport } from '../../src/cli/nlu-report.ts';
import { ErrorCode } from '../../src/domain/errors.ts';
import { evaluate } from '../../src/nlu/evaluate.ts';

function jsonl(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'eval-')), 'set.jsonl');
  writeFileSync(file, text);
  return file;
}

describe('eval JSONL', () => {
  it('reads lines, defaulting labels to the primary', () => {
    const file = jsonl(
      '{"text":"碎了","primary":"damaged"}\n\n{"text":"退","primary":"return_refund","labels":["return_refund"]}\n',
    );
    expect(readEvalJsonl(file)).toEqual([
      { text: '碎了', primary: 'damaged', labels: ['damaged'] },
      { text: '退', primary: 'return_refund', labels: ['return_refund'] },
    ]);
  });

  it('names every bad line', () => {
    const file = jsonl('{"text":"碎了","primary":"damaged"}\nnot json\n{"text":"x"}\n');
    expect(() => readEvalJsonl(file)).toThrow(
      expect.objectContaining({
        code: ErrorCode.BadRequest,
        message: expect.stringMatching(/set\.jsonl:2: 不是合法的 JSON[\s\S]*set\.jsonl:3: /),
      }),
    );
  });
});

describe('eval report text', () => {
  it('shows accuracy, micro-F1, the per-label table and the confusion in Chinese', () => {
    const report = evaluate(
      [
        { text: '碎了', primary: 'damaged', labels: ['damaged'] },
        { text: '换个码', primary: 'exchange', labels: ['exchange'] },
      ],
      [
        { primary: 'damaged', labels: ['damaged'], entities: [] },
        { primary: 'return_refund', labels: ['return_refund'], entities: [] },
      ],
    );
    const text = formatEvalReport(report, { errors: 5 });
    expect(text).toContain('主意图准确率：50.0%');
    expect(text).toContain('标签集合 micro-F1：50.0%');
    expect(text).toMatch(/exchange\s+1\s+0\.0%\s+0\.0%/);
    expect(text).toContain('1  exchange → return_refund');
    expect(text).toContain('[exchange → return_refund] 换个码');
  });
});

describe('aftersales parse -', () => {
  it('parses one message per line of standard input into one JSON line each, blank lines skipped', () => {
    const out = execFileSync(process.execPath, ['bin/aftersales.js', 'parse', '-'], {
      input: '能退吗\n\n退获地址发我\n我给你们好评了\n',
      encoding: 'utf8',
      env: { ...process.env, LOG_LEVEL: 'silent' },
      timeout: 120_000,
    });
    const parses = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { text: string; primary: string });
    expect(parses.map((p) => [p.text, p.primary])).toEqual([
      ['能退吗', 'return_info'],
      ['退获地址发我', 'return_info'],
      ['我给你们好评了', 'other'],
    ]);
  }, 120_000);
});
