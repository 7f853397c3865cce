/** Floors the benchmarks print their figures beside, measured in the same run. */
import ivm from 'isolated-vm';

/** One bare isolated-vm cold run (create isolate and context, compile, run `async () => 1`, dispose), in ms. */
export async function bareIsolateRun(): Promise<number> {
  const t = performance.now();
  const isolate = new ivm.Isolate({ memoryLimit: 64 });
  const context = await isolate.createContext();
  const script = await isolate.compileScript('(async () => 1)()');
  await script.run(context, { promise: true, copy: true });
  isolate.dispose();
  return performance.now() - t;
}
