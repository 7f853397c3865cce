import { Link, useLocation } from 'react-router';
import { Page } from './ui/page.tsx';

export function NotFound() {
  const location = useLocation();
  return (
    <Page title="Page not found">
      <p>
        The console has no page at <code>{location.pathname}</code>. <Link to="/">Go to the overview</Link>.
      </p>
    </Page>
  );
}
