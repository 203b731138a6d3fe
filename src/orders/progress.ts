import cliProgress from 'cli-progress';

/**
 * A progress bar on an interactive terminal (stderr, so piped stdout stays clean); nothing otherwise.
 * Driven by bytes read, which is known up front, unlike the row count.
 */
export function createProgress(label: string, stream: NodeJS.WriteStream = process.stderr) {
  if (!stream.isTTY) return { update: (_bytes: number, _total: number, _rows: number) => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${label} [{bar}] {percentage}% | {rows} 行 | {rate} 行/秒 | 剩余 {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let running = false;
  return {
    update(bytes: number, total: number, rows: number) {
      const rate = Math.round(rows / Math.max((Date.now() - started) / 1000, 0.001));
      if (!running) {
        bar.start(Math.max(total, 1), 0, { rows: 0, rate: 0 });
        running = true;
      }
      bar.update(Math.min(bytes, total), { rows, rate });
    },
    stop() {
      if (running) bar.stop();
    },
  };
}
