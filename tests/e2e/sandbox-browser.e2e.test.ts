import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))('the /sandbox page in a real browser (Debian chromium)', () => {
  let svc: TestService;
  let browser: Browser;
  beforeAll(async () => {
    svc = await startTestService();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
  });

  it('a customer types a message and sees the bot reply; the inbox pane shows what a user received', async () => {
    const page = await browser.newPage();
    await page.goto(`${svc.base}/sandbox`);
    await expect(page.title()).resolves.toBe('售后分诊助手 · 沙盒');
    // The managers' reports are one click away.
    await expect(page.locator('#dashboard-link').getAttribute('href')).resolves.toBe('/dashboard');
    await page.fill('#user', 'web-c1');
    await page.fill('#text', '我的订单到哪了');
    await page.click('#send');
    const bot = page.locator('#log .msg.bot').first();
    await bot.waitFor({ timeout: 15_000 });
    const replyText = (await bot.textContent()) ?? '';
    expect(replyText.length).toBeGreaterThan(2);
    await expect(page.locator('#log .msg.me').first().textContent()).resolves.toContain('我的订单到哪了');

    await page.fill('#inbox-user', 'web-c1');
    await page.dispatchEvent('#inbox-user', 'change');
    await page.locator('#inbox .msg').first().waitFor({ timeout: 5000 });
    await expect(page.locator('#inbox-count').textContent()).resolves.toBe('1 条');
  });

  it('the 📷 button sends a photo the way a platform delivers one, and the bot asks what happened', async () => {
    const page = await browser.newPage();
    await page.goto(`${svc.base}/sandbox`);
    await page.fill('#user', 'web-photo');
    await page.click('#send-photo');
    const bot = page.locator('#log .msg.bot').first();
    await bot.waitFor({ timeout: 15_000 });
    await expect(bot.textContent()).resolves.toContain('收到您的图片');
    await expect(page.locator('#log .msg.me').first().textContent()).resolves.toContain('[图片]');
  });

  it('a supervisor asks 健康日报 in a group and sees the report with its picture', async () => {
    const page = await browser.newPage();
    await page.goto(`${svc.base}/sandbox`);
    await page.fill('#user', 'sup1');
    await page.selectOption('#role', 'staff');
    await page.fill('#chat', 'g1');
    await page.fill('#text', '@bot 健康日报');
    await page.click('#send');
    const bot = page.locator('#log .msg.bot').first();
    await bot.waitFor({ timeout: 15_000 });
    await expect(bot.textContent()).resolves.toContain('订单与售后健康日报');
    const img = bot.locator('img.picture');
    await expect(img.getAttribute('alt')).resolves.toBe('订单健康日报');
    // Drawn by the browser: a PNG it could decode, at the card's size (760 px wide, twice for sharp phones).
    await expect
      .poll(() => img.evaluate((i) => (i as unknown as { naturalWidth: number }).naturalWidth), { timeout: 5000 })
      .toBe(1520);
  });

  it('👋 opens the chat as a customer: the welcome shows answers to tap, and a tap is sent and answered', async () => {
    const page = await browser.newPage();
    await page.goto(`${svc.base}/sandbox`);
    await page.fill('#user', 'web-hello');
    await page.click('#enter-session');
    const welcome = page.locator('#log .msg.bot').first();
    await welcome.waitFor({ timeout: 15_000 });
    await expect(welcome.textContent()).resolves.toContain('您好，我是售后助手');
    const choices = welcome.locator('.choices button');
    await expect(choices.allTextContents()).resolves.toEqual([
      '我的快递到哪了',
      '催一下发货',
      '我要退款',
      '商品有质量问题',
      '转人工客服',
    ]);
    await choices.filter({ hasText: '转人工客服' }).click();
    const answer = page.locator('#log .msg.bot').nth(1);
    await answer.waitFor({ timeout: 15_000 });
    await expect(page.locator('#log .msg.me').nth(1).textContent()).resolves.toContain('转人工客服');
    await expect(answer.textContent()).resolves.toContain('人工客服');
  });

  it('a resolution notice in the inbox offers the rating; tapping 满意 answers as that customer', async () => {
    const opened = await svc.post('/api/sandbox/messages', { user: 'web-rate', text: '少发了一个杯盖' });
    const id = Number(/工单 #(\d+)/.exec(opened.json.replies[0].text)?.[1]);
    await svc.post('/api/sandbox/messages', { user: 'agent1', role: 'staff', text: `@bot 解决 #${id} 已补发` });
    const page = await browser.newPage();
    await page.goto(`${svc.base}/sandbox`);
    await page.fill('#inbox-user', 'web-rate');
    await page.dispatchEvent('#inbox-user', 'change');
    const rate = page.locator('#inbox .msg .choices button', { hasText: /^满意$/ });
    await rate.waitFor({ timeout: 5000 });
    await rate.click();
    const thanks = page.locator('#log .msg.bot').first();
    await thanks.waitFor({ timeout: 15_000 });
    await expect(thanks.textContent()).resolves.toContain('感谢您的评价');
    await expect(page.locator('#log .msg.me').first().textContent()).resolves.toContain('web-rate');
    const events = await svc.db.prisma.ticketEvent.findMany({ where: { ticketId: id, type: 'rating' } });
    expect(events.map((e) => e.reason)).toEqual(['评价本次处理：满意']);
  });
});
