import { describe, expect, it } from 'vitest';
import { loadEnv, SECRET_KEYS } from '../../src/config/env.ts';
import { ErrorCode } from '../../src/domain/errors.ts';

describe('loadEnv', () => {
  it('runs with no environment at all: embedded defaults, sandbox on', () => {
    const env = loadEnv({});
    expect(env.PORT).toBe(3000);
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.REDIS_URL).toBeUndefined();
    expect(env.SANDBOX_ENABLED).toBe(true);
    expect(env.DATA_DIR).toBe('data');
  });

  it('reports every problem at once, each with its fix, in Chinese', () => {
    expect.assertions(5);
    try {
      loadEnv({ PORT: 'abc', DATABASE_URL: 'mysql://x', WECOM_CORP_ID: 'ww123', WECOM_ENCODING_AES_KEY: 'short' });
    } catch (err) {
      const e = err as { code: string; message: string };
      expect(e.code).toBe(ErrorCode.ConfigInvalid);
      expect(e.message).toContain('PORT');
      expect(e.message).toContain('DATABASE_URL 必须以 postgresql:// 开头');
      expect(e.message).toContain('WECOM_ENCODING_AES_KEY 必须是 43 位');
      expect(e.message).toMatch(/配置有 \d 处问题/);
    }
  });

  it('asks for the rest of a half-configured channel, naming where to find each key', () => {
    expect(() => loadEnv({ WECOM_CORP_ID: 'ww123' })).toThrow(/缺少 WECOM_TOKEN：.*接收消息/);
    expect(() => loadEnv({ DINGTALK_CLIENT_ID: 'ding1' })).toThrow(/缺少 DINGTALK_CLIENT_SECRET/);
  });

  it('takes the kf keep-alive hours as China-time "from-to" or "off", and says so otherwise', () => {
    expect(loadEnv({}).WECOM_KF_KEEPALIVE_HOURS).toBe('8-22');
    expect(loadEnv({ WECOM_KF_KEEPALIVE_HOURS: 'off' }).WECOM_KF_KEEPALIVE_HOURS).toBe('off');
    expect(() => loadEnv({ WECOM_KF_KEEPALIVE_HOURS: '9点到21点' })).toThrow(/WECOM_KF_KEEPALIVE_HOURS.*"8-22"/);
  });

  it('takes PUBLIC_BASE_URL only as an address, and says what it is for', () => {
    expect(loadEnv({ PUBLIC_BASE_URL: 'https://aftersales.example.com' }).PUBLIC_BASE_URL).toBe(
      'https://aftersales.example.com',
    );
    expect(() => loadEnv({ PUBLIC_BASE_URL: 'aftersales.example.com' })).toThrow(
      /PUBLIC_BASE_URL 必须是本服务的公网地址/,
    );
  });

  it('treats empty strings as unset (a blank line in .env is not a value)', () => {
    const env = loadEnv({ DATABASE_URL: '', WECOM_CORP_ID: '  ' });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.WECOM_CORP_ID).toBeUndefined();
  });

  it('lists the platform secrets for log redaction', () => {
    expect(SECRET_KEYS).toEqual(
      expect.arrayContaining(['WECOM_SECRET', 'WECOM_ENCODING_AES_KEY', 'DINGTALK_CLIENT_SECRET', 'DATABASE_URL']),
    );
  });
});

describe('.env.example', () => {
  it('documents every setting the service reads, and nothing else', async () => {
    const { readFileSync } = await import('node:fs');
    const { EnvSchema } = await import('../../src/config/env.ts');
    const documented = readFileSync('.env.example', 'utf8')
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => l.split('=')[0]);
    expect(new Set(documented)).toEqual(new Set(Object.keys(EnvSchema.shape)));
  });
});

describe('queue prefix', () => {
  it('separates embedded installs sharing one Redis, and is shared by all processes of a PostgreSQL deployment', () => {
    const a = loadEnv({ DATA_DIR: '/srv/shop-a/data' }).QUEUE_PREFIX;
    const b = loadEnv({ DATA_DIR: '/srv/shop-b/data' }).QUEUE_PREFIX;
    expect(a).toMatch(/^aftersales-[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
    expect(loadEnv({ DATABASE_URL: 'postgresql://x@db/y' }).QUEUE_PREFIX).toBe('aftersales');
    expect(loadEnv({ QUEUE_PREFIX: 'shop_a' }).QUEUE_PREFIX).toBe('shop_a');
  });
});
