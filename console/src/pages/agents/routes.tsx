import type { RouteObject } from 'react-router';
import { lazyPage } from '../../ui/lazy.tsx';

export const agentRoutes: RouteObject[] = [
  { path: 'agents', element: lazyPage(() => import('./agents-page.tsx'), 'AgentsPage') },
  { path: 'agents/:id', element: lazyPage(() => import('./agent-page.tsx'), 'AgentPage') },
  { path: 'sessions/:id', element: lazyPage(() => import('./session-page.tsx'), 'SessionPage') },
  { path: 'approvals', element: lazyPage(() => import('./approvals-page.tsx'), 'ApprovalsPage') },
];
