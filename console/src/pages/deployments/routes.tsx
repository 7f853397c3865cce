import type { RouteObject } from 'react-router';
import { lazyPage } from '../../ui/lazy.tsx';

export const deploymentRoutes: RouteObject[] = [
  { path: 'deployments', element: lazyPage(() => import('./scaffold.tsx'), 'Scaffold') },
  { path: 'deployments/:id', element: lazyPage(() => import('./scaffold.tsx'), 'Scaffold') },
];
