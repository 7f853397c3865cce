/**
 * The turns of a session: the user's message that opens each one in the log (a turn's input lives on
 * the turn, not in an event), its state, and Cancel while it is not over.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Schema } from '@atoll/client';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { Time } from '../../ui/format.tsx';
import { ErrorBox } from '../../ui/states.tsx';
import { AgentBadge } from './badges.tsx';

export type AgentTurn = Schema<'AgentTurn'>;

const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

/** The session's latest turns (up to 100), newest first, by id. */
export function useSessionTurns(sessionId: string) {
  const ws = useWorkspaceKey();
  return useQuery({
    queryKey: [ws, 'turns', { session: sessionId }],
    queryFn: async () =>
      (await call(api.GET('/v1/agent_turns', { params: { query: { session: sessionId, limit: 100 } } })))
        .data,
  });
}

/** A turn not among the latest hundred (a long session's older turns), read by id. */
function useTurn(id: string, known: AgentTurn | undefined) {
  const ws = useWorkspaceKey();
  return useQuery({
    queryKey: [ws, 'turns', 'one', id],
    queryFn: () => call(api.GET('/v1/agent_turns/{id}', { params: { path: { id } } })),
    enabled: known === undefined,
  });
}

export function TurnHeader({ id, known }: { id: string; known: AgentTurn | undefined }) {
  const fetched = useTurn(id, known);
  const turn = known ?? fetched.data;
  return (
    <li className="event user" data-turn-id={id}>
      <div className="event-meta">
        <span className="event-type">You</span>
        <span className="muted">
          turn <code>{id}</code>
          {turn ? (
            <>
              {' '}
              · <Time value={turn.created_at} />
            </>
          ) : null}
        </span>
        <span className="turn-state">
          {turn ? <AgentBadge state={turn.state} /> : null}
          {turn && !TERMINAL.has(turn.state) ? <CancelTurn turn={turn} /> : null}
        </span>
      </div>
      <div className="event-body">
        {fetched.isError ? (
          <ErrorBox error={fetched.error} />
        ) : (
          <div className="message-text">{turn?.input.content ?? '…'}</div>
        )}
        {turn?.failure ? (
          <div className="failure-line">
            {turn.failure.code}: {turn.failure.message}
          </div>
        ) : null}
      </div>
    </li>
  );
}

function CancelTurn({ turn }: { turn: AgentTurn }) {
  const ws = useWorkspaceKey();
  const queryClient = useQueryClient();
  const cancel = useMutation({
    mutationFn: () => call(api.POST('/v1/agent_turns/{id}:cancel', { params: { path: { id: turn.id } } })),
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: [ws, 'turns'] }),
        queryClient.invalidateQueries({ queryKey: [ws, 'approvals'] }),
      ]),
  });
  return (
    <>
      <button className="small" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
        Cancel turn
      </button>
      {cancel.isError ? <ErrorBox error={cancel.error} /> : null}
    </>
  );
}
