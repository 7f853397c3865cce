import type { RouteObject } from 'react-router';
import { lazyPage } from '../../ui/lazy.tsx';

export const settingsRoutes: RouteObject[] = [
  { path: 'settings', element: lazyPage(() => import('./scaffold.tsx'), 'Scaffold') },
];
