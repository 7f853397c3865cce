/**
 * Starting a run (job deployments: input JSON and envs) or a service instance (envs) from the
 * deployment page; the new run or instance opens once created. Each submission carries its own
 * Idempotency-Key, so a double click never starts two.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, call, newIdempotencyKey, useWorkspaceKey } from '../../api.ts';
import { ErrorBox } from '../../ui/states.tsx';
import type { Deployment } from './family.tsx';

/** `NAME=value` lines as an envs object; blank lines are skipped. */
function parseEnvs(text: string): Record<string, string> {
  const envs: Record<string, string> = {};
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`envs line ${i + 1}: write NAME=value`);
    envs[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return envs;
}

function parseInput(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`input is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('input must be a JSON object, e.g. {"name": "Ada"}');
  return value as Record<string, unknown>;
}

export function StartForm({ deployment, onClose }: { deployment: Deployment; onClose: () => void }) {
  const navigate = useNavigate();
  const client = useQueryClient();
  const ws = useWorkspaceKey();
  const job = deployment.mode === 'job';
  const [input, setInput] = useState('{}');
  const [envs, setEnvs] = useState('');
  const [attempt] = useState(newIdempotencyKey);
  const start = useMutation({
    mutationFn: async () => {
      const path = { deployment_id: deployment.id };
      const headers = { 'idempotency-key': attempt };
      if (job) {
        const body = { input: parseInput(input), envs: parseEnvs(envs) };
        const run = await call(
          api.POST('/v1/agent-deployments/{deployment_id}/runs', { params: { path, header: headers }, body }),
        );
        return `/deployments/${deployment.id}/runs/${run.id}`;
      }
      const body = { envs: parseEnvs(envs) };
      const service = await call(
        api.POST('/v1/agent-deployments/{deployment_id}/services', {
          params: { path, header: headers },
          body,
        }),
      );
      return `/deployments/${deployment.id}/services/${service.id}`;
    },
    onSuccess: (to) => {
      void client.invalidateQueries({ queryKey: [ws, job ? 'agent-runs' : 'agent-services', deployment.id] });
      navigate(to);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    start.mutate();
  };
  return (
    <form
      className="section stack start-form"
      onSubmit={submit}
      aria-label={job ? 'Start a run' : 'Start an instance'}
    >
      <h2>{job ? 'Start a run' : 'Start a service instance'}</h2>
      {job ? (
        <label className="stack">
          Input (JSON object, the run reads it from $ATOLL_RUN_INPUT)
          <textarea rows={4} value={input} onChange={(e) => setInput(e.target.value)} spellCheck={false} />
        </label>
      ) : null}
      <label className="stack">
        Envs (NAME=value per line; write-only: never stored, redacted from logs)
        <textarea rows={2} value={envs} onChange={(e) => setEnvs(e.target.value)} spellCheck={false} />
      </label>
      {start.isError ? <ErrorBox error={start.error} /> : null}
      <div className="row">
        <button className="primary" type="submit" disabled={start.isPending}>
          {start.isPending ? 'Starting…' : job ? 'Start run' : 'Start instance'}
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}
