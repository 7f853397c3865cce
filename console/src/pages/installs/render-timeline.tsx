/**
 * An install's renders, newest first and paged: state, commit, version, time, why it failed, and per
 * render its commit's diff (expandable) and a restore button for deployed renders.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import type { Schema } from '@atoll/client';
import { api, call, newIdempotencyKey, useWorkspaceKey } from '../../api.ts';
import { Id, Time } from '../../ui/format.tsx';
import { PagedList, usePaged } from '../../ui/paged.tsx';
import { Empty, ErrorBox } from '../../ui/states.tsx';
import { Sha, State, VersionLabel } from './common.tsx';
import { RenderDiff } from './diffs.tsx';

type Install = Schema<'Install'>;
type Render = Schema<'InstallRender'>;

export function RenderTimeline({ install, deployedSha }: { install: Install; deployedSha: string | null }) {
  const ws = useWorkspaceKey();
  const paged = usePaged([ws, 'install', install.id, 'renders'], (cursor) =>
    call(
      api.GET('/v1/installs/{id}/renders', {
        params: { path: { id: install.id }, query: { limit: 20, ...(cursor ? { cursor } : {}) } },
      }),
    ),
  );
  // A render that deployed a commit the install's status does not name yet: the status is stale.
  const queryClient = useQueryClient();
  const newestCommit = paged.rows.find((r) => r.state === 'deployed' && r.commit_sha)?.commit_sha;
  useEffect(() => {
    if (newestCommit && newestCommit !== deployedSha) {
      void queryClient.invalidateQueries({ queryKey: [ws, 'install', install.id, 'status'] });
    }
  }, [queryClient, ws, install.id, newestCommit, deployedSha]);
  return (
    <PagedList
      paged={paged}
      empty={
        <Empty
          title="No renders yet"
          command={`curl -s -X POST $ATOLL_URL/v1/installs/${install.id}/renders -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{}'`}
        />
      }
    >
      {(rows) => (
        <ol className="timeline" aria-label="Render timeline">
          {rows.map((r) => (
            <RenderItem
              key={r.id}
              install={install}
              render={r}
              current={!!r.commit_sha && r.commit_sha === deployedSha}
            />
          ))}
        </ol>
      )}
    </PagedList>
  );
}

function RenderItem({ install, render, current }: { install: Install; render: Render; current: boolean }) {
  const [open, setOpen] = useState(false);
  const subject =
    render.message ?? (render.repository_change_request_id ? 'Merge change request' : `Render ${render.id}`);
  return (
    <li className={`timeline-item state-${render.state}`} aria-label={`Render ${render.id}`}>
      <div className="timeline-head">
        <State state={render.state} />
        <strong className="subject">{subject}</strong>
        <Sha sha={render.commit_sha} />
        <span className="muted">
          <VersionLabel packageId={install.package_id} versionId={render.package_version_id} />
        </span>
        <span className="muted">
          <Time value={render.created_at} />
        </span>
        <span className="grow" />
        {render.commit_sha ? (
          <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
            {open ? 'Hide diff' : 'Show diff'}
          </button>
        ) : null}
        {current ? <span className="badge ok">on main</span> : null}
        {render.state === 'deployed' && !current && install.state !== 'deleted' ? (
          <RestoreButton install={install} render={render} />
        ) : null}
      </div>
      <div className="timeline-meta">
        <Id>{render.id}</Id>
        {render.repository_change_request_id ? (
          <Link to={`/repository_change_requests/${render.repository_change_request_id}`}>
            {render.repository_change_request_id}
          </Link>
        ) : null}
        {render.restored_from_render_id ? (
          <span className="muted">restores {render.restored_from_render_id}</span>
        ) : null}
        {render.operation_id ? <Link to={`/operations/${render.operation_id}`}>operation</Link> : null}
        {Object.keys(render.extra_annotations).length > 0 ? (
          <span className="muted">
            annotations:{' '}
            {Object.entries(render.extra_annotations)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ')}
          </span>
        ) : null}
      </div>
      {render.failure ? (
        <div className="state error">
          <strong>{render.failure.code}</strong>: {render.failure.message}
          {render.failure.path ? <code> at {render.failure.path.join('.')}</code> : null}
        </div>
      ) : null}
      {open ? <RenderDiff installId={install.id} renderId={render.id} /> : null}
    </li>
  );
}

function RestoreButton({ install, render }: { install: Install; render: Render }) {
  const ws = useWorkspaceKey();
  const queryClient = useQueryClient();
  const restore = useMutation({
    mutationFn: () =>
      call(
        api.POST('/v1/installs/{id}:restore', {
          params: {
            path: { id: install.id },
            header: { 'if-match': install.etag, 'idempotency-key': newIdempotencyKey() },
          },
          body: { render_id: render.id },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: [ws, 'install', install.id] }),
  });
  return (
    <>
      <button type="button" onClick={() => restore.mutate()} disabled={restore.isPending}>
        Restore
      </button>
      {restore.isError ? <ErrorBox error={restore.error} /> : null}
    </>
  );
}
