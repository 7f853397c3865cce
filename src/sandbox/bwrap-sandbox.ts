/**
 * A bwrap sandbox: its directories, cgroup and uid, and the commands running in it. Commands are
 * started by bwrap-exec.ts; this keeps track of them for `connect` (services) and `destroy`. The cgroup
 * exists while commands run: a sandbox kept for inspection after its command failed, or left behind by
 * a server that stopped, holds none.
 */
import type { Duplex } from 'node:stream';
import { adoptTree } from './adopt.ts';
import { startExec, type ExecEnvironment, type ExecHandle } from './bwrap-exec.ts';
import type { SandboxCgroup } from './cgroups.ts';
import type { ExecRequest, Sandbox, SandboxProcess } from './driver.ts';
import { INSIDE } from './layout.ts';
import { relayError } from './relay.ts';
import { removeTree } from './remove-tree.ts';

export function openSandbox(
  env: ExecEnvironment,
  hooks: { makeCgroup(): SandboxCgroup | undefined; onDestroyed(): void },
): Sandbox {
  const { paths, spec } = env;
  const live = new Set<ExecHandle>();
  let cgroup: SandboxCgroup | undefined;
  let seq = 0;
  let adopted = false;
  let destroyed: Promise<void> | undefined;

  return {
    id: spec.id,
    hostRoot: paths.root,
    hostWorkdir: paths.work,
    hostRunDir: paths.run,
    runDir: INSIDE.runDir,

    exec(request: ExecRequest): SandboxProcess {
      if (destroyed) throw new Error(`sandbox ${spec.id} is destroyed`);
      if (!adopted && env.identity) adoptTree(paths.work, process.getuid!(), env.identity);
      adopted = true;
      cgroup ??= hooks.makeCgroup();
      const handle = startExec(env, request, ++seq, cgroup);
      live.add(handle);
      void handle.exited.then(() => {
        live.delete(handle);
        if (live.size === 0 && cgroup?.removeIfEmpty()) cgroup = undefined;
      });
      return {
        get pid() {
          return handle.pid;
        },
        started: handle.started,
        exited: handle.exited,
        kill: handle.kill,
      };
    },

    connect(port: number): Promise<Duplex> {
      const handle = [...live].find((h) => h.expose === port && !h.done);
      if (!handle?.relay)
        return Promise.reject(
          relayError('ECONNREFUSED', `connect ECONNREFUSED: no running command exposes port ${port}`),
        );
      return handle.relay.connect();
    },

    destroy() {
      destroyed ??= (async () => {
        await Promise.all([...live].map((handle) => handle.kill()));
        try {
          await cgroup?.remove();
        } catch (error) {
          env.log?.warn({ err: error, sandbox: spec.id }, 'removing a sandbox cgroup failed');
        }
        await removeTree(paths.root);
        hooks.onDestroyed();
      })();
      return destroyed;
    },
  };
}
