import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryNonceStore } from '../../../src/channels/wecom/nonce-store.ts';
import { registerWecomRoutes, type WecomCallbackConfig } from '../../../src/channels/wecom/routes.ts';
import vectors from '../../fixtures/wecom/official-vectors.json' with { type: 'json' };
import { appXml, botTextJson, buildCallback, buildEcho } from '../../support/fake-wecom-server.ts';
import { MemoryIngest, postRaw, testServer } from './helpers.ts';

const A = vectors.sets.A;
const vector = (prefix: string) => {
  const v = vectors.vectors.find((x) => x.name.startsWith(prefix));
  if (!v) throw new Error(`fixture ${prefix} missing`);
  return v;
};
const BOT = { token: 'botToken123', encodingAesKey: vectors.sets.B.encodingAesKey, receiveId: '' };
const APP = { token: A.token, encodingAesKey: A.encodingAesKey, receiveId: A.receiveId };
const config: WecomCallbackConfig = {
  corpId: A.receiveId,
  token: A.token,
  encodingAesKey: A.encodingAesKey,
  bot: { token: BOT.token, encodingAesKey: BOT.encodingAesKey },
  bodyLimitBytes: 8 * 1024,
};

let app: FastifyInstance;
let base: string;
let store: MemoryIngest;
let kfJobs: Array<{ openKfId: string; token: string }>;
let nowMs: number;

beforeEach(async () => {
  store = new MemoryIngest();
  kfJobs = [];
  nowMs = Date.now();
  // The real server: POST /wecom/callback is its front route, reached over HTTP (not app.inject).
  ({ app, url: base } = await testServer((a, front) =>
    registerWecomRoutes(
      a,
      {
        config,
        ingest: store.ingest,
        nonces: createMemoryNonceStore(() => nowMs),
        enqueueKfSync: async (openKfId, token) => void kfJobs.push({ openKfId, token }),
        now: () => nowMs,
      },
      front,
    ),
  ));
});
afterEach(() => app.close());

const post = (req: { url: string; body: string; contentType: string }) =>
  postRaw(base + req.url, req.body, req.contentType);
const staffText = (msgId: string, content = '查一下订单 SO123') =>
  buildCallback(APP, appXml.text({ from: 'lisi', content, msgId, corpId: A.receiveId }));

describe('GET /wecom/callback — URL verification', () => {
  it('A1: answers exactly the decrypted echostr, raw', async () => {
    const v = vector('A1');
    nowMs = Number(v.timestamp) * 1000;
    const url = `/wecom/callback?msg_signature=${v.signature}&timestamp=${v.timestamp}&nonce=${v.nonce}&echostr=${v.echostrUrlEncoded}`;
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('1616140317555161061');
  });

  it('a wrong signature → 401 signature_invalid', async () => {
    const v = vector('A1');
    nowMs = Number(v.timestamp) * 1000;
    const url = `/wecom/callback?msg_signature=${'0'.repeat(40)}&timestamp=${v.timestamp}&nonce=${v.nonce}&echostr=${v.echostrUrlEncoded}`;
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('signature_invalid');
  });

  it('the 智能机器人 verification decrypts with receiveid ""', async () => {
    const res = await app.inject({
      method: 'GET',
      url: buildEcho(BOT, '5927412398776', { path: '/wecom/bot/callback' }),
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('5927412398776');
  });

  it('an echostr containing + / = survives (decoded once, + is not a space)', async () => {
    for (let i = 0; i < 20; i++) {
      const res = await app.inject({ method: 'GET', url: buildEcho(APP, `echo-${i}-${'x'.repeat(i)}`) });
      expect(res.body).toBe(`echo-${i}-${'x'.repeat(i)}`);
    }
  });
});

describe('POST /wecom/callback', () => {
  it('A2 (official vector): staff text is ingested with its exact 64-bit MsgId; empty 200', async () => {
    const v = vector('A2');
    nowMs = Number(v.timestamp) * 1000;
    const url = `/wecom/callback?msg_signature=${v.signature}&timestamp=${v.timestamp}&nonce=${v.nonce}`;
    const res = await postRaw(base + url, v.body ?? '');
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('');
    expect(store.rows).toEqual([
      expect.objectContaining({
        channel: 'wecom',
        role: 'staff',
        platformMsgId: '4561255354251345929',
        userRef: 'mycreate',
        text: 'hello',
      }),
    ]);
  });

  it('duplicate delivery (WeCom retry with a new nonce) → 200 twice, one stored message', async () => {
    expect((await post(staffText('7001'))).statusCode).toBe(200);
    expect((await post(staffText('7001'))).statusCode).toBe(200);
    expect(store.texts()).toEqual(['查一下订单 SO123']);
    expect(store.answers).toEqual(['accepted', 'duplicate']);
  });

  it('an exact replay of an accepted request → 409 replay_detected', async () => {
    const req = staffText('7002');
    expect((await post(req)).statusCode).toBe(200);
    const replay = await post(req);
    expect(replay.statusCode).toBe(409);
    expect(replay.json().error).toMatchObject({ code: 'replay_detected', message: expect.stringContaining('nonce') });
  });

  it('a tampered signature → 401 and nothing stored', async () => {
    const req = staffText('7003');
    const tampered = req.url.replace(/msg_signature=(.)/, (_m, c: string) => `msg_signature=${c === 'a' ? 'b' : 'a'}`);
    const res = await post({ ...req, url: tampered });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('signature_invalid');
    expect(store.rows).toHaveLength(0);
  });

  it('missing signature parameters → 401 with a Chinese message', async () => {
    const res = await postRaw(`${base}/wecom/callback`, '<xml></xml>');
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toContain('缺少签名参数');
  });

  it('a correctly signed request 10 minutes old → 401 timestamp_stale, nothing stored', async () => {
    const req = buildCallback(APP, appXml.text({ from: 'u', content: 'x', msgId: '7004' }), {
      timestamp: Math.floor(nowMs / 1000) - 600,
    });
    const res = await post(req);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('timestamp_stale');
    expect(store.rows).toHaveLength(0);
  });

  it('a body over the limit → 413 payload_too_large, nothing stored', async () => {
    const req = staffText('7005', '长'.repeat(4000));
    const res = await post(req);
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toMatchObject({ code: 'payload_too_large', message: expect.stringContaining('KB') });
    expect(store.rows).toHaveLength(0);
  });

  it('malformed XML → 400 with a Chinese message; nothing stored; a valid message afterwards still works', async () => {
    const bad = await postRaw(
      `${base}/wecom/callback?msg_signature=abc&timestamp=1&nonce=2`,
      '<xml><Encrypt><![CDATA[abc',
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'malformed_body', message: expect.stringContaining('XML') });
    expect((await post(staffText('7006'))).statusCode).toBe(200);
    expect(store.texts()).toEqual(['查一下订单 SO123']);
  });

  it('a signed envelope whose decrypted XML is garbage → 400, nothing stored, the nonce stays usable', async () => {
    const res = await post(buildCallback(APP, '<xml><MsgType>text</MsgType>'));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/XML/);
    expect(store.rows).toHaveLength(0);
  });

  it('a message encrypted for another corp → 403 receiver_mismatch', async () => {
    const res = await post(
      buildCallback({ ...APP, receiveId: 'wwOTHER' }, appXml.text({ from: 'u', content: 'x', msgId: '7007' })),
    );
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('receiver_mismatch');
  });

  it('kf_msg_or_event → one sync job with the token and open_kfid; nothing ingested', async () => {
    const res = await post(buildCallback(APP, appXml.kfEvent({ openKfId: 'wkKF1', token: 'ENCabc' })));
    expect(res.statusCode).toBe(200);
    expect(kfJobs).toEqual([{ openKfId: 'wkKF1', token: 'ENCabc' }]);
    expect(store.rows).toHaveLength(0);
  });

  it('a card button click ack:<ticket>:<level> becomes the text 收到 #<ticket>; its retry is deduped', async () => {
    const click = appXml.cardEvent({ from: 'manager1', eventKey: 'ack:T42:2', createTime: 1700000000 });
    await post(buildCallback(APP, click));
    await post(buildCallback(APP, click));
    expect(store.rows).toEqual([
      expect.objectContaining({ channel: 'wecom', userRef: 'manager1', text: '收到 #T42', role: 'staff' }),
    ]);
  });

  it('ingest failure → 500 and the same request may be retried (nonce not burnt)', async () => {
    const req = staffText('7008');
    store.failOn = () => true;
    expect((await post(req)).statusCode).toBe(500);
    store.failOn = undefined;
    expect((await post(req)).statusCode).toBe(200);
    expect(store.texts()).toEqual(['查一下订单 SO123']);
  });
});

describe('POST /wecom/bot/callback (智能机器人)', () => {
  it('a group @-mention is ingested as wecom_bot staff text without the mention', async () => {
    const json = botTextJson({
      msgId: 'bot-1',
      from: 'wangwu',
      chatId: 'wrGRP',
      content: '@售后助手 查 SO777',
      responseUrl: 'https://q/r',
    });
    const res = await post(buildCallback(BOT, json, { path: '/wecom/bot/callback', format: 'json' }));
    expect(res.statusCode).toBe(200);
    expect(store.rows).toEqual([
      expect.objectContaining({
        channel: 'wecom_bot',
        role: 'staff',
        userRef: 'wangwu',
        chatId: 'wrGRP',
        text: '查 SO777',
        replyContext: { responseUrl: 'https://q/r', chatId: 'wrGRP' },
      }),
    ]);
  });

  it('an app-signed body on the bot route → 401 (different token)', async () => {
    const res = await post(
      buildCallback(APP, botTextJson({ msgId: 'b2', from: 'u', content: 'x' }), {
        path: '/wecom/bot/callback',
        format: 'json',
      }),
    );
    expect(res.statusCode).toBe(401);
  });
});
