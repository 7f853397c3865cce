/**
 * / — the workspace overview: the workspace's one overview dashboard (GET /v1/dashboards/workspace_overview,
 * made empty on first read; "Add the recommended platform metrics" fills it), then the newest
 * dashboards, with the way to create one.
 */
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { Page, Section } from '../../ui/page.tsx';
import { PagedList } from '../../ui/paged.tsx';
import { Empty, ErrorBox, Loading } from '../../ui/states.tsx';
import { CreateDashboardForm, DashboardTable, useDashboardList } from './list.tsx';
import { DashboardView } from './view.tsx';

export function Overview() {
  const ws = useWorkspaceKey();
  const overview = useQuery({
    queryKey: [ws, 'dashboards', 'overview'],
    queryFn: () => call(api.GET('/v1/dashboards/workspace_overview')),
  });
  const others = <OtherDashboards overviewId={overview.data?.id} />;
  if (overview.isPending) {
    return (
      <Page title="Overview">
        <Loading what="the workspace overview" />
      </Page>
    );
  }
  if (overview.isError) {
    return (
      <Page title="Overview">
        <ErrorBox error={overview.error} title="The workspace overview" />
        {others}
      </Page>
    );
  }
  return <DashboardView dashboard={overview.data} title="Overview" extra={others} />;
}

function OtherDashboards({ overviewId }: { overviewId: string | undefined }) {
  const paged = useDashboardList(10);
  return (
    <Section title="Dashboards" actions={<Link to="/dashboards">All dashboards</Link>}>
      <CreateDashboardForm />
      <PagedList
        paged={{ ...paged, rows: paged.rows.filter((d) => d.id !== overviewId) }}
        empty={
          <Empty title="No other dashboards yet">
            Name one above to lay out your own widgets over snippets and platform metrics.
          </Empty>
        }
      >
        {(rows) => <DashboardTable rows={rows} />}
      </PagedList>
    </Section>
  );
}
