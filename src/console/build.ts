/**
 * The console's build: `console/` (React + Vite) compiled into `console/dist`, never committed. A build
 * records the hash of everything it was built from (`.build-hash`), so a checkout whose sources changed
 * is rebuilt, and an unchanged one is not. `npm install` builds it (scripts/postinstall.ts) and `atoll
 * serve` builds it when missing or stale; builds go to a fresh directory renamed into place, so concurrent
 * builds and readers never see half a build.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const CONSOLE_DIR = path.join(REPO_ROOT, 'console');
export const CONSOLE_DIST = path.join(CONSOLE_DIR, 'dist');
const HASH_FILE = '.build-hash';

/** What a build depends on: the console's sources and config, and the client it is built over. */
const INPUTS = [
  'console/src',
  'console/index.html',
  'console/vite.config.ts',
  'console/package.json',
  'packages/client/src',
];

function walk(file: string, out: string[]): void {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat) return;
  if (!stat.isDirectory()) {
    out.push(file);
    return;
  }
  for (const name of fs.readdirSync(file).sort()) walk(path.join(file, name), out);
}

/** The SHA-256 over the build's inputs (paths and contents), as hex. */
export function consoleSourceHash(): string {
  const hash = createHash('sha256');
  const files: string[] = [];
  for (const input of INPUTS) walk(path.join(REPO_ROOT, input), files);
  for (const file of files) {
    hash.update(path.relative(REPO_ROOT, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/** The hash the current build was made from, or undefined when there is none. */
export function builtHash(dist = CONSOLE_DIST): string | undefined {
  try {
    return fs.readFileSync(path.join(dist, HASH_FILE), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Whether the console sources exist here (an installed package without them serves no console). */
export function consoleSourcesPresent(): boolean {
  return fs.existsSync(path.join(CONSOLE_DIR, 'index.html'));
}

export function isConsoleFresh(): boolean {
  return builtHash() === consoleSourceHash();
}

let building: Promise<void> | undefined;
let status: string | undefined;

/** What the console page says while there is no build: that one is running, or why the last failed. */
export function consoleBuildStatus(): string | undefined {
  return status;
}

/** Builds the console unless the build is fresh; one build at a time per process. */
export function ensureConsoleBuilt(log?: (line: string) => void): Promise<void> {
  if (isConsoleFresh()) return Promise.resolve();
  status =
    'The console is being built (the first start after an install or an update takes a little while); this page reloads by itself.';
  building ??= buildConsole(log).then(
    () => {
      status = undefined;
      building = undefined;
    },
    (error: Error) => {
      status = `${escapeHtml(error.message)}. Fix it and restart, or run <code>npm run console:build</code>.`;
      building = undefined;
      throw error;
    },
  );
  return building;
}

/** Runs `vite build` into a temporary directory, then swaps it in place of console/dist. */
export async function buildConsole(log?: (line: string) => void): Promise<void> {
  const hash = consoleSourceHash();
  const started = Date.now();
  log?.(`building the console (console/ → console/dist)`);
  const out = `${CONSOLE_DIST}.tmp-${process.pid}-${Date.now()}`;
  const vite = path.join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  try {
    await run(process.execPath, [vite, 'build', '--outDir', out, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: CONSOLE_DIR,
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, NODE_ENV: 'production' },
    });
    fs.writeFileSync(path.join(out, HASH_FILE), `${hash}\n`);
    const old = `${CONSOLE_DIST}.old-${process.pid}-${Date.now()}`;
    if (fs.existsSync(CONSOLE_DIST)) fs.renameSync(CONSOLE_DIST, old);
    try {
      fs.renameSync(out, CONSOLE_DIST);
    } catch (error) {
      // Another process swapped its build in between: fine when it is a build of the same sources.
      if (builtHash() !== hash) throw error;
      fs.rmSync(out, { recursive: true, force: true });
    }
    fs.rmSync(old, { recursive: true, force: true });
  } catch (error) {
    fs.rmSync(out, { recursive: true, force: true });
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`the console build failed: ${stderr || (error as Error).message}`);
  }
  log?.(`built the console in ${Date.now() - started} ms`);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
