import type { RouteObject } from 'react-router';
import { lazyPage } from '../../ui/lazy.tsx';

export const installRoutes: RouteObject[] = [
  { path: 'packages', element: lazyPage(() => import('./scaffold.tsx'), 'Scaffold') },
  { path: 'packages/:id', element: lazyPage(() => import('./scaffold.tsx'), 'Scaffold') },
  { path: 'installs', element: lazyPage(() => import('./scaffold.tsx'), 'Scaffold') },
  { path: 'installs/:id', element: lazyPage(() => import('./scaffold.tsx'), 'Scaffold') },
  { path: 'repository_change_requests', element: lazyPage(() => import('./scaffold.tsx'), 'Scaffold') },
  { path: 'repository_change_requests/:id', element: lazyPage(() => import('./scaffold.tsx'), 'Scaffold') },
  { path: 'operations', element: lazyPage(() => import('./scaffold.tsx'), 'Scaffold') },
  { path: 'operations/:id', element: lazyPage(() => import('./scaffold.tsx'), 'Scaffold') },
];
