/** /deployments/:id: one deployment, its versions (bundles), its runs or service instances, and deleting it. */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useParams } from 'react-router';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { Id, Json, Time } from '../../ui/format.tsx';
import { Page } from '../../ui/page.tsx';
import { ErrorBox, Loading } from '../../ui/states.tsx';
import { DeleteDeployment } from './delete-deployment.tsx';
import { FamilyState } from './family.tsx';
import { RunsSection } from './runs-section.tsx';
import { StartForm } from './start-form.tsx';
import { ServicesSection } from './services-section.tsx';
import { VersionsSection } from './versions-section.tsx';
import './deployments.css';

export function DeploymentPage() {
  const { id = '' } = useParams();
  const ws = useWorkspaceKey();
  const query = useQuery({
    queryKey: [ws, 'agent-deployment', id],
    queryFn: () =>
      call(api.GET('/v1/agent-deployments/{deployment_id}', { params: { path: { deployment_id: id } } })),
  });
  const [starting, setStarting] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const crumbs = [{ label: 'Deployments', to: '/deployments' }, { label: id }];
  if (query.isPending) return <Loading what="the deployment" />;
  if (query.isError)
    return (
      <Page title="Deployment" crumbs={crumbs}>
        <ErrorBox error={query.error} />
      </Page>
    );
  const d = query.data;
  return (
    <Page
      title={
        <span className="row">
          {d.name} <FamilyState state={d.status} />
        </span>
      }
      crumbs={[{ label: 'Deployments', to: '/deployments' }, { label: d.name }]}
      actions={
        <>
          {d.status === 'active' && d.active_version_id ? (
            <button className="primary" onClick={() => setStarting(true)} disabled={starting}>
              {d.mode === 'job' ? 'Start run…' : 'Start instance…'}
            </button>
          ) : null}
          {d.status !== 'deleted' ? (
            <button className="danger" onClick={() => setDeleting(true)} disabled={deleting}>
              Delete deployment…
            </button>
          ) : null}
        </>
      }
    >
      {deleting && d.status !== 'deleted' ? (
        <DeleteDeployment deployment={d} onClose={() => setDeleting(false)} />
      ) : null}
      {starting ? <StartForm deployment={d} onClose={() => setStarting(false)} /> : null}
      <section className="section">
        <dl className="props">
          <dt>ID</dt>
          <dd>
            <Id>{d.id}</Id>
          </dd>
          <dt>Mode</dt>
          <dd>
            {d.mode === 'job' ? 'job (each run executes once and exits)' : 'service (long-lived instances)'}
          </dd>
          <dt>Active version</dt>
          <dd>
            {d.active_version_id ? (
              <Id>{d.active_version_id}</Id>
            ) : (
              <span className="muted">none uploaded yet</span>
            )}
          </dd>
          {d.description ? (
            <>
              <dt>Description</dt>
              <dd>{d.description}</dd>
            </>
          ) : null}
          <dt>Created</dt>
          <dd>
            <Time value={d.created_at} />
          </dd>
          <dt>Updated</dt>
          <dd>
            <Time value={d.updated_at} />
          </dd>
          {d.deleted_at ? (
            <>
              <dt>Deleted</dt>
              <dd>
                <Time value={d.deleted_at} />
              </dd>
            </>
          ) : null}
          {Object.keys(d.metadata).length > 0 ? (
            <>
              <dt>Metadata</dt>
              <dd>
                <Json value={d.metadata} />
              </dd>
            </>
          ) : null}
        </dl>
      </section>
      {d.mode === 'job' ? <RunsSection deployment={d} /> : <ServicesSection deployment={d} />}
      <VersionsSection deployment={d} />
    </Page>
  );
}
