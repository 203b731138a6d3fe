import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../../src/channels/channel.ts';
import type { SendBudget } from '../../../src/channels/outbound/budget-store.ts';
import type { PictureLinks } from '../../../src/channels/outbound/picture.ts';
import type { WecomApiClient, WecomChannel } from '../../../src/channels/wecom/index.ts';
import { CodedError, ErrorCode } from '../../../src/domain/errors.ts';
import { FakeWecomServer } from '../../support/fake-wecom-server.ts';
import { testPng } from '../../support/png.ts';
import { fakeWecomChannel, testRedis } from './helpers.ts';

let fake: FakeWecomServer;
let redis: Redis;
let cleanup: () => Promise<void>;
let api: WecomApiClient;
let budget: SendBudget;
let channel: WecomChannel;
let prefix: string;

beforeEach(async () => {
  fake = await new FakeWecomServer().start();
  ({ redis, prefix, cleanup } = await testRedis());
  ({ api, budget, channel } = fakeWecomChannel(fake, redis, prefix, {
    groupWebhooks: { managers: fake.webhookUrl('KEY-MGR') },
    staffGroup: 'managers',
  }));
});
afterEach(async () => {
  await channel.stop();
  await fake.stop();
  await cleanup();
});

const chart = testPng(64, 48);
const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');
let seq = 0;
const report = (target: OutboundMessage['target'], picture = chart): OutboundMessage => ({
  channel: 'wecom',
  target,
  kind: 'push',
  text: '【订单健康日报】今日新增工单 12 个，已解决 9 个。',
  picture: { png: picture.toString('base64'), title: '订单健康日报' },
  dedupeKey: `report-${++seq}`,
});
/** The API calls made, in order, without the token fetches. */
const calls = () => fake.received.map((r) => r.path.replace('/cgi-bin/', '')).filter((p) => p !== 'gettoken');

describe('app message with a picture', () => {
  it('sends the text, then uploads the PNG, then an image message with that media_id', async () => {
    const result = await channel.send(report({ userRef: 'manager1' }));
    expect(result).toMatchObject({ status: 'sent' });
    expect(result.platformIds).toHaveLength(2);
    expect(calls()).toEqual(['message/send', 'media/upload', 'message/send']);
    const [upload] = fake.uploads;
    expect(upload).toMatchObject({ type: 'image', filename: 'report.png', contentType: 'image/png' });
    expect(upload?.bytes.equals(chart)).toBe(true);
    expect(fake.appMessages.map((m) => [m.touser, m.msgtype])).toEqual([
      ['manager1', 'text'],
      ['manager1', 'image'],
    ]);
    expect(fake.appMessages[0]?.content).toBe('【订单健康日报】今日新增工单 12 个，已解决 9 个。');
    expect(fake.appMessages[1]?.body.image).toEqual({ media_id: upload?.mediaId });
  });

  it('an upload answered with 42001 refreshes the token once and the picture still arrives', async () => {
    fake.script('media/upload', { errcode: 42001, errmsg: 'access_token expired' });
    expect(await channel.send(report({ userRef: 'manager1' }))).toMatchObject({ status: 'sent' });
    expect(fake.tokenCalls).toBe(2);
    expect(fake.appMessages.map((m) => m.msgtype)).toEqual(['text', 'image']);
  });

  it('an upload refused for good leaves the message sent, text only, with the reason', async () => {
    fake.script('media/upload', { errcode: 40004, errmsg: 'invalid media type' });
    const result = await channel.send(report({ userRef: 'manager1' }));
    expect(result).toMatchObject({ status: 'sent', error: expect.stringContaining('图片未能发送') });
    expect(fake.appMessages.map((m) => m.msgtype)).toEqual(['text']);
  });

  it('an upload that keeps failing with HTTP 502 is thrown for a retry, which delivers the picture', async () => {
    fake.script('media/upload', { status: 502 }, { status: 502 }, { status: 502 });
    const message = report({ userRef: 'manager1' });
    await expect(channel.send(message)).rejects.toMatchObject({ details: { transient: true } });
    expect(await channel.send(message)).toMatchObject({ status: 'sent' });
    expect(fake.appMessages.at(-1)?.msgtype).toBe('image');
    expect(fake.uploads).toHaveLength(1);
  });

  it('the fake refuses an image message whose media_id it never issued (40007)', async () => {
    await expect(
      api.sendAppMessage('manager1', { msgtype: 'image', image: { media_id: 'made-up' } }),
    ).rejects.toMatchObject({ details: { errcode: 40007 } });
  });
});

describe('group robot with a picture', () => {
  it('sends the text, then one image with the base64 and md5 of the raw PNG', async () => {
    expect(await channel.send(report({ chatId: 'managers' }))).toMatchObject({ status: 'sent' });
    expect(fake.robotMessages.map((m) => [m.key, m.msgtype])).toEqual([
      ['KEY-MGR', 'text'],
      ['KEY-MGR', 'image'],
    ]);
    const image = fake.robotMessages[1]?.image;
    expect(image?.bytes.equals(chart)).toBe(true);
    expect(image?.md5).toBe(md5(chart));
  });

  it('a picture over 2 MB is left out: text only, status sent', async () => {
    const big = testPng(1000, 720, { noise: true });
    expect(big.length).toBeGreaterThan(2 * 1024 * 1024);
    expect(await channel.send(report({ chatId: 'managers' }, big))).toMatchObject({ status: 'sent' });
    expect(fake.robotMessages.map((m) => m.msgtype)).toEqual(['text']);
  });

  it('the fake refuses an image whose md5 does not match its bytes', async () => {
    const body = { msgtype: 'image' as const, image: { base64: chart.toString('base64'), md5: md5(Buffer.from('x')) } };
    await expect(api.sendGroupRobot(fake.webhookUrl('KEY-MGR'), body)).rejects.toMatchObject({
      details: { errcode: 40009 },
    });
    expect(fake.robotMessages).toEqual([]);
  });
});

describe('微信客服 customer', () => {
  it('gets the text only: kf sends carry no picture', async () => {
    fake.customerWrites('wkSHOP', 'wmVIP', '我的订单什么时候发货');
    await budget.noteCustomerMessage('wkSHOP', 'wmVIP', fake.nowMs);
    const message: OutboundMessage = {
      ...report({ userRef: 'wmVIP' }),
      channel: 'wecom_kf',
      kind: 'reply',
      replyContext: { open_kfid: 'wkSHOP' },
    };
    expect(await channel.send(message)).toMatchObject({ status: 'sent' });
    expect(fake.kfSent.map((s) => [s.msgtype, s.content])).toEqual([
      ['text', '【订单健康日报】今日新增工单 12 个，已解决 9 个。'],
    ]);
    expect(fake.uploads).toEqual([]);
    expect(calls()).not.toContain('media/upload');
  });
});

describe('智能机器人 reply with a picture (response_url takes markdown only)', () => {
  const linked: { dedupeKey: string; png: Buffer; title: string }[] = [];
  let failLinks = 0;
  const pictureLinks: PictureLinks = {
    async link(dedupeKey, picture) {
      if (failLinks > 0) {
        failLinks--;
        throw new CodedError(ErrorCode.DatabaseUnavailable, '数据库暂不可用', { transient: true });
      }
      const known = linked.findIndex((l) => l.dedupeKey === dedupeKey);
      if (known < 0) linked.push({ dedupeKey, ...picture });
      return `https://aftersales.example.com/pictures/tok${known < 0 ? linked.length - 1 : known}.png`;
    },
  };
  const botChannel = (links?: PictureLinks) =>
    fakeWecomChannel(fake, redis, prefix, links ? { pictureLinks: links } : {}).channel;
  const botReport = (code: string, picture = chart): OutboundMessage => ({
    ...report({ userRef: 'zhangsan', chatId: 'wrGroup1' }, picture),
    channel: 'wecom_bot',
    kind: 'reply',
    replyContext: { responseUrl: fake.responseUrl(code), chatId: 'wrGroup1' },
  });
  beforeEach(() => {
    linked.length = 0;
    failLinks = 0;
  });

  it('the markdown ends with the chart linked from our public address; the link carries the exact PNG', async () => {
    const bot = botChannel(pictureLinks);
    expect(await bot.send(botReport('rc-pic'))).toMatchObject({ status: 'sent' });
    expect(fake.botReplies).toEqual([
      {
        responseCode: 'rc-pic',
        content:
          '【订单健康日报】今日新增工单 12 个，已解决 9 个。\n\n![订单健康日报](https://aftersales.example.com/pictures/tok0.png)',
      },
    ]);
    expect(linked).toHaveLength(1);
    expect(linked[0]?.png.equals(chart)).toBe(true);
    expect(calls()).not.toContain('media/upload');
  });

  it('a link that cannot be made yet is thrown for a retry, and the retry still has its response_url', async () => {
    const bot = botChannel(pictureLinks);
    failLinks = 1;
    const message = botReport('rc-retry');
    await expect(bot.send(message)).rejects.toMatchObject({ details: { transient: true } });
    expect(fake.botReplies).toEqual([]);
    expect(await bot.send(message)).toMatchObject({ status: 'sent' });
    expect(fake.botReplies.map((r) => r.content)).toEqual([expect.stringMatching(/\(https:\S+\/tok0\.png\)$/)]);
  });

  it('a long text is cut to leave room for the picture; the link is never cut', async () => {
    const bot = botChannel(pictureLinks);
    const long = { ...botReport('rc-long'), text: '数据'.repeat(2000) };
    expect(await bot.send(long)).toMatchObject({ status: 'sent' });
    const content = fake.botReplies[0]?.content ?? '';
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(4096);
    expect(content).toMatch(/…\n\n!\[订单健康日报\]\(https:\S+\/tok0\.png\)$/);
  });

  it('without a public address, or with a picture over 2 MB, the reply is the text alone', async () => {
    expect(await botChannel().send(botReport('rc-none'))).toMatchObject({ status: 'sent' });
    const big = testPng(1000, 720, { noise: true });
    expect(await botChannel(pictureLinks).send(botReport('rc-big', big))).toMatchObject({ status: 'sent' });
    expect(fake.botReplies.map((r) => r.content)).toEqual([
      '【订单健康日报】今日新增工单 12 个，已解决 9 个。',
      '【订单健康日报】今日新增工单 12 个，已解决 9 个。',
    ]);
    expect(linked).toEqual([]);
  });
});
