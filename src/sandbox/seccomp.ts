/**
 * The sandbox's seccomp filter, as a classic BPF program handed to bwrap (`--seccomp FD`). It keeps the
 * kernel surface small for hostile code:
 * - no new user namespaces (unshare/clone with CLONE_NEWUSER fail with EPERM; clone3, whose flags a
 *   filter cannot read, fails with ENOSYS so libc falls back to clone). bwrap's own --disable-userns
 *   is not used because it moves the sandbox into a second user namespace, which slirp4netns (running
 *   as the sandbox's uid) could then not join to reach the network namespace;
 * - no keyrings, userfaultfd, perf events, eBPF, io_uring, mount API, modules, kexec, swap, reboot,
 *   syslog, accounting, file handles, quotas or setns (EPERM);
 * - no other syscall ABI than the native one (x32 calls ENOSYS, foreign architectures kill the process).
 * Built for x86_64 and aarch64; elsewhere there is no filter (docs/sandbox.md).
 */

type ArchTable = {
  audit: number;
  x32: boolean;
  unshare: number;
  clone: number;
  clone3: number;
  /** Syscalls refused with EPERM. */
  denied: number[];
};

// Numbers from asm/unistd_64.h (x86_64) and asm-generic/unistd.h (aarch64).
const ARCHES: Record<string, ArchTable> = {
  x64: {
    audit: 0xc000003e,
    x32: true,
    unshare: 272,
    clone: 56,
    clone3: 435,
    // keyctl add_key request_key userfaultfd perf_event_open bpf io_uring_setup/enter/register mount
    // umount2 pivot_root open_tree move_mount fsopen fsconfig fsmount fspick mount_setattr kexec_load
    // kexec_file_load init_module finit_module delete_module syslog acct swapon swapoff reboot
    // name_to_handle_at open_by_handle_at quotactl lookup_dcookie setns
    denied: [
      250, 248, 249, 323, 298, 321, 425, 426, 427, 165, 166, 155, 428, 429, 430, 431, 432, 433, 442, 246, 320,
      175, 313, 176, 103, 163, 167, 168, 169, 303, 304, 179, 212, 308,
    ],
  },
  arm64: {
    audit: 0xc00000b7,
    x32: false,
    unshare: 97,
    clone: 220,
    clone3: 435,
    denied: [
      219, 217, 218, 282, 241, 280, 425, 426, 427, 40, 39, 41, 428, 429, 430, 431, 432, 433, 442, 104, 294,
      105, 273, 106, 116, 89, 224, 225, 142, 264, 265, 60, 18, 268,
    ],
  },
};

const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const JGE_K = 0x35;
const JSET_K = 0x45;
const RET_K = 0x06;
const RET_ALLOW = 0x7fff0000;
const RET_ERRNO = 0x00050000;
const RET_KILL_PROCESS = 0x80000000;
const EPERM = 1;
const ENOSYS = 38;
const CLONE_NEWUSER = 0x10000000;
const X32_SYSCALL_BIT = 0x40000000;
// struct seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6] (little-endian here).
const NR = 0;
const ARCH = 4;
const ARG0_LOW = 16;

type Insn = { code: number; k: number; jt?: string; jf?: string; label?: string };

/** The filter for `arch` (process.arch), or undefined where there is no table for it. */
export function seccompProgram(arch: string = process.arch): Buffer | undefined {
  const table = ARCHES[arch];
  if (!table) return undefined;
  const program: Insn[] = [
    { code: LD_W_ABS, k: ARCH },
    { code: JEQ_K, k: table.audit, jf: 'kill' },
    { code: LD_W_ABS, k: NR },
    ...(table.x32 ? [{ code: JGE_K, k: X32_SYSCALL_BIT, jt: 'enosys' }] : []),
    { code: JEQ_K, k: table.unshare, jt: 'flags' },
    { code: JEQ_K, k: table.clone, jt: 'flags' },
    { code: JEQ_K, k: table.clone3, jt: 'enosys' },
    ...table.denied.map((nr) => ({ code: JEQ_K, k: nr, jt: 'eperm' })),
    { code: RET_K, k: RET_ALLOW },
    { code: LD_W_ABS, k: ARG0_LOW, label: 'flags' },
    { code: JSET_K, k: CLONE_NEWUSER, jt: 'eperm' },
    { code: RET_K, k: RET_ALLOW },
    { code: RET_K, k: RET_ERRNO | EPERM, label: 'eperm' },
    { code: RET_K, k: RET_ERRNO | ENOSYS, label: 'enosys' },
    { code: RET_K, k: RET_KILL_PROCESS, label: 'kill' },
  ];
  return assemble(program);
}

function assemble(program: Insn[]): Buffer {
  const labels = new Map(program.flatMap((insn, i) => (insn.label ? [[insn.label, i] as const] : [])));
  const out = Buffer.alloc(program.length * 8);
  program.forEach((insn, i) => {
    const offset = (label: string | undefined) => {
      if (label === undefined) return 0;
      const target = labels.get(label);
      const jump = target === undefined ? -1 : target - i - 1;
      if (jump < 0 || jump > 255) throw new Error(`seccomp: bad jump to ${label}`);
      return jump;
    };
    out.writeUInt16LE(insn.code, i * 8);
    out.writeUInt8(offset(insn.jt), i * 8 + 2);
    out.writeUInt8(offset(insn.jf), i * 8 + 3);
    out.writeUInt32LE(insn.k >>> 0, i * 8 + 4);
  });
  return out;
}
