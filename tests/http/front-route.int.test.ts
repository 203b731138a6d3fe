import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appXml, buildCallback } from '../support/fake-wecom-server.ts';
import { WECOM_APP as creds, startWecomService, type WecomTestService } from '../support/wecom-service.ts';

/** POST /wecom/callback is served on node:http ahead of Fastify (http/server.ts FrontRoute). */
describe('the WeCom callback front route answers like the Fastify routes', () => {
  let svc: WecomTestService;
  beforeAll(async () => {
    svc = await startWecomService();
  });
  afterAll(() => svc.stop());

  const raw = (cb: { url: string; body: string; contentType: string }) =>
    fetch(svc.base + cb.url, { method: 'POST', headers: { 'content-type': cb.contentType }, body: cb.body });

  it('an accepted callback: an empty 200; a forged one: 401 with the coded JSON error; both in the metrics', async () => {
    const ok = await raw(buildCallback(creds, appXml.text({ from: 'front1', content: '你好', msgId: '6100000001' })));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('');
    const forged = await raw(
      buildCallback({ ...creds, token: 'forged' }, appXml.text({ from: 'x', content: 'hi', msgId: '6100000002' })),
    );
    expect(forged.status).toBe(401);
    expect(forged.headers.get('content-type')).toMatch(/application\/json/);
    expect(await forged.json()).toEqual({
      error: { code: 'signature_invalid', message: expect.stringMatching(/签名/) },
    });

    const metrics = await (await fetch(`${svc.base}/metrics`)).text();
    expect(metrics).toMatch(
      /aftersales_http_request_duration_seconds_count\{route="\/wecom\/callback",status="200"\} 1\b/,
    );
    expect(metrics).toMatch(
      /aftersales_http_request_duration_seconds_count\{route="\/wecom\/callback",status="401"\} 1\b/,
    );
  });

  it('other methods and paths still go through Fastify', async () => {
    const notFound = await fetch(`${svc.base}/wecom/callbackx?a=1`, { method: 'POST', body: 'x' });
    expect(notFound.status).toBe(404);
    expect(((await notFound.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const verify = await fetch(`${svc.base}/wecom/callback?msg_signature=x&timestamp=1&nonce=1`);
    expect(verify.status).toBe(401); // GET is URL verification (Fastify route): no echostr → coded error
  });
});
