/**
 * /deployments/:id/services/:serviceId: one service instance: state and readiness, its live log
 * (every generation), Restart and Stop, and requests through its authenticated proxy.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { Id, Time } from '../../ui/format.tsx';
import { Page, Section } from '../../ui/page.tsx';
import { ErrorBox, Loading } from '../../ui/states.tsx';
import { FamilyState, serviceEnded, type Service } from './family.tsx';
import { LiveLog } from './live-log.tsx';
import { ProxyPanel } from './proxy-panel.tsx';
import { useDeploymentCrumbs } from './crumbs.ts';
import './deployments.css';

export function ServicePage() {
  const { id = '', serviceId = '' } = useParams();
  const ws = useWorkspaceKey();
  const client = useQueryClient();
  const key = [ws, 'agent-service', id, serviceId];
  const path = { deployment_id: id, service_id: serviceId };
  const query = useQuery({
    queryKey: key,
    queryFn: () =>
      call(api.GET('/v1/agent-deployments/{deployment_id}/services/{service_id}', { params: { path } })),
    refetchInterval: (q) => (q.state.data && serviceEnded(q.state.data) ? 10_000 : 2000),
  });
  const onDone = (updated: Service) => {
    client.setQueryData(key, updated);
    void client.invalidateQueries({ queryKey: [ws, 'agent-services', id] });
  };
  const stop = useMutation({
    mutationFn: () =>
      call(
        api.POST('/v1/agent-deployments/{deployment_id}/services/{service_id}/stop', { params: { path } }),
      ),
    onSuccess: onDone,
  });
  const restart = useMutation({
    mutationFn: () =>
      call(
        api.POST('/v1/agent-deployments/{deployment_id}/services/{service_id}/restart', {
          params: { path },
          body: { envs: {} },
        }),
      ),
    onSuccess: onDone,
  });
  const crumbs = useDeploymentCrumbs(id, serviceId);
  if (query.isPending) return <Loading what="the service instance" />;
  if (query.isError)
    return (
      <Page title="Service instance" crumbs={crumbs}>
        <ErrorBox error={query.error} />
      </Page>
    );
  const s = query.data;
  const ended = serviceEnded(s);
  const busy = stop.isPending || restart.isPending;
  return (
    <Page
      title={
        <span className="row">
          Service <Id>{s.id}</Id> <FamilyState state={s.status} />
        </span>
      }
      crumbs={crumbs}
      actions={
        <>
          <button onClick={() => restart.mutate()} disabled={busy}>
            {restart.isPending ? 'Restarting…' : 'Restart'}
          </button>
          <button
            className="danger"
            onClick={() => stop.mutate()}
            disabled={busy || ended || s.status === 'stopping'}
          >
            {stop.isPending ? 'Stopping…' : 'Stop'}
          </button>
        </>
      }
    >
      {stop.isError ? <ErrorBox error={stop.error} title="Stop failed" /> : null}
      {restart.isError ? <ErrorBox error={restart.error} title="Restart failed" /> : null}
      <div className="run-grid">
        <section className="section" aria-label="Service details">
          <dl className="props">
            <dt>Status</dt>
            <dd>
              <FamilyState state={s.status} />
            </dd>
            {s.failure_reason ? (
              <>
                <dt>Why</dt>
                <dd className="failure">{s.failure_reason}</dd>
              </>
            ) : null}
            <dt>Version</dt>
            <dd>
              <Link to={`/deployments/${id}/versions/${s.version_id}`}>
                <Id>{s.version_id}</Id>
              </Link>
            </dd>
            <dt>Port</dt>
            <dd>{s.port}</dd>
            <dt>Generation</dt>
            <dd>
              {s.generation} <span className="muted">(restarts so far)</span>
            </dd>
            <dt>Sandbox</dt>
            <dd>
              {s.sandbox_id ? <Id>{s.sandbox_id}</Id> : <span className="muted">—</span>}
              {s.process_id ? <span className="muted"> · pid {s.process_id}</span> : null}
            </dd>
            <dt>Started</dt>
            <dd>
              <Time value={s.started_at} />
            </dd>
            <dt>Stopped</dt>
            <dd>
              <Time value={s.stopped_at} />
            </dd>
            <dt>Created</dt>
            <dd>
              <Time value={s.created_at} />
            </dd>
          </dl>
        </section>
        <section className="section" aria-label="Readiness">
          <h2>Readiness</h2>
          <Readiness status={s.readiness_status} />
        </section>
      </div>
      <Section title="Logs">
        <LiveLog source={{ kind: 'service', deploymentId: id, id: serviceId }} epoch={s.generation} />
      </Section>
      <ProxyPanel service={s} />
    </Page>
  );
}

function Readiness({ status }: { status: Record<string, unknown> }) {
  const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);
  const probe = text(status.type);
  if (!probe) return <p className="muted">No probe has run yet.</p>;
  return (
    <dl className="props">
      <dt>Probe</dt>
      <dd>
        {probe}
        {text(status.path) ? ` GET ${text(status.path)}` : ''}
        {text(status.timeout_seconds) ? `, within ${text(status.timeout_seconds)} s` : ''}
      </dd>
      <dt>Ready since</dt>
      <dd>
        <Time value={text(status.ready_at) ?? null} />
      </dd>
      <dt>Last check</dt>
      <dd>
        <Time value={text(status.last_checked_at) ?? null} />
      </dd>
      <dt>Last success</dt>
      <dd>
        <Time value={text(status.last_ok_at) ?? null} />
      </dd>
      <dt>Failures in a row</dt>
      <dd>{text(status.consecutive_failures) ?? '0'}</dd>
      {text(status.last_error) ? (
        <>
          <dt>Last error</dt>
          <dd className="failure">{text(status.last_error)}</dd>
        </>
      ) : null}
    </dl>
  );
}
