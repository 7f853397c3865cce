import type { RouteObject } from 'react-router';
import { lazyRoute } from '../../ui/lazy.tsx';

export const installRoutes: RouteObject[] = [
  { path: 'packages', lazy: lazyRoute(() => import('./packages-list.tsx'), 'PackagesPage') },
  { path: 'packages/:id', lazy: lazyRoute(() => import('./package-detail.tsx'), 'PackagePage') },
  { path: 'installs', lazy: lazyRoute(() => import('./installs-list.tsx'), 'InstallsPage') },
  { path: 'installs/:id', lazy: lazyRoute(() => import('./install-detail.tsx'), 'InstallPage') },
  {
    path: 'repository_change_requests',
    lazy: lazyRoute(() => import('./change-requests-list.tsx'), 'ChangeRequestsPage'),
  },
  {
    path: 'repository_change_requests/:id',
    lazy: lazyRoute(() => import('./change-request-detail.tsx'), 'ChangeRequestPage'),
  },
  { path: 'operations', lazy: lazyRoute(() => import('./operations-list.tsx'), 'OperationsPage') },
  { path: 'operations/:id', lazy: lazyRoute(() => import('./operation-detail.tsx'), 'OperationPage') },
];
