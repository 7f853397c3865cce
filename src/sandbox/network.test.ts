import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../testing/eventually.ts';
import { run, testDriver, type TestDriver } from './test-support.ts';

/** Tries each address inside the sandbox; prints `<host> <outcome>` per line. */
function probeScript(port: number, hosts: string[]): string {
  const js = `const net = require('net');
for (const host of ${JSON.stringify(hosts)}) {
  const s = net.connect({ host, port: ${port} });
  s.setTimeout(1500, () => { console.log(host, 'timeout'); s.destroy(); });
  s.on('data', (d) => { console.log(host, 'GOT', String(d).trim()); s.destroy(); });
  s.on('error', (e) => console.log(host, e.code));
}`;
  return `node -e '${js.replace(/'/g, `'"'"'`)}'`;
}

function relayRequest(socket: net.Socket | import('node:stream').Duplex, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let response = '';
    socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve(response));
    socket.write(`GET ${path} HTTP/1.1\r\nHost: sandbox\r\nConnection: close\r\n\r\n`);
  });
}

describe('bwrap sandbox: network and exposed ports', () => {
  let t: TestDriver;
  let host: net.Server;
  let port: number;
  before(async () => {
    t = testDriver();
    // What a sandbox must never reach: a service on the host's loopback (PostgreSQL with trust auth, …).
    host = net.createServer((socket) => socket.end('host secret\n'));
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    port = (host.address() as net.AddressInfo).port;
  });
  after(async () => {
    host.close();
    await t.close();
  });

  test('without internet access there is only an isolated loopback: the host 127.0.0.1 listener is unreachable', async () => {
    const sandbox = await t.sandbox();
    const { stdout } = await run(
      sandbox,
      `${probeScript(port, ['127.0.0.1', '::1'])}; cat /proc/net/dev | tail -n +3 | cut -d: -f1`,
    );
    assert.deepEqual(
      stdout
        .trim()
        .split('\n')
        .map((l) => l.trim())
        .sort(),
      ['127.0.0.1 ECONNREFUSED', '::1 ECONNREFUSED', 'lo'].sort(),
    );
  });

  test('with internet access (slirp4netns) the host loopback stays unreachable', async (ctx) => {
    const internet = await t.driver.checkInternet();
    if (!internet.ok) return ctx.skip(internet.reason);
    const sandbox = await t.sandbox({ internetAccess: true });
    const { stdout } = await run(
      sandbox,
      `${probeScript(port, ['127.0.0.1', '10.0.2.2'])}; cat /etc/resolv.conf`,
    );
    assert.doesNotMatch(stdout, /GOT/);
    assert.match(stdout, /^127\.0\.0\.1 ECONNREFUSED$/m);
    assert.match(stdout, /^10\.0\.2\.2 (ENETUNREACH|ECONNREFUSED|EHOSTUNREACH|timeout)$/m);
    assert.match(stdout, /^nameserver 10\.0\.2\.3$/m);
  });

  test('connect(port) reaches a node http server started with expose, and is refused before it listens', async () => {
    const sandbox = await t.sandbox();
    let out = '';
    let listening!: () => void;
    const ready = new Promise<void>((resolve) => (listening = resolve));
    const proc = sandbox.exec({
      command: `sleep 1; node -e "require('http').createServer((q, s) => s.end('hi from ' + q.url)).listen(8080, '127.0.0.1', () => console.log('listening'))"`,
      env: {},
      expose: 8080,
      onOutput: (_, chunk) => {
        out += chunk.toString();
        if (out.includes('listening')) listening();
      },
    });
    await assert.rejects(sandbox.connect(8080), { code: 'ECONNREFUSED' });
    // Once the relay is up (and the server still sleeps), the refusal comes from inside the sandbox.
    await eventually(
      async () => {
        const error = await sandbox.connect(8080).then(
          () => assert.fail('connected before the server listens'),
          (e: NodeJS.ErrnoException) => e,
        );
        assert.equal(error.code, 'ECONNREFUSED');
        assert.match(error.message, /nothing listens/);
      },
      { message: 'the refusal to come from inside the sandbox' },
    );
    await ready;
    const response = await relayRequest(await sandbox.connect(8080), '/probe');
    assert.match(response, /^HTTP\/1\.1 200 OK/);
    assert.match(response, /hi from \/probe$/);
    await assert.rejects(sandbox.connect(9090), { code: 'ECONNREFUSED' });
    await proc.kill();
    await assert.rejects(sandbox.connect(8080), { code: 'ECONNREFUSED' });
  });
});
