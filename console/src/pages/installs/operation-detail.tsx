/**
 * /operations/:id: an operation's kind, owner, state, steps, error and response, followed live with the
 * API's long poll (`:wait`) until it is done; a failed poll (a server restart) is retried.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useParams } from 'react-router';
import type { Schema } from '@atoll/client';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { Id, Json, StateBadge, Time } from '../../ui/format.tsx';
import { Page, Section } from '../../ui/page.tsx';
import { Empty, ErrorBox, Loading } from '../../ui/states.tsx';
import { OwnerLink } from './owner-operations.tsx';
import { State } from './common.tsx';
import './installs.css';

type Operation = Schema<'Operation'>;

/** The operation, kept current by `:wait` long polls while it runs. */
function useLiveOperation(id: string) {
  const ws = useWorkspaceKey();
  const key = [ws, 'operation', id];
  const queryClient = useQueryClient();
  const op = useQuery({
    queryKey: key,
    queryFn: () => call(api.GET('/v1/operations/{id}', { params: { path: { id } } })),
  });
  const done = op.data?.done;
  const running = op.data !== undefined && !done;
  useEffect(() => {
    if (!running) return;
    const abort = new AbortController();
    void (async () => {
      let backoff = 500;
      while (!abort.signal.aborted) {
        try {
          const next = await call(
            api.POST('/v1/operations/{id}:wait', {
              params: { path: { id }, query: { timeout: 25 } },
              signal: abort.signal,
            }),
          );
          queryClient.setQueryData(key, next);
          backoff = 500;
          if (next.done) return;
        } catch {
          if (abort.signal.aborted) return;
          await new Promise((r) => setTimeout(r, backoff));
          backoff = Math.min(backoff * 2, 10_000);
        }
      }
    })();
    return () => abort.abort();
  }, [running, id, ws]);
  return op;
}

export function OperationPage() {
  const { id = '' } = useParams();
  const op = useLiveOperation(id);
  if (!op.data) return op.isError ? <ErrorBox error={op.error} /> : <Loading what="operation" />;
  const o = op.data;
  return (
    <Page
      title={<code className="title-id">{o.id}</code>}
      crumbs={[{ label: 'Operations', to: '/operations' }, { label: o.id }]}
    >
      <Section title={<code>{o.metadata.type}</code>}>
        <dl className="props">
          <dt>State</dt>
          <dd className="row tight">
            <StateBadge state={o.state} />
            {o.done ? null : <span className="muted live">following live…</span>}
          </dd>
          <dt>Owner</dt>
          <dd>
            <OwnerLink type={o.owner_type} id={o.owner_id} />
          </dd>
          <dt>Started</dt>
          <dd>
            <Time value={o.started_at} />
          </dd>
          <dt>Completed</dt>
          <dd>
            <Time value={o.completed_at} />
          </dd>
          {o.parent_operation_id ? (
            <>
              <dt>Parent</dt>
              <dd>
                <Id>{o.parent_operation_id}</Id>
              </dd>
            </>
          ) : null}
        </dl>
        {o.error ? <ErrorBox title="Failed" error={new Error(o.error.message)} /> : null}
        {o.last_error && !o.error ? (
          <ErrorBox
            title={`Last error${o.last_error.step_name ? ` in ${o.last_error.step_name}` : ''}`}
            error={new Error(o.last_error.message)}
          />
        ) : null}
      </Section>
      <Section title="Steps">
        <Steps steps={o.steps ?? []} />
      </Section>
      <div className="grid-2">
        <Section title="Metadata">
          <Json value={o.metadata} />
        </Section>
        <Section title="Response">
          {o.response ? (
            <Json value={o.response} />
          ) : (
            <p className="muted">{o.done ? 'None.' : 'When it succeeds.'}</p>
          )}
        </Section>
      </div>
    </Page>
  );
}

function Steps({ steps }: { steps: Operation['steps'] & object }) {
  if (steps.length === 0) return <Empty title="No steps recorded" />;
  return (
    <ol className="steps" aria-label="Steps">
      {steps.map((s, i) => (
        <li key={`${s.name}-${i}`} className={`step step-${s.status}`}>
          <span className="step-dot" aria-hidden="true" />
          <div className="stack tight">
            <div className="row tight">
              <strong>{s.name}</strong>
              <State state={s.status} />
              <span className="muted small">{s.execution_type}</span>
              <span className="muted small">
                <Time value={s.started_at} />
                {s.completed_at ? (
                  <>
                    {' '}
                    → <Time value={s.completed_at} />
                  </>
                ) : null}
              </span>
            </div>
            {s.error_message ? <div className="state error">{s.error_message}</div> : null}
          </div>
        </li>
      ))}
    </ol>
  );
}
