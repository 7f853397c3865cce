import type { RouteObject } from 'react-router';
import { lazyRoute } from '../../ui/lazy.tsx';

export const agentRoutes: RouteObject[] = [
  { path: 'agents', lazy: lazyRoute(() => import('./agents-page.tsx'), 'AgentsPage') },
  { path: 'agents/:id', lazy: lazyRoute(() => import('./agent-page.tsx'), 'AgentPage') },
  { path: 'sessions/:id', lazy: lazyRoute(() => import('./session-page.tsx'), 'SessionPage') },
  { path: 'approvals', lazy: lazyRoute(() => import('./approvals-page.tsx'), 'ApprovalsPage') },
];
