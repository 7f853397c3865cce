import type { RouteObject } from 'react-router';
import { lazyPage } from '../../ui/lazy.tsx';

export const snippetRoutes: RouteObject[] = [
  { path: 'dashboards/snippets', element: lazyPage(() => import('./list.tsx'), 'SnippetListPage') },
  { path: 'dashboards/snippets/new', element: lazyPage(() => import('./new.tsx'), 'NewSnippetPage') },
  { path: 'dashboards/snippets/:id', element: lazyPage(() => import('./snippet.tsx'), 'SnippetPage') },
  {
    path: 'dashboards/snippets/:id/runs/:runId',
    element: lazyPage(() => import('./run-page.tsx'), 'SnippetRunPage'),
  },
];
