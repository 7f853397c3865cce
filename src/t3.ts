import { startHarness } from './testing/harness.ts';
const FAN_OUT = `async (inputs) => {
  const rs = await Promise.all(Array.from({ length: 8 }, () =>
    platform.request({ method: 'POST', path: '/v1/snippets:execute', body: { code: inputs.code, inputs } })));
  return rs.length;
}`;
const h = await startHarness();
let stop = false; let attacks = 0;
const t0 = performance.now(); const c0 = process.cpuUsage();
const loops = Array.from({ length: 1 }, async () => {
  while (!stop) { await h.request('POST', '/v1/snippets:execute', { body: { code: FAN_OUT, inputs: { code: FAN_OUT } } }); attacks++; }
});
await new Promise((r) => setTimeout(r, 5000));
stop = true; await Promise.all(loops);
const cpu = process.cpuUsage(c0);
console.log('attacks', attacks, 'wall', Math.round(performance.now() - t0), 'api process cpu ms', Math.round((cpu.user + cpu.system) / 1000));
await h.close();
