import type { RouteObject } from 'react-router';
import { lazyRoute } from '../../ui/lazy.tsx';

export const snippetRoutes: RouteObject[] = [
  { path: 'dashboards/snippets', lazy: lazyRoute(() => import('./list.tsx'), 'SnippetListPage') },
  { path: 'dashboards/snippets/new', lazy: lazyRoute(() => import('./new.tsx'), 'NewSnippetPage') },
  { path: 'dashboards/snippets/:id', lazy: lazyRoute(() => import('./snippet.tsx'), 'SnippetPage') },
  {
    path: 'dashboards/snippets/:id/runs/:runId',
    lazy: lazyRoute(() => import('./run-page.tsx'), 'SnippetRunPage'),
  },
];
