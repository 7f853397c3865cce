/**
 * What can be done to an install through the API: render now (message, skip unchanged, extra annotations),
 * update to another version (`:update`), follow latest or not, propose a change (a change request on its
 * repository), delete. Each action sends the if-match and idempotency-key the API asks for.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import type { Schema } from '@atoll/client';
import { api, call, newIdempotencyKey, useWorkspaceKey } from '../../api.ts';
import { usePaged } from '../../ui/paged.tsx';
import { ErrorBox } from '../../ui/states.tsx';

type Install = Schema<'Install'>;

function useRefreshInstall(id: string) {
  const ws = useWorkspaceKey();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: [ws, 'install', id] });
}

function parseAnnotations(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const at = line.indexOf('=');
    if (at <= 0) throw new Error(`Annotation "${line.trim()}" is not key=value`);
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

export function RenderForm({ install }: { install: Install }) {
  const refresh = useRefreshInstall(install.id);
  const [message, setMessage] = useState('');
  const [skip, setSkip] = useState(true);
  const [annotations, setAnnotations] = useState('');
  const render = useMutation({
    mutationFn: async () =>
      call(
        api.POST('/v1/installs/{id}/renders', {
          params: { path: { id: install.id } },
          body: {
            ...(message ? { message } : {}),
            skip_unchanged: skip,
            extra_annotations: parseAnnotations(annotations),
          },
        }),
      ),
    onSuccess: () => refresh(),
  });
  return (
    <form
      className="stack"
      aria-label="Render now"
      onSubmit={(e) => {
        e.preventDefault();
        render.mutate();
      }}
    >
      <h3>Render now</h3>
      <label className="stack">
        Commit message
        <input value={message} onChange={(e) => setMessage(e.target.value)} maxLength={255} />
      </label>
      <label className="stack">
        Extra annotations (key=value, one a line)
        <textarea
          rows={2}
          value={annotations}
          onChange={(e) => setAnnotations(e.target.value)}
          spellCheck={false}
          placeholder="example.com/owner=platform"
        />
      </label>
      <label className="row tight">
        <input type="checkbox" checked={skip} onChange={(e) => setSkip(e.target.checked)} /> Skip if the
        manifests would not change
      </label>
      {render.isError ? <ErrorBox error={render.error} /> : null}
      {render.data ? (
        <p className="muted small" role="status">
          Render <code>{render.data.id}</code>{' '}
          {render.data.state === 'skipped'
            ? 'skipped: nothing would change.'
            : 'started: follow it in the timeline below.'}
        </p>
      ) : null}
      <div>
        <button className="primary" type="submit" disabled={render.isPending}>
          {render.isPending ? 'Starting…' : 'Render'}
        </button>
      </div>
    </form>
  );
}

export function UpdateVersion({ install }: { install: Install }) {
  const ws = useWorkspaceKey();
  const refresh = useRefreshInstall(install.id);
  const versions = usePaged([ws, 'package', install.package_id, 'versions'], (cursor) =>
    call(
      api.GET('/v1/packages/{id}/versions', {
        params: { path: { id: install.package_id }, query: { limit: 20, ...(cursor ? { cursor } : {}) } },
      }),
    ),
  );
  const [target, setTarget] = useState('');
  const update = useMutation({
    mutationFn: () =>
      call(
        api.POST('/v1/installs/{id}:update', {
          params: {
            path: { id: install.id },
            header: { 'if-match': install.etag, 'idempotency-key': newIdempotencyKey() },
          },
          body: { package_version_id: target },
        }),
      ),
    onSuccess: () => refresh(),
  });
  const following = install.package_version_pin.kind === 'latest';
  const auto = useMutation({
    mutationFn: () =>
      call(
        api.PATCH('/v1/installs/{id}/automatic_updates', {
          params: {
            path: { id: install.id },
            header: { 'if-match': install.etag, 'idempotency-key': newIdempotencyKey() },
          },
          body: { automatic_updates_enabled: !following },
        }),
      ),
    onSuccess: () => refresh(),
  });
  return (
    <div className="stack">
      <h3>Version</h3>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (target) update.mutate();
        }}
      >
        <label>
          Update to{' '}
          <select value={target} onChange={(e) => setTarget(e.target.value)}>
            <option value="">choose a version…</option>
            {versions.rows.map((v) => (
              <option key={v.id} value={v.id} disabled={v.id === install.package_version_id}>
                {v.semver}
                {v.id === install.package_version_id ? ' (current)' : ''}
              </option>
            ))}
          </select>
        </label>
        {versions.hasNextPage ? (
          <button type="button" onClick={() => versions.fetchNextPage()}>
            More versions
          </button>
        ) : null}
        <button type="submit" disabled={!target || update.isPending}>
          Update
        </button>
      </form>
      {update.isError ? <ErrorBox error={update.error} /> : null}
      <div className="row">
        <span>
          {following
            ? 'Follows the latest version.'
            : `Pinned to ${install.package_version_pin.kind === 'pinned' ? install.package_version_pin.version : ''}.`}
        </span>
        <button type="button" onClick={() => auto.mutate()} disabled={auto.isPending}>
          {following ? 'Pin to this version' : 'Follow latest'}
        </button>
      </div>
      {auto.isError ? <ErrorBox error={auto.error} /> : null}
    </div>
  );
}

export function ProposeChange({ install }: { install: Install }) {
  const navigate = useNavigate();
  const open = useMutation({
    mutationFn: () =>
      call(
        api.POST('/v1/repository_change_requests', {
          params: { header: { 'idempotency-key': newIdempotencyKey() } },
          body: { kind: 'user', parent_repository_id: install.repository_id },
        }),
      ),
    onSuccess: (rcr) => navigate(`/repository_change_requests/${rcr.id}`),
  });
  return (
    <>
      <button type="button" onClick={() => open.mutate()} disabled={open.isPending}>
        Propose a change
      </button>
      {open.isError ? <ErrorBox error={open.error} /> : null}
    </>
  );
}

export function DeleteInstall({ install }: { install: Install }) {
  const refresh = useRefreshInstall(install.id);
  const del = useMutation({
    mutationFn: () =>
      call(
        api.DELETE('/v1/installs/{id}', {
          params: { path: { id: install.id }, header: { 'if-match': install.etag } },
        }),
      ),
    onSuccess: () => refresh(),
  });
  return (
    <>
      <button
        type="button"
        className="danger"
        disabled={del.isPending}
        onClick={() => {
          if (
            window.confirm(
              `Delete ${install.id}? Its repository is purged; delete the Argo CD or Flux objects first.`,
            )
          )
            del.mutate();
        }}
      >
        Delete
      </button>
      {del.isError ? <ErrorBox error={del.error} /> : null}
    </>
  );
}
