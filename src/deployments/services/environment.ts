/** The environment a service's processes get: the caller's envs plus the platform's own names (docs). */
import type { ServiceRow } from './resources.ts';

export function serviceEnvironment(
  service: Pick<ServiceRow, 'id' | 'deployment_id' | 'version_id' | 'port'>,
  workdir: string,
  envs: Record<string, string>,
): Record<string, string> {
  return {
    PATH: '/opt/atoll/bin:/usr/local/bin:/usr/bin:/bin',
    HOME: '/tmp',
    LANG: 'C.UTF-8',
    ...envs,
    // The port is the version's config.service.port; the service must listen on it (0.0.0.0).
    PORT: String(service.port),
    ATOLL_SERVICE_ID: service.id,
    ATOLL_DEPLOYMENT_ID: service.deployment_id,
    ATOLL_VERSION_ID: service.version_id,
    ATOLL_WORKDIR: workdir,
  };
}
