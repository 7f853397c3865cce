import type { RouteObject } from 'react-router';
import { lazyPage } from '../../ui/lazy.tsx';

export const deploymentRoutes: RouteObject[] = [
  { path: 'deployments', element: lazyPage(() => import('./list.tsx'), 'DeploymentList') },
  { path: 'deployments/:id', element: lazyPage(() => import('./deployment.tsx'), 'DeploymentPage') },
  {
    path: 'deployments/:id/versions/:versionId',
    element: lazyPage(() => import('./version.tsx'), 'VersionPage'),
  },
  { path: 'deployments/:id/runs/:runId', element: lazyPage(() => import('./run.tsx'), 'RunPage') },
  {
    path: 'deployments/:id/services/:serviceId',
    element: lazyPage(() => import('./service.tsx'), 'ServicePage'),
  },
];
