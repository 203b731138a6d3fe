import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InboundMessage, OutboundMessage } from '../../../src/channels/channel.ts';
import { robotFixture } from '../../support/fake-dingtalk-gateway.ts';
import { testPng } from '../../support/png.ts';
import { closeDingtalk, type DingtalkHarness, openDingtalk, receive as receiveVia, replyTo } from './harness.ts';

let h: DingtalkHarness;
let gateway: DingtalkHarness['gateway'];
let channel: DingtalkHarness['channel'];

const MIN = 60_000;

const PNG = testPng(8, 8);
const picture = { png: PNG.toString('base64'), title: '订单健康日报' };

beforeEach(async () => {
  h = await openDingtalk();
  ({ gateway, channel } = h);
});
afterEach(async () => closeDingtalk(h));

const receive = (payload: Record<string, unknown>): Promise<InboundMessage> => receiveVia(h, payload);

function report(target: OutboundMessage['target'], extra: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    channel: 'dingtalk',
    target,
    kind: 'push',
    text: '订单健康日报：今日签收 128 单，异常 3 单',
    picture,
    dedupeKey: randomUUID(),
    ...extra,
  };
}

describe('DingTalk channel sends a picture after the text', () => {
  it('pushes to a group: the text, then the uploaded PNG as sampleImageMsg with its media_id', async () => {
    const result = await channel.send(report({ chatId: 'cidManagers01' }));
    expect(result.status).toBe('sent');
    const sent = gateway.sentTo('groupSend');
    expect(sent.map((s) => s.body.msgKey)).toEqual(['sampleText', 'sampleImageMsg']);
    expect(sent[0]?.msgParam).toEqual({ content: '订单健康日报：今日签收 128 单，异常 3 单' });
    expect(gateway.uploads).toHaveLength(1);
    const [upload] = gateway.uploads;
    expect(upload?.bytes.equals(PNG)).toBe(true);
    expect(upload).toMatchObject({ type: 'image', filename: 'report.png', contentType: 'image/png' });
    expect(upload?.mediaId).toMatch(/^@lA/);
    expect(sent[1]?.body).toMatchObject({ openConversationId: 'cidManagers01', robotCode: 'dingrobotcode01' });
    expect(sent[1]?.msgParam).toEqual({ photoURL: upload?.mediaId });
    expect(result.platformIds).toHaveLength(2);
    expect(gateway.tokenCalls).toBe(1); // the upload reuses the OpenAPI token
  });

  it('pushes to one person the same way through oToMessages/batchSend', async () => {
    const result = await channel.send(report({ userRef: 'manager007' }));
    expect(result.status).toBe('sent');
    const sent = gateway.sentTo('batchSend');
    expect(sent.map((s) => s.body.msgKey)).toEqual(['sampleText', 'sampleImageMsg']);
    expect(sent[1]?.body).toMatchObject({ userIds: ['manager007'] });
    expect(gateway.uploads.map((u) => u.bytes.equals(PNG))).toEqual([true]);
    expect(sent[1]?.msgParam).toEqual({ photoURL: gateway.uploads[0]?.mediaId });
    expect(gateway.sentTo('groupSend')).toHaveLength(0);
  });

  it('answers a group message: text via the valid sessionWebhook, the picture to that group by robot API', async () => {
    const inbound = await receive({
      ...robotFixture('robot-group-text'),
      sessionWebhook: gateway.sessionWebhook('g1'),
      sessionWebhookExpiredTime: Date.now() + 90 * MIN,
    });
    const result = await channel.send(replyTo(inbound, '本周售后根因热力图如下', { picture }));
    expect(result.status).toBe('sent');
    expect(gateway.sentTo('webhook').map((s) => s.body)).toEqual([
      { msgtype: 'text', text: { content: '本周售后根因热力图如下' } },
    ]);
    const [image, ...more] = gateway.sentTo('groupSend');
    expect(more).toHaveLength(0);
    expect(image?.body).toMatchObject({ openConversationId: 'cidGroupAftersales01', msgKey: 'sampleImageMsg' });
    expect(image?.msgParam).toEqual({ photoURL: gateway.uploads[0]?.mediaId });
  });

  it('answers a 1:1 message: text through the sessionWebhook, the picture to the sender by batchSend', async () => {
    const inbound = await receive({
      ...robotFixture('robot-single-text'),
      sessionWebhook: gateway.sessionWebhook('p1'),
      sessionWebhookExpiredTime: Date.now() + 90 * MIN,
    });
    await channel.send(replyTo(inbound, '今日健康日报', { picture }));
    expect(gateway.sentTo('webhook').map((s) => s.session)).toEqual(['p1']);
    const sent = gateway.sentTo('batchSend');
    expect(sent.map((s) => s.body.msgKey)).toEqual(['sampleImageMsg']);
    expect(sent[0]?.body).toMatchObject({ userIds: ['staff002'] });
  });

  it('sends nothing new when the same message is sent again (a retried job)', async () => {
    const message = report({ chatId: 'cidManagers01' });
    const first = await channel.send(message);
    const again = await channel.send(message);
    expect(again).toEqual(first);
    expect(gateway.uploads).toHaveLength(1);
    expect(gateway.hits.upload).toBe(1);
    expect(gateway.sentTo('groupSend')).toHaveLength(2);
  });

  it('does not upload again when the picture was uploaded but its send failed', async () => {
    const message = report({ userRef: 'manager007' });
    const textOnly = await channel.send({ ...message, picture: undefined });
    expect(textOnly.status).toBe('sent');
    gateway.failNext('batchSend', 503, { code: 'ServiceUnavailable' }, 3); // every attempt of the picture send
    await expect(channel.send(message)).rejects.toMatchObject({ details: { retryable: true } });
    expect(gateway.uploads).toHaveLength(1);
    const result = await channel.send(message);
    expect(result.status).toBe('sent');
    expect(gateway.uploads).toHaveLength(1);
    expect(gateway.hits.upload).toBe(1);
    const sent = gateway.sentTo('batchSend');
    expect(sent.map((s) => s.body.msgKey)).toEqual(['sampleText', 'sampleImageMsg']);
    expect(sent[1]?.msgParam).toEqual({ photoURL: gateway.uploads[0]?.mediaId });
  });

  it('retries an upload that answers 500 once, and the picture still goes once', async () => {
    gateway.failNext('upload', 500, { errcode: -1, errmsg: '系统繁忙' });
    const result = await channel.send(report({ chatId: 'cidManagers01' }));
    expect(result.status).toBe('sent');
    expect(gateway.hits.upload).toBe(2);
    expect(gateway.uploads).toHaveLength(1);
    expect(gateway.sentTo('groupSend').filter((s) => s.body.msgKey === 'sampleImageMsg')).toHaveLength(1);
  });

  it('fetches a new token once when the upload answers 40014 (token refused)', async () => {
    await channel.api.accessToken();
    gateway.expireTokens();
    const mediaId = await channel.api.uploadImage({ bytes: PNG, filename: 'report.png', contentType: 'image/png' });
    expect(gateway.tokenCalls).toBe(2);
    expect(gateway.hits.upload).toBe(2);
    expect(gateway.uploads.map((u) => u.mediaId)).toEqual([mediaId]);
  });

  it('leaves out a picture larger than 10 MB and sends the text', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024 + 1, 1).toString('base64');
    const result = await channel.send(report({ chatId: 'cidManagers01' }, { picture: { png: big, title: '大图' } }));
    expect(result.status).toBe('sent');
    expect(gateway.hits.upload).toBe(0);
    expect(gateway.sentTo('groupSend').map((s) => s.body.msgKey)).toEqual(['sampleText']);
  });
});

describe('fake DingTalk media/upload', () => {
  it('refuses a sampleImageMsg whose photoURL it never issued', async () => {
    const bad = await channel.api
      .sendToGroup('cidManagers01', {
        msgKey: 'sampleImageMsg',
        msgParam: { photoURL: '@lAnotIssued' },
      })
      .catch((err: unknown) => err);
    expect(bad).toMatchObject({ details: { status: 400, code: 'invalidParameter.photoURL' } });
    const ok = await channel.api.sendToGroup('cidManagers01', {
      msgKey: 'sampleImageMsg',
      msgParam: { photoURL: 'https://example.com/chart.png' },
    });
    expect(ok.processQueryKey).toMatch(/^pqk-/);
  });

  it('answers 40014 for a token it did not issue and 40004 for a type other than image', async () => {
    const form = () => {
      const f = new FormData();
      f.append('media', new Blob([PNG], { type: 'image/png' }), 'report.png');
      return f;
    };
    const badToken = await fetch(`${gateway.baseUrl}/media/upload?access_token=nope&type=image`, {
      method: 'POST',
      body: form(),
    });
    expect(await badToken.json()).toMatchObject({ errcode: 40014 });
    const token = await channel.api.accessToken();
    const badType = await fetch(`${gateway.baseUrl}/media/upload?access_token=${token}&type=voice`, {
      method: 'POST',
      body: form(),
    });
    expect(await badType.json()).toMatchObject({ errcode: 40004 });
    const noMedia = new FormData();
    noMedia.append('other', 'x');
    const missing = await fetch(`${gateway.baseUrl}/media/upload?access_token=${token}&type=image`, {
      method: 'POST',
      body: noMedia,
    });
    expect(await missing.json()).toMatchObject({ errcode: 41005 });
    expect(gateway.uploads).toHaveLength(0);
  });
});
