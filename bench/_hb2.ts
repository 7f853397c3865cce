import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
const TOKEN = `sk_bench_${'b'.repeat(40)}`;
const dir = fs.mkdtempSync('/tmp/hb2-');
const child = spawn(
  process.execPath,
  [...(process.argv[2] ? [process.argv[2], '--cpu-prof-dir=/tmp/cpuprof'] : []), 'src/main.ts', 'serve'],
  {
    env: {
      PATH: process.env.PATH,
      DATA_DIR: dir,
      PORT: '8799',
      ATOLL_BOOTSTRAP_TOKEN: TOKEN,
      LOG_LEVEL: 'silent',
    },
    stdio: 'inherit',
  },
);
for (;;) {
  try {
    if ((await fetch('http://127.0.0.1:8799/readyz')).ok) break;
  } catch {}
  await new Promise((r) => setTimeout(r, 100));
}
const headers = { authorization: `Bearer ${TOKEN}` };
const list = (await (await fetch(`http://127.0.0.1:8799/v1/workspaces`, { headers })).json()) as any;
const url = `http://127.0.0.1:8799/v1/workspaces/${list.data[0].id}`;
const before = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(' ');
const t0 = Date.now();
const r: any = await new Promise((res) =>
  autocannon({ url, connections: 16, duration: 6, headers }, (e, r) => res(r)),
);
const after = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(' ');
const ticks = Number(after[13]) + Number(after[14]) - (Number(before[13]) + Number(before[14]));
console.log(
  'req/s',
  Math.round(r.requests.average),
  'server cpu %',
  (ticks / ((Date.now() - t0) / 1000)).toFixed(0),
  'cpu µs/req',
  ((ticks * 10000) / r.requests.total).toFixed(0),
);
child.kill('SIGINT');
await new Promise((r) => child.once('exit', r));
