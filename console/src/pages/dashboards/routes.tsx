import type { RouteObject } from 'react-router';
import { lazyPage } from '../../ui/lazy.tsx';

export const dashboardRoutes: RouteObject[] = [
  { index: true, element: lazyPage(() => import('./overview.tsx'), 'Overview') },
  { path: 'dashboards', element: lazyPage(() => import('./list.tsx'), 'DashboardList') },
  { path: 'dashboards/:id', element: lazyPage(() => import('./dashboard-page.tsx'), 'DashboardPage') },
  { path: 'dashboards/:id/revisions', element: lazyPage(() => import('./revisions.tsx'), 'Revisions') },
];
