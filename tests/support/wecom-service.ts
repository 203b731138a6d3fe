import type { Role } from '../../src/main.ts';
import { type CallbackCredentials, FakeWecomServer } from './fake-wecom-server.ts';
import { inboxEntriesAdded, PrivateRedis } from './redis.ts';
import { startTestService, type TestService } from './service.ts';

/** The EncodingAESKey of the test app (43 alphanumerics, as the admin console issues it). */
export const WECOM_AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';

/** The self-built app's callback credentials: what `buildCallback` signs with and the service checks. */
export const WECOM_APP: CallbackCredentials = { token: 'QDG6eK', encodingAesKey: WECOM_AES_KEY, receiveId: 'wwcorp' };

/** A callback as `buildCallback` makes it. */
export type WecomCallback = { url: string; body: string; contentType: string };

export interface WecomTestService extends TestService {
  /** The local WeCom API the service sends to (gettoken, message/send, kf, robots). */
  fake: FakeWecomServer;
  /** POSTs a callback to the service as WeCom would; the status and the raw answer. */
  postCallback(cb: WecomCallback): Promise<{ status: number; text: string }>;
  /** With `durableRedis`: the entries ever added to the callback inbox; otherwise undefined. */
  inboxEntries(): Promise<number | undefined>;
}

/**
 * Starts a fake WeCom server and the real service configured as the WeCom app `WECOM_APP` talking to it
 * (the fake's default corp `wwcorp` with its `app-secret`). `kf` adds the 微信客服 secret; `staffGroup` a
 * staff group robot (webhook key `KEY-STAFF`); `managersGroup` the managers' group robot (`KEY-MGR`); `env` adds or overrides settings.
 * `durableRedis` runs the service on a private Redis that fsyncs every write, so callbacks take the callback inbox.
 * `stop()` stops them all.
 */
export async function startWecomService(
  opts: {
    env?: Record<string, string>;
    role?: Role;
    kf?: boolean;
    staffGroup?: boolean;
    managersGroup?: boolean;
    durableRedis?: boolean;
  } = {},
): Promise<WecomTestService> {
  const fake = await new FakeWecomServer().start();
  const redis = opts.durableRedis ? await PrivateRedis.start({ durable: true }) : undefined;
  let svc: TestService;
  try {
    svc = await startTestService({
      env: {
        ...(redis ? { REDIS_URL: redis.url } : {}),
        WECOM_CORP_ID: WECOM_APP.receiveId,
        WECOM_AGENT_ID: '1000002',
        WECOM_SECRET: 'app-secret',
        ...(opts.kf ? { WECOM_KF_SECRET: 'kf-secret' } : {}),
        ...(opts.staffGroup ? { WECOM_STAFF_WEBHOOK: fake.webhookUrl('KEY-STAFF') } : {}),
        ...(opts.managersGroup ? { WECOM_MANAGER_WEBHOOK: fake.webhookUrl('KEY-MGR') } : {}),
        WECOM_TOKEN: WECOM_APP.token,
        WECOM_ENCODING_AES_KEY: WECOM_AES_KEY,
        WECOM_API_BASE: fake.baseUrl,
        ...opts.env,
      },
      ...(opts.role ? { role: opts.role } : {}),
    });
  } catch (err) {
    await fake.stop();
    await redis?.stop();
    throw err;
  }
  return {
    ...svc,
    fake,
    async postCallback(cb) {
      const res = await fetch(svc.base + cb.url, {
        method: 'POST',
        headers: { 'content-type': cb.contentType },
        body: cb.body,
      });
      return { status: res.status, text: await res.text() };
    },
    inboxEntries: async () => (redis ? inboxEntriesAdded(redis.url) : undefined),
    async stop() {
      await svc.stop();
      await fake.stop();
      await redis?.stop();
    },
  };
}
