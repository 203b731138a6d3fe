import { Resvg } from '@resvg/resvg-js';
import { describe, expect, it } from 'vitest';
import { healthOption, healthPicture, rootCauseOption, rootCausePicture } from '../../src/app/report-charts.ts';
import { healthHeadline, healthRows } from '../../src/domain/reports/health.ts';
import { type ProblemTicket, rootCauseMap } from '../../src/domain/reports/root-cause.ts';
import { chartSvg, renderOptions } from '../../src/lib/charts.ts';

const CUP = { sku: 'CUP-01', name: '陶瓷马克杯 350ml' };
const TEA = { sku: 'TEA-03', name: '明前龙井 250g 礼盒' };
/** A ticket opened at `hour` o'clock in China on 2026-11-25. */
const ticket = (problem: string, hour: number, items: ProblemTicket['items']): ProblemTicket => ({
  problem,
  summary: '坏了',
  createdAt: new Date(Date.UTC(2026, 10, 24, hour + 16)),
  items,
});

/** Width and height of a PNG, from its IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

type Heat = { data: number[][] };

describe('the report pictures', () => {
  const map = rootCauseMap([
    ticket('damaged', 21, [CUP]),
    ticket('damaged', 22, [CUP]),
    ticket('quality', 10, [CUP]),
    ticket('wrong_item', 15, [TEA]),
  ]);

  it('the heat map puts the worst goods on top, problems in Chinese, and counts each cell', () => {
    const { option } = rootCauseOption(map, '本周');
    const y = (option.yAxis as { data: string[] }[])[0]?.data;
    expect(y).toEqual(['陶瓷马克杯 350ml（CUP-01）', '明前龙井 250g 礼盒（TEA-03）']);
    const x = option.xAxis as { data: string[] }[];
    // Most tickets first; a tie in the order of the problem's key (quality before wrong_item).
    expect(x[0]?.data).toEqual(['商品破损', '质量问题', '发错货']);
    expect(x[1]?.data).toEqual(['0–4 点', '4–8 点', '8–12 点', '12–16 点', '16–20 点', '20–24 点']);
    const [byProblem, byBand] = option.series as Heat[];
    // [column, row, tickets]: the cup broke twice and failed once; the tea was the wrong goods; empty cells left out.
    expect(byProblem?.data).toEqual([
      [0, 0, 2],
      [1, 0, 1],
      [2, 1, 1],
    ]);
    expect(byBand?.data).toEqual([
      [2, 0, 1],
      [5, 0, 2],
      [3, 1, 1],
    ]);
  });

  it('the heat map is a PNG with its title; a week without goods to blame has no picture', async () => {
    const picture = await rootCausePicture(map, '11/24 09:00 至 12/1 09:00');
    expect(picture?.title).toBe('售后根因热力图');
    const { width, height } = rootCauseOption(map, '本周');
    expect(pngSize(Buffer.from(picture?.png ?? '', 'base64'))).toEqual({ width: width * 2, height: height * 2 });
    expect(await rootCausePicture(rootCauseMap([ticket('damaged', 3, [])]), '本周')).toBeUndefined();
  });

  it('the health card shows each number in the colour of its verdict', async () => {
    const rows = healthRows({
      credibility: 0.5,
      signed: 2,
      syncOrders: 0,
      responded: 0,
      orderChanges: 0,
      checkedOrders: 0,
    });
    const { option } = healthOption(rows, healthHeadline(rows), '近 7 天');
    expect((option.title as { text: string }).text).toBe('订单健康日报 · 0/1 项达标');
    const texts = (option.graphic as { type: string; style: { text?: string; fill?: string } }[])
      .filter((g) => g.type === 'text')
      .map((g) => [g.style.text, g.style.fill]);
    expect(texts).toContainEqual(['50.0%', '#c62828']);
    expect(texts).toContainEqual(['风险', '#c62828']);
    expect(texts).toContainEqual(['暂无数据', '#9e9e9e']);
    const picture = await healthPicture(rows, healthHeadline(rows), '近 7 天');
    expect(pngSize(Buffer.from(picture.png, 'base64')).width).toBe(760 * 2);
  });

  it('draws Chinese text with the bundled font, on a server without CJK fonts', async () => {
    // resvg leaves out text it has no font for, so dark pixels where the title is mean the glyphs were drawn.
    const darkPixels = async (title: string) => {
      const svg = await chartSvg({ title: { text: title, left: 'center', top: 10 } }, { width: 300, height: 60 });
      const pixels = new Resvg(svg, renderOptions(1)).render().pixels;
      let dark = 0;
      for (let i = 0; i < pixels.length; i += 4) if ((pixels[i] ?? 255) < 128) dark++;
      return dark;
    };
    expect(await darkPixels('')).toBe(0);
    expect(await darkPixels('售后根因热力图')).toBeGreaterThan(200);
  });
});
