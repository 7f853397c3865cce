/** The frame of the settings pages: the title and the tabs (workspace, API tokens, members). */
import type { ReactNode } from 'react';
import { NavLink } from 'react-router';
import { Page } from '../../ui/page.tsx';
import './settings.css';

export function SettingsPage({ children }: { children: ReactNode }) {
  return (
    <Page title="Settings">
      <nav className="settings-tabs" aria-label="Settings">
        <NavLink to="/settings" end>
          Workspace
        </NavLink>
        <NavLink to="/settings/tokens">API tokens</NavLink>
        <NavLink to="/settings/members">Members</NavLink>
      </nav>
      {children}
    </Page>
  );
}
