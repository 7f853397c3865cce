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
import { CAPABILITIES, type Capability } from './create-agent.tsx';

type Agent = Schema<'Agent'>;
type Patch = Schema<'UpdateAgentBody'>;

/** The fields that differ from the agent as read; an empty object when nothing changed. */
function changes(
  agent: Agent,
  form: {
    name: string;
    description: string;
    instructions: string;
    capabilities: Capability[];
    runtime: string;
  },
): Patch {
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
  const [name, setName] = useState(agent.name);
  const [description, setDescription] = useState(agent.description ?? '');
  const [instructions, setInstructions] = useState(agent.instructions);
  const [capabilities, setCapabilities] = useState<Capability[]>(agent.capabilities);
  const [runtime, setRuntime] = useState(agent.runtime_deployment_id ?? '');
  const patch = changes(agent, { name, description, instructions, capabilities, runtime });
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
  // Keep the canonical order (CHAT, CODING, AMBIENT) so toggling back and forth is no change.
  const toggle = (value: Capability) =>
    setCapabilities((now) =>
      CAPABILITIES.map((c) => c.value).filter((c) => (c === value ? !now.includes(c) : now.includes(c))),
    );
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
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={120} autoFocus />
        </label>
        <label>
          <span>
            Description <span className="muted">(optional; empty removes it)</span>
          </span>
          <input value={description} onChange={(e) => setDescription(e.target.value)} maxLength={500} />
        </label>
        <label>
          Instructions
          <textarea
            value={instructions}
            onChange={(e) => setInstructions(e.target.value)}
            required
            rows={8}
            maxLength={20000}
          />
        </label>
        <fieldset>
          <legend>Capabilities</legend>
          {CAPABILITIES.map((c) => (
            <label key={c.value} className="check">
              <input
                type="checkbox"
                checked={capabilities.includes(c.value)}
                onChange={() => toggle(c.value)}
              />
              {c.value} <span className="muted">— {c.hint}</span>
            </label>
          ))}
        </fieldset>
        <label>
          <span>
            Runtime deployment{' '}
            <span className="muted">(optional: a job-mode agent deployment, adpl_…; empty removes it)</span>
          </span>
          <input value={runtime} onChange={(e) => setRuntime(e.target.value.trim())} placeholder="adpl_…" />
        </label>
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
