/**
 * /installs/:id: an install's state, package and version pin, repository (clone URL), the actions the API
 * offers, the render timeline with each commit's diff, its operations, and what Atoll says about logs.
 * Refreshes itself while the install is reconciling.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useParams } from 'react-router';
import type { Schema } from '@atoll/client';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { Id, Time } from '../../ui/format.tsx';
import { Page, Section } from '../../ui/page.tsx';
import { ErrorBox, Loading } from '../../ui/states.tsx';
import { CommandLine, CopyButton, PackageLink, Sha, State, VersionLabel } from './common.tsx';
import { DeleteInstall, ProposeChange, RenderForm, UpdateVersion } from './install-actions.tsx';
import { InstallLogs } from './install-logs.tsx';
import { OwnerOperations } from './owner-operations.tsx';
import { RenderTimeline } from './render-timeline.tsx';

export function InstallPage() {
  const { id = '' } = useParams();
  const ws = useWorkspaceKey();
  const queryClient = useQueryClient();
  const install = useQuery({
    queryKey: [ws, 'install', id],
    queryFn: () => call(api.GET('/v1/installs/{id}', { params: { path: { id } } })),
    refetchInterval: (q) => (q.state.data?.reconciling || q.state.data?.state === 'pending' ? 1500 : 10_000),
  });
  const status = useQuery({
    queryKey: [ws, 'install', id, 'status'],
    queryFn: () => call(api.GET('/v1/installs/{id}/status', { params: { path: { id } } })),
    enabled: !!install.data,
    placeholderData: (previous) => previous,
  });
  // A render began or ended: the timeline and the operations are stale.
  const updatedAt = install.data?.updated_at;
  const reconciling = install.data?.reconciling;
  useEffect(() => {
    if (updatedAt === undefined) return;
    void queryClient.invalidateQueries({ queryKey: [ws, 'install', id, 'renders'] });
    void queryClient.invalidateQueries({ queryKey: [ws, 'install', id, 'status'] });
    void queryClient.invalidateQueries({ queryKey: [ws, 'operations', 'install', id] });
  }, [queryClient, ws, id, updatedAt, reconciling]);

  if (!install.data) return install.isError ? <ErrorBox error={install.error} /> : <Loading what="install" />;
  const i = install.data;
  const deleted = i.state === 'deleted';
  return (
    <Page
      title={<code className="title-id">{i.id}</code>}
      crumbs={[{ label: 'Installs', to: '/installs' }, { label: i.id }]}
      actions={
        deleted ? null : (
          <>
            <ProposeChange install={i} />
            <DeleteInstall install={i} />
          </>
        )
      }
    >
      {install.isError ? <ErrorBox title="Refreshing failed, retrying" error={install.error} /> : null}
      <div className="grid-2">
        <Section title="Install">
          <dl className="props">
            <dt>State</dt>
            <dd className="row tight">
              <State state={i.state} />
              {i.reconciling ? <span className="badge info">reconciling</span> : null}
            </dd>
            <dt>Package</dt>
            <dd>
              <PackageLink id={i.package_id} />
            </dd>
            <dt>Version</dt>
            <dd>
              <VersionLabel packageId={i.package_id} versionId={i.package_version_id} />
              {i.desired_version_id && i.desired_version_id !== i.package_version_id ? (
                <span className="muted">
                  {' '}
                  → <VersionLabel packageId={i.package_id} versionId={i.desired_version_id} /> pending
                </span>
              ) : null}
            </dd>
            <dt>Pin</dt>
            <dd>
              {i.package_version_pin.kind === 'latest'
                ? 'latest (automatic updates on)'
                : `pinned to ${i.package_version_pin.version}`}
            </dd>
            <dt>Review</dt>
            <dd>
              {i.require_review ? 'changed renders wait for a change request' : 'renders commit to main'}
            </dd>
            <dt>Region</dt>
            <dd>
              {i.region_id} / {i.cluster_id}
            </dd>
            <dt>Created</dt>
            <dd>
              <Time value={i.created_at} />
            </dd>
            <dt>Updated</dt>
            <dd>
              <Time value={i.updated_at} />
            </dd>
          </dl>
        </Section>
        <Section title="Repository">
          <Repository install={i} status={status.data} />
        </Section>
      </div>
      {deleted ? null : (
        <Section title="Actions">
          <div className="grid-2 actions-grid">
            <RenderForm install={i} />
            <UpdateVersion install={i} />
          </div>
        </Section>
      )}
      <Section title="Values">
        <p className="muted">
          The values are <code>inputs.yaml</code> in the repository (as given, without the schema's defaults);
          the API has no field for them. The first render's diff below shows them; to change them, propose a
          change: it opens a change request whose fork you push an edited <code>inputs.yaml</code> to.
        </p>
      </Section>
      <Section title="Renders">
        <RenderTimeline install={i} deployedSha={status.data?.revision ?? null} />
      </Section>
      <Section title="Operations">
        <OwnerOperations ownerType="install" ownerId={i.id} />
      </Section>
      <Section title="Logs">
        <InstallLogs installId={i.id} />
      </Section>
    </Page>
  );
}

function Repository({
  install,
  status,
}: {
  install: Schema<'Install'>;
  status: Schema<'InstallStatus'> | undefined;
}) {
  const clone = `git clone ${install.clone_url}`;
  return (
    <div className="stack">
      <dl className="props">
        <dt>Repository</dt>
        <dd>
          <Id>{install.repository_id}</Id>
        </dd>
        <dt>Clone URL</dt>
        <dd className="row tight">
          <code>{install.clone_url}</code>
          <CopyButton text={install.clone_url} label="Copy URL" />
        </dd>
        <dt>Deployed commit</dt>
        <dd>
          <Sha sha={status?.revision} />
        </dd>
        <dt>Render hash</dt>
        <dd>
          <Id>{status?.deployed_render_hash ?? '—'}</Id>
        </dd>
        <dt>Sync</dt>
        <dd className="muted">unknown to Atoll: see Argo CD or Flux</dd>
      </dl>
      <CommandLine command={clone} label="Clone command" />
      <p className="muted small">
        Any user name; an API token of this workspace as the password (API tokens read, never push). Point
        Argo CD or Flux at branch <code>main</code>, path <code>manifests</code>.
      </p>
    </div>
  );
}
