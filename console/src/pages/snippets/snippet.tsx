/**
 * /dashboards/snippets/{id} (the snippet's html_url): edit its definition (saved with if-match, so a
 * concurrent change is refused rather than overwritten), run it with inputs, its run history, and where
 * it is used. Archived snippets are shown read-only: the API has no unarchive.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { Page, Section } from '../../ui/page.tsx';
import { ErrorBox, Loading } from '../../ui/states.tsx';
import { DefinitionFields, parseInputs, toDraft, type Draft } from './definition.tsx';
import { SnippetDetails } from './details.tsx';
import { RunHistory } from './history.tsx';
import { RunForm } from './run-form.tsx';
import type { Snippet, UpdateSnippetBody } from './types.ts';
import './snippets.css';

export function SnippetPage() {
  const { id = '' } = useParams();
  const ws = useWorkspaceKey();
  const snippet = useQuery({
    queryKey: [ws, 'snippet', id],
    queryFn: () => call(api.GET('/v1/snippets/{id}', { params: { path: { id } } })),
  });
  const crumbs = [{ label: 'Snippets', to: '/dashboards/snippets' }, { label: snippet.data?.name ?? id }];
  if (snippet.isPending)
    return (
      <Page title="Snippet" crumbs={crumbs}>
        <Loading what="snippet" />
      </Page>
    );
  if (snippet.isError)
    return (
      <Page title="Snippet" crumbs={crumbs}>
        <ErrorBox error={snippet.error} />
      </Page>
    );
  return <SnippetEditor snippet={snippet.data} crumbs={crumbs} />;
}

function SnippetEditor({
  snippet,
  crumbs,
}: {
  snippet: Snippet;
  crumbs: Array<{ label: string; to?: string }>;
}) {
  const ws = useWorkspaceKey();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  // The draft being edited, and the saved definition (and etag) it started from.
  const [base, setBase] = useState<{ etag: string; draft: Draft }>(() => ({
    etag: snippet.etag,
    draft: toDraft(snippet),
  }));
  const [draft, setDraft] = useState<Draft>(base.draft);
  const [problem, setProblem] = useState<string>();
  const [confirmArchive, setConfirmArchive] = useState(false);
  const dirty = !sameDraft(draft, base.draft);
  const archived = snippet.archived_at !== null;
  // A newer version arrived (our own save, or a reload): take it unless the user has unsaved changes.
  if (snippet.etag !== base.etag && !dirty) {
    const next = { etag: snippet.etag, draft: toDraft(snippet) };
    setBase(next);
    setDraft(next.draft);
  }
  const changedElsewhere = snippet.etag !== base.etag && dirty;
  const refresh = () => queryClient.invalidateQueries({ queryKey: [ws, 'snippet', snippet.id] });

  const save = useMutation({
    mutationFn: (body: UpdateSnippetBody) =>
      call(
        api.PATCH('/v1/snippets/{id}', {
          params: { path: { id: snippet.id }, header: { 'if-match': base.etag } },
          body,
        }),
      ),
    onSuccess: async () => {
      setBase((old) => ({ ...old, draft }));
      await Promise.all([refresh(), queryClient.invalidateQueries({ queryKey: [ws, 'snippets'] })]);
    },
  });
  const archive = useMutation({
    mutationFn: () =>
      call(
        api.DELETE('/v1/snippets/{id}', {
          params: { path: { id: snippet.id }, header: { 'if-match': snippet.etag } },
        }),
      ),
    onSuccess: async () => {
      setConfirmArchive(false);
      await Promise.all([refresh(), queryClient.invalidateQueries({ queryKey: [ws, 'snippets'] })]);
    },
  });
  const duplicate = useMutation({
    mutationFn: () =>
      call(
        api.POST('/v1/snippets', {
          body: {
            name: `${snippet.name} (copy)`.slice(0, 100),
            code: snippet.code,
            display_type: snippet.display_type,
            inputs: snippet.inputs,
            ...(snippet.description ? { description: snippet.description } : {}),
          },
        }),
      ),
    onSuccess: ({ snippet_id }) => navigate(`/dashboards/snippets/${snippet_id}`),
  });

  const submit = () => {
    const parsed = parseInputs(draft.inputs);
    if ('problem' in parsed) return setProblem(parsed.problem);
    setProblem(undefined);
    const body: UpdateSnippetBody = {};
    if (draft.name !== base.draft.name) body.name = draft.name;
    if (draft.description !== base.draft.description) body.description = draft.description;
    if (draft.display_type !== base.draft.display_type) body.display_type = draft.display_type;
    if (draft.code !== base.draft.code) body.code = draft.code;
    if (draft.inputs !== base.draft.inputs) body.inputs = parsed.inputs;
    save.mutate(body);
  };

  return (
    <Page
      title={snippet.name}
      crumbs={crumbs}
      actions={
        archived ? (
          <button onClick={() => duplicate.mutate()} disabled={duplicate.isPending}>
            Duplicate as a new snippet
          </button>
        ) : confirmArchive ? (
          <>
            <span>Archive this snippet? Its runs are kept; it cannot be unarchived.</span>
            <button className="danger" onClick={() => archive.mutate()} disabled={archive.isPending}>
              Yes, archive
            </button>
            <button onClick={() => setConfirmArchive(false)}>Cancel</button>
          </>
        ) : (
          <button className="danger" onClick={() => setConfirmArchive(true)}>
            Archive
          </button>
        )
      }
    >
      {snippet.description ? <p className="muted page-lead">{snippet.description}</p> : null}
      {archive.isError ? <ErrorBox error={archive.error} title="Not archived" /> : null}
      {duplicate.isError ? <ErrorBox error={duplicate.error} title="Not duplicated" /> : null}
      {archived ? (
        <div className="notice block" role="status">
          Archived. Its definition and runs stay readable, but it can no longer be changed or run, and the API
          has no way to unarchive it: duplicate it to keep working on it.
        </div>
      ) : null}
      <Section
        title="Definition"
        actions={
          <span className="muted">
            version {snippet.etag}
            {dirty ? ' · unsaved changes' : ''}
          </span>
        }
      >
        <form
          className="stack"
          aria-label="Definition"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <DefinitionFields draft={draft} onChange={setDraft} readOnly={archived} />
          {changedElsewhere ? (
            <div className="notice block" role="status">
              This snippet changed since you started editing (version {base.etag} → {snippet.etag}); saving
              will be refused.{' '}
              <button
                type="button"
                className="link"
                onClick={() => {
                  const next = { etag: snippet.etag, draft: toDraft(snippet) };
                  setBase(next);
                  setDraft(next.draft);
                }}
              >
                Discard my changes and load version {snippet.etag}
              </button>
            </div>
          ) : null}
          {problem ? <ErrorBox error={problem} /> : null}
          {save.isError ? <ErrorBox error={save.error} title="Not saved" /> : null}
          {archived ? null : (
            <div className="row">
              <button className="primary" type="submit" disabled={!dirty || save.isPending}>
                {save.isPending ? 'Saving…' : 'Save'}
              </button>
              <button type="button" disabled={!dirty || save.isPending} onClick={() => setDraft(base.draft)}>
                Revert
              </button>
              {save.isSuccess && !dirty ? (
                <span className="muted" role="status">
                  Saved.
                </span>
              ) : null}
            </div>
          )}
        </form>
      </Section>
      <Section title="Run">
        <RunForm key={JSON.stringify(snippet.inputs)} snippet={snippet} dirty={dirty} />
      </Section>
      <Section title="Run history">
        <RunHistory snippetId={snippet.id} />
      </Section>
      <Section title="Details">
        <SnippetDetails snippet={snippet} />
      </Section>
      <p className="muted">
        <Link to="/dashboards/snippets">All snippets</Link>
      </p>
    </Page>
  );
}

function sameDraft(a: Draft, b: Draft): boolean {
  return (
    a.name === b.name &&
    a.description === b.description &&
    a.display_type === b.display_type &&
    a.code === b.code &&
    a.inputs === b.inputs
  );
}
