/**
 * bench/sandbox: what the bwrap sandbox driver costs, one command at a time:
 *  (a) `node -e 0` on the host, and (b) `bwrap --unshare-all … true` spawned directly (the floors);
 *  (c) exec('true') in an existing sandbox, to `exited`;
 *  (d) a whole sandbox: create + exec('true') + exited + destroy;
 *  (e) the same with `node -e 0` (the trivial agent job; target ≤ 120 ms end to end with the server).
 * Prints p50 and p90 over BENCH_RUNS (default 30) runs of each.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createBwrapDriver } from '../src/sandbox/bwrap.ts';
import type { Sandbox, SandboxSpec } from '../src/sandbox/driver.ts';
import { machineLine, table } from './_machine.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 30);

function spawnToExit(
  command: string,
  args: string[],
  options: { uid?: number; gid?: number } = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: 'ignore' });
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}`))));
  });
}

async function measure(fn: () => Promise<void>): Promise<[string, string]> {
  await fn(); // warm up
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(1);
  return [at(0.5), at(0.9)];
}

async function exec(sandbox: Sandbox, command: string): Promise<void> {
  const result = await sandbox.exec({ command, env: {}, onOutput() {} }).exited;
  if (result.exitCode !== 0) throw new Error(`${command}: ${JSON.stringify(result)}`);
}

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'atoll-bench-sandbox-'));
fs.chmodSync(base, 0o711);
const driver = createBwrapDriver({ root: path.join(base, 'sandboxes') });
const check = await driver.check();
if (!check.ok) throw new Error(check.reason);
let n = 0;
const spec = (): SandboxSpec => ({
  id: `sbx_bench${++n}`,
  workdir: '/workspace',
  internetAccess: false,
  resources: { memoryMb: 512, diskMb: 256, vcpus: 1, processes: 128, openFiles: 1024 },
});
const whole = async (command: string) => {
  const sandbox = await driver.create(spec());
  await exec(sandbox, command);
  await sandbox.destroy();
};
const asRoot = process.getuid?.() === 0;
const identity = asRoot ? { uid: 199_999, gid: 199_999 } : {};
const bwrapTrue = [
  '--unshare-all',
  '--unshare-user',
  '--die-with-parent',
  '--as-pid-1',
  '--ro-bind',
  '/usr',
  '/usr',
  '--symlink',
  'usr/bin',
  '/bin',
  '--symlink',
  'usr/lib',
  '/lib',
  '--symlink',
  'usr/lib64',
  '/lib64',
  '--proc',
  '/proc',
  '/bin/true',
];

try {
  const kept = await driver.create(spec());
  const rows = [
    ['(a) node -e 0 on the host', ...(await measure(() => spawnToExit(process.execPath, ['-e', '0'])))],
    ['(b) bwrap … true', ...(await measure(() => spawnToExit('bwrap', bwrapTrue, identity)))],
    ['(c) exec true in a sandbox', ...(await measure(() => exec(kept, 'true')))],
    ['(d) create + exec true + destroy', ...(await measure(() => whole('true')))],
    ['(e) create + exec node -e 0 + destroy', ...(await measure(() => whole('node -e 0')))],
  ];
  await kept.destroy();
  console.log(machineLine());
  console.log(`${RUNS} runs each, one at a time; server ${asRoot ? 'root (sandbox uids)' : 'not root'}\n`);
  console.log(table(['', 'p50 ms', 'p90 ms'], rows));
} finally {
  fs.rmSync(base, { recursive: true, force: true });
}
