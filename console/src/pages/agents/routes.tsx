import type { RouteObject } from 'react-router';
import { lazyPage } from '../../ui/lazy.tsx';

export const agentRoutes: RouteObject[] = [
  { path: 'agents', element: lazyPage(() => import('./scaffold.tsx'), 'Scaffold') },
  { path: 'agents/:id', element: lazyPage(() => import('./scaffold.tsx'), 'Scaffold') },
  { path: 'sessions/:id', element: lazyPage(() => import('./scaffold.tsx'), 'Scaffold') },
  { path: 'approvals', element: lazyPage(() => import('./scaffold.tsx'), 'Scaffold') },
];
