/** /dashboards/:id — one dashboard, resolved widget by widget (view.tsx). */
import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { Page } from '../../ui/page.tsx';
import { ErrorBox, Loading } from '../../ui/states.tsx';
import { DashboardView } from './view.tsx';

export function useDashboard(id: string) {
  const ws = useWorkspaceKey();
  return useQuery({
    queryKey: [ws, 'dashboards', 'detail', id],
    queryFn: () => call(api.GET('/v1/dashboards/{id}', { params: { path: { id } } })),
  });
}

export function DashboardPage() {
  const id = useParams().id!;
  const dashboard = useDashboard(id);
  const crumbs = [{ label: 'Dashboards', to: '/dashboards' }, { label: id }];
  if (dashboard.isPending) {
    return (
      <Page title="Dashboard" crumbs={crumbs}>
        <Loading what="the dashboard" />
      </Page>
    );
  }
  if (dashboard.isError) {
    return (
      <Page title="Dashboard" crumbs={crumbs}>
        <ErrorBox error={dashboard.error} />
      </Page>
    );
  }
  return (
    <DashboardView
      dashboard={dashboard.data}
      crumbs={[{ label: 'Dashboards', to: '/dashboards' }, { label: dashboard.data.name }]}
    />
  );
}
