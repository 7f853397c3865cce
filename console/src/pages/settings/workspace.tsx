/**
 * /settings: the workspace shown: its name, id and slug, plan and class, and a rename (PATCH with
 * if-match; the server decides who may: owners and admins).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { Id, Time } from '../../ui/format.tsx';
import { Section } from '../../ui/page.tsx';
import { ErrorBox, Loading } from '../../ui/states.tsx';
import { SettingsPage } from './settings-page.tsx';

export function WorkspaceSettingsPage() {
  const ws = useWorkspaceKey();
  const workspace = useQuery({
    queryKey: [ws, 'workspace'],
    queryFn: () => call(api.GET('/v1/workspaces/{id}', { params: { path: { id: ws } } })),
  });
  return (
    <SettingsPage>
      {workspace.isPending ? (
        <Loading what="workspace" />
      ) : workspace.isError ? (
        <ErrorBox error={workspace.error} />
      ) : (
        <>
          <Section title="Workspace">
            <dl className="props">
              <dt>Name</dt>
              <dd>{workspace.data.name}</dd>
              <dt>ID</dt>
              <dd>
                <Id>{workspace.data.id}</Id>
              </dd>
              <dt>Slug</dt>
              <dd>
                <code>{workspace.data.slug}</code>
              </dd>
              <dt>Class</dt>
              <dd>{workspace.data.workspace_class}</dd>
              <dt>Plan</dt>
              <dd>
                {workspace.data.plan.tier}{' '}
                <span className="muted">(billed by {workspace.data.plan.billed_by})</span>
              </dd>
              <dt>Created</dt>
              <dd>
                <Time value={workspace.data.created_at} />
              </dd>
              <dt>Updated</dt>
              <dd>
                <Time value={workspace.data.updated_at} />
              </dd>
            </dl>
          </Section>
          <Section title="Rename">
            <RenameForm
              key={workspace.data.etag}
              id={workspace.data.id}
              etag={workspace.data.etag}
              name={workspace.data.name}
              slug={workspace.data.slug}
            />
          </Section>
        </>
      )}
    </SettingsPage>
  );
}

function RenameForm(props: { id: string; etag: string; name: string; slug: string }) {
  const ws = useWorkspaceKey();
  const queryClient = useQueryClient();
  const { renameWorkspace } = useSession();
  const id = useId();
  const [name, setName] = useState(props.name);
  const [slug, setSlug] = useState(props.slug);
  const update = useMutation({
    mutationFn: () =>
      call(
        api.PATCH('/v1/workspaces/{id}', {
          params: { path: { id: props.id }, header: { 'if-match': props.etag } },
          body: { ...(name !== props.name ? { name } : {}), ...(slug !== props.slug ? { slug } : {}) },
        }),
      ),
    onSuccess: (workspace) => {
      renameWorkspace(workspace.id, workspace.name);
      return queryClient.invalidateQueries({ queryKey: [ws, 'workspace'] });
    },
  });
  const changed = name !== props.name || slug !== props.slug;
  return (
    <form
      className="settings-form"
      onSubmit={(e) => {
        e.preventDefault();
        update.mutate();
      }}
    >
      <label htmlFor={`${id}-name`}>Name</label>
      <input id={`${id}-name`} value={name} required onChange={(e) => setName(e.target.value)} />
      <label htmlFor={`${id}-slug`}>Slug</label>
      <input
        id={`${id}-slug`}
        value={slug}
        minLength={3}
        maxLength={39}
        required
        onChange={(e) => setSlug(e.target.value)}
      />
      <span />
      <div className="row">
        <button className="primary" type="submit" disabled={!changed || update.isPending}>
          {update.isPending ? 'Saving…' : 'Save'}
        </button>
        <span className="muted">Owners and admins may rename a workspace.</span>
      </div>
      {update.isError ? (
        <div className="span-2">
          <ErrorBox error={update.error} title="Not saved" />
        </div>
      ) : null}
    </form>
  );
}
