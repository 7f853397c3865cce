import type { RouteObject } from 'react-router';
import { lazyRoute } from '../../ui/lazy.tsx';

export const dashboardRoutes: RouteObject[] = [
  { index: true, lazy: lazyRoute(() => import('./overview.tsx'), 'Overview') },
  { path: 'dashboards', lazy: lazyRoute(() => import('./list.tsx'), 'DashboardList') },
  { path: 'dashboards/:id', lazy: lazyRoute(() => import('./dashboard-page.tsx'), 'DashboardPage') },
  { path: 'dashboards/:id/revisions', lazy: lazyRoute(() => import('./revisions.tsx'), 'Revisions') },
];
