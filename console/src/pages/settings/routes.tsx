import type { RouteObject } from 'react-router';
import { lazyPage } from '../../ui/lazy.tsx';

export const settingsRoutes: RouteObject[] = [
  { path: 'settings', element: lazyPage(() => import('./workspace.tsx'), 'WorkspaceSettingsPage') },
  { path: 'settings/tokens', element: lazyPage(() => import('./tokens.tsx'), 'TokensPage') },
  { path: 'settings/members', element: lazyPage(() => import('./members.tsx'), 'MembersPage') },
];
