/**
 * /deployments/:id/runs/:runId: one run: state, input, timings and exit; its live log; its outputs,
 * downloadable once it has ended; Cancel while it is still going.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { Id, Json, Time } from '../../ui/format.tsx';
import { Page, Section } from '../../ui/page.tsx';
import { ErrorBox, Loading } from '../../ui/states.tsx';
import { duration, FamilyState, runEnded, type Run } from './family.tsx';
import { LiveLog } from './live-log.tsx';
import { OutputsSection } from './outputs-section.tsx';
import { useDeploymentCrumbs } from './crumbs.ts';
import './deployments.css';

export function RunPage() {
  const { id = '', runId = '' } = useParams();
  const ws = useWorkspaceKey();
  const client = useQueryClient();
  const key = [ws, 'agent-run', id, runId];
  const query = useQuery({
    queryKey: key,
    queryFn: () =>
      call(
        api.GET('/v1/agent-deployments/{deployment_id}/runs/{run_id}', {
          params: { path: { deployment_id: id, run_id: runId } },
        }),
      ),
    refetchInterval: (q) => (q.state.data && runEnded(q.state.data) ? false : 1000),
  });
  const run = query.data;
  const version = useQuery({
    queryKey: [ws, 'agent-version', id, run?.version_id],
    enabled: run !== undefined,
    queryFn: () =>
      call(
        api.GET('/v1/agent-deployments/{deployment_id}/versions/{version_id}', {
          params: { path: { deployment_id: id, version_id: run!.version_id } },
        }),
      ),
  });
  const cancel = useMutation({
    mutationFn: () =>
      call(
        api.POST('/v1/agent-deployments/{deployment_id}/runs/{run_id}/cancel', {
          params: { path: { deployment_id: id, run_id: runId } },
          body: { reason: 'cancelled from the console' },
        }),
      ),
    onSuccess: (updated) => {
      client.setQueryData(key, updated);
      void client.invalidateQueries({ queryKey: [ws, 'agent-runs', id] });
    },
  });
  const crumbs = useDeploymentCrumbs(id, runId);
  if (query.isPending) return <Loading what="the run" />;
  if (query.isError || !run)
    return (
      <Page title="Run" crumbs={crumbs}>
        <ErrorBox error={query.error} />
      </Page>
    );
  const ended = runEnded(run);
  return (
    <Page
      title={
        <span className="row">
          Run <Id>{run.id}</Id> <FamilyState state={run.status} />
        </span>
      }
      crumbs={crumbs}
      actions={
        ended ? null : (
          <button className="danger" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
            {cancel.isPending ? 'Cancelling…' : 'Cancel run'}
          </button>
        )
      }
    >
      {cancel.isError ? <ErrorBox error={cancel.error} title="Cancel failed" /> : null}
      <div className="run-grid">
        <section className="section" aria-label="Run details">
          <dl className="props">
            <dt>Status</dt>
            <dd>
              <FamilyState state={run.status} />
            </dd>
            <dt>Exit code</dt>
            <dd>{run.exit_code ?? <span className="muted">{ended ? 'none' : 'not yet'}</span>}</dd>
            {run.failure_reason ? (
              <>
                <dt>Why</dt>
                <dd className="failure">{run.failure_reason}</dd>
              </>
            ) : null}
            <dt>Version</dt>
            <dd>
              <Link to={`/deployments/${id}/versions/${run.version_id}`}>
                {version.data ? `v${version.data.version_number}` : run.version_id}
              </Link>
            </dd>
            <dt>Sandbox</dt>
            <dd>
              {run.sandbox_id ? <Id>{run.sandbox_id}</Id> : <span className="muted">—</span>}
              {run.process_id ? <span className="muted"> · pid {run.process_id}</span> : null}
            </dd>
            {run.retained_until ? (
              <>
                <dt>Sandbox kept until</dt>
                <dd>
                  <Time value={run.retained_until} />
                </dd>
              </>
            ) : null}
          </dl>
          <Timings run={run} />
        </section>
        <section className="section" aria-label="Input">
          <h2>Input</h2>
          <Json value={run.input} />
          <p className="muted small">envs are write-only: never stored, never shown.</p>
        </section>
      </div>
      <Section title="Logs">
        <LiveLog
          source={{ kind: 'run', deploymentId: id, id: runId }}
          onEnd={() => void client.invalidateQueries({ queryKey: key })}
        />
      </Section>
      <OutputsSection run={run} declared={version.data?.config.outputs.paths} />
    </Page>
  );
}

function Timings({ run }: { run: Run }) {
  return (
    <dl className="props timings">
      <dt>Created</dt>
      <dd>
        <Time value={run.created_at} />
      </dd>
      <dt>Started</dt>
      <dd>
        <Time value={run.started_at} />
        {run.started_at ? (
          <span className="muted"> · queued {duration(run.created_at, run.started_at)}</span>
        ) : null}
      </dd>
      <dt>Completed</dt>
      <dd>
        <Time value={run.completed_at} />
        {run.started_at && run.completed_at ? (
          <span className="muted"> · ran {duration(run.started_at, run.completed_at)}</span>
        ) : null}
      </dd>
    </dl>
  );
}
