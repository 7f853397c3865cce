/**
 * The sandbox's first process: a small shell script run as pid 1 of the sandbox's pid namespace (bwrap
 * --as-pid-1). It sets the rlimits, starts the port relay for services, then runs the command as
 * `/bin/sh -c <command>` in a child and exits with its status. Being pid 1 matters twice: orphans
 * (double-forked daemons) are reparented to it and reaped while it waits, and when it exits the kernel
 * kills everything left in the namespace, so a command's end is the end of all its processes. A user
 * command is never pid 1 itself, so it keeps ordinary signal handling.
 */
import { INSIDE } from './layout.ts';
import { ulimitCommands, type Rlimits } from './limits.ts';

/** Exit status of the wrapper when the limits cannot be set. */
export const LIMITS_FAILED = 125;
/** Exit status of the wrapper when the host went away before letting it start. */
export const GATE_CLOSED = 124;

export type RelaySpec = { socketName: string; port: number };

/**
 * The script, run as `sh -c <script> sh <command>`; the command is only ever `$1`, never interpolated.
 * With `gateFd`, it first waits for a line on that descriptor: the host writes it once the wrapper is in
 * the sandbox's cgroup and the network is attached. If the host died meanwhile the read hits EOF and
 * the sandbox ends there (bwrap's own --block-fd would let it run on, unwatched).
 */
export function wrapperScript(limits: Rlimits, options: { relay?: RelaySpec; gateFd?: number } = {}): string {
  const { relay, gateFd } = options;
  const lines: string[] = [];
  if (gateFd !== undefined) {
    if (!Number.isInteger(gateFd) || gateFd < 3 || gateFd > 9) throw new Error('invalid gate descriptor');
    lines.push(`read -r _ <&${gateFd} || exit ${GATE_CLOSED}`, `exec ${gateFd}<&-`);
  }
  lines.push(`${ulimitCommands(limits)} || exit ${LIMITS_FAILED}`);
  if (relay) {
    if (!/^[a-z0-9-]+\.sock$/.test(relay.socketName) || !(Number.isInteger(relay.port) && relay.port > 0))
      throw new Error('invalid relay');
    const socket = `${INSIDE.relayDir}/${relay.socketName}`;
    lines.push(
      `${INSIDE.node} --v8-pool-size=1 ${INSIDE.relayScript} ${socket} ${relay.port} </dev/null >/dev/null 2>&1 &`,
    );
  }
  // Not the last command of the script, so dash forks for it rather than exec'ing it as pid 1.
  lines.push('/bin/sh -c "$1"', 'exit $?');
  return lines.join('\n');
}
