/**
 * Deleting a deployment from its page: a confirm step that says what deleting does (docs/agent-deployments.md:
 * a soft delete; active runs are cancelled, service instances stopped, the name freed) and asks for the
 * deployment's name to be typed, then DELETE /v1/agent-deployments/{id} and back to the list.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { ErrorBox } from '../../ui/states.tsx';
import type { Deployment } from './family.tsx';

export function DeleteDeployment({ deployment, onClose }: { deployment: Deployment; onClose: () => void }) {
  const ws = useWorkspaceKey();
  const client = useQueryClient();
  const navigate = useNavigate();
  const [typed, setTyped] = useState('');
  const job = deployment.mode === 'job';
  const remove = useMutation({
    mutationFn: () =>
      call(
        api.DELETE('/v1/agent-deployments/{deployment_id}', {
          params: { path: { deployment_id: deployment.id } },
        }),
      ),
    onSuccess: async (deleted) => {
      client.setQueryData([ws, 'agent-deployment', deployment.id], deleted);
      await client.invalidateQueries({ queryKey: [ws, 'agent-deployments'] });
      void client.invalidateQueries({ queryKey: [ws, job ? 'agent-runs' : 'agent-services', deployment.id] });
      navigate('/deployments');
    },
  });
  const matches = typed === deployment.name;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (matches) remove.mutate();
  };
  return (
    <form className="section stack delete-form" onSubmit={submit} aria-label="Delete deployment">
      <h2>Delete {deployment.name}?</h2>
      <ul className="consequences">
        {job ? (
          <li>
            Its <strong>queued and running runs are cancelled</strong>, and no new run can be started.
          </li>
        ) : (
          <li>
            Its <strong>running service instances are stopped</strong>, and no new instance can be started.
          </li>
        )}
        <li>
          It is a soft delete: the deployment stays readable with status <em>deleted</em> (the list's Status
          filter shows it), with its versions, runs and logs.
        </li>
        <li>
          Its name <code>{deployment.name}</code> is free again for a new deployment. Agents naming it as
          their runtime keep naming it; their turns then fail at admission.
        </li>
        <li>It cannot be undone.</li>
      </ul>
      <label className="stack">
        <span>
          Type <code>{deployment.name}</code> to confirm
        </span>
        <input
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          autoFocus
          autoComplete="off"
          spellCheck={false}
        />
      </label>
      {remove.isError ? <ErrorBox error={remove.error} title="Not deleted" /> : null}
      <div className="row">
        <button type="submit" className="danger-solid" disabled={!matches || remove.isPending}>
          {remove.isPending ? 'Deleting…' : 'Delete deployment'}
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}
