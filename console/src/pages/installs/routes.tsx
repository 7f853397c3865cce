import type { RouteObject } from 'react-router';
import { lazyPage } from '../../ui/lazy.tsx';

export const installRoutes: RouteObject[] = [
  { path: 'packages', element: lazyPage(() => import('./packages-list.tsx'), 'PackagesPage') },
  { path: 'packages/:id', element: lazyPage(() => import('./package-detail.tsx'), 'PackagePage') },
  { path: 'installs', element: lazyPage(() => import('./installs-list.tsx'), 'InstallsPage') },
  { path: 'installs/:id', element: lazyPage(() => import('./install-detail.tsx'), 'InstallPage') },
  {
    path: 'repository_change_requests',
    element: lazyPage(() => import('./change-requests-list.tsx'), 'ChangeRequestsPage'),
  },
  {
    path: 'repository_change_requests/:id',
    element: lazyPage(() => import('./change-request-detail.tsx'), 'ChangeRequestPage'),
  },
  { path: 'operations', element: lazyPage(() => import('./operations-list.tsx'), 'OperationsPage') },
  { path: 'operations/:id', element: lazyPage(() => import('./operation-detail.tsx'), 'OperationPage') },
];
