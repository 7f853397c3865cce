/** /dashboards/snippets/new: create a snippet (name, display type, code, input schema), then open it. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { Page } from '../../ui/page.tsx';
import { ErrorBox } from '../../ui/states.tsx';
import { DefinitionFields, NEW_DRAFT, parseInputs, type Draft } from './definition.tsx';
import type { CreateSnippetBody } from './types.ts';
import './snippets.css';

export function NewSnippetPage() {
  const [draft, setDraft] = useState<Draft>(NEW_DRAFT);
  const [problem, setProblem] = useState<string>();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const ws = useWorkspaceKey();
  const create = useMutation({
    mutationFn: (body: CreateSnippetBody) => call(api.POST('/v1/snippets', { body })),
    onSuccess: async ({ snippet_id }) => {
      await queryClient.invalidateQueries({ queryKey: [ws, 'snippets'] });
      navigate(`/dashboards/snippets/${snippet_id}`);
    },
  });
  return (
    <Page title="New snippet" crumbs={[{ label: 'Snippets', to: '/dashboards/snippets' }, { label: 'New' }]}>
      <form
        className="section stack"
        onSubmit={(e) => {
          e.preventDefault();
          const parsed = parseInputs(draft.inputs);
          if ('problem' in parsed) return setProblem(parsed.problem);
          setProblem(undefined);
          create.mutate({
            name: draft.name,
            code: draft.code,
            display_type: draft.display_type,
            inputs: parsed.inputs,
            ...(draft.description ? { description: draft.description } : {}),
          });
        }}
      >
        <DefinitionFields draft={draft} onChange={setDraft} />
        {problem ? <ErrorBox error={problem} /> : null}
        {create.isError ? <ErrorBox error={create.error} title="Not created" /> : null}
        <div className="row">
          <button className="primary" type="submit" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create snippet'}
          </button>
          <Link to="/dashboards/snippets">Cancel</Link>
        </div>
      </form>
    </Page>
  );
}
