/** The form that creates an agent (its fields: agent-fields.tsx). */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { ErrorBox } from '../../ui/states.tsx';
import { AgentFields, type AgentForm } from './agent-fields.tsx';

export function CreateAgent({ onCancel }: { onCancel: () => void }) {
  const ws = useWorkspaceKey();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [form, setForm] = useState<AgentForm>({
    name: '',
    description: '',
    instructions: '',
    capabilities: ['CHAT'],
    runtime: '',
  });
  const { name, description, instructions, capabilities, runtime } = form;
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
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <form className="stack agent-form" onSubmit={submit} aria-label="New agent">
      <AgentFields form={form} onChange={setForm} />
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
