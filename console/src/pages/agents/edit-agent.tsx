/**
 * The form that edits an agent in place (PATCH /v1/agents/{id}): name, description, instructions,
 * capabilities and runtime deployment. Only the fields that changed are sent, with the etag read when
 * editing began, so a change made meanwhile by someone else is a 409 shown with the server's message
 * instead of being silently overwritten.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { AtollApiError, type Schema } from '@atoll/client';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { Section } from '../../ui/page.tsx';
import { ErrorBox } from '../../ui/states.tsx';
import { AgentFields, type AgentForm } from './agent-fields.tsx';

type Agent = Schema<'Agent'>;
type Patch = Schema<'UpdateAgentBody'>;

/** The fields that differ from the agent as read; an empty object when nothing changed. */
function changes(agent: Agent, form: AgentForm): Patch {
  const patch: Patch = {};
  if (form.name !== agent.name) patch.name = form.name;
  if (form.description !== (agent.description ?? '')) patch.description = form.description;
  if (form.instructions !== agent.instructions) patch.instructions = form.instructions;
  if (form.capabilities.join() !== agent.capabilities.join()) patch.capabilities = form.capabilities;
  if (form.runtime !== (agent.runtime_deployment_id ?? ''))
    patch.runtime_deployment_id = form.runtime === '' ? null : form.runtime;
  return patch;
}

export function EditAgent({ agent: shown, onDone }: { agent: Agent; onDone: () => void }) {
  // The agent as it was when editing began: a refetch meanwhile must not move the etag under the form.
  const [agent] = useState(shown);
  const ws = useWorkspaceKey();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<AgentForm>({
    name: agent.name,
    description: agent.description ?? '',
    instructions: agent.instructions,
    capabilities: agent.capabilities,
    runtime: agent.runtime_deployment_id ?? '',
  });
  const patch = changes(agent, form);
  const dirty = Object.keys(patch).length > 0;
  const save = useMutation({
    mutationFn: () =>
      call(
        api.PATCH('/v1/agents/{id}', {
          params: { path: { id: agent.id }, header: { 'if-match': agent.etag } },
          body: patch,
        }),
      ),
    onSuccess: (next) => {
      queryClient.setQueryData([ws, 'agent', agent.id], next);
      void queryClient.invalidateQueries({ queryKey: [ws, 'agents'] });
      onDone();
    },
  });
  const conflict = save.error instanceof AtollApiError && save.error.status === 409;
  const reload = async () => {
    await queryClient.invalidateQueries({ queryKey: [ws, 'agent', agent.id] });
    onDone();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (dirty) save.mutate();
  };
  return (
    <Section title="Edit agent">
      <form className="stack agent-form" onSubmit={submit} aria-label="Edit agent">
        <AgentFields form={form} onChange={setForm} editing />
        <p className="muted small">
          The model policy and the ambient configuration are changed through the API:{' '}
          <code>PATCH /v1/agents/{agent.id}</code> with <code>if-match: {agent.etag}</code>.
        </p>
        {save.isError ? (
          <div className="stack">
            <ErrorBox error={save.error} title="Not saved" />
            {conflict ? (
              <div className="row">
                <button type="button" onClick={() => void reload()}>
                  Reload the agent (discards these edits)
                </button>
              </div>
            ) : null}
          </div>
        ) : null}
        <div className="row">
          <button type="submit" className="primary" disabled={!dirty || save.isPending}>
            {save.isPending ? 'Saving…' : 'Save changes'}
          </button>
          <button type="button" onClick={onDone}>
            Cancel
          </button>
          {dirty ? null : <span className="muted small">No changes yet</span>}
        </div>
      </form>
    </Section>
  );
}
