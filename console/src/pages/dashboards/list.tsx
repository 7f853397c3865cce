/** /dashboards — every dashboard of the workspace, newest first (paged), and a form to create one. */
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { Id, Time } from '../../ui/format.tsx';
import { Page, Section } from '../../ui/page.tsx';
import { PagedList, usePaged } from '../../ui/paged.tsx';
import { Empty, ErrorBox } from '../../ui/states.tsx';
import { useInvalidateDashboards } from './mutations.ts';
import type { Dashboard } from './types.ts';
import './dashboards.css';

export function useDashboardList(limit = 50) {
  const ws = useWorkspaceKey();
  return usePaged<Dashboard>([ws, 'dashboards', 'list', limit], (cursor) =>
    call(api.GET('/v1/dashboards', { params: { query: { cursor, limit } } })),
  );
}

export function DashboardTable({ rows }: { rows: Dashboard[] }) {
  return (
    <table className="table">
      <thead>
        <tr>
          <th>Name</th>
          <th>Widgets</th>
          <th>Kind</th>
          <th>Updated</th>
          <th>Id</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((d) => (
          <tr key={d.id}>
            <td>
              <Link to={`/dashboards/${d.id}`}>{d.name}</Link>
              {d.description ? <div className="muted clamp">{d.description}</div> : null}
            </td>
            <td>{d.widgets.length}</td>
            <td>{d.purpose === 'workspace_overview' ? 'workspace overview' : 'custom'}</td>
            <td>
              <Time value={d.updated_at} />
            </td>
            <td>
              <Id>{d.id}</Id>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function CreateDashboardForm() {
  const navigate = useNavigate();
  const invalidate = useInvalidateDashboards();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const create = useMutation({
    mutationFn: () =>
      call(
        api.POST('/v1/dashboards', {
          body: { name: name.trim(), ...(description.trim() ? { description: description.trim() } : {}) },
        }),
      ),
    onSuccess: async (created) => {
      await invalidate();
      navigate(`/dashboards/${created.dashboard_id}`);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <form className="stack create-dashboard" onSubmit={submit} aria-label="New dashboard">
      <div className="row">
        <label>
          Name <input required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="grow">
          Description{' '}
          <input maxLength={1000} value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <button type="submit" className="primary" disabled={create.isPending || !name.trim()}>
          {create.isPending ? 'Creating…' : 'Create dashboard'}
        </button>
      </div>
      {create.isError ? <ErrorBox error={create.error} /> : null}
    </form>
  );
}

export function DashboardList() {
  const paged = useDashboardList();
  return (
    <Page title="Dashboards" actions={<Link to="/">Workspace overview</Link>}>
      <Section title="New dashboard">
        <CreateDashboardForm />
      </Section>
      <Section title="All dashboards">
        <PagedList
          paged={paged}
          empty={
            <Empty
              title="No dashboards yet"
              command={`curl -s -X POST ${location.origin}/v1/dashboards -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"name":"On call"}'`}
            >
              A dashboard lays out widgets over snippets and platform metrics. Create one above, or:
            </Empty>
          }
        >
          {(rows) => <DashboardTable rows={rows} />}
        </PagedList>
      </Section>
    </Page>
  );
}
