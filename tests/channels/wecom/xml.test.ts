import { describe, expect, it } from 'vitest';
import {
  extractEncryptFromJson,
  extractEncryptFromXml,
  flatFields,
  parseAppMessage,
  parsedFields,
} from '../../../src/channels/wecom/xml.ts';
import { ErrorCode } from '../../../src/domain/errors.ts';
import vectors from '../../fixtures/wecom/official-vectors.json' with { type: 'json' };
import { appXml } from '../../support/fake-wecom-server.ts';

const byName = (prefix: string) => {
  const v = vectors.vectors.find((x) => x.name.startsWith(prefix));
  if (!v) throw new Error(`fixture ${prefix} missing`);
  return v;
};
const malformed = (message: RegExp | string) =>
  expect.objectContaining({ code: ErrorCode.MalformedBody, message: expect.stringMatching(message) });

describe('outer envelope', () => {
  it.each(['A2', 'B2'])('%s: Encrypt is extracted exactly as signed', (name) => {
    const v = byName(name);
    expect(extractEncryptFromXml(v.body ?? '')).toBe(v.encrypted);
  });

  it.each([
    ['JSON instead of XML', '{"encrypt":"abc"}', /XML/],
    ['no Encrypt', '<xml><ToUserName>x</ToUserName></xml>', /Encrypt/],
    ['two Encrypt', '<xml><Encrypt>QUJD</Encrypt><Encrypt>REVG</Encrypt></xml>', /Encrypt/],
    ['a DTD', '<xml><!DOCTYPE x [<!ENTITY a "b">]><Encrypt>QUJD</Encrypt></xml>', /DTD/],
    ['truncated', '<xml><Encrypt><![CDATA[QUJD', /XML/],
    ['not base64', '<xml><Encrypt>QU JD!</Encrypt></xml>', /Encrypt/],
    ['a second, broken Encrypt', '<xml><Encrypt>QUJD</Encrypt><Encrypt>!!</Encrypt></xml>', /多个 Encrypt/],
  ])('%s → MalformedBody with a Chinese message', (_name, body, message) => {
    expect(() => extractEncryptFromXml(body)).toThrow(malformed(message));
  });

  it('Encrypt as CDATA or as plain text, with whitespace around it', () => {
    expect(
      extractEncryptFromXml('<xml><ToUserName>c</ToUserName><Encrypt> <![CDATA[QUJD+/==]]>\n</Encrypt></xml>'),
    ).toBe('QUJD+/==');
    expect(extractEncryptFromXml(' <xml><Encrypt>QUJD</Encrypt><AgentID>1</AgentID></xml>\n')).toBe('QUJD');
  });

  it('JSON envelope: encrypt is read; garbage is MalformedBody', () => {
    expect(extractEncryptFromJson('{"encrypt":"QUJD+/=="}')).toBe('QUJD+/==');
    expect(() => extractEncryptFromJson('{"encrypt":1}')).toThrow(malformed(/encrypt/));
    expect(() => extractEncryptFromJson('{oops')).toThrow(malformed(/JSON/));
  });
});

describe('parseAppMessage', () => {
  it('A2: a 64-bit MsgId stays an exact string; CDATA fields are read', () => {
    expect(parseAppMessage(byName('A2').msg)).toEqual({
      type: 'text',
      msgId: '4561255354251345929',
      fromUser: 'mycreate',
      content: 'hello',
      createTime: 1409659813,
      agentId: '218',
    });
  });

  it('B2: plain (non-CDATA) Chinese content', () => {
    expect(parseAppMessage(byName('B2').msg)).toMatchObject({ type: 'text', content: '你好', fromUser: 'ChenJiaShun' });
  });

  it('kf_msg_or_event carries the sync token and open_kfid', () => {
    expect(parseAppMessage(appXml.kfEvent({ openKfId: 'wkAAA', token: 'ENCtok', createTime: 1700000000 }))).toEqual({
      type: 'kf_event',
      openKfId: 'wkAAA',
      token: 'ENCtok',
      createTime: 1700000000,
    });
  });

  it('template_card_event carries the button key', () => {
    const msg = parseAppMessage(appXml.cardEvent({ from: 'mgr1', eventKey: 'ack:T42:2', taskId: 'card-1' }));
    expect(msg).toMatchObject({ type: 'card_event', fromUser: 'mgr1', eventKey: 'ack:T42:2', taskId: 'card-1' });
  });

  it('predefined entities are decoded once; CDATA is literal', () => {
    const xml =
      '<xml><MsgType>text</MsgType><FromUserName>u</FromUserName><CreateTime>1</CreateTime><MsgId>9</MsgId><Content>a &amp;lt; b &#x4F60;</Content></xml>';
    expect(parseAppMessage(xml)).toMatchObject({ content: 'a &lt; b 你' });
    expect(parseAppMessage(appXml.text({ from: 'u', content: 'x &amp; y', msgId: '1' }))).toMatchObject({
      content: 'x &amp; y',
    });
  });

  it('a text of exactly 20,000 characters and a MsgId of 20 digits are accepted', () => {
    const xml = `<xml><MsgType>text</MsgType><FromUserName>u</FromUserName><CreateTime>1</CreateTime><Content>${'字'.repeat(20_000)}</Content><MsgId>${'9'.repeat(20)}</MsgId></xml>`;
    expect(parseAppMessage(xml)).toMatchObject({ type: 'text', msgId: '9'.repeat(20), createTime: 1 });
  });

  it('other message types and events are recognised and left alone', () => {
    const image = '<xml><MsgType><![CDATA[image]]></MsgType><FromUserName>u</FromUserName></xml>';
    expect(parseAppMessage(image)).toEqual({ type: 'other', msgType: 'image', event: undefined });
  });

  it.each([
    ['not XML', 'hello', /XML/],
    ['unclosed', '<xml><MsgType>text</MsgType>', /XML/],
    ['mismatched tags', '<xml><MsgType>text</Content></xml>', /XML/],
    ['entity bomb', '<!DOCTYPE x [<!ENTITY a "aaaa">]><xml><MsgType>&a;</MsgType></xml>', /DTD/],
    ['no root', '<root><MsgType>text</MsgType></root>', /<xml>/],
    ['no MsgType', '<xml><Content>x</Content></xml>', /MsgType/],
    [
      'text without MsgId',
      '<xml><MsgType>text</MsgType><FromUserName>u</FromUserName><CreateTime>1</CreateTime><Content>x</Content></xml>',
      /文本消息/,
    ],
    [
      'duplicated MsgId',
      '<xml><MsgType>text</MsgType><FromUserName>u</FromUserName><CreateTime>1</CreateTime><Content>x</Content><MsgId>1</MsgId><MsgId>2</MsgId></xml>',
      /文本消息/,
    ],
    [
      'MsgId not digits',
      '<xml><MsgType>text</MsgType><FromUserName>u</FromUserName><CreateTime>1</CreateTime><Content>x</Content><MsgId>1e5</MsgId></xml>',
      /文本消息/,
    ],
    [
      'MsgId of 21 digits',
      `<xml><MsgType>text</MsgType><FromUserName>u</FromUserName><CreateTime>1</CreateTime><Content>x</Content><MsgId>${'1'.repeat(21)}</MsgId></xml>`,
      /文本消息/,
    ],
    [
      'empty FromUserName on a text',
      '<xml><MsgType>text</MsgType><FromUserName></FromUserName><CreateTime>1</CreateTime><Content>x</Content><MsgId>1</MsgId></xml>',
      /文本消息/,
    ],
    [
      'Content over 20,000 characters',
      `<xml><MsgType>text</MsgType><FromUserName>u</FromUserName><CreateTime>1</CreateTime><Content>${'字'.repeat(20_001)}</Content><MsgId>1</MsgId></xml>`,
      /文本消息/,
    ],
    [
      'CreateTime not digits on any message',
      '<xml><MsgType>image</MsgType><CreateTime>soon</CreateTime></xml>',
      /MsgType/,
    ],
    ['a nested MsgType', '<xml><MsgType><a>text</a></MsgType></xml>', /MsgType/],
    [
      'kf event without Token',
      '<xml><MsgType>event</MsgType><Event>kf_msg_or_event</Event><OpenKfId>wk</OpenKfId><CreateTime>1</CreateTime></xml>',
      /微信客服/,
    ],
  ])('%s → MalformedBody (%s)', (_name, xml, message) => {
    expect(() => parseAppMessage(xml)).toThrow(malformed(message));
  });
});

describe('the flat fast path reads what the XML parser reads', () => {
  const text = appXml.text({ from: 'zhangsan', content: '  我的快递 ]] 到哪了 > ', msgId: '8000000001' });
  it.each([
    ['a text callback', text],
    ['plain values and whitespace between fields', '<xml>\n  <MsgType>text</MsgType>\t<MsgId> 12 </MsgId>\n</xml>'],
    ['an empty field and an empty CDATA', '<xml><Content></Content><Event><![CDATA[]]></Event></xml>'],
    ['a repeated field', '<xml><MsgId>1</MsgId><MsgId>2</MsgId></xml>'],
    ['surrounding whitespace', '  <xml><MsgType>event</MsgType></xml>\n'],
  ])('%s: taken by the fast path, same fields', (_name, xml) => {
    const fast = flatFields(xml);
    expect(fast).toBeDefined();
    expect(fast).toEqual(parsedFields(xml));
  });

  it.each([
    ['an entity', '<xml><Content>a &amp; b</Content></xml>'],
    ['CDATA beside text', '<xml><Content>a<![CDATA[b]]></Content></xml>'],
    ['a nested element', '<xml><Info><X>1</X></Info></xml>'],
    ['a carriage return', '<xml><Content>a\r\nb</Content></xml>'],
    ['a control character', '<xml><Content>a\u0001b</Content></xml>'],
    ['"]]>" inside CDATA', '<xml><Content><![CDATA[a]]>b]]></Content></xml>'],
    ['a comment', '<xml><!-- c --><MsgType>text</MsgType></xml>'],
    ['a name starting with a digit', '<xml><1a>x</1a></xml>'],
    ['a declaration', '<?xml version="1.0"?><xml><MsgType>text</MsgType></xml>'],
    ['the root closed inside a field', '<xml><xml>a</xml>'],
    ['a mismatched tag', '<xml><MsgType>text</Content></xml>'],
    ['a DTD', '<!DOCTYPE x [<!ENTITY a "aaaa">]><xml><MsgType>&a;</MsgType></xml>'],
  ])('%s: left to the XML parser', (_name, xml) => {
    expect(flatFields(xml)).toBeUndefined();
  });
});

describe('the flat fast path never accepts what the XML parser would read differently', () => {
  it('2,000 random documents from XML fragments: each the fast path takes, the parser reads the same', () => {
    const parts = [
      '<xml>',
      '</xml>',
      '<A>',
      '</A>',
      '<B>',
      '</B>',
      '<![CDATA[',
      ']]>',
      'x',
      ' ',
      '\n',
      '\r',
      '&amp;',
      '&',
      '<',
      '>',
      ']',
      '中',
      '\u0001',
      '<!-- c -->',
      '<1>',
      '</1>',
    ];
    let state = 42;
    const random = (n: number) => {
      state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
      return state % n;
    };
    let taken = 0;
    for (let i = 0; i < 2000; i++) {
      const body = Array.from({ length: 1 + random(8) }, () => parts[random(parts.length)]).join('');
      const xml = random(3) === 0 ? body : `<xml><A>${body}</A></xml>`;
      const fast = flatFields(xml);
      if (!fast) continue;
      taken++;
      expect(parsedFields(xml), xml).toEqual(fast);
    }
    expect(taken).toBeGreaterThan(50);
  });
});
