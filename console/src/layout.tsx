/**
 * The console's frame: the sidebar of areas, the workspace switcher and sign-out, and the page. A person
 * who is not signed in is sent to /sign-in and brought back to the page they asked for.
 */
import { useQueryClient } from '@tanstack/react-query';
import { Suspense } from 'react';
import { Navigate, NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { knownWorkspaces, useSession } from './session.tsx';
import { Loading } from './ui/states.tsx';

const AREAS: Array<{ to: string; label: string; end?: boolean }> = [
  { to: '/', label: 'Overview', end: true },
  { to: '/dashboards', label: 'Dashboards', end: true },
  { to: '/dashboards/snippets', label: 'Snippets' },
  { to: '/agents', label: 'Agents' },
  { to: '/approvals', label: 'Approvals' },
  { to: '/packages', label: 'Packages' },
  { to: '/installs', label: 'Installs' },
  { to: '/repository_change_requests', label: 'Change requests' },
  { to: '/operations', label: 'Operations' },
  { to: '/deployments', label: 'Deployments' },
  { to: '/settings', label: 'Settings' },
];

export function Layout() {
  const { session, switchWorkspace, signOut } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  if (!session.active) {
    return <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />;
  }
  const workspaces = knownWorkspaces(session);
  return (
    <div className="shell">
      <aside className="sidebar">
        <div className="sidebar-inner">
          <a className="brand" href="/">
            Atoll
          </a>
          <label className="workspace-picker">
            <span>Workspace</span>
            <select
              aria-label="Workspace"
              value={session.active.workspaceId}
              onChange={(e) => {
                if (e.target.value === '+') return navigate('/sign-in');
                switchWorkspace(e.target.value);
                queryClient.clear();
                navigate('/');
              }}
            >
              {workspaces.map((w) => (
                <option key={w.id} value={w.id}>
                  {w.name}
                </option>
              ))}
              <option value="+">Add a workspace…</option>
            </select>
          </label>
          <nav aria-label="Areas">
            {AREAS.map((a) => (
              <NavLink key={a.to} to={a.to} end={a.end ?? false}>
                {a.label}
              </NavLink>
            ))}
          </nav>
          <div className="sidebar-foot">
            <a href="/docs">API reference</a>
            <button
              className="link"
              onClick={() => {
                signOut();
                queryClient.clear();
              }}
            >
              Sign out
            </button>
          </div>
        </div>
      </aside>
      <main className="content">
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
