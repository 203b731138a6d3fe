import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type ResvgRenderOptions, renderAsync } from '@resvg/resvg-js';
import type { EChartsOption } from 'echarts';

/**
 * Charts as PNG pictures for chat (the managers' reports): Apache ECharts renders the option to SVG on the server,
 * resvg turns the SVG into a PNG with a bundled Simplified Chinese font (Noto Sans Hans, from @embedpdf/fonts-sc),
 * so the picture reads the same on a server without any CJK font installed.
 */

/** The font family the charts name; resvg falls back to it for any text. */
export const CHART_FONT = 'Noto Sans Hans';

const fontDir = join(dirname(createRequire(import.meta.url).resolve('@embedpdf/fonts-sc')), '..', 'fonts');
const FONT_FILES = ['NotoSansHans-Regular.otf', 'NotoSansHans-Bold.otf'].map((f) => join(fontDir, f));

/** ECharts is large (≈ 0.5–0.8 s to load): loaded on the first chart, not at start-up. */
let echartsModule: Promise<typeof import('echarts')> | undefined;
const loadEcharts = () => {
  echartsModule ??= import('echarts');
  return echartsModule;
};

export interface ChartSize {
  width: number;
  height: number;
  /** Pixels per chart unit in the PNG (2 = sharp on phones). */
  scale?: number;
}

/** The option drawn as SVG (no animation; a white background). */
export async function chartSvg(option: EChartsOption, size: ChartSize): Promise<string> {
  const echarts = await loadEcharts();
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: size.width, height: size.height });
  try {
    chart.setOption({
      animation: false,
      backgroundColor: '#ffffff',
      textStyle: { fontFamily: CHART_FONT },
      ...option,
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/**
 * How resvg draws the charts: with the bundled font only (no system fonts, so a picture looks the same on every
 * server; without any font resvg would leave the text out).
 */
export const renderOptions = (scale = 2): ResvgRenderOptions => ({
  font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: CHART_FONT },
  fitTo: { mode: 'zoom', value: scale },
});

/** The option drawn as a PNG. Rendering runs off the event loop (resvg's thread pool). */
export async function chartPng(option: EChartsOption, size: ChartSize): Promise<Buffer> {
  const svg = await chartSvg(option, size);
  return (await renderAsync(svg, renderOptions(size.scale))).asPng();
}
