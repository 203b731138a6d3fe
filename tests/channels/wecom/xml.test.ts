import { describe, expect, it } from 'vitest';
import { extractEncryptFromJson, extractEncryptFromXml, parseAppMessage } from '../../../src/channels/wecom/xml.ts';
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
  ])('%s → MalformedBody with a Chinese message', (_name, body, message) => {
    expect(() => extractEncryptFromXml(body)).toThrow(malformed(message));
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
      'kf event without Token',
      '<xml><MsgType>event</MsgType><Event>kf_msg_or_event</Event><OpenKfId>wk</OpenKfId><CreateTime>1</CreateTime></xml>',
      /微信客服/,
    ],
  ])('%s → MalformedBody (%s)', (_name, xml, message) => {
    expect(() => parseAppMessage(xml)).toThrow(malformed(message));
  });
});
