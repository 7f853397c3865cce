import type { RouteObject } from 'react-router';
import { lazyRoute } from '../../ui/lazy.tsx';

export const settingsRoutes: RouteObject[] = [
  { path: 'settings', lazy: lazyRoute(() => import('./workspace.tsx'), 'WorkspaceSettingsPage') },
  { path: 'settings/tokens', lazy: lazyRoute(() => import('./tokens.tsx'), 'TokensPage') },
  { path: 'settings/members', lazy: lazyRoute(() => import('./members.tsx'), 'MembersPage') },
];
