/**
 * Test helper: a real OCI registry (CNCF distribution 2.8.2, the Debian `docker-registry` package) on a
 * free port of 127.0.0.1, storing blobs in a temporary directory, optionally behind htpasswd basic auth.
 * Tests of the OCI pull client (src/installs/charts/oci.ts) push to it and pull from it, so they exercise
 * the same HTTP a production registry speaks. It is started with an explicit config file and a cleaned
 * environment, so neither /etc/docker/registry nor REGISTRY_* variables of the machine change it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';

export const REGISTRY_BINARY = '/usr/bin/docker-registry';

export type TestRegistry = {
  /** `127.0.0.1:PORT`, as an OCI reference names the registry. */
  host: string;
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** Kills the registry and removes its storage. */
  stop(): Promise<void>;
};

export type RegistryOptions = {
  /** Require HTTP basic auth with this one user (htpasswd, bcrypt). */
  auth?: { username: string; password: string };
};

const READY_TIMEOUT_MS = 15_000;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function config(dir: string, port: number, htpasswd: string | undefined): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(path.join(dir, 'data'))}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  secret: atoll-test-registry-secret',
    'health:',
    '  storagedriver:',
    '    enabled: false',
  ];
  if (htpasswd) {
    lines.push('auth:', '  htpasswd:', '    realm: atoll-test', `    path: ${JSON.stringify(htpasswd)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Starts a registry and resolves once `GET /v2/` answers (200, or 401 with auth). */
export async function startRegistry(opts: RegistryOptions = {}): Promise<TestRegistry> {
  if (!fs.existsSync(REGISTRY_BINARY)) {
    throw new Error(
      `${REGISTRY_BINARY} is missing: the OCI registry tests need CNCF distribution; install it with \`apt-get install -y docker-registry\``,
    );
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atoll-registry-'));
  let child: ChildProcess | undefined;
  let output = '';
  const stop = async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    let htpasswd: string | undefined;
    if (opts.auth) {
      htpasswd = path.join(dir, 'htpasswd');
      // distribution accepts bcrypt entries only ($2y$ is the prefix htpasswd -B writes).
      const hash = bcrypt.hashSync(opts.auth.password, 4).replace(/^\$2[ab]\$/, '$2y$');
      fs.writeFileSync(htpasswd, `${opts.auth.username}:${hash}\n`);
    }
    const port = await freePort();
    const configPath = path.join(dir, 'config.yml');
    fs.writeFileSync(configPath, config(dir, port, htpasswd));
    // Only PATH and HOME: REGISTRY_* variables would override the config file.
    child = spawn(REGISTRY_BINARY, ['serve', configPath], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => {
      if (output.length < 20_000) output += chunk.toString('utf8');
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`docker-registry exited before it was ready:\n${output}`);
      try {
        const response = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) });
        await response.arrayBuffer();
        if (response.status === (opts.auth ? 401 : 200)) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`docker-registry was not ready in time:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { host: `127.0.0.1:${port}`, url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
