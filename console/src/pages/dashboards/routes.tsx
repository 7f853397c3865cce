import type { RouteObject } from 'react-router';
import { lazyPage } from '../../ui/lazy.tsx';

export const dashboardRoutes: RouteObject[] = [
  { index: true, element: lazyPage(() => import('./scaffold.tsx'), 'Scaffold') },
  { path: 'dashboards', element: lazyPage(() => import('./scaffold.tsx'), 'Scaffold') },
  { path: 'dashboards/:id', element: lazyPage(() => import('./scaffold.tsx'), 'Scaffold') },
];
