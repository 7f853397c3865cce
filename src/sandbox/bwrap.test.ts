import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../testing/eventually.ts';
import { run, sandboxUid, scanHostProcesses, testDriver, type TestDriver } from './test-support.ts';

describe('bwrap sandbox: commands, environment and filesystem', () => {
  let t: TestDriver;
  before(() => {
    t = testDriver();
  });
  after(() => t.close());

  test('the driver reports that sandboxes can be made here', async () => {
    assert.deepEqual(await t.driver.check(), { ok: true });
  });

  test('a command gets its output and exit code back: echo exits 0, exit 3 exits 3', async () => {
    const sandbox = await t.sandbox();
    const echo = await run(sandbox, 'echo hello; echo oops >&2');
    assert.deepEqual(echo.result, { exitCode: 0, signal: null, limit: null });
    assert.equal(echo.stdout, 'hello\n');
    assert.equal(echo.stderr, 'oops\n');
    const three = await run(sandbox, 'exit 3');
    assert.deepEqual(three.result, { exitCode: 3, signal: null, limit: null });
  });

  test('the environment is exactly the one given, plus PATH and HOME defaults; nothing of the host leaks', async () => {
    process.env.ATOLL_SANDBOX_TEST_LEAK = 'host-only';
    try {
      const sandbox = await t.sandbox();
      const { stdout } = await run(sandbox, 'env', { env: { GREETING: 'hi there', EMPTY: '' } });
      const env = Object.fromEntries(
        stdout
          .trim()
          .split('\n')
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      // PWD is the shell's own.
      assert.deepEqual(env, {
        GREETING: 'hi there',
        EMPTY: '',
        PATH: '/opt/atoll/bin:/usr/local/bin:/usr/bin:/bin',
        HOME: '/tmp',
        PWD: '/workspace/project',
      });
      const own = await run(sandbox, 'echo "$PATH $HOME"', {
        env: { PATH: '/usr/bin', HOME: '/workspace/project' },
      });
      assert.equal(own.stdout, '/usr/bin /workspace/project\n');
    } finally {
      delete process.env.ATOLL_SANDBOX_TEST_LEAK;
    }
  });

  test('environment values are on no host process’s command line or environment while the command runs', async () => {
    const internet = (await t.driver.checkInternet()).ok;
    // With internet access and an exposed port, slirp4netns and the relay run too.
    const sandbox = await t.sandbox({ internetAccess: internet });
    const secret = `env-value-${randomBytes(12).toString('hex')}`;
    const odd = '--setenv X y\n-- /bin/true ünï\tcödé ';
    let stdout = '';
    const proc = sandbox.exec({
      command: `printf '%s|%s' "$SECRET" "$ODD" | sha256sum; while [ ! -e release ]; do sleep 0.05; done`,
      // A value that looks like options, spans lines and is not ASCII arrives as it is.
      env: { SECRET: secret, ODD: odd },
      expose: 8000,
      onOutput: (_stream, chunk) => (stdout += chunk.toString()),
    });
    try {
      await eventually(() => stdout.includes('\n'), { timeoutMs: 20_000, message: 'the command to start' });
      // The command saw the value.
      assert.equal(stdout.split(' ')[0], createHash('sha256').update(`${secret}|${odd}`).digest('hex'));
      const scan = scanHostProcesses(secret);
      assert.deepEqual(scan.holders, []);
      // The scan did read bwrap (and slirp4netns) of this sandbox, the spawner and this process.
      const seen = (pattern: RegExp) => scan.scanned.some(({ command }) => pattern.test(command));
      const scanned = scan.scanned.map(({ pid, command }) => `${pid} ${command}`).join('\n');
      assert.ok(
        scan.scanned.some(
          ({ command }) => /^\S*bwrap /.test(command) && command.includes(sandbox.hostWorkdir),
        ),
        scanned,
      );
      assert.ok(seen(/spawner-child\.ts/) && scan.scanned.some(({ pid }) => pid === process.pid), scanned);
      if (internet) assert.ok(seen(/^\S*slirp4netns /), scanned);
    } finally {
      fs.writeFileSync(path.join(sandbox.hostWorkdir, 'release'), '');
    }
    assert.deepEqual(await proc.exited, { exitCode: 0, signal: null, limit: null });
  });

  test('node runs inside as the unprivileged sandbox user, in the workdir, with hostname sandbox', async () => {
    const sandbox = await t.sandbox();
    const { result, stdout } = await run(
      sandbox,
      `node -e "const os = require('os'); console.log(JSON.stringify([process.version, os.userInfo().username, process.getuid(), process.cwd(), os.hostname()]))"; cat /proc/self/status | grep -E '^(CapEff|NoNewPrivs|Seccomp):'`,
    );
    assert.equal(result.exitCode, 0, stdout);
    const [json, ...status] = stdout.trim().split('\n');
    assert.deepEqual(JSON.parse(json!), [process.version, 'sandbox', 1000, '/workspace/project', 'sandbox']);
    assert.deepEqual(
      status.map((l) => l.replace(/\s+/g, ' ')),
      ['CapEff: 0000000000000000', 'NoNewPrivs: 1', 'Seccomp: 2'],
    );
    assert.ok(
      sandboxUid(sandbox) >= 200_000 || process.getuid?.() !== 0,
      'a root server runs sandboxes as a uid of their own',
    );
  });

  test('the sandbox sees no /etc/shadow, no /root or /home of the host, nothing of the server data dir and no other sandbox', async () => {
    const other = await t.sandbox();
    fs.writeFileSync(path.join(other.hostWorkdir, 'private.txt'), 'other sandbox data\n');
    const sandbox = await t.sandbox();
    const probes = [
      '/etc/shadow',
      '/etc/sudoers',
      '/root',
      '/home',
      t.secretFile,
      t.dataDir,
      t.root,
      path.join(other.hostWorkdir, 'private.txt'),
      other.hostRoot,
    ];
    const { stdout } = await run(
      sandbox,
      probes.map((p) => `ls -d '${p}' >/dev/null 2>&1 && echo "visible ${p}"`).join('; ') + '; ls /; ls /etc',
    );
    const lines = stdout.trim().split('\n');
    assert.deepEqual(
      lines.filter((l) => l.startsWith('visible')),
      [],
    );
    const top = lines.slice(0, lines.indexOf('alternatives'));
    assert.deepEqual(
      top.sort(),
      ['bin', 'dev', 'etc', 'lib', 'lib64', 'opt', 'proc', 'run', 'sbin', 'tmp', 'usr', 'workspace'].sort(),
    );
    assert.ok(!lines.includes('shadow') && lines.includes('passwd') && !lines.includes('resolv.conf'));
    const tools = await run(
      sandbox,
      'awk \'BEGIN { print "awk works" }\'; test -s /etc/ssl/certs/ca-certificates.crt && echo certs',
    );
    assert.equal(tools.stdout, 'awk works\ncerts\n', tools.stderr); // /etc/alternatives and CA certificates
    const passwd = await run(sandbox, 'cat /etc/passwd');
    assert.match(passwd.stdout, /^sandbox:x:1000:1000:/m);
    assert.doesNotMatch(passwd.stdout, /^(daemon|postgres|www-data):/m);
  });

  test('only the workdir and /tmp are writable; the run dir is read-only, the system too', async () => {
    const sandbox = await t.sandbox();
    fs.writeFileSync(path.join(sandbox.hostRunDir, 'input.json'), '{"n":1}');
    const { stdout } = await run(
      sandbox,
      [
        'echo w > out.txt && echo workdir-ok',
        'echo t > /tmp/t.txt && echo tmp-ok',
        'cat /run/atoll/input.json; echo',
        ...['/run/atoll/x', '/usr/x', '/etc/x', '/x', '/dev/x', '/opt/atoll/x'].map(
          (p) => `(echo x > ${p}) 2>/dev/null && echo "wrote ${p}"`,
        ),
      ].join('; '),
    );
    assert.equal(stdout, 'workdir-ok\ntmp-ok\n{"n":1}\n');
    assert.equal(fs.readFileSync(path.join(sandbox.hostWorkdir, 'out.txt'), 'utf8'), 'w\n');
    assert.equal(fs.statSync(path.join(sandbox.hostWorkdir, 'out.txt')).uid, sandboxUid(sandbox));
  });

  test('files the host put in the workdir before the first command belong to the sandbox', async () => {
    const sandbox = await t.sandbox();
    fs.mkdirSync(path.join(sandbox.hostWorkdir, 'src'));
    fs.writeFileSync(path.join(sandbox.hostWorkdir, 'src', 'main.js'), 'console.log(1)\n');
    const { stdout } = await run(sandbox, 'echo more >> src/main.js && touch src/new.js && echo ok');
    assert.equal(stdout, 'ok\n');
  });

  test('no descriptor of the server reaches the sandbox: beyond stdio there is only /dev/null', async () => {
    const sandbox = await t.sandbox();
    // `exec ls` lists the descriptors the command itself was given (its shell's own bookkeeping — a
    // pipeline's pipe, a redirect's saved stdout — would otherwise show up racily); ls's own handle on
    // the directory it lists is left out below.
    const { stdout } = await run(sandbox, 'exec ls -l /proc/self/fd');
    const open = stdout
      .trim()
      .split('\n')
      .filter((line) => line.includes(' -> ')) // not ls's "total" line
      .map((line) => /(\d+) -> (.*)$/.exec(line)!.slice(1));
    assert.deepEqual(
      open.filter(
        ([fd, target]) => Number(fd) > 2 && target !== '/dev/null' && !/^\/proc\/\d+\/fd$/.test(target!),
      ),
      [],
    );
  });

  test('new user namespaces are refused inside (seccomp)', async () => {
    const sandbox = await t.sandbox();
    const { stdout, stderr } = await run(sandbox, 'unshare --user true; echo "unshare=$?"');
    assert.equal(stdout, 'unshare=1\n');
    assert.match(stderr, /Operation not permitted/);
  });

  test('the seccomp filter refuses keyrings, io_uring, eBPF, userfaultfd and perf events; clone3 says ENOSYS', async (ctx) => {
    if (process.arch !== 'x64') return ctx.skip('syscall numbers of x86_64');
    const sandbox = await t.sandbox();
    const calls: Array<[string, number]> = [
      ['keyctl', 250],
      ['io_uring_setup', 425],
      ['bpf', 321],
      ['userfaultfd', 323],
      ['perf_event_open', 298],
      ['clone3', 435],
      ['getppid', 110],
    ];
    const perl = `for my $c (${calls.map(([n, nr]) => `[${n} => ${nr}]`).join(', ')}) { $! = 0; my $r = syscall($c->[1], 0, 0, 0, 0, 0); print "$c->[0] ", ($r == -1 ? $! + 0 : "ok"), "\\n" }`;
    const { stdout, stderr } = await run(sandbox, `perl -e '${perl}'`);
    assert.equal(
      stdout,
      'keyctl 1\nio_uring_setup 1\nbpf 1\nuserfaultfd 1\nperf_event_open 1\nclone3 38\ngetppid ok\n',
      stderr,
    );
  });

  test('an invalid id or a workdir over a system path is refused before anything is made', async () => {
    await assert.rejects(t.sandbox({ id: '../etc' }), /invalid sandbox id/);
    await assert.rejects(t.sandbox({ id: 'sbx_A/../b' }), /invalid sandbox id/);
    for (const workdir of ['/', '/usr/app', '/run', '/tmp/x', 'relative', '/a/../b', '/opt'])
      await assert.rejects(t.sandbox({ workdir }), /invalid sandbox workdir/, workdir);
    await assert.rejects(t.driver.remove('sbx_../x'), /invalid sandbox id/);
  });

  test('destroy removes the sandbox directory; list and remove follow, and remove is idempotent', async () => {
    const sandbox = await t.sandbox();
    assert.ok((await t.driver.list()).includes(sandbox.id));
    await run(sandbox, 'echo x > f');
    await sandbox.destroy();
    await sandbox.destroy();
    assert.equal(fs.existsSync(sandbox.hostRoot), false);
    assert.ok(!(await t.driver.list()).includes(sandbox.id));
    await t.driver.remove(sandbox.id);
    assert.throws(() => sandbox.exec({ command: 'true', env: {}, onOutput() {} }), /destroyed/);
  });
});
