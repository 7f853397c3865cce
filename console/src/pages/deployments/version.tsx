/**
 * /deployments/:id/versions/:versionId: one immutable version: its config (atoll.agent.toml as the
 * server applies it) and its bundle manifest: every path the planner looked at, included or left out,
 * and why.
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useParams } from 'react-router';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { bytes, Id, Json, Time } from '../../ui/format.tsx';
import { Page, Section } from '../../ui/page.tsx';
import { ErrorBox, Loading } from '../../ui/states.tsx';
import { FamilyState, type Version } from './family.tsx';
import { useDeploymentCrumbs } from './crumbs.ts';
import './deployments.css';

export function VersionPage() {
  const { id = '', versionId = '' } = useParams();
  const ws = useWorkspaceKey();
  const query = useQuery({
    queryKey: [ws, 'agent-version', id, versionId],
    queryFn: () =>
      call(
        api.GET('/v1/agent-deployments/{deployment_id}/versions/{version_id}', {
          params: { path: { deployment_id: id, version_id: versionId } },
        }),
      ),
  });
  const crumbs = useDeploymentCrumbs(id, versionId);
  if (query.isPending) return <Loading what="the version" />;
  if (query.isError)
    return (
      <Page title="Version" crumbs={crumbs}>
        <ErrorBox error={query.error} />
      </Page>
    );
  const v = query.data;
  const c = v.config;
  return (
    <Page
      title={
        <span className="row">
          Version {v.version_number} <FamilyState state={v.status} />
        </span>
      }
      crumbs={crumbs}
    >
      <section className="section">
        <dl className="props">
          <dt>ID</dt>
          <dd>
            <Id>{v.id}</Id>
          </dd>
          <dt>Entrypoint</dt>
          <dd>
            <code>{c.entrypoint}</code>
          </dd>
          <dt>Install</dt>
          <dd>{c.install ? <code>{c.install}</code> : <span className="muted">none</span>}</dd>
          <dt>Workdir</dt>
          <dd>
            <code>{c.workdir}</code>
          </dd>
          {c.resources ? (
            <>
              <dt>Resources</dt>
              <dd>
                {c.resources.vcpus} vCPU, {c.resources.memory_mb} MB memory, {c.resources.disk_mb} MB disk,{' '}
                {c.resources.timeout_seconds} s timeout
              </dd>
            </>
          ) : null}
          <dt>Outputs</dt>
          <dd>
            {c.outputs.paths.length > 0 ? (
              c.outputs.paths.map((p) => (
                <code key={p} className="tag">
                  {p}
                </code>
              ))
            ) : (
              <span className="muted">none declared</span>
            )}
          </dd>
          <dt>Envs</dt>
          <dd>
            {[...c.env.required.map((n) => `${n} (required)`), ...c.env.optional].join(', ') || (
              <span className="muted">none declared</span>
            )}
          </dd>
          {c.service ? (
            <>
              <dt>Service</dt>
              <dd>
                port {c.service.port}
                {c.service.readiness
                  ? `, readiness ${c.service.readiness.type}${c.service.readiness.type === 'http' ? ` GET ${c.service.readiness.path}` : ''} within ${c.service.readiness.timeout_seconds} s`
                  : ''}
              </dd>
            </>
          ) : null}
          <dt>Internet</dt>
          <dd>{c.permissions?.internet_access ? 'allowed' : 'none (no network in the sandbox)'}</dd>
          <dt>Bundle digest</dt>
          <dd>
            <Id>{v.bundle_digest}</Id>
          </dd>
          <dt>Created</dt>
          <dd>
            <Time value={v.created_at} />
          </dd>
        </dl>
        <details>
          <summary>Full config (JSON)</summary>
          <Json value={c} />
        </details>
      </section>
      <Manifest version={v} />
    </Page>
  );
}

type Filter = 'all' | 'included' | 'excluded';
const PAGE = 200;

function Manifest({ version }: { version: Version }) {
  const m = version.bundle_manifest;
  const [filter, setFilter] = useState<Filter>('all');
  const [shown, setShown] = useState(PAGE);
  const entries = m.entries.filter((e) => filter === 'all' || (filter === 'included') === e.included);
  const excluded = m.entries.filter((e) => !e.included).length;
  return (
    <Section
      title="Bundle manifest"
      actions={
        <label className="row">
          Show
          <select
            value={filter}
            onChange={(e) => {
              setFilter(e.target.value as Filter);
              setShown(PAGE);
            }}
          >
            <option value="all">every path ({m.entries.length})</option>
            <option value="included">included ({m.entries.length - excluded})</option>
            <option value="excluded">left out ({excluded})</option>
          </select>
        </label>
      }
    >
      <p className="muted">
        {m.file_count} file{m.file_count === 1 ? '' : 's'} ({bytes(m.total_size)}) materialised into{' '}
        <code>{m.materialization_path ?? version.config.workdir}</code>. Include patterns:{' '}
        <Patterns list={m.include_patterns} none="none (everything not excluded)" />; exclude patterns:{' '}
        <Patterns list={m.exclude_patterns} none="none" />; default excludes:{' '}
        <Patterns list={m.default_exclude_patterns} none="none" />.
      </p>
      {entries.length === 0 ? (
        <p className="muted">No path here.</p>
      ) : (
        <table className="table manifest">
          <thead>
            <tr>
              <th></th>
              <th>Path</th>
              <th>Why</th>
              <th className="num">Size</th>
              <th>Mode</th>
            </tr>
          </thead>
          <tbody>
            {entries.slice(0, shown).map((e) => (
              <tr key={e.path} className={e.included ? undefined : 'left-out'}>
                <td aria-label={e.included ? 'included' : 'left out'}>{e.included ? '+' : '−'}</td>
                <td>
                  <code>{e.path}</code>
                  {e.symlink_target ? <span className="muted"> → {e.symlink_target}</span> : null}
                </td>
                <td>{e.reason ?? <span className="muted">—</span>}</td>
                <td className="num">{e.included ? bytes(e.size) : ''}</td>
                <td>{e.mode !== null ? <code>{e.mode.toString(8).padStart(4, '0')}</code> : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {entries.length > shown ? (
        <button className="more" onClick={() => setShown(shown + PAGE)}>
          Show more ({entries.length - shown} left)
        </button>
      ) : null}
    </Section>
  );
}

function Patterns({ list, none }: { list: string[]; none: string }) {
  if (list.length === 0) return <span>{none}</span>;
  return (
    <>
      {list.map((p, i) => (
        <span key={p}>
          {i > 0 ? ' ' : ''}
          <code>{p}</code>
        </span>
      ))}
    </>
  );
}
