import type { RouteObject } from 'react-router';
import { lazyRoute } from '../../ui/lazy.tsx';

export const deploymentRoutes: RouteObject[] = [
  { path: 'deployments', lazy: lazyRoute(() => import('./list.tsx'), 'DeploymentList') },
  { path: 'deployments/:id', lazy: lazyRoute(() => import('./deployment.tsx'), 'DeploymentPage') },
  {
    path: 'deployments/:id/versions/:versionId',
    lazy: lazyRoute(() => import('./version.tsx'), 'VersionPage'),
  },
  { path: 'deployments/:id/runs/:runId', lazy: lazyRoute(() => import('./run.tsx'), 'RunPage') },
  {
    path: 'deployments/:id/services/:serviceId',
    lazy: lazyRoute(() => import('./service.tsx'), 'ServicePage'),
  },
];
