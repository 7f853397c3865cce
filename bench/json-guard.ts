/**
 * bench/json-guard: what the edge's JSON check (src/http/json-guard.ts) costs per request body, next to
 * the JSON.parse every body gets anyway, for a typical 1 KB body and three 1 MB bodies (many small
 * objects, one long string, a wide flat object). Prints the median of many runs in microseconds.
 */
import { jsonProblems } from '../src/http/json-guard.ts';
import { machineLine, table } from './_machine.ts';

function median(runs: number, fn: () => void): number {
  for (let i = 0; i < Math.min(runs, 20); i++) fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]! * 1000;
}

const typical = JSON.stringify({
  name: 'Nightly report',
  mode: 'job',
  description: 'Collects the cluster health of every region and posts a summary to the team channel.',
  metadata: {
    team: 'platform',
    owner: 'ada@example.com',
    labels: ['nightly', 'report', 'health'],
    schedule: { cron: '0 3 * * *', timezone: 'Europe/Berlin' },
    regions: ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2'],
    thresholds: { cpu: 0.8, memory: 0.9, disk: 0.85, restarts: 5 },
    notes: 'x'.repeat(400),
  },
});

const items = [];
for (let i = 0; items.length === 0 || JSON.stringify(items).length < 1_000_000; i++) {
  for (let j = 0; j < 100; j++)
    items.push({
      id: `item-${i}-${j}`,
      value: i * j,
      tags: ['a', 'b'],
      nested: { ok: true, label: `l${j}` },
    });
}
const bodies: Array<[string, string]> = [
  ['typical body', typical],
  ['1 MB: small objects', JSON.stringify({ items })],
  ['1 MB: one long string', JSON.stringify({ code: 'x'.repeat(1_000_000) })],
  [
    '1 MB: wide flat object',
    JSON.stringify({
      inputs: Object.fromEntries(Array.from({ length: 40_000 }, (_, i) => [`key_${i}`, `value ${i}`])),
    }),
  ],
];

const rows = bodies.map(([name, text]) => {
  const runs = text.length > 10_000 ? 50 : 20_000;
  const value = JSON.parse(text);
  const parse = median(runs, () => JSON.parse(text));
  const walk = median(runs, () => jsonProblems(value));
  return [
    name,
    `${(text.length / 1024).toFixed(1)} KiB`,
    parse.toFixed(1),
    walk.toFixed(1),
    `${((walk / parse) * 100).toFixed(0)} %`,
  ];
});

console.log(machineLine());
console.log(table(['body', 'size', 'JSON.parse µs', 'guard walk µs', 'walk / parse'], rows));
