/** The form that creates an agent: name, description, instructions, capabilities, runtime deployment. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import type { Schema } from '@atoll/client';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { ErrorBox } from '../../ui/states.tsx';

export type Capability = Schema<'CreateAgentBody'>['capabilities'][number];
/** The capabilities an agent may have, with what each lets it do (shared with the edit form). */
export const CAPABILITIES: { value: Capability; hint: string }[] = [
  { value: 'CHAT', hint: 'answers in a session' },
  { value: 'CODING', hint: 'changes repositories' },
  { value: 'AMBIENT', hint: 'acts on triggers, configured through the API (PATCH /v1/agents/{id}, ambient)' },
];

export function CreateAgent({ onCancel }: { onCancel: () => void }) {
  const ws = useWorkspaceKey();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [instructions, setInstructions] = useState('');
  const [capabilities, setCapabilities] = useState<Capability[]>(['CHAT']);
  const [runtime, setRuntime] = useState('');
  const create = useMutation({
    mutationFn: () =>
      call(
        api.POST('/v1/agents', {
          body: {
            name,
            instructions,
            capabilities,
            ...(description ? { description } : {}),
            ...(runtime ? { runtime_deployment_id: runtime } : {}),
          },
        }),
      ),
    onSuccess: async (agent) => {
      await queryClient.invalidateQueries({ queryKey: [ws, 'agents'] });
      navigate(`/agents/${agent.id}`);
    },
  });
  const toggle = (value: Capability) =>
    setCapabilities((now) => (now.includes(value) ? now.filter((c) => c !== value) : [...now, value]));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <form className="stack agent-form" onSubmit={submit} aria-label="New agent">
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={120} />
      </label>
      <label>
        <span>
          Description <span className="muted">(optional)</span>
        </span>
        <input value={description} onChange={(e) => setDescription(e.target.value)} maxLength={500} />
      </label>
      <label>
        Instructions
        <textarea
          value={instructions}
          onChange={(e) => setInstructions(e.target.value)}
          required
          rows={5}
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
          Runtime deployment <span className="muted">(optional: a job-mode agent deployment, adpl_…)</span>
        </span>
        <input value={runtime} onChange={(e) => setRuntime(e.target.value.trim())} placeholder="adpl_…" />
      </label>
      {create.isError ? <ErrorBox error={create.error} title="Not created" /> : null}
      <div className="row">
        <button type="submit" className="primary" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create agent'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
