import type { RouteObject } from 'react-router';
import { lazyPage } from '../../ui/lazy.tsx';

export const snippetRoutes: RouteObject[] = [
  { path: 'dashboards/snippets', element: lazyPage(() => import('./scaffold.tsx'), 'Scaffold') },
  { path: 'dashboards/snippets/:id', element: lazyPage(() => import('./scaffold.tsx'), 'Scaffold') },
];
