import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * `npm run bench [-- name-filter]`: runs every bench/*.bench.ts (each exports `bench()` returning rows)
 * and prints one table with the machine and date, ready to paste into bench/README.md.
 */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

const filter = process.argv[2];
const dir = path.dirname(new URL(import.meta.url).pathname);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !filter || f.includes(filter))
  .sort();

const rows: (BenchRow & { suite: string })[] = [];
for (const file of files) {
  const suite = file.replace('.bench.ts', '');
  process.stderr.write(`== ${suite}\n`);
  const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as { bench: () => Promise<BenchRow[]> };
  const started = Date.now();
  for (const row of await mod.bench()) rows.push({ ...row, suite });
  process.stderr.write(`   ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const fmt = (v: number) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(v < 1 ? 3 : 2));
const lines = [
  `Machine: ${cpu} × ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} · ${new Date().toISOString().slice(0, 10)}`,
  '',
  '| suite | measure | value | unit | note |',
  '|---|---|---:|---|---|',
  ...rows.map((r) => `| ${r.suite} | ${r.name} | ${fmt(r.value)} | ${r.unit} | ${r.note ?? ''} |`),
];
process.stdout.write(`${lines.join('\n')}\n`);
process.exit(0);
