import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/domain/errors.ts';
import { createTokenizer } from '../../src/nlu/tokenize.ts';
import { realSpec } from '../support/nlu.ts';

describe('tokenize with the user dictionary', () => {
  const dict = realSpec().userDict;
  const rs = createTokenizer(dict, 'node-rs');
  const cpp = createTokenizer(dict, 'nodejieba');

  it('keeps user-dictionary words whole (node-rs)', () => {
    expect(rs.cut('我要仅退款运费险怎么算')).toEqual(['我', '要', '仅退款', '运费险', '怎么', '算']);
  });

  it('gives nodejieba the same tokens', () => {
    expect(cpp.cut('我要仅退款运费险怎么算')).toEqual(['我', '要', '仅退款', '运费险', '怎么', '算']);
  });

  it.each([
    ['顺丰显示已签收但是丰巢里没有', ['顺丰', '显示', '已签收', '但是', '丰巢', '里', '没有']],
    ['转人工打12315投诉', ['转人工', '打', '12315', '投诉']],
    ['快递到菜鸟驿站了', ['快递', '到', '菜鸟驿站', '了']],
    ['七天无理由退货退款', ['七天无理由', '退货退款']],
  ])('%s', (text, tokens) => {
    expect(rs.cut(text)).toEqual(tokens);
    expect(cpp.cut(text)).toEqual(tokens);
  });

  it('drops whitespace-only pieces', () => {
    expect(rs.cut('  退款  ')).toEqual(['退款']);
  });

  it('refuses a second, different dictionary for nodejieba (its load() is global)', () => {
    expect(() => createTokenizer({ path: '/tmp/other.dict', content: '' }, 'nodejieba')).toThrow(
      expect.objectContaining({ code: ErrorCode.ConfigInvalid }),
    );
  });
});
