import { describe, expect, it } from 'vitest';
import { readCallbackQuery } from '../../../src/channels/wecom/callback-guard.ts';
import { ErrorCode } from '../../../src/domain/errors.ts';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
};

describe('readCallbackQuery: the signed query of a WeCom callback', () => {
  it('reads the four parameters, ignoring others and the path', () => {
    expect(readCallbackQuery('/wecom/callback?msg_signature=abc&timestamp=1700000000&nonce=n1&echostr=e&x=1')).toEqual({
      signature: 'abc',
      timestamp: '1700000000',
      nonce: 'n1',
      echostr: 'e',
    });
    expect(readCallbackQuery('/wecom/callback?timestamp=1&nonce=2&msg_signature=3').echostr).toBeUndefined();
  });

  it('percent-decodes each value once and keeps a literal + of base64 (a form decoder would make it a space)', () => {
    const q = readCallbackQuery('/cb?msg_signature=s&timestamp=1&nonce=2&echostr=ab+c%2Bd%3D%3D');
    expect(q.echostr).toBe('ab+c+d==');
    expect(readCallbackQuery('/cb?msg_signature=s&timestamp=1&nonce=%2525').nonce).toBe('%25');
  });

  it('a repeated parameter: the last one counts', () => {
    expect(readCallbackQuery('/cb?msg_signature=a&timestamp=1&nonce=2&msg_signature=b').signature).toBe('b');
  });

  it('a missing or empty signature parameter, or a bad percent-encoding anywhere, is a signature error', () => {
    for (const url of [
      '/cb',
      '/cb?timestamp=1&nonce=2',
      '/cb?msg_signature=&timestamp=1&nonce=2',
      '/cb?msg_signature=s&timestamp=1',
      '/cb?msg_signature=s&timestamp=1&nonce=2&other=%E4%B',
      '/cb?msg_signature=%zz&timestamp=1&nonce=2',
    ])
      expect(
        codeOf(() => readCallbackQuery(url)),
        url,
      ).toBe(ErrorCode.SignatureInvalid);
  });
});
