/** The environment a run's processes get: the caller's envs plus the platform's own names (docs). */
import type { RunRow } from './resources.ts';

export const INPUT_FILE = 'input.json';

export function runEnvironment(
  run: Pick<RunRow, 'id' | 'deployment_id' | 'version_id'>,
  runDir: string,
  workdir: string,
  envs: Record<string, string>,
  extra: Record<string, string> = {},
): Record<string, string> {
  const input = `${runDir}/${INPUT_FILE}`;
  return {
    PATH: '/opt/atoll/bin:/usr/local/bin:/usr/bin:/bin',
    HOME: '/tmp',
    LANG: 'C.UTF-8',
    ...envs,
    ...extra,
    ATOLL_RUN_ID: run.id,
    ATOLL_RUN_INPUT: input,
    ATOLL_DEPLOYMENT_ID: run.deployment_id,
    ATOLL_VERSION_ID: run.version_id,
    ATOLL_WORKDIR: workdir,
    NULLSPACE_RUN_ID: run.id,
    NULLSPACE_RUN_INPUT: input,
  };
}
