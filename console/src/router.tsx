/**
 * Every console URL. Paths match the `html_url`s the API returns (e.g. /installs/{id},
 * /dashboards/snippets/{id}, /repository_change_requests/{id}, /operations/{id}); each area's pages are
 * their own chunks, loaded when first opened, so the first page load carries only the frame.
 */
import { createBrowserRouter, type RouteObject } from 'react-router';
import { Layout } from './layout.tsx';
import { agentRoutes } from './pages/agents/routes.tsx';
import { dashboardRoutes } from './pages/dashboards/routes.tsx';
import { deploymentRoutes } from './pages/deployments/routes.tsx';
import { installRoutes } from './pages/installs/routes.tsx';
import { settingsRoutes } from './pages/settings/routes.tsx';
import { snippetRoutes } from './pages/snippets/routes.tsx';
import { SignIn } from './sign-in.tsx';
import { NotFound } from './not-found.tsx';

const areas: RouteObject[] = [
  ...dashboardRoutes,
  ...snippetRoutes,
  ...agentRoutes,
  ...installRoutes,
  ...deploymentRoutes,
  ...settingsRoutes,
  { path: '*', element: <NotFound /> },
];

export const router = createBrowserRouter([
  { path: '/sign-in', element: <SignIn /> },
  { path: '/', element: <Layout />, children: areas },
]);
